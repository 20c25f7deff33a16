"""Shared fixtures: every test starts with a fresh per-session time budget for long jobs (ui.long_run).

AppTests all run as one session ("test session id"), so without the reset the long-job time of one test
would count against the next ones."""
import sys

import pytest


@pytest.fixture(autouse=True)
def _fresh_long_job_budget():
    module = sys.modules.get("ui.long_run")   # not imported by engine-only tests: nothing to reset
    if module is not None:
        with module._LOCK:
            module._USAGE.clear()
    yield
