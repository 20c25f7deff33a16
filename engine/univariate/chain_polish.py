r"""Exact polishing of the biases-penalised solution on its optimal structure.

The SOCP of ``bias_penalised`` is min_σ Σ_k C_k(v_k(σ)), v_k = (J_k, P_k) = M_k (σ_k, σ_{k+1}) + m_k with
M_k = [[−1, 1], [−x_k, x_{k+1}]], m_k = (0, y_k − y_{k+1}). Once an interior-point solve has told which
intervals carry no kink (v_k = 0: then σ_k = σ_{k+1} = s_k, the chord slope), one kink inside
(C_k = ‖v_k‖, smooth where v_k ≠ 0) or two kinks at the ends (C_k = |w_k σ_k + w_{k+1} σ_{k+1} + β_k Δ|,
linear), the remaining problem in the free σ's is smooth with a tridiagonal Hessian
Σ_k M_kᵀ(I − u_k u_kᵀ)M_k/‖v_k‖ (u_k = v_k/‖v_k‖). A few damped Newton steps (O(N) each, banded
solve) then reach the optimum to rounding error, and the knots t_k = P_k/J_k with it: the
interior-point solution alone places them only to about the square root of its tolerance.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from engine.univariate.bias_free import kink_floor
from engine.univariate.costs import weight

ZERO, INSIDE, ENDS = 0, 1, 2


def moments(x, y, sigma):
    c = y - sigma * x
    return np.diff(sigma), c[:-1] - c[1:]


def _terms(x, y, sigma):
    J, P = moments(x, y, sigma)
    w = weight(x)
    beta = (w[:-1] + w[1:]) / np.diff(x)
    return np.hypot(J, P), np.abs(w[:-1] * sigma[:-1] + w[1:] * sigma[1:] + beta * (y[:-1] - y[1:]))


def objective(x, y, sigma, kind=None):
    """Σ_k C_k: the true cost (kind None), or the smooth model of the given interval kinds."""
    norm, ell = _terms(x, y, sigma)
    if kind is None:
        return float(np.maximum(norm, ell).sum())
    return float(np.where(kind == ENDS, ell, norm).sum())


def classify(x, J, P, C, rel_drop=1e-9):
    """Interval kinds from an approximate solution: no mass, one kink inside, or kinks at the ends."""
    kind = np.full(len(J), INSIDE)
    kind[C <= rel_drop * max(C.sum(), 1e-300)] = ZERO
    with np.errstate(divide="ignore", invalid="ignore"):
        t = P / J
    eps = 1e-6 * np.diff(x)   # a kink at (or next to) a data point is an end atom
    outside = ~((t > x[:-1] + eps) & (t < x[1:] - eps))
    kind[(kind == INSIDE) & outside] = ENDS
    return kind


def polish(x, y, sigma, kind, steps: int = 20):
    """Newton on the free slopes; returns the improved σ (or the input if nothing improves)."""
    s = np.diff(y) / np.diff(x)
    sigma = sigma.copy()
    fixed = np.zeros(len(x), bool)
    z = np.flatnonzero(kind == ZERO)
    sigma[z], sigma[z + 1] = s[z], s[z]
    fixed[z] = fixed[z + 1] = True
    inside = kind == INSIDE
    w = weight(x)
    best = objective(x, y, sigma)
    for _ in range(steps):
        J, P = moments(x, y, sigma)
        norm = np.hypot(J, P)
        ok = inside & (norm > 0)
        u1, u2 = np.where(ok, J / np.where(ok, norm, 1), 0), np.where(ok, P / np.where(ok, norm, 1), 0)
        # gradient of ‖v_k‖ w.r.t. (σ_k, σ_{k+1}) = M_kᵀ u_k; of |ℓ_k| = sign(ℓ_k)(w_k, w_{k+1})
        ell_sign = np.sign(w[:-1] * sigma[:-1] + w[1:] * sigma[1:]
                           + (w[:-1] + w[1:]) / np.diff(x) * (y[:-1] - y[1:]))
        ends = kind == ENDS
        ga = np.where(ok, -u1 - x[:-1] * u2, 0) + np.where(ends, ell_sign * w[:-1], 0)
        gb = np.where(ok, u1 + x[1:] * u2, 0) + np.where(ends, ell_sign * w[1:], 0)
        grad = np.zeros(len(x))
        np.add.at(grad, np.arange(len(J)), ga)
        np.add.at(grad, np.arange(1, len(x)), gb)
        # Hessian blocks M_kᵀ (I − uuᵀ) M_k / ‖v‖: with n = (−u2, u1) ⟂ u it is (M_kᵀn)(M_kᵀn)ᵀ/‖v‖
        na = np.where(ok, u2 - x[:-1] * u1, 0)            # (M_kᵀ n)_a with n = (−u2, u1)
        nb = np.where(ok, -u2 + x[1:] * u1, 0)
        inv = np.where(ok, 1 / np.where(ok, norm, 1), 0)
        diag = np.zeros(len(x))
        np.add.at(diag, np.arange(len(J)), na * na * inv)
        np.add.at(diag, np.arange(1, len(x)), nb * nb * inv)
        off = na * nb * inv
        free = ~fixed
        if not free.any():
            break
        grad[fixed] = 0
        diag = np.where(free, diag, 1.0)
        off = np.where(free[:-1] & free[1:], off, 0.0)
        diag = diag + 1e-14 * (1 + diag.max())
        ab = np.zeros((3, len(x)))
        ab[0, 1:], ab[1], ab[2, :-1] = off, diag, off
        try:
            step = -solve_banded((1, 1), ab, grad)
        except (np.linalg.LinAlgError, ValueError):
            break
        step[fixed] = 0
        if -grad @ step <= 1e-15 * max(best, 1e-300):   # predicted decrease below rounding: done
            break
        t, improved = 1.0, False
        while t > 1e-3:   # the model disagrees with the true cost: give up early
            trial = sigma + t * step
            val = objective(x, y, trial)   # the true cost: a smooth model may flatter
            if val <= best:
                sigma, improved = trial, val < best
                best = val
                break
            t /= 2
        if not improved or np.abs(t * step).max() <= 1e-15 * (1 + np.abs(sigma).max()):
            break
    return sigma


def breakpoint_form(x, y, sigma, kind):
    """Canonical form (c, v), knots, jumps of the function the slopes σ and the kinds describe: the
    linear interpolant of the data and of each interior kink (where its two lines meet)."""
    J, P = moments(x, y, sigma)
    k = np.flatnonzero((kind == INSIDE) & (J != 0))
    t = np.clip(P[k] / J[k], x[k], x[k + 1])
    t_in = (t > x[k]) & (t < x[k + 1])
    k, t = k[t_in], t[t_in]
    bx = np.r_[x, t]
    by = np.r_[y, y[k] + sigma[k] * (t - x[k])]
    order = np.argsort(bx, kind="stable")
    bx, by = bx[order], by[order]
    slopes = np.diff(by) / np.diff(bx)
    d = np.diff(slopes)
    s_data = np.diff(y) / np.diff(x)   # noise is measured against the data's own kinks, never the solution's
    keep = np.abs(d) > kink_floor(s_data, np.diff(s_data))
    return np.array([by[0] - slopes[0] * bx[0], slopes[0]]), bx[1:-1][keep], d[keep]
