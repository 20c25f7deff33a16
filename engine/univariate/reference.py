"""Reference solver: the convex program over a fixed grid of candidate knots (cvxpy).

This is the baseline everyone uses (docs/design.md §2): f(x) = c + v·x + Σ_j J_j (x − g_j)₊ over grid
points g_j (the data points included), minimising Σ_j ω(g_j)‖J_j‖ (ω ≡ 1 bias free, √(1+g²) biases
penalised) subject to interpolation, or ½Σ(f(x_i) − y_i)² + lam·cost for lam > 0. Its knots sit on
the grid, so for the biases-penalised problem it is only approximate, and it is slow; tests use it as
an independent check of the exact solvers and bench/ as the speed baseline.
"""
from __future__ import annotations

import numpy as np

from engine.univariate.costs import weight
from engine.univariate.interpolant import Interpolant, relu
from engine.univariate.validation import as_points


def knot_grid(x, size: int) -> np.ndarray:
    """``size`` equispaced candidate knots on [x_1, x_N], merged with the data points."""
    return np.union1d(np.linspace(x[0], x[-1], size), x)


def solve_on_grid(x, y, *, bias_penalty: bool = False, lam: float = 0.0, grid=None,
                  grid_size: int | None = None, solver: str | None = None, observed=None) -> Interpolant:
    """The cvxpy knot-grid baseline: the same problem as ``interpolate`` with knots restricted to a grid.

    Default grid: 4N points plus the data. Default solver: HiGHS for the linear program (one task,
    interpolation: the fastest here), Clarabel otherwise.

    Parameters
    ----------
    x : array_like, shape (N,)
    y : array_like, shape (N,) or (T, N)
    bias_penalty : bool, optional
    lam : float, optional
        λ ≥ 0; 0 interpolates.
    grid : array_like, optional
        Candidate knots (default: ``knot_grid(x, grid_size)``).
    grid_size : int, optional
        Points of the default grid (default 4N).
    solver : str, optional
        A cvxpy solver name.
    observed : array_like of bool, shape (T, N), optional
        Task τ is fitted only where observed[τ] (tasks with their own inputs).

    Returns
    -------
    Interpolant
        Its cost is an upper bound on the exact cost that approaches it as the grid is refined.

    References
    ----------
    docs/design.md §2 (the grid baseline).
    """
    import cvxpy as cp

    if observed is None:
        x, Y, _ = as_points(x, y)
        observed = np.ones(Y.shape, bool)
    else:
        x, Y, observed = np.asarray(x, float), np.where(observed, y, 0.0), np.asarray(observed, bool)
    scale = float(np.abs(Y).max()) or 1.0   # the solver's tolerances are absolute: solve for Y/scale
    Y = Y / scale
    g = knot_grid(x, grid_size or 4 * len(x)) if grid is None else np.asarray(grid, float)
    T = Y.shape[0]
    J = cp.Variable((len(g), T))
    c = cp.Variable(T)
    v = cp.Variable(T)
    values = np.ones((len(x), 1)) @ cp.reshape(c, (1, T), order="C") + np.outer(x, np.ones(1)) @ \
        cp.reshape(v, (1, T), order="C") + relu(x[:, None] - g[None, :]) @ J
    w = weight(g) if bias_penalty else np.ones(len(g))
    cost = w @ (cp.abs(J[:, 0]) if T == 1 else cp.norm(J, 2, axis=1))
    mask = observed.T.astype(float)
    if lam > 0:   # ½‖f − y‖² + lam·cost scales as scale², so lam becomes lam/scale
        problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(cp.multiply(mask, values - Y.T)) + lam / scale * cost))
    elif observed.all():
        problem = cp.Problem(cp.Minimize(cost), [values == Y.T])
    else:
        problem = cp.Problem(cp.Minimize(cost), [cp.multiply(mask, values - Y.T) == 0])
    if solver is None:
        solver = "HIGHS" if T == 1 and lam == 0 else "CLARABEL"
    problem.solve(solver=solver)
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"grid reference solver: {problem.status}")
    return Interpolant(g, J.value * scale, np.stack([c.value, v.value], axis=1) * scale,
                       cost=float(cost.value) * scale, bias_penalty=bias_penalty, lam=lam)
