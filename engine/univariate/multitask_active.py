r"""Biases-penalised multi-task interpolation without the semidefinite program, when it works: an
active-set (exchange) method on the chain (docs/univariate.md §6).

Start: connect-the-dots (a kink δ_i at every interior input). Each round: Newton on the KKT system
of the current structure (``multitask_polish``), which gives the dual η (node values e), then the
dual test: on every interval max ‖η(t)‖/ω(t) ≤ 1 (closed form below). Feasible: the structure is
optimal, with a certificate (the gap is 0 to rounding) — done. Infeasible on an interval: there the
optimum has a kink inside rather than at its ends (the saturation set of an interval is its ends or
one tangent point unless the whole interval saturates, ``multitask_unique``), so its end kinks are
merged into one inside (the mass-weighted position, as the one-task chain merges a pair,
Boursier & Flammarion 2023) and the round repeats. The method returns None when a round fails
(Newton does not converge, no end kink to merge, too many rounds): the caller then solves the
semidefinite program, which is always right.
Interval gauge. For η = a + bt, ‖η‖²/ω² = (1, t)G(1, t)ᵀ/‖(1, t)‖² with G = [[‖a‖², ⟨a,b⟩],
[⟨a,b⟩, ‖b‖²]] (a Rayleigh quotient): its maximum over t ∈ ℝ is G's top eigenvalue, at t = v₂/v₁
for the top eigenvector v; on [α, β] it is that or the larger end value.
"""
from __future__ import annotations

import numpy as np

from engine.univariate.costs import weight
from engine.univariate.multitask_polish import Grids, polish

ROUNDS = 8
FEASIBLE = 1e-10   # ‖η‖/ω ≤ 1 + FEASIBLE on every interval: optimal


def interval_gauge(a, b, lo, hi):
    """max over [lo, hi] of ‖a + bt‖/ω(t) per interval (a, b: (T, m)), and where it is attained."""
    g11, g12, g22 = (a * a).sum(0), (a * b).sum(0), (b * b).sum(0)
    top = 0.5 * (g11 + g22) + np.sqrt(0.25 * (g11 - g22) ** 2 + g12 ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_top = np.where(np.abs(g12) > 0, (top - g11) / g12, np.where(g22 > g11, np.inf, 0.0))
    inside = (t_top > lo) & (t_top < hi)

    def ratio(t):
        return np.linalg.norm(a + b * t, axis=0) / weight(t)

    r_lo, r_hi = ratio(lo), ratio(hi)
    best = np.maximum(r_lo, r_hi)
    where = np.where(r_lo >= r_hi, lo, hi)
    r_in = np.sqrt(np.maximum(top, 0.0))
    use = inside & (r_in > best)
    return np.where(use, r_in, best), np.where(use, t_top, where)


def solve_active(u, Ys):
    """(t, J, e) of the minimiser for data Ys (T, n) seen at every input, or None."""
    T, n = Ys.shape
    grids = Grids.of(u, Ys, np.ones(Ys.shape, bool))
    delta = grids.delta.reshape(T, n - 2)
    t, J = u[1:-1].copy(), delta.T.copy()
    norm = np.linalg.norm(J, axis=1)
    live = norm > 1e-12 * max(norm.max(initial=0.0), 1e-300)
    if not live.any():
        return None
    t, J = t[live], J[live]
    e = np.zeros(grids.rows)
    rows = (np.arange(T)[:, None] * (n - 2) + np.flatnonzero(live)[None, :])   # (T, atoms)
    e[rows.ravel()] = ((weight(t) / np.linalg.norm(J, axis=1))[None, :] * J.T).ravel()
    for _ in range(ROUNDS):
        out = polish(grids, t, J, e)
        if out is None:
            return None
        t, J, e = out
        eta, _ = grids.eta(e, u)
        if (np.linalg.norm(eta, axis=0) > weight(u) * (1 + FEASIBLE)).any():
            return None   # an input without a kink is over the sphere: not handled here
        b = np.diff(eta, axis=1) / np.diff(u)
        a = eta[:, :-1] - b * u[:-1]
        ratio, where = interval_gauge(a, b, u[:-1], u[1:])
        bad = np.flatnonzero(ratio > 1 + FEASIBLE)
        if len(bad) == 0:
            return t, J, e
        t, J = _merged(u, t, J, bad)
        if t is None:
            return None
    return None


def _merged(u, t, J, intervals):
    """The kinks at both ends of each interval (and any inside) replaced by one kink inside, at the
    mass-weighted position (moved off the ends)."""
    t, J = list(t), list(J)
    for k in intervals:
        lo, hi = u[k], u[k + 1]
        here = [i for i, s in enumerate(t) if lo <= s <= hi]
        if not here:
            return None, None
        mass = np.array([np.linalg.norm(J[i]) for i in here])
        pos = float(np.clip((mass * np.array([t[i] for i in here])).sum() / mass.sum(),
                            lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)))
        jump = np.sum([J[i] for i in here], axis=0)
        if np.linalg.norm(jump) == 0:
            return None, None
        t = [s for i, s in enumerate(t) if i not in here] + [pos]
        J = [j for i, j in enumerate(J) if i not in here] + [jump]
    order = np.argsort(t, kind="stable")
    return np.asarray(t)[order], np.asarray(J)[order]
