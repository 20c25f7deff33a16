"""Training runs of the 2-D kernel-regime experiment (Nakhleh, Shenouda & Nowak, NeurIPS 2024).

For each seed and each number of tasks T, a shallow ReLU net (free biases, free skip, weight decay
λ) is trained on the square data (task 1) plus T − 1 Bernoulli(½) tasks drawn with that seed. The
page shows task 1's surface per run; ``seed_spread`` measures how much those surfaces differ across
seeds (large for T = 1, small for T = 101), and ``kernel_distance`` how far task 1 is from kernel
interpolation with the kernel the *other* tasks' neurons define (the neural kernel regime).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from engine.kernel_regime.data import bernoulli_tasks
from engine.kernel_regime.experiment import kernel_view
from engine.kernel_regime.neural_kernel import function_distance
from engine.network import ShallowNet


@dataclass
class Run:
    tasks: int
    seed: int
    net: ShallowNet        # the trained net
    values: np.ndarray     # task 1 on the grid (G,)
    loss: float            # training objective ½Σ‖f − y‖² + (λ/2)Σ(‖a‖² + ‖w‖²)
    cost: float            # representation cost Σ‖a_k‖‖w_k‖ of the trained function (all tasks)
    seconds: float
    device: str


def task_labels(y, tasks: int, seed: int) -> np.ndarray:
    """(T, N): task 1 = y, then T − 1 Bernoulli(½) tasks from ``seed``."""
    return np.vstack([np.asarray(y, float)[None, :], bernoulli_tasks(tasks - 1, len(y), seed)])


def train_runs(X, y, grid_points, *, seeds, task_counts, width: int, lam: float, steps: int,
               snapshot_every: int = 250, device: str = "auto", stop=None):
    """Yields ("progress", fraction, text, values) while training — ``values``: task 1 of the net being
    trained on ``grid_points`` at that step (for a live view) — and ("run", Run) after each finished run;
    ``stop()`` (asked before each step) ends the current run without yielding it, and the rest."""
    from engine.train import train

    jobs = [(T, s) for T in task_counts for s in seeds]
    for j, (T, seed) in enumerate(jobs):
        Y = task_labels(y, T, seed)
        for snap in train(X, Y, width=width, lam=lam, steps=steps, seed=seed, snapshot_every=snapshot_every,
                          device=device, grid=grid_points, grid_tasks=[0], stop=stop):
            if snap.stopped:
                return
            yield ("progress", (j + snap.step / steps) / len(jobs), f"T = {T}, seed {seed}: step {snap.step}/{steps}",
                   snap.values[0])
            if snap.done:
                yield "run", Run(T, seed, snap.net, snap.net(grid_points)[:, 0], snap.loss, snap.cost,
                                 snap.elapsed, snap.device)


def seed_spread(runs) -> float:
    """Mean pairwise relative RMS distance between task-1 surfaces of runs with different seeds."""
    pairs = [function_distance(a.values, b.values) for a, b in combinations(runs, 2)]
    return float(np.mean(pairs)) if pairs else float("nan")


def kernel_distance(run: Run, X, y, grid_points) -> dict:
    """Task 1 of the trained net vs kernel interpolation with its neural kernel: the kernel of all
    tasks and (T ≥ 2) the kernel of the other tasks only (``experiment.kernel_view``)."""
    full = kernel_view(run.net, X, y, grid_points)
    out = {"kernel": full["kernel"], "distance": full["distance"]}
    if run.tasks >= 2:
        others = kernel_view(run.net, X, y, grid_points, leave_task_out=True)
        out |= {"kernel_others": others["kernel"], "distance_others": others["distance"]}
    return out


def task_sweep(X, y, grid_points, counts, *, width: int, lam: float, steps: int, seed: int = 0, stop=None):
    """Task 1's distance to kernel interpolation against the number of tasks T (one run per T, ``seed``).
    Yields ("progress", fraction, text) and, at the end, ("rows", [(T, distance with all tasks' K,
    distance with the other tasks' K or nan)])."""
    rows = []
    for j, T in enumerate(counts):
        for kind, payload, *text in train_runs(X, y, grid_points, seeds=[seed], task_counts=(T,), width=width,
                                               lam=lam, steps=steps, stop=stop):
            if kind == "progress":
                yield "progress", (j + payload) / len(counts), text[0]
            else:
                d = kernel_distance(payload, X, y, grid_points)
                rows.append((T, d["distance"], d.get("distance_others", np.nan)))
        if stop is not None and stop():
            return
    yield "rows", rows


def single_task_rows(runs, exact) -> list[dict]:
    """The trained single-task nets against the exact minimiser ``exact`` (a GroupLassoResult for the same
    λ): objective, cost Σ|a_k|‖w_k‖ and relative objective gap (objective − exact) / exact."""
    rows = [{"network": f"trained, seed {r.seed}", "objective": r.loss, "cost Σ|a_k|‖w_k‖": r.cost} for r in runs]
    rows.append({"network": f"exact minimiser, same λ ({exact.n_patterns} patterns)", "objective": exact.objective,
                 "cost Σ|a_k|‖w_k‖": exact.cost})
    for row in rows:
        row["objective gap"] = (row["objective"] - exact.objective) / exact.objective
    return rows
