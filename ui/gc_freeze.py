"""Keep Python's cyclic garbage collector off the click path.

Streamlit's default ``runner.postScriptGC`` runs a full collection, ``gc.collect(2)``, after every script or
fragment run. With numpy, scipy, pandas, plotly and Streamlit loaded, a full collection walks some 3·10⁵
long-lived objects: about 0.1 s of CPU per run here (measured with yappi on /univariate: 106 ms of a
click's ~240 ms server time), paid by every click of every session. ``.streamlit/config.toml`` turns that
off; this module moves what imports created (modules, functions, classes: alive for the life of the
process) into the collector's permanent generation with ``gc.freeze()``, so the automatic collections
that remain walk only objects made since. It freezes again only when a run imported new modules (a
page's first visit), so the few session objects alive at those moments are all it keeps from the
collector; reference counting still frees them when they are not in a cycle. (No ``gc.collect()`` before
freezing: that full collection is the cost avoided, and would land on a page's first open.)
"""
from __future__ import annotations

import gc
import sys

_modules_at_freeze = 0


def freeze_long_lived() -> bool:
    """``gc.freeze()`` if modules were imported since the last call; return whether it froze."""
    global _modules_at_freeze
    if len(sys.modules) == _modules_at_freeze:
        return False
    gc.freeze()
    _modules_at_freeze = len(sys.modules)
    return True
