"""ui.long_run in a small app: start, streamed progress, stop, the per-session limit, failures, and that a
job runs off the script thread (a rerun of another session is not held up by it)."""
import threading
import time

from streamlit.testing.v1 import AppTest

from tests.long_jobs import finish
from ui import long_run

GATE = threading.Event()   # the "wait" job holds until a test opens it


def app():
    import time

    import streamlit as st

    from ui import long_run

    def counting(job):   # reports 0.1, 0.2, … until stopped or 50 steps
        for i in range(1, 51):
            job.check()
            job.report(i / 50, f"step {i}", {"i": i})
            time.sleep(0.02)
        return "counted"

    def failing(job):
        raise ValueError("bad input")

    def waiting(job):
        from tests.test_long_run import GATE

        GATE.wait(60)
        return "released"

    if st.button("count"):
        long_run.start("count", "k", counting, "Counting")
    if st.button("fail"):
        long_run.start("fail", "k", failing, "Failing")
    if st.button("wait"):
        long_run.start("wait", "k", waiting, "Waiting")
    for kind in ("count", "fail", "wait"):
        if done := long_run.take(kind):
            st.success(f"{kind}: {done.result}")
        long_run.follow(kind, lambda data: st.write(f"live {data['i']}"))


def texts(elements):
    return " ".join(e.value for e in elements)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_start_progress_and_result():
    at = AppTest.from_function(app, default_timeout=60).run()
    button(at, "count").click().run()
    assert [p.proto.text for p in at.get("progress")][0].startswith("Counting")
    time.sleep(0.3)
    at.run()
    assert "live" in texts(at.markdown)            # the latest snapshot, drawn by the page
    finish(at)
    assert "count: counted" in texts(at.success) and not at.get("progress")


def test_stop_ends_the_job_without_a_result():
    at = AppTest.from_function(app, default_timeout=60).run()
    button(at, "count").click().run()
    at.button(key="count_stop").click().run()
    finish(at)
    assert "Counting was stopped" in texts(at.info) and not at.success


def test_one_job_per_session_and_failures_are_shown():
    GATE.clear()
    at = AppTest.from_function(app, default_timeout=60).run()
    button(at, "wait").click().run()
    button(at, "fail").click().run()
    assert "One long job at a time per session: **Waiting**" in texts(at.warning)
    GATE.set()
    finish(at)
    button(at, "fail").click().run()
    finish(at)
    assert "Failing failed: bad input" in texts(at.error)


def test_jobs_run_off_the_script_thread():
    GATE.clear()
    at = AppTest.from_function(app, default_timeout=60).run()
    button(at, "wait").click().run()          # returns while the job still waits
    assert long_run.active_jobs() == 1
    other = AppTest.from_function(app, default_timeout=60).run()   # another rerun completes meanwhile
    assert not other.exception and long_run.active_jobs() == 1
    GATE.set()
    finish(at)
    assert "wait: released" in texts(at.success)


def test_an_abandoned_job_stops_itself(monkeypatch):
    monkeypatch.setattr(long_run, "ABANDON_S", 0.1)
    at = AppTest.from_function(app, default_timeout=60).run()
    button(at, "count").click().run()
    time.sleep(0.3)                  # nobody follows it: it stops at its next check
    deadline = time.monotonic() + 10
    while long_run.active_jobs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not long_run.active_jobs()
    at.run()
    assert "Counting was stopped" in texts(at.info)
