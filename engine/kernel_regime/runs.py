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


@dataclass
class Run:
    tasks: int
    seed: int
    net: object            # engine.train.ShallowNet
    values: np.ndarray     # task 1 on the grid (G,)
    loss: float            # training objective ½Σ‖f − y‖² + (λ/2)Σ(‖a‖² + ‖w‖²)
    cost: float            # representation cost Σ‖a_k‖‖w_k‖ of the trained function (all tasks)
    seconds: float
    device: str


def task_labels(y, tasks: int, seed: int) -> np.ndarray:
    """(T, N): task 1 = y, then T − 1 Bernoulli(½) tasks from ``seed``."""
    return np.vstack([np.asarray(y, float)[None, :], bernoulli_tasks(tasks - 1, len(y), seed)])


def train_runs(X, y, grid_points, *, seeds, task_counts, width: int, lam: float, steps: int,
               snapshot_every: int = 250):
    """Yields ("progress", fraction, text) while training and ("run", Run) after each run."""
    from engine.train import train

    jobs = [(T, s) for T in task_counts for s in seeds]
    for j, (T, seed) in enumerate(jobs):
        Y = task_labels(y, T, seed)
        for snap in train(X, Y, width=width, lam=lam, steps=steps, seed=seed, snapshot_every=snapshot_every):
            yield "progress", (j + snap.step / steps) / len(jobs), f"T = {T}, seed {seed}: step {snap.step}/{steps}"
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
