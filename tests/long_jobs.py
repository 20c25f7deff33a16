"""For AppTests of pages with long jobs (ui.long_run): wait for the shared pool, then rerun the page."""
import time

from ui import long_run


def finish(at, timeout: float = 600.0):
    """Wait until no job is queued or running on this server, then rerun ``at`` (it takes the result)."""
    deadline = time.monotonic() + timeout
    while long_run.active_jobs():
        if time.monotonic() > deadline:
            raise TimeoutError("a long job did not finish")
        time.sleep(0.05)
    return at.run()
