"""Front door for univariate minimum-norm interpolation and fitting (DESIGN.md §2, issue 2)."""
from __future__ import annotations

import numpy as np

from engine.univariate.bias_free import solve_bias_free
from engine.univariate.bias_penalised import solve_bias_penalised
from engine.univariate.interpolant import Interpolant
from engine.univariate.regularised import affine_fit, affine_lambda, fit_values
from engine.univariate.validation import DataError, as_points


def interpolate(x, y, bias_penalty: bool = False, lam: float = 0.0) -> Interpolant:
    """Minimum-norm ReLU network (infinitely wide, free skip) through (x, y), or fit for lam > 0.

    y has shape (N,) or (T, N) (T tasks sharing the inputs). Returns an ``Interpolant`` with
    ``cost``, ``knots``, ``jumps`` (m, T), ``affine`` (T, 2) = (c, v), ``unique`` and, where minimisers
    differ, ``regions`` (the solution set) and ``extremes`` (two extreme minimisers).
    bias_penalty=False: cost Σ‖J_k‖ (exact, closed form); True: Σ√(1+t_k²)‖J_k‖ (exact SOCP, see
    engine.univariate.bias_penalised). lam > 0: minimise ½Σ(f(x_i) − y_i)² + lam·cost(f).
    """
    try:
        lam = float(lam)
    except (TypeError, ValueError, OverflowError):
        lam = float("nan")
    if not np.isfinite(lam) or lam < 0:
        raise DataError("lam must be a finite number ≥ 0")
    x, Y, notes = as_points(x, y)
    if bias_penalty and Y.shape[0] != 1:
        raise DataError("biases-penalised fitting supports one task for now")
    if lam <= 1e-12 * np.abs(Y).max():   # below rounding of the data: interpolation
        lam = 0.0
    lam_max = affine_lambda(x, Y, bias_penalty) if lam > 0 else np.inf
    if lam >= lam_max:   # exact: the fit is the least-squares line; its residuals r give η = Σ r_i(x_i − t)₊/lam
        affine = affine_fit(x, Y)   # in the dual ball since lam ≥ lam_max, and ⟂ affine, so the gap is 0
        sol = Interpolant([], np.zeros((0, Y.shape[0])), affine, cost=0.0, unique=True, bias_penalty=bias_penalty,
                          lam=lam, fitted=affine[:, :1] + affine[:, 1:] * x,
                          certificate={"max_violation": 0.0, "dual_objective": 0.0, "duality_gap": 0.0})
    elif bias_penalty:
        sol = solve_bias_penalised(x, Y[0], lam)
    else:
        Z = fit_values(x, Y, lam) if lam > 0 else Y
        sol = solve_bias_free(x, Z)
        sol.lam = lam
    if not (np.isfinite(sol.cost) and np.isfinite(sol.jumps).all() and np.isfinite(sol.affine).all()):
        raise DataError("the data are too badly scaled for double precision; rescale x and y")
    sol.notes = notes
    return sol
