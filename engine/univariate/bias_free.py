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
from dataclasses import replace

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


def scaled_regions(regions, factor: float):
    """The regions of f with f's values times ``factor`` (polygon heights scaled; new objects, still
    built lazily where ``regions`` were)."""
    if isinstance(regions, _Regions):
        return _Regions(regions._pairs, regions._poly * np.array([1.0, factor]))
    return [replace(region, polygon=region.polygon * np.array([1.0, factor])) for region in regions]


_closed_form = None


def _kernel():
    """``bias_free_kernel.closed_form``, imported on first use (numba's import and cache load take about
    a second); later calls skip the import machinery."""
    global _closed_form
    from engine.univariate.bias_free_kernel import closed_form

    _closed_form = closed_form
    return closed_form


def solve_bias_free(x, Y) -> Interpolant:
    """Exact bias-free interpolation with the uniqueness verdict, solution-set regions and extremes.

    Free pairs: i where δ_i and δ_{i+1} are positively collinear, 1 − cos ∠ ≤ COLLINEAR_TOL, both
    above the kink floor. Their apexes t_i = (‖δ_i‖x_{i+1} + ‖δ_{i+1}‖x_{i+2})/(‖δ_i‖ + ‖δ_{i+1}‖); the
    regions are the triangles between the chord and the two neighbouring chord lines (vertices: the
    points i+1, i+2 and the apex on the chord line left of i+1); along each run of consecutive free
    pairs, alternate merges give two minimisers that together reach every apex (adjacent merges cannot
    coexist: they would share a kink). The arithmetic is one compiled call (``bias_free_kernel``).
    Dual certificate: η(x_i) = δ_i/‖δ_i‖ (linear in between, so ‖η‖ ≤ 1 everywhere) has the dual
    objective Σ_i ⟨η(x_i), δ_i⟩ = Σ_i ‖δ_i‖; the primal is the returned function's own cost.

    Parameters
    ----------
    x : ndarray, shape (N,)
        Sorted distinct inputs, N ≥ 2.
    Y : ndarray, shape (T, N)

    Returns
    -------
    Interpolant
    """
    closed_form = _closed_form or _kernel()
    x, Y = np.ascontiguousarray(x, float), np.ascontiguousarray(Y, float)
    knots, jumps, affine, cost, primal, pairs, tri, k0, j0, k1, j1 = closed_form(x, Y, ZERO_TOL, COLLINEAR_TOL)
    regions, extremes = [], []
    if len(pairs):
        regions = _Regions(pairs, tri)
        extremes = [Interpolant(k, j, affine, cost=cost, unique=False, fitted=Y) for k, j in ((k0, j0), (k1, j1))]
    return Interpolant(knots, jumps, affine, cost=cost, unique=not len(pairs), regions=regions, extremes=extremes,
                       fitted=Y, certificate={"primal_objective": primal, "dual_objective": cost, "max_violation": 0.0,
                                              "duality_gap": abs(primal - cost) / max(primal, cost, 1e-300)})
