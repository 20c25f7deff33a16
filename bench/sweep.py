"""Sweeps on Dask: speed-up against the number of local worker processes, and the cost per task of
the scheduler and of our sweep machinery, each against a plain loop measured in the same run.

* speed-up: 12 ``uniqueness`` rows of 400 points (~0.3 s each), run by a plain loop in this process and
  by ``run_sweep`` on LocalClusters of 1 and 2 workers (warm: the workers have imported the engine), and
  how busy the workers were (Σ of the rows' own ``seconds`` over workers × wall time: on a shared
  machine the rows themselves slow down, which this separates from our overhead);
* overhead: 1000 no-op Dask tasks (the scheduler alone), and a sweep of 200 rows of 3 points (~1 ms of
  work each, 8 rows a task as ``uniqueness`` sends them) against the same rows in a loop, with the worker time not spent in rows (scheduler,
  transfers, Parquet part files and consolidation) per row.
Run: ``python -m bench.sweep`` (under a minute on an idle 2-core machine).
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from distributed import Client, wait

from engine.sweep import EXPERIMENTS, load_spec, read_results, run_sweep
from engine.sweep.runner import local_cluster

HEAVY = {"experiment": "uniqueness", "grid": {"n_points": [400]}, "seeds": 12}
LIGHT = {"experiment": "uniqueness", "grid": {"n_points": [3]}, "seeds": 200}
NOOPS = 1000


def loop(spec) -> float:
    """The rows one after the other here, on one BLAS thread like a worker (Dask's nanny sets
    OMP/MKL/OpenBLAS threads to 1; threadpoolctl comes with scikit-learn)."""
    from threadpoolctl import threadpool_limits

    exp = spec.experiment
    start = time.perf_counter()
    with threadpool_limits(1):
        for r in spec.rows():
            exp.run({k: r[k] for k in exp.params}, r["seed"], "cpu")
    return time.perf_counter() - start


def noop(i):
    return i


def main():
    print(f"{os.cpu_count()} CPUs")
    heavy, light = load_spec(HEAVY), load_spec(LIGHT)
    heavy = replace(heavy, experiment=replace(heavy.experiment, batch=1))   # one row a task: 12 tasks to share
    loop(load_spec({**HEAVY, "seeds": 1}))   # imports
    base = loop(heavy)
    print(f"plain loop: {len(heavy)} rows of 400 points in {base:.2f} s ({base / len(heavy) * 1e3:.0f} ms a row)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2):
            with local_cluster(n) as cluster, Client(cluster) as client:
                client.run(lambda: EXPERIMENTS["uniqueness"].run(
                    {"tasks": 1, "n_points": 5, "spacing": 1.0, "layout": "random"}, 0, "cpu"))   # warm the workers
                t = time.perf_counter()
                run_sweep(heavy, Path(tmp) / f"heavy{n}.parquet", client=client)
                took = time.perf_counter() - t
                busy = read_results(Path(tmp) / f"heavy{n}.parquet")[0]["seconds"].sum()
                print(f"{n} worker(s): {took:.2f} s, speed-up {base / took:.2f}× against the loop; the workers computed "
                      f"for {busy:.2f} s, busy {busy / (n * took):.0%} of the time", flush=True)
                if n == 2:
                    t = time.perf_counter()
                    wait(client.map(noop, range(NOOPS), pure=False))
                    print(f"scheduler: {(time.perf_counter() - t) / NOOPS * 1e3:.2f} ms a no-op task ({NOOPS} tasks, "
                          "2 workers)")
                    base_light = loop(light)
                    t = time.perf_counter()
                    run_sweep(light, Path(tmp) / "light.parquet", client=client)
                    took = time.perf_counter() - t
                    busy = read_results(Path(tmp) / "light.parquet")[0]["seconds"].sum()
                    print(f"sweep of {len(light)} rows of 3 points: {took:.2f} s against {base_light:.2f} s in a loop; "
                          f"worker time not spent in rows: {(n * took - busy) / len(light) * 1e3:.2f} ms a row")


if __name__ == "__main__":
    main()
