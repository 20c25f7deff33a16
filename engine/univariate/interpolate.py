"""Front door for univariate minimum-norm interpolation and fitting (docs/design.md §2), and the objective
every fit minimises.

    min_f ½Σ_i ‖f(x_i) − y_i‖² + λ·R(f),   R(f) = Σ_k ‖J_k‖  or  Σ_k √(1+t_k²)‖J_k‖

over continuous piecewise-linear f (infinitely wide shallow ReLU nets with a free skip); λ = 0 is
minimum-norm interpolation. References: Savarese et al., COLT 2019 (bias free); Boursier & Flammarion,
NeurIPS 2023 (biases penalised); Nakhleh, Shenouda & Nowak, NeurIPS 2024 (T tasks).
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from engine.univariate.bias_free import solve_bias_free
from engine.univariate.bias_penalised import solve_bias_penalised
from engine.univariate.interpolant import Interpolant
from engine.univariate.multitask import free_slopes, solve_multitask
from engine.univariate.regularised import affine_fit, affine_lambda, fit_bias_free
from engine.univariate.validation import as_points, as_task_points, solver_size
from engine.validation import DataError, lam as check_lam


def interpolate(x, y, *, bias_penalty: bool = False, lam: float = 0.0) -> Interpolant:
    """Minimum-norm ReLU network (infinitely wide, free skip) through (x, y), or its fit for lam > 0.

    bias_penalty=False: cost Σ‖J_k‖ (exact, closed form); True: Σ√(1+t_k²)‖J_k‖ (exact SOCP, see
    engine.univariate.bias_penalised; with T ≥ 2 tasks, or tasks at their own inputs, the programs of
    engine.univariate.multitask). lam > 0: minimise ``objective`` = ½Σ(f(x_i) − y_i)² + lam·cost(f); from
    lam_max on (``regularised.affine_lambda``) the answer is each task's least-squares line, exactly.

    Parameters
    ----------
    x : array_like, shape (N,), or a list of T lists
        Inputs shared by the tasks, or one list per task (each task observed at its own inputs).
    y : array_like, shape (N,) or (T, N), or a list of T lists
        Values, one row (list) per task.
    bias_penalty : bool, optional
        Penalise the biases too (cost Σ√(1+t_k²)‖J_k‖ instead of Σ‖J_k‖).
    lam : float, optional
        λ ≥ 0; 0 interpolates.

    Returns
    -------
    Interpolant
        ``cost``, ``knots``, ``jumps`` (m, T), ``affine`` (T, 2) = (c, v), ``unique`` and, where minimisers
        differ, ``regions`` (the solution set) and ``extremes`` (two extreme minimisers); ``certificate``
        (the dual check), ``fitted`` and ``notes`` (what was done to the input).

    Raises
    ------
    DataError
        Input the engine refuses (see docs/limits.md); the message names what was wrong.
    SolverError
        A conic solve that did not converge.

    References
    ----------
    Savarese, Evron, Soudry & Srebro, COLT 2019 (bias free); Boursier & Flammarion, NeurIPS 2023 (biases
    penalised); Nakhleh, Shenouda & Nowak, NeurIPS 2024 (T tasks); docs/design.md §2, docs/univariate.md.
    """
    lam = check_lam(lam)
    if _ragged(x):
        x, Y, observed, notes = as_task_points(x, y)
        own = not observed.all()   # tasks observed at their own inputs
    else:
        x, Y, notes = as_points(x, y)
        observed, own = None, False
    if own or (bias_penalty and Y.shape[0] > 1):
        solver_size(*Y.shape, own)
    if 0 < lam <= 1e-12 * np.abs(Y).max():   # below rounding of the data: interpolation
        lam = 0.0
    lam_max = affine_lambda(x, Y, bias_penalty=bias_penalty, observed=observed if own else None) if lam > 0 else np.inf
    if lam >= lam_max:   # exact: the fit is the least-squares line; its residuals r give η = Σ r_i(x_i − t)₊/lam
        # η is in the dual ball since lam ≥ lam_max and ⟂ affine: the gap is 0
        sol = Interpolant.line(affine_fit(x, Y, observed if own else None), x, bias_penalty=bias_penalty, lam=lam)
        if own:
            sol = free_slopes(sol, x, observed)
    elif own or (bias_penalty and Y.shape[0] > 1):
        sol = solve_multitask(x, Y, np.ones(Y.shape, bool) if observed is None else observed,
                              bias_penalty=bias_penalty, lam=lam)
    elif bias_penalty:
        sol = solve_bias_penalised(x, Y[0], lam)
    else:
        sol = fit_bias_free(x, Y, lam) if lam > 0 else solve_bias_free(x, Y)
    return _checked(sol, notes)


def objective(f, x, y, lam: float) -> float:
    """The objective of ``interpolate``'s fit: ½Σ_i ‖f(x_i) − y_i‖² + λ·cost(f).

    Parameters
    ----------
    f : Interpolant
        A solution; its ``cost`` is R(f) under its own ``bias_penalty``.
    x : array_like, shape (N,)
        Inputs shared by the tasks.
    y : array_like, shape (N,) or (T, N)
        Values, one row per task.
    lam : float
        λ ≥ 0 (0: the cost alone, plus the data misfit, which is 0 for an interpolant).

    Returns
    -------
    float

    Raises
    ------
    DataError
        When λ is not a finite number ≥ 0.
    """
    lam = check_lam(lam)
    resid = np.atleast_2d(f(np.asarray(x, float))) - np.atleast_2d(np.asarray(y, float))
    return 0.5 * float((resid ** 2).sum()) + lam * float(f.cost)


def _ragged(x) -> bool:
    """x given as one list of inputs per task (rather than one list shared by all tasks)."""
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(row, (list, tuple, np.ndarray)) for row in x)


def _checked(sol: Interpolant, notes) -> Interpolant:
    # a sum is finite iff every term is (short of an overflow, itself a sign of bad scaling)
    if not (math.isfinite(sol.cost) and math.isfinite(float(sol.jumps.sum()) + float(sol.affine.sum()))):
        raise DataError("the data are too badly scaled for double precision; rescale x and y")
    return replace(sol, notes=[*notes, *sol.notes])
