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
    s = (Y[:, 1:] - Y[:, :-1]) / (x[1:] - x[:-1])
    return s, s[:, 1:] - s[:, :-1]


def kink_floor(s, delta) -> float:
    """Size below which a slope change is rounding noise: relative to the data, never absolute."""
    return max(ZERO_TOL * np.abs(delta).max(initial=0), 1e-14 * np.abs(s).max(initial=0))


def _norms(delta):
    return np.sqrt((delta * delta).sum(axis=0))


def connect_the_dots(x, Y, slopes=None, norms=None, keep=None) -> Interpolant:
    """The linear spline through the data, extended linearly: a bias-free minimiser (``slopes``,
    ``norms`` and ``keep``, the interior points with a kink above the floor, if already known)."""
    s, delta = slope_changes(x, Y) if slopes is None else slopes
    norms = _norms(delta) if norms is None else norms
    keep = norms > kink_floor(s, delta) if keep is None else keep
    affine = np.empty((Y.shape[0], 2))
    affine[:, 0], affine[:, 1] = Y[:, 0] - s[:, 0] * x[0], s[:, 0]
    return Interpolant(x[1:-1][keep], delta[:, keep].T, affine, cost=float(norms.sum()), unique=True, fitted=Y)


def _extremes(base: Interpolant, x, delta, kept, pairs, t, side) -> list[Interpolant]:
    """The two minimisers that merge the kinks at points i+1, i+2 into one at the apex t_i, for the i in
    pairs with side 0 and those with side 1 (``kept``: which interior points carry a kink in ``base``).
    The apex lies strictly between the two merged points and no other knot does, so writing it in place
    of the first keeps the knots sorted. Both are built at once, as the two rows of one array."""
    knots = np.empty((2, len(kept)))
    knots[:] = x[1:-1]
    knots[side, pairs] = t
    jumps = np.empty((2,) + delta.T.shape)
    jumps[:] = delta.T
    jumps[side, pairs] += delta[:, pairs + 1].T
    stay = np.empty((2, len(kept)), bool)
    stay[:] = kept
    stay[side, pairs + 1] = False
    return [Interpolant(knots[k][stay[k]], jumps[k][stay[k]], base.affine, cost=base.cost, unique=False,
                        fitted=base.fitted) for k in (0, 1)]


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


def _triangles(x, Y, s, t, pairs):
    """Vertices (T, pairs, 3, 2): the points i+1 and i+2 and, between them, the apex t_i on the chord
    line of the interval left of point i+1 (the interval right of point i+2 meets it there)."""
    left, right = pairs + 1, pairs + 2
    xl, yl = x[left], Y[:, left]
    coords = np.empty((6,) + yl.shape)   # (x, y) of the three vertices, each a contiguous block
    coords[0], coords[1], coords[2] = xl, yl, t
    coords[3], coords[4], coords[5] = yl + s[:, pairs] * (t - xl), x[right], Y[:, right]
    return coords.transpose(1, 2, 0).reshape(yl.shape + (3, 2))


def solve_bias_free(x, Y) -> Interpolant:
    """Exact bias-free interpolation with the uniqueness verdict, solution-set regions and extremes
    (vectorised: the arithmetic is microseconds, so no Python loop over points or pairs).

    Free pairs: i where δ_i and δ_{i+1} are positively collinear, 1 − cos ∠ ≤ COLLINEAR_TOL, both
    above the kink floor. Their apexes t_i = (‖δ_i‖x_{i+1} + ‖δ_{i+1}‖x_{i+2})/(‖δ_i‖ + ‖δ_{i+1}‖)."""
    s, delta = slope_changes(x, Y)
    norms = _norms(delta)
    kept = norms > kink_floor(s, delta)
    sol = connect_the_dots(x, Y, (s, delta), norms, kept)
    dots = (delta[:, :-1] * delta[:, 1:]).sum(axis=0)
    pairs = np.flatnonzero((dots >= (1 - COLLINEAR_TOL) * (norms[:-1] * norms[1:])) & kept[:-1] & kept[1:])
    sol.unique = not len(pairs)
    if len(pairs):
        a, b = norms[pairs], norms[pairs + 1]
        t = (a * x[pairs + 1] + b * x[pairs + 2]) / (a + b)
        sol.regions = _Regions(pairs, _triangles(x, Y, s, t, pairs))
        # Runs of consecutive free intervals; alternate merges give two minimisers that together
        # reach every apex (adjacent merges cannot coexist: they would share a kink).
        run_start = np.empty(len(pairs), bool)
        run_start[0], run_start[1:] = True, pairs[1:] - pairs[:-1] != 1
        index = np.arange(len(pairs))
        odd = (index - np.maximum.accumulate(np.where(run_start, index, 0))) % 2
        sol.extremes = _extremes(sol, x, delta, kept, pairs, t, odd)
    # Dual certificate: η(x_i) = δ_i/‖δ_i‖ (linear in between, so ‖η‖ ≤ 1 everywhere) has the dual
    # objective Σ_i ⟨η(x_i), δ_i⟩ = Σ_i ‖δ_i‖; the primal is the returned function's own cost
    primal = float(norms[kept].sum())
    dual = sol.cost
    sol.certificate = {"primal_objective": primal, "dual_objective": dual, "max_violation": 0.0,
                       "duality_gap": abs(primal - dual) / max(primal, dual, 1e-300)}
    return sol
