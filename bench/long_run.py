"""How much a long job in ui.long_run's worker pool slows the script runs of other sessions.

A "rerun" here is the Python-heavy part of a page run: building and serialising five Plotly figures of
2000 points (no torch). It is timed alone, then beside one and two jobs running in the shared pool:
training a width-200 shallow net (engine.train; torch kernels release the GIL) and a pure-Python loop
(which holds it: the case for a process pool). Prints the median rerun time and its ratio to the time
alone, measured in the same run. Run: `python -m bench.long_run [--reruns 15]`.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ui import long_run


def rerun() -> float:
    start = time.perf_counter()
    for k in range(5):
        pio.to_json(go.Figure(go.Scatter(x=np.arange(2000), y=np.sin(np.arange(2000) / (k + 1)))), validate=True)
    return time.perf_counter() - start


def training(job):
    from engine.train import train

    x = np.linspace(-2, 2, 20)
    for _ in train(x, np.abs(x), width=200, lam=1e-3, steps=10**6, snapshot_every=200, stop=lambda: job.stopping):
        pass


def python_loop(job):
    while not job.stopping:
        sum(i * i for i in range(10_000))


def measure(reruns: int) -> float:
    return statistics.median(rerun() for _ in range(reruns))


def beside(fn, count: int, reruns: int) -> float:
    jobs = [long_run.Job("bench", i, "bench", f"bench-{i}") for i in range(count)]
    threads = [threading.Thread(target=job._run, args=(fn,)) for job in jobs]
    for t in threads:
        t.start()
    time.sleep(0.5)   # let them get going (torch import, first steps)
    try:
        return measure(reruns)
    finally:
        for job in jobs:
            job.stop()
        for t in threads:
            t.join()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args(argv)
    import engine.train  # noqa: F401  (import torch before timing)

    rerun()
    alone = measure(args.reruns)
    print(f"{'beside':28} {'rerun median (ms)':>18} {'ratio':>6}")
    print(f"{'nothing':28} {1000 * alone:18.1f} {1.0:6.2f}")
    for label, fn in (("training (torch)", training), ("pure-Python loop", python_loop)):
        for count in (1, 2):
            t = beside(fn, count, args.reruns)
            print(f"{f'{count} × {label}':28} {1000 * t:18.1f} {t / alone:6.2f}", flush=True)


if __name__ == "__main__":
    main()
