"""Data of the 2-D multi-task experiment of Nakhleh, Shenouda & Nowak (NeurIPS 2024, "A New Neural
Kernel Regime: The Inductive Bias of Multi-Task Learning", Fig. 1-style): eight points, the vertices
of two concentric squares, plus random Bernoulli(½) tasks, and the evaluation grid of the heatmaps."""
from __future__ import annotations

import numpy as np

from engine.validation import DataError, count

MAX_TASK_LABELS = 10_000_000   # n_tasks · n_points Bernoulli labels
MAX_GRID = 2001                # grid points per axis (4·10⁶ points)


def square_data() -> tuple[np.ndarray, np.ndarray]:
    """X (8, 2), y (8,): the vertices (±1, ±1) of the side-2 square centred at 0, labelled 0, then
    the vertices (±½, ±½) of the side-1 square, labelled 1 (both listed counter-clockwise from
    the first quadrant)."""
    corners = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    X = np.vstack([corners, corners / 2])
    y = np.r_[np.zeros(4), np.ones(4)]
    return X, y


def bernoulli_tasks(n_tasks: int, n_points: int, seed: int | None = 0) -> np.ndarray:
    """(n_tasks, n_points) labels, i.i.d. Bernoulli(½) as 0.0/1.0, from numpy.random.default_rng(seed)."""
    n_tasks, n_points = count(n_tasks, "n_tasks", 0, MAX_TASK_LABELS), count(n_points, "n_points", 0, MAX_TASK_LABELS)
    if n_tasks * n_points > MAX_TASK_LABELS:
        raise DataError(f"n_tasks · n_points: at most {MAX_TASK_LABELS:,} labels (got {n_tasks * n_points:,})")
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, size=(n_tasks, n_points)).astype(float)


def grid(extent=1.5, n: int = 101) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Square evaluation grid: returns (points (n*n, 2), (xs (n,), ys (n,))).

    ``extent`` is a half-width e (the square [−e, e]²) or a tuple (xmin, xmax, ymin, ymax). Points are
    ordered as np.meshgrid(xs, ys) (x fastest), so ``values.reshape(n, n)`` has rows indexed by y
    and columns by x: the layout of a heatmap's z with x=xs, y=ys.
    """
    n = count(n, "the grid's points per axis n", 2, MAX_GRID)
    box = np.atleast_1d(np.asarray(extent, float))
    if box.shape == (1,):
        box = np.array([-box[0], box[0], -box[0], box[0]])
    if box.shape != (4,) or not np.all(np.isfinite(box)) or box[0] >= box[1] or box[2] >= box[3]:
        raise DataError(f"extent must be e > 0 or (xmin, xmax, ymin, ymax) with min < max, got {extent!r}")
    xs, ys = np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]), (xs, ys)
