"""Representation costs of univariate ReLU networks (docs/design.md §2).

For f(x) = c + v·x + Σ_k J_k (x − t_k)₊ (J_k ∈ ℝᵀ):

* bias free (Savarese et al. 2019, free skip):  Σ_k ‖J_k‖₂        (= ∫|f''| for one task)
* biases penalised (Boursier & Flammarion 2023): Σ_k √(1+t_k²)‖J_k‖₂ (= ∫√(1+x²) d‖f''‖)
* no skip, one task (Savarese et al. 2019):      max(Σ_k |J_k|, |f'(−∞) + f'(+∞)|)

and the same quantities for a function sampled on a grid, where f'' is the measure of slope changes of
the linear interpolant of the samples (exact for piecewise-linear f whose knots are grid nodes, and
converging to the integral for smooth f).
"""
from __future__ import annotations

import numpy as np

from engine.univariate.interpolant import Interpolant
from engine.validation import DataError

PENALTIES = ("bias_free", "bias_penalised", "no_skip")


def weight(t):
    """Cost of a unit kink at t when biases are penalised: √(1 + t²)."""
    return np.hypot(1.0, t)


def representation_cost(f: Interpolant, penalty: str = "bias_free") -> float:
    """Cost of the canonical form ``f`` under one of ``PENALTIES`` (module docstring).

    Parameters
    ----------
    f : Interpolant
    penalty : {"bias_free", "bias_penalised", "no_skip"}, optional
        Σ‖J_k‖; Σ√(1+t_k²)‖J_k‖; or max(Σ|J_k|, |f'(−∞) + f'(+∞)|) (one task only).

    Returns
    -------
    float

    References
    ----------
    Savarese et al., COLT 2019; Boursier & Flammarion, NeurIPS 2023.
    """
    norms = np.linalg.norm(f.jumps, axis=1)
    if penalty == "bias_free":
        return float(norms.sum())
    if penalty == "bias_penalised":
        return float((weight(f.knots) * norms).sum())
    if penalty == "no_skip":
        if f.tasks != 1:
            raise DataError("the no-skip max-form is defined for one task")
        left = f.affine[0, 1]
        right = left + f.jumps[:, 0].sum()
        return float(max(norms.sum(), abs(left + right)))
    raise DataError(f"penalty must be one of {PENALTIES}, not {penalty!r}")


def sampled_cost(xs, ys, penalty: str = "bias_free") -> float:
    """Cost of the linear interpolant of samples (xs, ys).

    Σ_i w(x_i)|Δslope_i| over interior nodes, w ≡ 1 (bias free) or √(1+x²) (biases penalised); ``no_skip``
    takes the maximum with the end-slope term |f'(x_1) + f'(x_M)|. Slope changes of several tasks are
    combined with the ℓ2 norm.

    Parameters
    ----------
    xs : array_like, shape (M,)
        Increasing sample points.
    ys : array_like, shape (M,) or (T, M)
    penalty : {"bias_free", "bias_penalised", "no_skip"}, optional

    Returns
    -------
    float
        Exact for piecewise-linear f whose knots are sample points; converges to the integral for smooth f.

    References
    ----------
    Savarese et al., COLT 2019; Boursier & Flammarion, NeurIPS 2023.
    """
    xs = np.asarray(xs, float)
    ys = np.atleast_2d(np.asarray(ys, float))
    slopes = np.diff(ys, axis=1) / np.diff(xs)
    kinks = np.linalg.norm(np.diff(slopes, axis=1), axis=0)
    if penalty == "bias_free":
        return float(kinks.sum())
    if penalty == "bias_penalised":
        return float((weight(xs[1:-1]) * kinks).sum())
    if penalty == "no_skip":
        if ys.shape[0] != 1:
            raise DataError("the no-skip max-form is defined for one task")
        return float(max(kinks.sum(), abs(slopes[0, 0] + slopes[0, -1])))
    raise DataError(f"penalty must be one of {PENALTIES}, not {penalty!r}")


def h1_seminorm(f: Interpolant, a: float, b: float) -> np.ndarray:
    """(∫_a^b f'(x)² dx)^½ per task, exact for the piecewise-linear f.

    Parameters
    ----------
    f : Interpolant
    a, b : float
        The interval, a < b.

    Returns
    -------
    ndarray, shape (T,)
    """
    inner = f.knots[(f.knots > a) & (f.knots < b)]
    edges = np.concatenate([[a], inner, [b]])
    slopes = np.atleast_2d(f.slopes(edges[:-1]))
    return np.sqrt((slopes**2 * np.diff(edges)).sum(axis=1))
