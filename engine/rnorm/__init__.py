"""R-norm tools: user-supplied target functions in a safe formula language (``formula``)."""
