"""For AppTests of pages with long jobs (ui.long_run): wait for the shared pool, then rerun the page."""
import time

from ui import long_run


def finish(at, timeout: float = 900.0):
    """Wait until no job is queued or running on this server, then rerun ``at`` (it takes the result). While
    waiting, the jobs count as watched (in a browser the page's progress fragment does that), so a slow run
    on a busy machine is not taken for an abandoned one."""
    deadline = time.monotonic() + timeout
    while long_run.active_jobs():
        if time.monotonic() > deadline:
            raise TimeoutError("a long job did not finish")
        with long_run._LOCK:
            for job in long_run._RUNNING.values():
                job.seen = time.monotonic()
        time.sleep(0.05)
    return at.run()
