"""The engine's one validation boundary: ``DataError`` and the shared checks of user input.

Every place where the engine refuses input raises ``DataError`` (a ``ValueError``) with one readable
line naming what was wrong; the CLI prints that line and exits 2, the app shows it and keeps the
user's data.
"""
from __future__ import annotations


class DataError(ValueError):
    """The data cannot be used as given; the message says why in one line."""
