"""Exact enumeration of the activation patterns of one ReLU unit on a finite point set.

A unit σ(wᵀx − b) is active on the set D(w, b) = {i : wᵀx_i − b ≥ 0} (convention: ≥, the closed
half-space). For a finite set the closed and the open convention give the *same family* of sets:
{i : wᵀx_i ≥ b} = {i : wᵀx_i > b − ε} for any ε below the smallest gap between projections, and
conversely. The family consists of the subsets cut off by an affine half-plane, the empty and the full
set included; these are the patterns D_j of the convex reformulation in ``group_lasso``.

Algorithm (d = 2). For a direction w(θ) = (cos θ, sin θ) the patterns are the prefixes of the order of
the projections wᵀx_i, largest first. The order changes only at the *critical angles* where two
projections tie, θ ⟂ x_i − x_j (two per pair, O(N²) in all). Every pattern is attained at a direction
strictly between two consecutive critical angles: if D = {i : wᵀx_i ≥ b}, lower b to b' so that no
projection equals b'; the same set is then cut off, with a strict margin, for all nearby θ. So it is
enough to sort the projections at the midpoints of consecutive critical angles and take all prefixes:
O(N²) directions × (N + 1) prefixes, of which O(N²) are distinct.
Counting (Cover 1965, "Geometrical and statistical properties of systems of linear inequalities"):
N points in general position in ℝ^d have C(N, d+1) = 2 Σ_{k≤d} binom(N−1, k) such sets, which is
N(N−1) + 2 in the plane and 2N on the line.

Degenerate data: identical points are merged first (they share every pattern); collinear points make
several critical angles coincide; computed critical angles closer than ``angle_tol`` radians are
merged, so that no midpoint falls (numerically) on a tie. The price: two genuinely distinct critical
angles closer than ``angle_tol`` lose the patterns between them (point sets with a relative spread of
~1e-10 and below).
"""
from __future__ import annotations

from math import comb

import numpy as np

from engine.validation import DataError


def as_points(X) -> np.ndarray:
    """X as a finite (N, d) float array, d ∈ {1, 2} (a 1-D array is N points on the line)."""
    X = np.asarray(X, float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] not in (1, 2):
        raise DataError(f"X must have shape (N,), (N, 1) or (N, 2), got {X.shape}")
    if len(X) == 0:
        raise DataError("X must contain at least one point")
    if not np.all(np.isfinite(X)):
        raise DataError("X must be finite (no NaN or inf)")
    return X


def cover_count(n_points: int, d: int) -> int:
    """Number of patterns of n points in general position in ℝ^d: 2 Σ_{k=0}^{d} binom(n−1, k)."""
    return 2 * sum(comb(n_points - 1, k) for k in range(d + 1)) if n_points > 0 else 1


def _midpoint_directions(P: np.ndarray, angle_tol: float) -> np.ndarray:
    """Unit directions (n_dirs, 2) between consecutive critical angles of distinct points P (m, 2)."""
    i, j = np.triu_indices(len(P), k=1)
    diff = P[i] - P[j]
    phi = np.arctan2(diff[:, 1], diff[:, 0])
    theta = np.sort(np.mod(np.r_[phi + np.pi / 2, phi - np.pi / 2], 2 * np.pi))
    theta = theta[np.r_[True, np.diff(theta) > angle_tol]]
    if len(theta) > 1 and theta[-1] - theta[0] > 2 * np.pi - angle_tol:
        theta = theta[:-1]                                   # the same angle across the wrap at 2π
    mid = (theta + np.r_[theta[1:], theta[0] + 2 * np.pi]) / 2
    return np.column_stack([np.cos(mid), np.sin(mid)])


def activation_patterns(X, angle_tol: float = 1e-10) -> np.ndarray:
    """All distinct sets {i : wᵀx_i − b ≥ 0}, w ∈ S^{d−1}, b ∈ ℝ, as a (P, N) boolean array.

    X has shape (N, 2) or (N, 1)/(N,). Rows are distinct and sorted (np.unique order); the empty and
    the full set are included. P = N(N−1) + 2 for N points in general position in the plane, 2N for
    N distinct points on the line (see ``cover_count``); fewer with collinear or repeated points.
    """
    X = as_points(X)
    uniq, inverse = np.unique(X, axis=0, return_inverse=True)
    inverse, m = inverse.ravel(), len(uniq)
    if m == 1:
        ranks = np.zeros((1, 1), int)
    elif X.shape[1] == 1:                                    # w = ±1; np.unique sorted the points
        ranks = np.stack([np.arange(m)[::-1], np.arange(m)])
    else:                                                    # rank 0 = largest projection
        proj = uniq @ _midpoint_directions(uniq, angle_tol).T
        ranks = np.argsort(np.argsort(-proj, axis=0, kind="stable"), axis=0, kind="stable").T
    prefixes = ranks[:, None, :] < np.arange(m + 1)[None, :, None]
    patterns = np.unique(prefixes.reshape(-1, m), axis=0)
    return patterns[:, inverse]
