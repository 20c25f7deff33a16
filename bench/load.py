"""Load: N concurrent sessions speaking Streamlit's websocket protocol, each clicking or typing with think time.

Each session is one browser tab as the server sees it (bench/st_client.py): it opens a page, then, until
``--duration`` is over, waits a think time uniform in [0.5, 2] s and interacts:

* /univariate and /multitask: a click on one of the page's plots (ui/click_plot.py, a components-v2
  widget), sent as the trigger value the component's JavaScript sends, ``{"type": "add", "x", "y",
  "nonce"}`` at a random place inside the axes; a session with ``--max-points`` points removes one
  instead (``{"type": "remove", "index"}``), so the page's work stays about constant;
* /rnorm (opened on the custom formula): a new formula in the ``rn_formula`` text input.

Latency of an interaction = send → the ``script_finished`` of its last run (a run ending in
``st.rerun()`` is followed by another). Printed: sessions, reruns, reruns/s, p50/p95/max overall and per
page, page-open times, errors (disconnects, run timeouts, exceptions shown by the app, missing widgets)
and the server's RSS and CPU (cores busy) over time, read with psutil from ``--pid`` (comma-separated for
several replicas) or from the server ``--start`` starts; ``--warmup K`` first opens K untimed sessions of
each page (a fresh process pays its imports and caches on its first visits); ``--min-interactions K`` makes
every session interact K times even if its page opened late. Loopback targets only; at most 200 sessions and
600 s. Exit status 1 if there were errors or the p95 exceeds ``--p95-max``; 2 on bad arguments.

    python -m bench.load --start --sessions 30 --duration 60
    python -m bench.load --url http://127.0.0.1:8501 --pid 1234,1235 --sessions 60 --json out.json
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

try:
    import psutil
except ImportError:   # not a requirement: Linux's /proc says the same
    psutil = None
_GONE = (OSError, StopIteration) + ((psutil.Error,) if psutil else ())   # what reading a process that exited raises

from deploy.app_process import app_process

from bench.st_client import ProtocolError, RunResult, Session, plotly_array, text_state, trigger_state

MAX_SESSIONS, MAX_DURATION = 200, 600.0
THINK_S = (0.5, 2.0)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FORMULAS = ("exp(-(x^2 + {a}*y^2)/2)", "exp(-((x - {b})^2 + {a}*y^2)/2)", "exp(-{a}*r^2)")


def loopback_url(url: str) -> str:
    """``url`` without a trailing slash; ValueError unless it is http(s) on this machine's loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        raise ValueError(f"refusing {url!r}: benchmarks only target http://127.0.0.1 or localhost")
    return url.rstrip("/")


@contextmanager
def target(args):
    """(base URL, server PIDs): the app this run starts (``--start``), or the one at ``--url``."""
    if args.url:
        yield args.url, args.pids
        return
    with app_process(args.port) as (url, proc):
        yield url, [proc.pid]


def click(session: Session, rng: random.Random, max_points: int):
    """A click on one of the page's click plots: add a point inside the axes, or remove one when full."""
    plots = session.find("bidi_component", component="click_plot")
    if not plots:
        raise ProtocolError("no click_plot component on the page")
    plot = rng.choice(plots)
    figure = json.loads(plot.proto.json or "{}").get("figure")
    if isinstance(figure, str):   # ui/click_plot.py sends the figure as JSON text (its own number format)
        figure = json.loads(figure)
    if not isinstance(figure, dict):
        raise ProtocolError("the click_plot's data carries no JSON figure")
    layout = figure.get("layout", {})
    points = next((t for t in figure.get("data", []) if "points" in (t.get("meta"), t.get("name"))), {})
    n = len(plotly_array(points.get("x")))
    if n >= max_points:
        event = {"type": "remove", "index": rng.randrange(n)}
    else:
        (x0, x1), (y0, y1) = (layout.get(a, {}).get("range", (-3, 3)) for a in ("xaxis", "yaxis"))
        event = {"type": "add", "x": x0 + (x1 - x0) * rng.uniform(0.1, 0.9),
                 "y": y0 + (y1 - y0) * rng.uniform(0.1, 0.9)}
    event["nonce"] = f"{time.time_ns()}-{rng.random()}"
    return [trigger_state(plot.proto.id, "click", event)], plot.fragment_id


def formula(session: Session, rng: random.Random, _max_points: int):
    """A new formula typed into the R-norm page's custom-formula box."""
    boxes = session.find("text_input", suffix="rn_formula")
    if not boxes:
        raise ProtocolError("no rn_formula text input on the page")
    text = rng.choice(FORMULAS).format(a=round(rng.uniform(0.5, 3), 2), b=round(rng.uniform(-1, 1), 2))
    return [text_state(boxes[0].proto.id, text)], boxes[0].fragment_id


@dataclass(frozen=True)
class PageSpec:
    query: str
    interact: Callable


PAGES = {
    "univariate": PageSpec("", click),
    "multitask": PageSpec("", click),
    "rnorm": PageSpec("rn_item=Custom+formula", formula),
}


@dataclass
class Stats:
    opens: list[float] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    runs: int = 0
    errors: list[str] = field(default_factory=list)
    error_alerts: int = 0

    def record(self, page: str, result: RunResult, *, opening: bool = False) -> None:
        self.runs += result.runs
        (self.opens if opening else self.latencies.setdefault(page, [])).append(result.seconds)
        self.check(page, result)

    def check(self, label: str, result: RunResult) -> None:
        self.error_alerts += result.error_alerts
        if result.compile_error or result.exceptions:
            self.errors.append(f"{label}: " + "; ".join(result.exceptions or ["compile error"])[:300])


async def user(i: int, page: str, ws_url: str, args, stats: Stats, t_end: float) -> None:
    rng = random.Random(args.seed * 1000 + i)
    await asyncio.sleep(args.ramp * i / args.sessions)
    session = Session(ws_url, page, PAGES[page].query, timeout=args.run_timeout)
    try:
        stats.record(page, await session.open(), opening=True)
        for done in itertools.count():
            await asyncio.sleep(rng.uniform(*THINK_S))
            if time.monotonic() >= t_end and done >= args.min_interactions:
                break
            states, fragment = PAGES[page].interact(session, rng, args.max_points)
            stats.record(page, await session.rerun(states, fragment))
    except ProtocolError as err:
        stats.errors.append(f"{page} session {i}: {err}")
    finally:
        await session.close()


async def warm_up(ws_url: str, pages: list[str], args, stats: Stats) -> None:
    """Open and close ``--warmup`` concurrent sessions of every page (untimed), so that each replica
    behind a balancer has imported and cached what the first visit costs."""
    async def one(page: str) -> None:
        session = Session(ws_url, page, PAGES[page].query, timeout=args.run_timeout)
        try:
            stats.check(f"warm-up {page}", await session.open())
        except ProtocolError as err:
            stats.errors.append(f"warm-up {page}: {err}")
        finally:
            await session.close()

    await asyncio.gather(*(one(p) for p in pages for _ in range(args.warmup)))


def usage(pid: int) -> tuple[float, float]:
    """(resident memory in bytes, CPU seconds user + system) of a process: psutil, or /proc/PID."""
    if psutil is not None:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        return proc.memory_info().rss, times.user + times.system
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return 1024 * rss_kb, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime, stime


async def sample(pids: list[int], interval: float, out: list, stop: asyncio.Event) -> None:
    """Every ``interval`` s: [t, summed RSS in MB, cores busy since the last sample] of the server PIDs."""
    start = last_t = time.monotonic()
    last_cpu = sum(usage(p)[1] for p in pids)
    while True:
        try:
            rss, cpu = map(sum, zip(*(usage(p) for p in pids)))
        except _GONE:   # a server exited
            return
        rss /= 2**20
        now = time.monotonic()
        out.append([round(now - start, 1), round(rss, 1), round((cpu - last_cpu) / max(now - last_t, 1e-9), 2)])
        last_t, last_cpu = now, cpu
        try:
            await asyncio.wait_for(stop.wait(), interval)
            return
        except TimeoutError:
            pass


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    p50, p95 = np.percentile(values, [50, 95])
    return {"n": len(values), "p50": round(float(p50), 4), "p95": round(float(p95), 4),
            "max": round(max(values), 4)}


def assign(pages: dict[str, int], n: int) -> list[str]:
    """n pages in proportion to the weights, interleaved (weights 2,1 → a, a, b, a, a, b, …)."""
    order = [p for p, w in pages.items() for _ in range(w)]
    return [order[i % len(order)] for i in range(n)]


async def run(url: str, pids: list[int], args) -> dict:
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    pages = assign(args.pages, args.sessions)
    stats, samples, stop = Stats(), [], asyncio.Event()
    await warm_up(ws_url, list(args.pages), args, stats)
    sampler = asyncio.create_task(sample(pids, args.sample_every, samples, stop)) if pids else None
    cpu0, t0 = time.process_time(), time.monotonic()
    await asyncio.gather(*(user(i, p, ws_url, args, stats, t0 + args.duration) for i, p in enumerate(pages)))
    elapsed = time.monotonic() - t0
    stop.set()
    if sampler:
        await sampler
    every = [v for vs in stats.latencies.values() for v in vs]
    cpu_s = sum((b[0] - a[0]) * b[2] for a, b in zip(samples, samples[1:]))
    return {
        "url": url, "sessions": args.sessions, "pages": {p: pages.count(p) for p in args.pages},
        "duration_s": args.duration, "elapsed_s": round(elapsed, 1), "reruns": len(every),
        "reruns_per_s": round(len(every) / elapsed, 2), "script_runs": stats.runs,
        "latency_s": summary(every), "per_page_s": {p: summary(v) for p, v in stats.latencies.items()},
        "open_s": summary(stats.opens), "errors": len(stats.errors), "error_messages": stats.errors[:20],
        "error_alerts": stats.error_alerts,
        "server": {"pids": pids, "samples": samples, "columns": ["t_s", "rss_mb", "cpu_cores"],
                   "cpu_s": round(cpu_s, 1), "cpu_s_per_script_run": round(cpu_s / max(stats.runs, 1), 3)},
        "load_generator_cpu_cores": round((time.process_time() - cpu0) / elapsed, 2),
    }


def report(r: dict) -> str:
    fmt = lambda s: (f"n={s['n']:5d}  p50 {s['p50']:7.3f}  p95 {s['p95']:7.3f}  max {s['max']:7.3f} s"
                     if s["n"] else "n=    0")
    lines = [f"sessions {r['sessions']} ({', '.join(f'{p} {n}' for p, n in r['pages'].items())}) against {r['url']}, "
             f"{r['duration_s']:g} s of interactions, think {THINK_S[0]}–{THINK_S[1]} s, {r['elapsed_s']} s in all",
             f"page open     {fmt(r['open_s'])}",
             f"interactions  {fmt(r['latency_s'])}   {r['reruns']} reruns, {r['reruns_per_s']} reruns/s "
             f"({r['script_runs']} script runs in all)"]
    lines += [f"  {p:<11} {fmt(s)}" for p, s in r["per_page_s"].items()]
    lines.append(f"errors {r['errors']}" + "".join(f"\n  {m}" for m in r["error_messages"])
                 + f"   (st.error alerts shown: {r['error_alerts']})")
    samples = r["server"]["samples"]
    if samples:
        step = max(1, len(samples) // 12)
        lines.append("server RSS [MB] / cores busy over time: " + ", ".join(
            f"{t:g}s {m:.0f}/{c:.2f}" for t, m, c in samples[::step]))
        lines.append(f"server RSS max {max(s[1] for s in samples):.0f} MB (start {samples[0][1]:.0f}); "
                     f"cores busy mean {np.mean([s[2] for s in samples[1:]] or [0]):.2f}, "
                     f"max {max(s[2] for s in samples):.2f}; CPU {r['server']['cpu_s']:.0f} core-s in all, "
                     f"{r['server']['cpu_s_per_script_run']:.3f} per script run (opens included)")
    lines.append(f"load generator itself: {r['load_generator_cpu_cores']} cores (it shares the machine)")
    return "\n".join(lines)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="base URL of a running app (loopback only)")
    target.add_argument("--start", action="store_true", help="start app.py on a free port for the run")
    parser.add_argument("--port", type=int, help="with --start: the port (default a free one)")
    parser.add_argument("--pid", default="", help="server PID(s) to sample, comma-separated (with --url)")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of interactions")
    parser.add_argument("--pages", default="univariate,multitask,rnorm",
                        help="page[:weight],… from " + ", ".join(PAGES))
    parser.add_argument("--ramp", type=float, default=3.0, help="sessions open spread over this many seconds")
    parser.add_argument("--warmup", type=int, default=0, metavar="K",
                        help="first open K concurrent sessions of each page, untimed (e.g. 2 per replica)")
    parser.add_argument("--min-interactions", type=int, default=0, metavar="K",
                        help="each session interacts at least K times, even past --duration (K ≤ 10)")
    parser.add_argument("--max-points", type=int, default=12)
    parser.add_argument("--run-timeout", type=float, default=120.0)
    parser.add_argument("--sample-every", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--p95-max", type=float, help="exit 1 when the interaction p95 exceeds this (s)")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args(argv)
    try:
        if not 1 <= args.sessions <= MAX_SESSIONS:
            raise ValueError(f"--sessions must be in 1..{MAX_SESSIONS}")
        if not 0 <= args.warmup * len(args.pages.split(",")) <= MAX_SESSIONS:
            raise ValueError(f"--warmup: at most {MAX_SESSIONS} warm-up sessions")
        if not 0 <= args.min_interactions <= 10:
            raise ValueError("--min-interactions must be in 0..10")
        if not 0 < args.duration <= MAX_DURATION:
            raise ValueError(f"--duration must be in (0, {MAX_DURATION:g}] s")
        if args.url:
            args.url = loopback_url(args.url)
        args.pids = [int(p) for p in args.pid.split(",") if p.strip()]
        weights = [item.split(":") for item in args.pages.split(",") if item]
        args.pages = {w[0]: int(w[1]) if len(w) > 1 else 1 for w in weights}
        unknown = set(args.pages) - set(PAGES)
        if unknown or not args.pages or min(args.pages.values()) < 1:
            raise ValueError(f"--pages: use page[:weight>=1] from {', '.join(PAGES)} (got {sorted(unknown)})")
    except ValueError as err:
        parser.exit(2, f"bench.load: {err}\n")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    with target(args) as (url, pids):
        result = asyncio.run(run(url, pids, args))
    print(report(result), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    slow = args.p95_max is not None and result["latency_s"].get("p95", math.inf) > args.p95_max
    if slow:
        print(f"p95 {result['latency_s'].get('p95', math.inf):.3f} s exceeds --p95-max {args.p95_max:g} s"
              + ("" if result["reruns"] else " (no interaction finished)"))
    return 1 if result["errors"] or slow else 0


if __name__ == "__main__":
    sys.exit(main())
