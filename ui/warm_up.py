"""Server start-up: what the pages' first visits would otherwise wait for, loaded in a background thread.

A fresh process pays for its imports on the first visit of each page: torch and scikit-learn alone take
~3 s here, and /compress's first visit also reads the digits data (issue 10 asks for its trained baseline
within 2 s of a first visit). ``start()`` (called by asgi.py when the server starts) imports the pages'
modules and fills the shared data caches in a daemon thread (it lets other threads run between modules),
so the first visitor finds them loaded. Failures are logged, never raised: a warm-up
that fails leaves the pages to import as before.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time

MODULES = (
    "pandas", "pyarrow", "plotly.graph_objects", "scipy.optimize", "scipy.sparse.linalg",
    "engine.univariate", "ui.univariate_curves", "ui.multitask_curves", "ui.training_panel",
    "engine.rnorm.explore", "engine.rnorm.grid", "engine.rnorm.radial", "ui.rnorm_figure",
    "torch", "sklearn.datasets", "sklearn.model_selection", "engine.compress.deep_kmeans", "engine.compress.session",
    "engine.compress.methods", "engine.compress.shallow", "ui.compress_figure",
    "engine.kernel_regime", "engine.kernel_regime.runs", "ui.kernel_regime_figure", "engine.sweep", "engine.train",
)
_log = logging.getLogger(__name__)
_started = threading.Event()


def warm(modules=MODULES) -> float:
    """Import ``modules`` and read /compress's default data; returns the seconds it took."""
    start = time.perf_counter()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as err:   # noqa: BLE001 - a warm-up never fails the server
            _log.warning("warm-up: could not import %s (%s)", name, err)
        time.sleep(0)   # let requests that arrive meanwhile run between imports
    try:
        from ui.compress_data import digits

        digits(0)
    except Exception as err:   # noqa: BLE001
        _log.warning("warm-up: could not read the digits data (%s)", err)
    return time.perf_counter() - start


def start() -> None:
    """Warm up once per process, in a daemon thread."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=warm, name="relu-atlas-warm-up", daemon=True).start()
