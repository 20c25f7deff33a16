"""Bias-free minimum-norm interpolation, exact and in closed form (Savarese et al. 2019; DESIGN.md §2).

With data x_1 < … < x_N, chord slopes s_i on [x_i, x_{i+1}] and slope changes δ_i = s_i − s_{i−1}
(vectors for T tasks), connect-the-dots is a minimiser of Σ‖J_k‖ with cost Σ_i ‖δ_i‖. Minimisers differ
exactly where two consecutive δ_i, δ_{i+1} are positively collinear (one task: the same strict sign):
there, every convex (or concave) interpolant between the chord and the two neighbouring chord lines has
the same cost, and the region they fill on [x_i, x_{i+1}] is the triangle whose apex is where those
lines meet, at t = (‖δ_i‖x_i + ‖δ_{i+1}‖x_{i+1}) / (‖δ_i‖ + ‖δ_{i+1}‖).
"""
from __future__ import annotations

import numpy as np

from engine.univariate.interpolant import Interpolant, SolutionRegion

COLLINEAR_TOL = 1e-9   # 1 − cos(angle) below which two slope changes count as positively collinear
ZERO_TOL = 1e-12       # |δ| below ZERO_TOL·max|δ| (or rounding of the slopes) counts as no kink


def slope_changes(x, Y):
    """Chord slopes s (T, N−1) and slope changes δ (T, N−2) at the interior points x_2 … x_{N−1}."""
    s = np.diff(Y, axis=1) / np.diff(x)
    return s, np.diff(s, axis=1)


def kink_floor(s, delta) -> float:
    """Size below which a slope change is rounding noise: relative to the data, never absolute."""
    return max(ZERO_TOL * np.abs(delta).max(initial=0), 1e-14 * np.abs(s).max(initial=0))


def _free_pairs(delta, s) -> list[int]:
    """Indices i (into the interior points) where δ_i and δ_{i+1} are positively collinear."""
    norms = np.linalg.norm(delta, axis=0)
    nonzero = norms > kink_floor(s, delta)
    dots = (delta[:, :-1] * delta[:, 1:]).sum(axis=0)
    prods = norms[:-1] * norms[1:]
    collinear = dots >= (1 - COLLINEAR_TOL) * prods
    return [i for i in np.flatnonzero(collinear & nonzero[:-1] & nonzero[1:])]


def connect_the_dots(x, Y) -> Interpolant:
    """The linear spline through the data, extended linearly: a bias-free minimiser."""
    s, delta = slope_changes(x, Y)
    keep = np.linalg.norm(delta, axis=0) > kink_floor(s, delta)
    affine = np.stack([Y[:, 0] - s[:, 0] * x[0], s[:, 0]], axis=1)
    cost = float(np.linalg.norm(delta, axis=0).sum())
    return Interpolant(x[1:-1][keep], delta[:, keep].T, affine, cost=cost, unique=True, fitted=Y)


def _apex(x, Y, s, delta, i):
    """Where the chord lines of the intervals left of point i+1 and right of point i+2 meet."""
    a, b = np.linalg.norm(delta[:, i]), np.linalg.norm(delta[:, i + 1])
    xl, xr = x[i + 1], x[i + 2]
    t = (a * xl + b * xr) / (a + b)
    return t, Y[:, i + 1] + s[:, i] * (t - xl)


def _merged(base: Interpolant, x, Y, s, delta, pairs) -> Interpolant:
    """The minimiser that merges the kinks at points i+1, i+2 into one at the apex, for i in pairs."""
    kinks = dict(zip(base.knots.tolist(), base.jumps))
    for i in pairs:
        kinks.pop(x[i + 1], None)
        kinks.pop(x[i + 2], None)
        t, _ = _apex(x, Y, s, delta, i)
        kinks[t] = delta[:, i] + delta[:, i + 1]
    knots = np.array(sorted(kinks))
    jumps = np.array([kinks[k] for k in knots]).reshape(len(knots), Y.shape[0])
    return Interpolant(knots, jumps, base.affine, cost=base.cost, unique=False, fitted=Y)


def solve_bias_free(x, Y) -> Interpolant:
    """Exact bias-free interpolation with the uniqueness verdict, solution-set regions and extremes."""
    sol = connect_the_dots(x, Y)
    s, delta = slope_changes(x, Y)
    pairs = _free_pairs(delta, s)
    sol.unique = not pairs
    for i in pairs:
        t, apex = _apex(x, Y, s, delta, i)
        for task in range(Y.shape[0]):
            poly = np.array([[x[i + 1], Y[task, i + 1]], [t, apex[task]], [x[i + 2], Y[task, i + 2]]])
            sol.regions.append(SolutionRegion(task, (i + 1, i + 2), poly))
    if pairs:
        # Runs of consecutive free intervals; alternate merges give two minimisers that together
        # reach every apex (adjacent merges cannot coexist: they would share a kink).
        runs = [[pairs[0]]]
        for i in pairs[1:]:
            if i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        sol.extremes = [_merged(sol, x, Y, s, delta, [i for r in runs for i in r[start::2]])
                        for start in (0, 1)]
    # Dual certificate: η(x_i) = δ_i/‖δ_i‖ (linear in between, so ‖η‖ ≤ 1 everywhere) and
    # Σ_i ⟨η(x_i), δ_i⟩ = Σ_i ‖δ_i‖ equals the cost: connect-the-dots is optimal.
    sol.certificate = {"dual_objective": sol.cost, "max_violation": 0.0}
    return sol
