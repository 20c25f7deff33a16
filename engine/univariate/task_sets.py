"""Task sets for the multi-task explorer (Nakhleh, Shenouda & Nowak 2024).

Task 1 is the lecturer's points; companion tasks are either placed (each at its own inputs) or random:
Gaussian labels N(0, 1) at task 1's inputs, as in the paper's experiments. With T ≥ 2 generic tasks
the univariate minimum-norm interpolant is unique and, on the data range, equals connect-the-dots —
the minimum-norm interpolant of the Sobolev space H¹ (docs/design.md §1–2).
"""
from __future__ import annotations

import numpy as np

from engine.validation import DataError


def gaussian_tasks(x, count: int, seed: int) -> np.ndarray:
    """``count`` random tasks at the inputs ``x``: labels N(0, 1).

    Parameters
    ----------
    x : array_like, shape (N,)
    count : int
    seed : int

    Returns
    -------
    ndarray, shape (count, N)
    """
    if not 0 <= count <= 200:
        raise DataError("the number of random tasks must be between 0 and 200")
    return np.random.default_rng(seed).normal(size=(count, len(x)))


def assemble_tasks(task1, placed=(), random_labels=None):
    """The multi-task data for ``engine.interpolate``.

    Parameters
    ----------
    task1 : tuple of array_like
        (x1, y1), task 1.
    placed : sequence of (x, y), optional
        Tasks at their own inputs.
    random_labels : array_like, shape (R, N1), optional
        Further tasks at task 1's inputs.

    Returns
    -------
    x, y
        Shared inputs give x (N,) and Y (T, N); otherwise one list per task.
    """
    x1, y1 = map(list, task1)
    tasks = [(x1, y1)] + [(list(x), list(y)) for x, y in placed if len(x)]
    if random_labels is not None:
        tasks += [(x1, list(map(float, row))) for row in random_labels]
    if all(sorted(x) == sorted(x1) for x, _ in tasks):
        order = [np.argsort(x) for x, _ in tasks]
        return sorted(x1), [list(np.asarray(y)[o]) for (_, y), o in zip(tasks, order)]
    return [x for x, _ in tasks], [y for _, y in tasks]


def distance_to_linear_spline(f, x, y, task: int = 0) -> float:
    """max over [x_1, x_N] of |f_task − linear spline of (x, y)|.

    Exact for a piecewise-linear f: both are linear between the data points and f's knots, so the maximum
    sits at one of them.

    Parameters
    ----------
    f : Interpolant
    x, y : array_like, shape (N,)
    task : int, optional

    Returns
    -------
    float

    References
    ----------
    Nakhleh, Shenouda & Nowak, NeurIPS 2024 (with many tasks the minimiser approaches this spline).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    knots = np.asarray(getattr(f, "knots", []), float)
    pts = np.union1d(x, knots[(knots > x[0]) & (knots < x[-1])])
    values = np.atleast_2d(f(pts))[task]
    return float(np.abs(values - np.interp(pts, x, y)).max())
