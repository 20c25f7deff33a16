"""A trained univariate net in the canonical form of docs/design.md §2.

A unit a σ(wx − b) with w ≠ 0 has its knot at t = b/w and, since σ(wx − b) = |w|(x − t)₊ for w > 0 and
|w|(t − x)₊ = |w|(x − t)₊ + (wx − b) for w < 0 (σ(−z) = σ(z) − z),

    a σ(wx − b) = J (x − t)₊ + [w < 0]·a(wx − b),   J = a|w|;

units with w = 0 are the constant a σ(−b). Cost Σ_k‖J_k‖ (Savarese et al. 2019; Nakhleh et al. 2024 for
T tasks) or Σ_k√(1+t_k²)‖J_k‖ (Boursier & Flammarion 2023), after merging units with the same knot.
"""
from __future__ import annotations

import numpy as np

from engine.network import HYPERPLANE_RTOL, ShallowNet
from engine.univariate.interpolant import Interpolant
from engine.validation import DataError


def to_interpolant(net: ShallowNet, *, bias_penalty: bool = False, merge_tol: float = 0.0,
                   span: float | None = None) -> Interpolant:
    """Canonical form (knots sorted, jumps (m, T), affine (T, 2)) of a d = 1 net.

    Knots closer than merge_tol·span (span: the data range; None → 1) are chained into one, with the
    jumps summed and the knot at their ‖J‖-weighted mean. merge_tol = 0 merges only knots that agree to
    rounding (relative HYPERPLANE_RTOL, as ``ShallowNet.representation_cost`` does: units with b/w equal
    up to rounding, e.g. (a, w, b) and (a', −2w, −2b), lie on one hyperplane), which is exact: the
    interpolant then evaluates to the net's function up to rounding, and its cost is the net's
    representation cost. Knots whose jumps sum to exactly zero are dropped. ``cost`` is the
    representation cost of the result, ``unique`` None.
    """
    if net.dim != 1:
        raise DataError(f"the canonical form is univariate; this net has inputs of dimension {net.dim}")
    if not (np.isfinite(merge_tol) and merge_tol >= 0):
        raise DataError("merge_tol must be a finite number ≥ 0")
    w, b, a = net.w[:, 0], net.b, net.a
    live = w != 0
    neg = live & (w < 0)
    slope = net.v[0] + (a[neg] * w[neg, None]).sum(axis=0)
    const = net.c - (a[neg] * b[neg, None]).sum(axis=0) + (a[~live] * np.maximum(-b[~live], 0)[:, None]).sum(axis=0)
    knots = b[live] / w[live]
    jumps = a[live] * np.abs(w[live])[:, None]
    order = np.argsort(knots, kind="stable")
    knots, jumps = knots[order], jumps[order]
    if len(knots):
        tol = merge_tol * (1.0 if span is None else float(span))
        rounding = HYPERPLANE_RTOL * np.maximum(1.0, np.abs(knots[:-1]))
        starts = np.r_[0, 1 + np.flatnonzero(np.diff(knots) > np.maximum(tol, rounding))]
        merged = np.add.reduceat(jumps, starts, axis=0)
        sizes = np.linalg.norm(jumps, axis=1)
        totals = np.add.reduceat(sizes, starts)
        means = np.add.reduceat(sizes * knots, starts) / np.where(totals > 0, totals, 1.0)
        plain = np.add.reduceat(knots, starts) / np.diff(np.r_[starts, len(knots)])
        knots = np.where(totals > 0, means, plain) if tol > 0 else knots[starts]
        keep = np.any(merged != 0, axis=1)
        knots, jumps = knots[keep], merged[keep]
    sizes = np.linalg.norm(jumps, axis=1)
    cost = float((sizes * np.hypot(1.0, knots)).sum() if bias_penalty else sizes.sum())
    return Interpolant(knots, jumps, np.stack([const, slope], axis=1), cost=cost, unique=None,
                       bias_penalty=bias_penalty)
