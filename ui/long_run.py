"""Long jobs (training, compression, sweeps) off the script thread, one shared helper for every page.

A job is a function ``fn(job) -> result`` that calls ``job.report(fraction, text, data)`` as it goes and
``job.check()`` (or passes ``job.stopping`` to the engine's ``stop=``) between steps. It runs in one
bounded worker pool shared by all sessions (``WORKERS`` threads), so a session's rerun never waits for
another session's job; each session runs at most one job at a time (a second start says so).

Threads, not processes: every job here is torch work, whose kernels release the GIL, and its results
(models, networks) stay in memory without pickling. Measured (``python -m bench.long_run``, 2-core
sandbox shared with other work): a Plotly-building rerun ran 1.4–2.4× slower beside one or two training
threads, but 2–8× beside pure-Python threads (which hold the GIL: those would need a process pool), and
2–3× beside a training *process* under load — on two cores the job takes a core either way.

Page side: ``start(kind, key, fn, label)`` from a button (or on arrival); ``follow(kind, render)`` shows
the progress bar, the Stop button and ``render(data)`` of the latest snapshot in a fragment that polls
every ``POLL_S`` seconds and reruns the page once the job has ended; ``take(kind)`` hands the finished
job (its ``result`` and ``key``) to the page once. Clean-up: a job nobody has looked at for ``ABANDON_S``
seconds (its session closed or left the page) stops itself; ``Stop`` on a queued job cancels it before
it starts.

Time budget (issue 12, docs/limits.md): each session may keep a worker busy for at most ``SESSION_BUDGET_S``
seconds (env ``RELU_ATLAS_SESSION_BUDGET_S``, default 900) in any rolling ``BUDGET_WINDOW_S`` = 3600 s.
A start beyond it is refused with one line saying when time frees (the page's data and results stay); a
running job that reaches it stops at its next check, keeping what the page keeps of a stopped job. Only
running time counts, not time queued. A session is one browser tab's Streamlit session: the budget bounds
what one click path can cost, not what many tabs can.
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

WORKERS = max(1, int(os.environ.get("RELU_ATLAS_JOB_WORKERS", "2")))
POLL_S = 0.5
ABANDON_S = 90.0
SESSION_BUDGET_S = float(os.environ.get("RELU_ATLAS_SESSION_BUDGET_S", "900"))
BUDGET_WINDOW_S = 3600.0

_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="relu-atlas-job")
_LOCK = threading.Lock()
_RUNNING: dict[str, "Job"] = {}   # session id → its queued or running job
_USAGE: dict[str, list[list]] = {}   # session id → [start, end or None] of its jobs' running time


def used_s(spans, now: float, window: float = BUDGET_WINDOW_S) -> float:
    """Seconds of job time inside the window ``[now − window, now]``: Σ |[s, e] ∩ [now − window, now]|
    over the spans ``[s, e]`` (``e`` None: still running, counted up to ``now``).

    Parameters
    ----------
    spans : iterable of (start, end or None)
    now, window : float
        Seconds on the same clock as the spans.

    Returns
    -------
    float
    """
    lo = now - window
    return sum(max(0.0, min(now if e is None else e, now) - max(s, lo)) for s, e in spans)


def frees_in_s(spans, now: float, budget: float, window: float = BUDGET_WINDOW_S) -> float:
    """Seconds from ``now`` until less than ``budget`` is used (no further job; a running one taken as
    ending now): the least d ≥ 0 with ``used_s(spans, now + d) < budget``, by bisection (used_s is
    non-increasing in d once no job runs)."""
    ended = [(s, now if e is None else min(e, now)) for s, e in spans]
    if used_s(ended, now, window) < budget:
        return 0.0
    lo, hi = 0.0, window
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if used_s(ended, now + mid, window) < budget else (mid, hi)
    return hi


def runs_out_in_s(spans, now: float, budget: float, window: float = BUDGET_WINDOW_S) -> float:
    """Seconds a job started at ``now`` may run before the session's use reaches ``budget``: the least d
    with ``used_s(spans, now + d) + d ≥ budget`` (the earlier spans ended; they leave the window as it
    slides, so d may exceed ``budget − used_s(spans, now)``). Non-decreasing in d since a session's jobs
    run one at a time (disjoint spans)."""
    ended = [(s, now if e is None else min(e, now)) for s, e in spans]
    if used_s(ended, now, window) >= budget:
        return 0.0
    lo, hi = 0.0, budget
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if used_s(ended, now + mid, window) + mid < budget else (lo, mid)
    return hi


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def budget_help() -> str:
    """The budget in one line, for the help of the buttons that start long jobs (the same text on every
    rerun: a button's identity depends on its help)."""
    return (f"Long jobs (training, compression, sweeps) may keep a worker busy for at most "
            f"{_minutes(SESSION_BUDGET_S)} per rolling hour in each browser session.")


class Stopped(Exception):
    """Raised by ``Job.check`` once a stop was asked for; ends the job without a result."""


class Job:
    """One long job: its latest progress (fraction, text, data), then its result or error."""

    def __init__(self, kind: str, key: Any, label: str, session: str):
        self.kind, self.key, self.label, self.session = kind, key, label, session
        self.fraction, self.text, self.data = 0.0, "starting…", None
        self.state = "queued"          # queued → running → done | stopped | failed
        self.result, self.error = None, None
        self.seen = time.monotonic()
        self.deadline = float("inf")   # when the session's time budget runs out (set once it runs)
        self.out_of_budget = False     # stopped because that time came
        self._stop = threading.Event()
        self._future = None

    # ---- worker side ----
    def report(self, fraction: float, text: str, data: Any = None) -> None:
        """The latest progress; ``data`` (for the page's live view) should not be mutated afterwards."""
        self.fraction, self.text = min(max(float(fraction), 0.0), 1.0), text
        if data is not None:
            self.data = data

    @property
    def stopping(self) -> bool:
        """True once Stop was pressed, the page stopped looking (ABANDON_S) or the session's time budget
        ran out (SESSION_BUDGET_S)."""
        now = time.monotonic()
        return self._stop.is_set() or now - self.seen > ABANDON_S or now > self.deadline



    def _over(self) -> bool:
        """Whether the budget stopped this job (not Stop, not abandonment); remembered for ``take``."""
        self.out_of_budget = not self._stop.is_set() and time.monotonic() > self.deadline
        return self.out_of_budget

    def check(self) -> None:
        if self.stopping:
            raise Stopped

    def _run(self, fn: Callable[["Job"], Any]) -> None:
        span = None
        try:
            if self.stopping:
                raise Stopped
            with _LOCK:
                now = time.monotonic()
                spans = _USAGE.setdefault(self.session, [])
                self.deadline = now + runs_out_in_s(spans, now, SESSION_BUDGET_S)
                span = [now, None]
                spans.append(span)
            self.state = "running"
            self.result = fn(self)
            self.state = "stopped" if self._stop.is_set() or self._over() else "done"
        except Stopped:
            self.state = "stopped"
            self._over()
        except Exception as err:   # shown on the page by ``take``; the server keeps running
            self.error, self.state = err, "failed"
        finally:
            with _LOCK:
                if span is not None:
                    span[1] = time.monotonic()
                if _RUNNING.get(self.session) is self:
                    del _RUNNING[self.session]

    # ---- page side ----
    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def stop(self) -> None:
        self._stop.set()
        if self._future is not None and self._future.cancel():   # still queued: never starts
            self._run(lambda job: None)


def _session() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "no-session"


def _slot(kind: str) -> str:
    return f"_long_run_{kind}"


def active_jobs() -> int:
    """Jobs queued or running on this server (all sessions)."""
    with _LOCK:
        return len(_RUNNING)


def job(kind: str) -> Job | None:
    """This session's latest job of ``kind`` (running or finished, until ``take``)."""
    return st.session_state.get(_slot(kind))


def start(kind: str, key: Any, fn: Callable[[Job], Any], label: str) -> Job | None:
    """Queue ``fn`` as this session's job of ``kind`` (``key``: what it computes). If this session already
    runs that very job, return it; if it runs another one, say so on the page and return None."""
    session, wait = _session(), 0.0
    with _LOCK:
        current = _RUNNING.get(session)
        if current is not None and current.active:
            if (current.kind, current.key) == (kind, key):
                st.session_state[_slot(kind)] = current
                return current
            busy = current
        else:
            busy = None
            now = time.monotonic()
            _prune(now)
            wait = frees_in_s(_USAGE.get(session, []), now, SESSION_BUDGET_S)
            if wait == 0.0:
                new = Job(kind, key, label, session)
                _RUNNING[session] = new
    if busy is None and wait > 0.0:
        st.warning(f"This session has used its {_minutes(SESSION_BUDGET_S)} of long-job time for the last hour: "
                   f"**{label}** can start in about {_minutes(wait)} (your data and results stay).")
        return None
    if busy is not None:
        st.warning(f"One long job at a time per session: **{busy.label}** is still running "
                   f"({100 * busy.fraction:.0f} %). Stop it or wait for it, then start this one.")
        if st.button(f"Stop {busy.label}", key=f"{kind}_stop_other"):
            busy.stop()
            st.rerun()
        return None
    st.session_state[_slot(kind)] = new
    new._future = _POOL.submit(new._run, fn)
    return new


def _prune(now: float) -> None:
    """Forget spans that ended before the window and sessions left without any (caller holds _LOCK)."""
    for session in list(_USAGE):
        spans = [s for s in _USAGE[session] if s[1] is None or s[1] > now - BUDGET_WINDOW_S]
        if spans:
            _USAGE[session] = spans
        else:
            del _USAGE[session]


def take(kind: str) -> Job | None:
    """This session's finished job of ``kind`` with its ``result`` and ``key``, once (then it is forgotten);
    None while it runs, after a stop without a result (said on the page) or a failure (shown as an error)."""
    current = job(kind)
    if current is None or current.active:
        return None
    del st.session_state[_slot(kind)]
    if current.state == "failed":
        st.error(f"{current.label} failed: {current.error}")
    elif current.state == "stopped" and (current.result is None or current.out_of_budget):
        st.info(f"{current.label} was stopped" + (f": this session's {_minutes(SESSION_BUDGET_S)} of long-job "
                                                  "time per hour ran out." if current.out_of_budget else "."))
    return current if current.result is not None else None


def follow(kind: str, render: Callable[[Any], None] | None = None) -> bool:
    """While this session's job of ``kind`` is queued or running: its progress, a Stop button and
    ``render(data)`` of its latest snapshot, refreshed every POLL_S s; the page reruns when it ends.
    Returns True while the job is active (the caller may skip what needs its result)."""
    current = job(kind)
    if current is None or not current.active:
        return False
    _panel(current, render)
    return True


@st.fragment(run_every=POLL_S)
def _panel(current: Job, render) -> None:
    current.seen = time.monotonic()
    if not current.active:
        st.rerun()   # the whole page, once: it takes the result
    if current.state == "queued":
        ahead = max(active_jobs() - WORKERS, 0)
        text = f"{current.label}: waiting for a free worker ({WORKERS} shared by all sessions; {ahead} queued)"
    else:
        text = f"{current.label}: {current.text}"
    bar, stop = st.columns([5, 1])
    bar.progress(current.fraction, text=text)
    if stop.button("Stop", key=f"{current.kind}_stop", width="stretch"):
        current.stop()
    if render is not None and current.data is not None:
        render(current.data)
