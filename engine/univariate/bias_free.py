"""Bias-free minimum-norm interpolation, exact and in closed form (Savarese et al. 2019; DESIGN.md §2).

With data x_1 < … < x_N, chord slopes s_i on [x_i, x_{i+1}] and slope changes δ_i = s_i − s_{i−1}
(vectors for T tasks), connect-the-dots is a minimiser of Σ‖J_k‖ with cost Σ_i ‖δ_i‖. Minimisers differ
exactly where two consecutive δ_i, δ_{i+1} are positively collinear (one task: the same strict sign):
there, every convex (or concave) interpolant between the chord and the two neighbouring chord lines has
the same cost, and the region they fill on [x_i, x_{i+1}] is the triangle whose apex is where those
lines meet, at t = (‖δ_i‖x_i + ‖δ_{i+1}‖x_{i+1}) / (‖δ_i‖ + ‖δ_{i+1}‖).
"""
from __future__ import annotations

from collections.abc import Sequence

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


def _free_pairs(delta, s, norms) -> np.ndarray:
    """Indices i (into the interior points) where δ_i and δ_{i+1} are positively collinear."""
    nonzero = norms > kink_floor(s, delta)
    dots = (delta[:, :-1] * delta[:, 1:]).sum(axis=0)
    collinear = dots >= (1 - COLLINEAR_TOL) * (norms[:-1] * norms[1:])
    return np.flatnonzero(collinear & nonzero[:-1] & nonzero[1:])


def connect_the_dots(x, Y, slopes=None, norms=None) -> Interpolant:
    """The linear spline through the data, extended linearly: a bias-free minimiser."""
    s, delta = slope_changes(x, Y) if slopes is None else slopes
    norms = np.sqrt((delta * delta).sum(axis=0)) if norms is None else norms
    keep = norms > kink_floor(s, delta)
    affine = np.stack([Y[:, 0] - s[:, 0] * x[0], s[:, 0]], axis=1)
    return Interpolant(x[1:-1][keep], delta[:, keep].T, affine, cost=float(norms.sum()), unique=True, fitted=Y)


def _apexes(x, Y, s, norms, pairs):
    """Where the chord lines of the intervals left of point i+1 and right of point i+2 meet (all i)."""
    a, b = norms[pairs], norms[pairs + 1]
    xl, xr = x[pairs + 1], x[pairs + 2]
    t = (a * xl + b * xr) / (a + b)
    return t, Y[:, pairs + 1] + s[:, pairs] * (t - xl)


def _merged(base: Interpolant, x, delta, kept, pairs, t) -> Interpolant:
    """The minimiser that merges the kinks at points i+1, i+2 into one at the apex t_i, for i in pairs
    (``kept``: which interior points carry a kink in ``base``)."""
    stay = kept.copy()
    stay[pairs] = stay[pairs + 1] = False
    knots = np.concatenate([x[1:-1][stay], t])
    jumps = np.concatenate([delta[:, stay].T, (delta[:, pairs] + delta[:, pairs + 1]).T])
    order = np.argsort(knots, kind="stable")
    return Interpolant(knots[order], jumps[order], base.affine, cost=base.cost, unique=False, fitted=base.fitted)


class _Regions(Sequence):
    """The solution-set triangles, made into ``SolutionRegion`` objects only when first read (the
    polygons themselves are computed at once, as arrays)."""

    def __init__(self, pairs, poly):
        self._pairs, self._poly, self._items = pairs, poly, None

    def _list(self):
        if self._items is None:
            self._items = [SolutionRegion(task, (i + 1, i + 2), self._poly[task, j])
                           for j, i in enumerate(self._pairs.tolist()) for task in range(self._poly.shape[0])]
        return self._items

    def __getitem__(self, k):
        return self._list()[k]

    def __len__(self):
        return self._poly.shape[0] * self._poly.shape[1]


def solve_bias_free(x, Y) -> Interpolant:
    """Exact bias-free interpolation with the uniqueness verdict, solution-set regions and extremes
    (vectorised: the arithmetic is microseconds, so no Python loop over points or pairs)."""
    s, delta = slope_changes(x, Y)
    norms = np.sqrt((delta * delta).sum(axis=0))
    sol = connect_the_dots(x, Y, (s, delta), norms)
    kept = norms > kink_floor(s, delta)
    pairs = _free_pairs(delta, s, norms)
    sol.unique = not len(pairs)
    if len(pairs):
        t, apex = _apexes(x, Y, s, norms, pairs)
        T = Y.shape[0]
        left = np.stack([np.broadcast_to(x[pairs + 1], apex.shape), Y[:, pairs + 1]], axis=-1)
        right = np.stack([np.broadcast_to(x[pairs + 2], apex.shape), Y[:, pairs + 2]], axis=-1)
        top = np.stack([np.broadcast_to(t, apex.shape), apex], axis=-1)
        sol.regions = _Regions(pairs, np.stack([left, top, right], axis=2))   # (T, pairs, 3, 2)
        # Runs of consecutive free intervals; alternate merges give two minimisers that together
        # reach every apex (adjacent merges cannot coexist: they would share a kink).
        run_start = np.concatenate([[True], pairs[1:] - pairs[:-1] != 1])
        index = np.arange(len(pairs))
        parity = (index - np.maximum.accumulate(np.where(run_start, index, 0))) % 2 == 0
        sol.extremes = [_merged(sol, x, delta, kept, pairs[side], t[side]) for side in (parity, ~parity)]
    # Dual certificate: η(x_i) = δ_i/‖δ_i‖ (linear in between, so ‖η‖ ≤ 1 everywhere) has the dual
    # objective Σ_i ⟨η(x_i), δ_i⟩ = Σ_i ‖δ_i‖; the primal is the returned function's own cost
    primal = float(norms[kept].sum())
    dual = sol.cost
    sol.certificate = {"primal_objective": primal, "dual_objective": dual, "max_violation": 0.0,
                       "duality_gap": abs(primal - dual) / max(primal, dual, 1e-300)}
    return sol
