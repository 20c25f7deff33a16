"""Shared test set-up.

* The numba one-task solvers are compiled (fresh checkout, ~20-40 s) or loaded once, before any test is timed:
  hypothesis deadlines and timed page runs must not pay for it.
* Every test starts with a fresh per-session time budget for long jobs (ui.long_run): AppTests all run as one
  session ("test session id"), so without the reset the long-job time of one test would count against the next
  ones.
"""
import sys

import pytest


def pytest_sessionstart(session):
    from ui.warm_up import warm_engine

    warm_engine()


@pytest.fixture(autouse=True)
def _fresh_long_job_budget():
    module = sys.modules.get("ui.long_run")   # not imported by engine-only tests: nothing to reset
    if module is not None:
        with module._LOCK:
            module._USAGE.clear()
    yield
