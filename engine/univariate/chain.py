r"""Biases-penalised interpolation, one task: projected Newton on the chain's box (docs/univariate.md).

Problem (``bias_penalised``): min_σ F(σ) = Σ_k C_k(σ_k, σ_{k+1}), σ_k the slope of f just right of x_k,
C_k the cheapest measure on (x_k, x_{k+1}] with the moments the slopes imply.

The box (our derivation). Let s_k be the chord slopes, δ_k = s_k − s_{k−1} the data's slope changes and
g_k = sign δ_k (an end point takes its neighbour's sign). Write f' as a nondecreasing function on a run of
same-sign δ: cost = ∫ω df' = [ω f'] − ∫ω' f' dt with ∫f' fixed on every interval and ω' increasing, so
the mass of f' is pushed right inside each interval: one kink per interval at most, and the slope at a
data point lies between its two chords: σ_k ∈ [s_{k−1}, s_k] (g_k > 0), [s_k, s_{k−1}] (g_k < 0), = s_k
(g_k = 0); at the ends the outer side is open. On that box every C_k is smooth:
  * g_k = g_{k+1} ≠ 0: the two lines meet inside the interval, C_k = ‖(J_k, P_k)‖ = ω(t_k)|J_k|
    (gradient M_kᵀu, u = v/‖v‖; Hessian the rank-one (M_kᵀn)(M_kᵀn)ᵀ/‖v‖, n ⟂ u);
  * otherwise the kinks sit at the ends, C_k = |ω_k(σ_k − s_k) + ω_{k+1}(σ_{k+1} − s_k)|, linear.
So F restricted to the box is a smooth convex function with a tridiagonal Hessian, and projected Newton
(Bertsekas 1982: Newton on the variables not held at a bound, a projected Armijo search) finds the
minimiser in a few O(N) banded steps from connect-the-dots (σ_k = s_k, a vertex of the box). The box
is a claim about the optimum, not a relaxation we can trust blindly (it can fail where one interval
straddles 0 widely, x_k x_{k+1} < −1): ``bias_penalised`` checks every answer with a true certificate.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from engine.univariate.bias_free import kink_floor
from engine.univariate.chain_polish import ENDS, INSIDE, objective
from engine.univariate.costs import weight


def _box(s, delta):
    """Node signs g (N,), bounds (lo, hi) and the smooth-norm intervals of the box."""
    floor = kink_floor(s, delta)
    g_in = np.where(np.abs(delta) > floor, np.sign(delta), 0.0)
    g = np.r_[g_in[0], g_in, g_in[-1]]
    inf = np.inf
    lo = np.r_[s[0] if g[0] <= 0 else -inf, np.minimum(s[:-1], s[1:]), s[-1] if g[-1] >= 0 else -inf]
    hi = np.r_[s[0] if g[0] >= 0 else inf, np.maximum(s[:-1], s[1:]), s[-1] if g[-1] <= 0 else inf]
    zero = np.flatnonzero(g_in == 0) + 1
    lo[zero] = hi[zero] = s[zero]
    norm = (g[:-1] == g[1:]) & (g[:-1] != 0)
    return g, lo, hi, norm


def _apex_pull(x, w, g, k, grad, curv, width):
    """Steps (Δσ_k, Δσ_{k+1}) off the apexes k (σ_k = σ_{k+1} = s_k: no kink in the interval), where
    the cost is not smooth: with a = |σ_k − s_k|, b = |σ_{k+1} − s_k| it is C = ‖a(1, x_k) + b(1, x_{k+1})‖,
    so along the direction (1 − θ, θ) a kink appears at t = x_k + θh at the rate ω(t) while the other
    terms change at the rate G_a(1 − θ) + G_b θ. The apex is optimal iff min_θ of the sum is ≥ 0; else
    step to the minimiser of the model φ(θ)α + ½κα² (κ the other terms' curvature), or across the box
    (``width``: hi − lo per slope) where that is nearer."""
    h = x[k + 1] - x[k]
    Ga, Gb = -g[k] * grad[k], g[k] * grad[k + 1]
    m = (Ga - Gb) / h   # the slope ω'(t) that balances the other terms
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(np.abs(m) < 1, m / np.sqrt(np.maximum(1 - m * m, 1e-300)), np.sign(m) * np.inf)
    t = np.clip(t, x[k], x[k + 1])
    theta = (t - x[k]) / h
    rate = weight(t) + Ga + theta * (Gb - Ga)
    kappa = (1 - theta) ** 2 * curv[k] + theta ** 2 * curv[k + 1]
    pull = rate < -1e-13 * (w[k] + w[k + 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(kappa > 0, -rate / kappa, np.inf)
        alpha = np.minimum(alpha, np.minimum(width[k] / (1 - theta), width[k + 1] / theta))
    alpha = np.where(pull & np.isfinite(alpha), alpha, np.where(pull, 1e3 * (1 + np.abs(grad).max()), 0.0))
    return pull, -g[k] * alpha * (1 - theta), g[k] * alpha * theta


def solve_chain(x, y, max_iter: int = 80):
    """Slopes σ at the data and interval kinds (INSIDE for the smooth-norm intervals, ENDS else)."""
    n = len(x)
    s = np.diff(y) / np.diff(x)
    g, lo, hi, norm = _box(s, np.diff(s))
    w = weight(x)
    lin_sign = np.where(norm, 0.0, np.where(g[1:] != 0, g[1:], -g[:-1]))
    # a slope with linear terms on both sides only moves its kink across x_k: the cost ignores it
    fixed = (lo == hi) | ~(np.r_[False, norm] | np.r_[norm, False])
    sigma = np.clip(np.r_[s, s[-1]], lo, hi)   # connect-the-dots
    lin_ga, lin_gb = lin_sign * w[:-1], lin_sign * w[1:]
    ka, kb = x[:-1], x[1:]
    best = objective(x, y, sigma)
    for _ in range(max_iter):
        J = np.diff(sigma)
        c = y - sigma * x
        P = c[:-1] - c[1:]
        nrm = np.hypot(J, P)
        smooth = norm & (J != 0)
        apex = np.flatnonzero(norm & (J == 0))   # no kink: handled by _apex_pull
        inv = np.where(smooth, 1.0 / np.where(smooth, nrm, 1.0), 0.0)
        u1, u2 = J * inv, P * inv
        ga = np.where(smooth, -u1 - ka * u2, lin_ga)
        gb = np.where(smooth, u1 + kb * u2, lin_gb)
        grad = np.r_[ga, 0.0] + np.r_[0.0, gb]
        na, nb = u2 - ka * u1, -u2 + kb * u1
        diag = np.r_[na * na * inv, 0.0] + np.r_[0.0, nb * nb * inv]
        held = fixed | ((sigma <= lo) & (grad > 0)) | ((sigma >= hi) & (grad < 0))
        held[apex] = held[apex + 1] = True
        pull, da, db = _apex_pull(x, w, g, apex, grad, diag, hi - lo)
        free = ~held
        step = np.zeros(n)
        if free.any():
            off = np.where(free[:-1] & free[1:], na * nb * inv, 0.0)
            d = np.where(free, diag, 1.0)
            d = d + 1e-12 * d.max()
            ab = np.zeros((3, n))
            ab[0, 1:], ab[1], ab[2, :-1] = off, d, off
            step = -solve_banded((1, 1), ab, np.where(free, grad, 0.0), check_finite=False)
            step[held] = 0.0
        step[apex[pull]], step[apex[pull] + 1] = da[pull], db[pull]
        if not step.any():
            break
        t, moved = 1.0, False
        while t > 1e-12:
            trial = np.clip(sigma + t * step, lo, hi)
            val = objective(x, y, trial)
            if val < best:
                moved, change = True, best - val
                sigma, best = trial, val
                break
            t *= 0.5
        if not moved or change <= 1e-14 * best:   # below the rounding of the sum
            break
    kind = np.where(norm, INSIDE, ENDS)
    return sigma, kind


def chain_function(x, y, sigma, kind):
    """Affine part (c, v), knots and jumps of the f that the slopes σ describe, read off σ directly
    (no differencing of nearby breakpoints): a kink J_k = σ_{k+1} − σ_k at t_k = P_k/J_k on a smooth-norm
    interval, kinks s_k − σ_k at x_k and σ_{k+1} − s_k at x_{k+1} on a linear one; equal knots summed."""
    s = np.diff(y) / np.diff(x)
    J = np.diff(sigma)
    c = y - sigma * x
    inside = (kind == INSIDE) & (J != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((c[:-1] - c[1:]) / np.where(inside, J, 1.0), x[:-1], x[1:])
    lin = kind != INSIDE
    knots = np.r_[t[inside], x[:-1][lin], x[1:][lin]]
    jumps = np.r_[J[inside], (s - sigma[:-1])[lin], (sigma[1:] - s)[lin]]
    order = np.argsort(knots, kind="stable")
    knots, jumps = knots[order], jumps[order]
    start = np.r_[True, knots[1:] != knots[:-1]]
    knots, jumps = knots[start], np.add.reduceat(jumps, np.flatnonzero(start)) if len(jumps) else jumps
    keep = np.abs(jumps) > kink_floor(s, np.diff(s))
    return np.array([y[0] - sigma[0] * x[0], sigma[0]]), knots[keep], jumps[keep]
