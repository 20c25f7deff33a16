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
Interval gauge. ‖η‖²/ω² is a ratio of two quadratics in t (a Rayleigh quotient in (1, t)); its
stationary points solve a quadratic, written in the interval's local coordinate (``interval_gauge``).
"""
from __future__ import annotations

import numpy as np

from engine.univariate.costs import weight
from engine.univariate.multitask_polish import Grids, polish

ROUNDS = 8
FEASIBLE = 1e-10   # ‖η‖/ω ≤ 1 + FEASIBLE on every interval: optimal


def interval_gauge(eta_lo, eta_hi, lo, hi):
    """max over [lo, hi] of ‖η(t)‖/ω(t) per interval, η linear from eta_lo to eta_hi ((T, m) each), and
    where it is attained. In the local coordinate σ = (t − m)/(h/2) ∈ [−1, 1] (m the midpoint), so that
    short intervals far from 0 lose no digits: ‖η‖² = n₀ + n₁σ + n₂σ², ω² = d₀ + d₁σ + d₂σ², and the
    stationary points of their ratio solve (n₁d₀ − n₀d₁) + 2(n₂d₀ − n₀d₂)σ + (n₂d₁ − n₁d₂)σ² = 0
    (the cubic terms cancel); the maximum is there or at an end."""
    mid_eta, half = (eta_lo + eta_hi) / 2, (eta_hi - eta_lo) / 2
    m, h2 = (lo + hi) / 2, (hi - lo) / 2
    n0, n1, n2 = (mid_eta ** 2).sum(0), 2 * (mid_eta * half).sum(0), (half ** 2).sum(0)
    d0, d1, d2 = 1 + m * m, 2 * m * h2, h2 * h2
    A, B, C = n2 * d1 - n1 * d2, 2 * (n2 * d0 - n0 * d2), n1 * d0 - n0 * d1
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(B * B - 4 * A * C, 0.0))
        q = -0.5 * (B + np.copysign(disc, B))      # the stable quadratic formula
        roots = [np.where(A != 0, q / A, np.nan), np.where(q != 0, C / q, np.nan)]
    best, where = np.full(len(m), -np.inf), np.zeros(len(m))
    for sigma in [np.full(len(m), -1.0), np.full(len(m), 1.0)] + roots:
        sigma = np.where(np.isfinite(sigma) & (np.abs(sigma) <= 1), sigma, -1.0)
        r = np.sqrt(np.maximum(n0 + n1 * sigma + n2 * sigma ** 2, 0.0) / (d0 + d1 * sigma + d2 * sigma ** 2))
        take = r > best
        best, where = np.where(take, r, best), np.where(take, m + h2 * sigma, where)
    return best, where


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
        ratio, _ = interval_gauge(eta[:, :-1], eta[:, 1:], u[:-1], u[1:])
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
