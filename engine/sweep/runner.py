"""Running a sweep on Dask distributed: one task per unfinished row (docs/sweeps.md).

Where: a ``LocalCluster`` by default (``workers`` processes with one thread each: the rows are
single-threaded numpy/cvxpy/torch work, and Dask's nanny already sets OMP/MKL/OpenBLAS threads to 1),
any running scheduler by its address (``scheduler="tcp://host:8786"``: workers started there by
``dask worker``, dask-jobqueue's SLURMCluster, …), or a ``Client`` the caller made.

GPUs: Dask worker resources. A worker that advertises ``GPU`` (``dask worker … --resources GPU=1``;
the local cluster does so on every worker when torch sees a GPU) takes the rows of torch experiments
with ``resources={"GPU": 1}`` (so one such row per GPU at a time) and runs them on "cuda"; with no
GPU worker in the cluster they run on "cpu" anywhere. Rows record the device they ran on.

Rows go to the scheduler in tasks of ``Experiment.batch`` rows, as a window of tasks (``WINDOW``, or 4
per worker thread if more) refilled as they finish, so that a sweep of 10⁶ rows never puts 10⁶ tasks
on the scheduler.

Faults: a worker that dies mid-row has its rows rescheduled by the scheduler (up to Dask's
``distributed.scheduler.allowed-failures``); an exception inside an experiment is caught on the
worker and recorded in the row's ``error`` column. Finished rows reach the disk (``store.Store``) at
least every ``flush_every`` seconds, and whatever ends the run (done, ``stop()``, an exception, a
KeyboardInterrupt) the rows received so far are consolidated into OUT.
"""
from __future__ import annotations

import logging
import os
import platform
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from itertools import islice
from typing import Callable

from engine.sweep.experiments import EXPERIMENTS
from engine.sweep.spec import Spec, row_key
from engine.sweep.store import Store
from engine.validation import DataError

PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "dask", "distributed", "torch", "cvxpy", "clarabel",
            "scikit-learn", "ckwrap")
WINDOW = 256   # rows in flight at least (4 per worker thread if more)


@dataclass
class SweepReport:
    rows: int          # rows in OUT now
    expected: int      # rows of the spec
    computed: int      # rows finished in this run (with or without an error)
    skipped: int       # rows found finished on disk
    failed: int        # rows in OUT whose experiment raised (see their ``error``)
    lost: int          # rows whose task Dask gave up on (killed workers); not written, retried next run
    stopped: bool
    seconds: float
    first_error: str | None = None


def execute_row(name: str, row: dict, device: str) -> dict:
    """One row on a worker: the experiment's result columns, the time, device, worker and error."""
    exp = EXPERIMENTS[name]
    start = time.perf_counter()
    try:
        res, error = exp.run({k: row[k] for k in exp.params}, row["seed"], device), None
    except Exception as err:   # recorded in the row: one bad point must not end a sweep of thousands
        res, error = {}, f"{type(err).__name__}: {err}"
    try:
        from distributed import get_worker

        where = get_worker().address
    except ValueError:   # not on a worker (called directly)
        where = platform.node()
    return row | {k: res.get(k) for k in exp.results} | {
        "seconds": time.perf_counter() - start, "device": device, "worker": where, "error": error,
        "row": row_key(name, row)}


def execute_rows(name: str, rows: list[dict], device: str) -> list[dict]:
    """One Dask task: ``execute_row`` for each of a few rows (``Experiment.batch``)."""
    return [execute_row(name, row, device) for row in rows]


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _machine(client, gpu_workers) -> dict:
    info = client.scheduler_info(n_workers=-1)
    workers = info.get("workers", {}).values()
    try:
        import psutil

        memory = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        memory = None
    return {"host": platform.node(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "memory_gib": memory,
            "scheduler": info.get("address"), "workers": len(workers),
            "threads": sum(w.get("nthreads", 0) for w in workers), "gpu_workers": len(gpu_workers),
            "worker_hosts": sorted({w.get("host", "") for w in workers})}


def local_gpus() -> int:
    """GPUs torch sees here (imports torch)."""
    import torch

    return torch.cuda.device_count()


@contextmanager
def _blank_main():
    """Worker processes are spawned, and multiprocessing's spawn re-runs the parent's ``__main__`` in each
    child. Under Streamlit ``__main__`` is the app script (Streamlit installs it again on every script run of
    every session, from other threads), so a worker could run the page and fail to start ("Nanny failed to
    start"); swapping ``sys.modules["__main__"]`` raced with those runs. Instead, while the workers start,
    the preparation data sent to each child leave the main module out (a script that starts a sweep needs
    no ``if __name__ == "__main__"`` guard either)."""
    from multiprocessing import spawn

    original = spawn.get_preparation_data

    def without_main(name):
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        spawn.get_preparation_data = original


def local_cluster(workers: int, gpu: bool = False):
    """A LocalCluster of ``workers`` processes, one thread each; every worker advertises GPU=1 if ``gpu``."""
    from dask.distributed import LocalCluster

    with _blank_main():
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                            resources={"GPU": 1} if gpu else None, silence_logs=logging.ERROR)


def _connect(stack: ExitStack, client, scheduler, workers, spec):
    from dask.distributed import Client

    if client is not None:
        return client
    if scheduler:
        try:
            return stack.enter_context(Client(scheduler, timeout="10s"))
        except (OSError, TimeoutError, ValueError) as err:
            raise DataError(f"cannot reach the Dask scheduler at {scheduler} ({err})") from None
    gpu = spec.experiment.torch and local_gpus() > 0
    cluster = stack.enter_context(local_cluster(workers or os.cpu_count() or 1, gpu))
    return stack.enter_context(Client(cluster))


def run_sweep(spec: Spec, out, *, client=None, scheduler: str | None = None, workers: int | None = None,
              on_progress: Callable[[int, int], None] | None = None, stop: Callable[[], bool] | None = None,
              heartbeat: float = 0.5, flush_every: float = 1.0) -> SweepReport:
    """Compute the rows of ``spec`` not yet in ``out`` (see the module docstring for where) and
    consolidate. ``on_progress(done, total)`` is called after rows finish and at least every
    ``heartbeat`` seconds; ``stop()`` is asked as often and ends the sweep early (rows so far kept)."""
    start = time.perf_counter()
    store = Store(out, spec)
    name = spec.experiment.name
    rows = spec.rows()
    finished = store.finished()
    todo = [r for r in rows if row_key(name, r) not in finished]
    total, done = len(rows), len(rows) - len(todo)
    computed = lost = 0
    stopped = False
    first_error = None
    run = {"id": uuid.uuid4().hex, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "versions": versions()}
    if not todo:
        if on_progress:
            on_progress(done, total)
        table = store.consolidate()
        return SweepReport(len(table), total, 0, done, int(table["error"].notna().sum()), 0, False,
                           time.perf_counter() - start)
    buffer: list[dict] = []
    with ExitStack() as stack:
        from distributed import as_completed

        c = _connect(stack, client, scheduler, workers, spec)
        info = c.scheduler_info(n_workers=-1).get("workers", {})
        gpu_workers = [a for a, w in info.items() if w.get("resources", {}).get("GPU", 0) >= 1]
        on_gpu = spec.experiment.torch and bool(gpu_workers)
        run["machine"] = _machine(c, gpu_workers)
        if on_progress:
            on_progress(done, total)
        device = "cuda" if on_gpu else "cpu"
        queue = iter(todo)
        pending: dict = {}   # future → its number of rows
        ac = as_completed(with_results=True, raise_errors=False)   # results fetched as rows finish

        size = spec.experiment.batch

        def submit(count):   # a window of tasks in flight, not the whole sweep: the scheduler stays small
            groups = [g for g in (list(islice(queue, size)) for _ in range(count)) if g]
            if groups:
                futures = c.map(execute_rows, [name] * len(groups), groups, [device] * len(groups),
                                key=[f"sweep-{name}-{row_key(name, g[0])}-{len(g)}" for g in groups], pure=False,
                                resources={"GPU": 1} if on_gpu else None)
                pending.update(zip(futures, map(len, groups)))
                ac.update(futures)

        window = max(WINDOW, 4 * run["machine"]["threads"])
        submit(window)
        last_flush = last_beat = time.monotonic()
        try:
            while not ac.is_empty():
                batch = ac.next_batch(block=False) if ac.has_ready() else []
                for f, result in batch:
                    count = pending.pop(f)
                    if f.status == "finished":
                        buffer.extend(result)
                        computed += count
                        done += count
                    else:   # Dask gave up on the rows (their workers kept dying) or they were cancelled
                        lost += count
                        first_error = first_error or f"{type(result).__name__}: {result}"
                    f.release()
                if len(pending) <= window // 2:   # refill in chunks: one c.map per half window
                    submit(window - len(pending))
                now = time.monotonic()
                if buffer and (now - last_flush >= flush_every or len(buffer) >= 1000):
                    store.add(buffer, run | {"computed": computed})
                    buffer, last_flush = [], now
                if batch or now - last_beat >= heartbeat:
                    last_beat = now
                    if on_progress:
                        on_progress(done, total)
                    if stop and stop():
                        stopped = True
                        break
                if not batch:
                    time.sleep(0.02)
        finally:
            if pending:
                c.cancel(list(pending))
            store.add(buffer, run | {"computed": computed})
            run["computed"] = computed
            table = store.consolidate(run)
    failed = table["error"].notna()
    if first_error is None and failed.any():
        first_error = table.loc[failed, "error"].iloc[0]
    return SweepReport(len(table), total, computed, total - len(todo), int(failed.sum()), lost, stopped,
                       time.perf_counter() - start, first_error)
