"""One table that puts network interpolants and kernel interpolants on the same footing.

For every curve: its ReLU representation costs (bias free ∫|f''| and biases penalised
∫√(1+x²)|f''|), its H¹ seminorm on the data range, (∫_{x_1}^{x_N} f'²)^½, and its own RKHS norm where
it has one. Piecewise-linear network solutions are measured exactly from their canonical form; kernel
interpolants on a fine grid over the plotted window (their f'' is spread out, so "over the window").
The minimum H¹ seminorm is the linear spline's (Cauchy–Schwarz), so a network interpolant whose H¹
value equals it *is* the H¹ RKHS solution on the data range.
"""
from __future__ import annotations

import numpy as np

from engine.univariate.kernels import KernelInterpolant
from engine.univariate.costs import h1_seminorm, representation_cost, sampled_cost
from engine.univariate.interpolant import Interpolant

GRID_POINTS = 20_001


def _sampled_h1(f, a, b):
    xs = np.linspace(a, b, GRID_POINTS)
    slopes = np.diff(f(xs)) / np.diff(xs)
    return float(np.sqrt(np.sum(slopes**2 * np.diff(xs))))


def curve_row(name: str, f, x, window) -> dict:
    """Costs of one curve (an ``Interpolant`` of one task or a ``KernelInterpolant``)."""
    a, b = float(x[0]), float(x[-1])
    if isinstance(f, Interpolant):
        row = {"bias-free cost": representation_cost(f, "bias_free"),
               "biases-penalised cost": representation_cost(f, "bias_penalised"),
               "H¹ seminorm on data range": float(h1_seminorm(f, a, b)[0]),
               "own norm": f.cost, "exact": True}
    else:
        xs = np.linspace(*window, GRID_POINTS)
        ys = f(xs)
        row = {"bias-free cost": sampled_cost(xs, ys), "biases-penalised cost": sampled_cost(xs, ys, "bias_penalised"),
               # the H¹ kernel's own seminorm is exactly this quantity; others are sampled
               "H¹ seminorm on data range": f.norm if getattr(f, "kernel", None) == "h1" else _sampled_h1(f, a, b),
               "own norm": f.norm if isinstance(f, KernelInterpolant) else float("nan"), "exact": False}
    return {"curve": name, **row}


def h1_minimum(x, y) -> float:
    """Smallest H¹ seminorm on [x_1, x_N] of any interpolant: (Σ (Δy)²/Δx)^½, the linear spline's."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.sqrt(np.sum(np.diff(y) ** 2 / np.diff(x))))


def cost_table(curves: dict, x, y, window) -> tuple[list[dict], float]:
    """One ``curve_row`` per named curve, each marked whether it is the H¹ solution, and that minimum.

    A curve is the H¹ solution when its H¹ seminorm on [x_1, x_N] equals ``h1_minimum`` to 1e-6 relative
    (Cauchy–Schwarz: the linear spline attains the minimum).

    Parameters
    ----------
    curves : dict of str to Interpolant or KernelInterpolant
    x, y : array_like, shape (N,)
        The data (x sorted).
    window : tuple of float
        (left, right) of the plot, where kernel curves are sampled.

    Returns
    -------
    rows : list of dict
        "curve", "bias-free cost", "biases-penalised cost", "H¹ seminorm on data range", "own norm",
        "exact" (how it was measured) and "= H¹ solution".
    minimum : float
        (Σ (Δy)²/Δx)^½.
    """
    x = np.asarray(x, float)
    best = h1_minimum(x, y)
    rows = []
    for name, f in curves.items():
        row = curve_row(name, f, x, window)
        row["= H¹ solution"] = "✓ yes" if np.isclose(row["H¹ seminorm on data range"], best, rtol=1e-6) else "✗ no"
        row["exact"] = "exact" if row["exact"] else "grid over the window"
        rows.append(row)
    return rows, best
