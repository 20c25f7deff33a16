"""Validation of user data at the engine's boundary: one readable message per problem."""
from __future__ import annotations

import numpy as np

from engine.validation import DataError, at_most

MAX_POINTS = 2000
MAX_TASKS = 1000
MAX_ABS = 1e6
MIN_SPACING = 1e-12   # relative to max(1, range of x): finer spacing is lost to rounding
# Size of the conic programs of engine.univariate.multitask, tasks × distinct inputs (measured on a
# 2-core machine: 200 × 50 shared inputs with the bias penalised ≈ 3 s, 200 × 200 ≈ 35 s; tasks at
# their own inputs cost more, 20 tasks × 60 inputs ≈ 1.7 s, 40 × 160 ≈ 10 s).
MAX_SHARED_CELLS = 10_000
MAX_OWN_CELLS = 2_000


def solver_size(tasks: int, inputs: int, own: bool) -> None:
    """Refuse a multi-task conic program past its size limit (before it is built)."""
    if own:
        at_most(tasks * inputs, MAX_OWN_CELLS, "tasks observed at their own inputs: tasks × distinct inputs")
    else:
        at_most(tasks * inputs, MAX_SHARED_CELLS, "several tasks with the bias penalised: tasks × inputs")


def numbers(value, name: str, nested: bool = False):
    """A JSON list of numbers (or, if ``nested``, of such lists); booleans and strings are refused."""
    rows = value if nested and isinstance(value, list) and value and isinstance(value[0], list) else [value]
    for row in rows:
        if not isinstance(row, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                for v in row):
            raise DataError(f"{name} must be a list of numbers" + (" or a list of such lists" if nested else ""))
    return value


def as_points(x, y, min_points: int = 2):
    """Check and sort data. Returns (x (N,), Y (T, N), notes), new arrays (never the caller's). Exact
    duplicate points are merged (with a note); the same x with different y in any task is an error.
    ``min_points``: the fewest distinct points accepted (1 for one task among several observed at their
    own inputs). Data already sorted and distinct take one pass: |v| ≤ MAX_ABS also refuses NaN and ±inf
    (the finite check runs only to word the refusal), the gaps of x give both order and spacing, and for
    sorted x the largest |x| is at an end."""
    try:
        x = np.array(x, dtype=float)
        Y = np.array(y, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise DataError("x and y must be numbers (of double-precision size)") from None
    if x.ndim != 1:
        raise DataError("x must be a flat list of numbers")
    at_most(len(x), 10 * MAX_POINTS, "x values (before duplicates are merged)")
    Y = Y.reshape(1, -1) if Y.ndim == 1 else Y
    if Y.ndim != 2 or Y.shape[1] != len(x):
        raise DataError(f"y must have {len(x)} values per task (got shape {np.shape(y)})")
    if not 1 <= Y.shape[0] <= MAX_TASKS:
        raise DataError(f"need 1 to {MAX_TASKS} tasks (got {Y.shape[0]})")
    gaps = x[1:] - x[:-1]
    gap = gaps.min(initial=np.inf)   # NaN if x holds a NaN
    # sorted distinct x (gap > 0, no NaN): the largest |x| is at an end
    x_abs = max(-x[0], x[-1]) if len(x) and gap > 0 else np.abs(x).max(initial=0)
    if not (x_abs <= MAX_ABS and np.abs(Y).max(initial=0) <= MAX_ABS):   # NaN compares False
        if not (np.isfinite(x).all() and np.isfinite(Y).all()):
            raise DataError("the data contain NaN, infinite or too large values (beyond double precision, ±1.8e308)")
        raise DataError(f"values must lie within ±{MAX_ABS:g}; rescale the data")
    notes = []
    if not gap > 0:   # not sorted, or duplicates
        order = np.argsort(x, kind="stable")
        x, Y = x[order], Y[:, order]
        same = np.flatnonzero(np.diff(x) == 0)
        if len(same):
            clash = same[np.any(Y[:, same] != Y[:, same + 1], axis=0)]
            if len(clash):
                raise DataError(f"conflicting points: x = {x[clash[0]]:g} has two different y values")
            keep = np.ones(len(x), bool)
            keep[same + 1] = False
            x, Y = x[keep], Y[:, keep]
            notes.append(f"merged {len(same)} duplicate point(s)")
        gap = (x[1:] - x[:-1]).min(initial=np.inf)
    if len(x) < min_points:
        raise DataError("need at least 2 distinct points" if min_points == 2 else "no points")
    resolution = MIN_SPACING * max(1.0, x[-1] - x[0])
    if gap < resolution:   # inf for one point
        raise DataError(f"two x values are closer than {resolution:.1g}: merge them or rescale x")
    if len(x) > MAX_POINTS:
        raise DataError(f"at most {MAX_POINTS} points are supported (got {len(x)})")
    return x, Y, notes


def as_task_points(xs, ys):
    """Tasks observed at their own inputs: ``xs`` and ``ys`` are lists of T lists. Each task is
    checked like ``as_points`` (one point is enough; 2 distinct inputs over all tasks); returns
    (u (n,), Y (T, n), observed (T, n), notes) on the union u of all inputs (Y is 0 where a task is not
    observed)."""
    if not isinstance(xs, (list, tuple)) or not isinstance(ys, (list, tuple)) or len(xs) != len(ys):
        raise DataError("x and y must be lists with one list of numbers per task")
    if not 1 <= len(xs) <= MAX_TASKS:
        raise DataError(f"need 1 to {MAX_TASKS} tasks (got {len(xs)})")
    tasks, notes = [], []
    for k, (x, y) in enumerate(zip(xs, ys)):
        for name, row in (("x", x), ("y", y)):
            if not isinstance(row, (list, tuple, np.ndarray)) or not _flat(row):
                raise DataError(f"task {k + 1}: {name} must be a flat list of numbers")
        if len(y) != len(x):
            raise DataError(f"task {k + 1}: x has {len(x)} values but y has {len(y)}")
        try:
            xk, yk, nk = as_points(x, y, min_points=1)
        except DataError as err:
            raise DataError(f"task {k + 1}: {err}") from None
        if yk.shape[0] != 1:
            raise DataError(f"task {k + 1}: y must be a flat list of numbers")
        tasks.append((xk, yk[0]))
        notes += [f"task {k + 1}: {n}" for n in nk]
    u = np.unique(np.concatenate([x for x, _ in tasks]))
    if len(u) < 2:
        raise DataError("need at least 2 distinct x values over all tasks")
    if len(u) > MAX_POINTS:
        raise DataError(f"at most {MAX_POINTS} distinct inputs are supported (got {len(u)})")
    resolution = MIN_SPACING * max(1.0, u[-1] - u[0])
    if len(u) > 1 and np.diff(u).min() < resolution:
        raise DataError(f"two x values (of different tasks) are closer than {resolution:.1g}: merge them or rescale x")
    Y = np.zeros((len(tasks), len(u)))
    observed = np.zeros_like(Y, dtype=bool)
    for k, (x, y) in enumerate(tasks):
        idx = np.searchsorted(u, x)
        Y[k, idx], observed[k, idx] = y, True
    return u, Y, observed, notes


def _flat(row) -> bool:
    """A flat row: one numpy conversion (numbers), element by element only for mixed rows."""
    try:
        a = np.asarray(row)
    except ValueError:   # ragged nesting
        return False
    return a.ndim == 1 and not (a.dtype == object and any(np.ndim(v) for v in a))
