"""The per-session time budget of ui.long_run: the accounting over a rolling hour (against sums worked out
by hand), a start refused in one line once the budget is spent (the page's results stay), and a running
job stopped when it reaches the budget."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.long_jobs import finish
from tests.test_long_run import button, texts
from ui import long_run
from ui.long_run import frees_in_s, runs_out_in_s, used_s

ROOT = Path(__file__).resolve().parents[1]


def test_used_counts_only_the_part_inside_the_last_hour():
    spans = [(0.0, 100.0), (3000.0, 3300.0), (3500.0, None)]
    assert used_s(spans, 3600.0) == pytest.approx(100 + 300 + 100)
    assert used_s(spans, 3650.0) == pytest.approx(50 + 300 + 150)        # the first span half out
    assert used_s(spans, 8000.0) == pytest.approx(3600.0)   # only the running one: all of the last hour
    assert used_s([], 10.0) == 0.0


def test_frees_in_is_when_the_oldest_time_leaves_the_window():
    # 900 s used at 0–900; at t = 1000 the budget 900 is spent; it frees once any of it leaves: t > 3600
    assert frees_in_s([(0.0, 900.0)], 1000.0, 900.0) == pytest.approx(2600.0, abs=1e-6)
    # two spans 400 + 600 = 1000 s; budget 900: 100 s more must leave the window (the first span's start)
    assert frees_in_s([(0.0, 400.0), (1000.0, 1600.0)], 2000.0, 900.0) == pytest.approx(3700 - 2000, abs=1e-6)
    assert frees_in_s([(0.0, 100.0)], 200.0, 900.0) == 0.0
    # a running job counts as ending now
    assert frees_in_s([(0.0, None)], 900.0, 900.0) == pytest.approx(3600.0 - 900.0, abs=1e-6)


def test_runs_out_in_accounts_for_time_leaving_the_window():
    assert runs_out_in_s([], 0.0, 900.0) == pytest.approx(900.0, abs=1e-6)
    assert runs_out_in_s([(0.0, 600.0)], 1000.0, 900.0) == pytest.approx(300.0, abs=1e-6)
    # 600 s used at 0–600, now 3500: 100 s leave within the first 100 s, then 1 s leaves per 1 s run
    # until 3600 + 600: the new job keeps the use at 600 − (t − 3600) + (t − 3500) = 700 after t = 3600,
    # below 900 for good, so it runs until its 900 s alone
    assert runs_out_in_s([(0.0, 600.0)], 3500.0, 900.0) == pytest.approx(900.0, abs=1e-6)
    assert runs_out_in_s([(0.0, 900.0)], 1000.0, 900.0) == 0.0


def test_the_budget_is_read_from_the_environment_and_stated(monkeypatch):
    code = "import ui.long_run as m; print(m.SESSION_BUDGET_S, m.budget_help())"
    env = {**os.environ, "RELU_ATLAS_SESSION_BUDGET_S": "60"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("60.0 ") and "at most 60 s per rolling hour" in out.stdout
    monkeypatch.setattr(long_run, "SESSION_BUDGET_S", 900.0)
    assert "at most 15 min per rolling hour in each browser session" in long_run.budget_help()


def test_a_job_stops_at_the_budget_and_the_next_start_is_refused(monkeypatch):
    from tests.test_long_run import app

    monkeypatch.setattr(long_run, "SESSION_BUDGET_S", 0.3)
    at = AppTest.from_function(app, default_timeout=60).run()
    started = time.monotonic()
    button(at, "count").click().run()        # 50 steps of 20 ms: longer than the budget
    finish(at)
    assert time.monotonic() - started < 5
    assert "Counting was stopped: this session's 0 s of long-job time per hour ran out" in texts(at.info)
    button(at, "count").click().run()
    warning = texts(at.warning)
    assert "used its 0 s of long-job time for the last hour: **Counting** can start in about 60 min" in warning
    assert not long_run.active_jobs() and not at.get("progress") and not at.exception


def test_without_the_budget_spent_other_tests_start_fresh():
    # the autouse fixture of tests/conftest.py cleared the previous test's use
    assert not long_run._USAGE
