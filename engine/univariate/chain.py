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
from scipy.linalg.lapack import dptsv

from engine.univariate.bias_free import kink_floor
from engine.univariate.chain_polish import ENDS, INSIDE
from engine.univariate.costs import weight


def _clip(a, lo, hi):
    """np.clip without its Python-level wrappers (the same values: min(max(a, lo), hi))."""
    return np.minimum(np.maximum(a, lo), hi)


def _box(s, delta):
    """Node signs g (N,), bounds (lo, hi) and the smooth-norm intervals of the box."""
    g_in = np.sign(delta)
    g_in[np.abs(delta) <= kink_floor(s, delta)] = 0.0
    n = len(s) + 1
    g = np.empty(n)
    g[1:-1], g[0], g[-1] = g_in, g_in[0], g_in[-1]
    lo, hi = np.empty(n), np.empty(n)
    np.minimum(s[:-1], s[1:], out=lo[1:-1])
    np.maximum(s[:-1], s[1:], out=hi[1:-1])
    lo[0], hi[0] = (s[0] if g[0] <= 0 else -np.inf), (s[0] if g[0] >= 0 else np.inf)
    lo[-1], hi[-1] = (s[-1] if g[-1] >= 0 else -np.inf), (s[-1] if g[-1] <= 0 else np.inf)
    zero = np.flatnonzero(g_in == 0) + 1
    lo[zero] = hi[zero] = s[zero]
    norm = (g[:-1] == g[1:]) & (g[:-1] != 0)
    return g, lo, hi, norm


class _Chain:
    """The box problem's data and its interval costs (vectorised over intervals)."""

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.s = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
        self.g, self.lo, self.hi, self.norm = _box(self.s, self.s[1:] - self.s[:-1])
        self.w = weight(x)
        lin_sign = np.where(self.g[1:] != 0, self.g[1:], -self.g[:-1])
        lin_sign[self.norm] = 0.0
        self.lin_ga, self.lin_gb = lin_sign * self.w[:-1], lin_sign * self.w[1:]

    def costs(self, k, a, b):
        """C_k(σ_k = a, σ_{k+1} = b) on the box: the norm or the linear form."""
        x, y, w, s = self.x, self.y, self.w, self.s
        nrm = np.hypot(b - a, (y[k] - a * x[k]) - (y[k + 1] - b * x[k + 1]))
        lin = np.abs(w[k] * (a - s[k]) + w[k + 1] * (b - s[k]))
        return np.where(self.norm[k], nrm, lin)

    def objective(self, sigma) -> float:
        x, y, w, s, n = self.x, self.y, self.w, self.s, self.norm
        a, b = sigma[:-1], sigma[1:]
        c = y - sigma * x
        total = np.hypot((b - a)[n], (c[:-1] - c[1:])[n]).sum()
        lin = ~n
        return float(total + np.abs(w[:-1][lin] * (a - s)[lin] + w[1:][lin] * (b - s)[lin]).sum())

    def local(self, i, sigma, value):
        """C_{i−1} + C_i with σ_i replaced by ``value`` (the terms σ_i enters)."""
        n = len(sigma)
        left = np.where(i > 0, self.costs(np.maximum(i - 1, 0), sigma[np.maximum(i - 1, 0)], value), 0.0)
        right = np.where(i < n - 1, self.costs(np.minimum(i, n - 2), value, sigma[np.minimum(i + 1, n - 1)]), 0.0)
        return left + right


def _apex_pull(ch, k, grad, curv):
    """Steps (Δσ_k, Δσ_{k+1}) off the apexes k (σ_k = σ_{k+1} = s_k: no kink in the interval), where
    the cost is not smooth: with a = |σ_k − s_k|, b = |σ_{k+1} − s_k| it is C = ‖a(1, x_k) + b(1, x_{k+1})‖,
    so along the direction (1 − θ, θ) a kink appears at t = x_k + θh at the rate ω(t) while the other
    terms change at the rate G_a(1 − θ) + G_b θ. The apex is optimal iff min_θ of the sum is ≥ 0; else
    step to the minimiser of the model φ(θ)α + ½κα² (κ the other terms' curvature), or across the box
    where that is nearer."""
    x, g = ch.x, ch.g
    h = x[k + 1] - x[k]
    Ga, Gb = -g[k] * grad[k], g[k] * grad[k + 1]
    m = _clip((Ga - Gb) / h, -1 + 1e-16, 1 - 1e-16)   # the slope ω'(t) that balances the other terms
    t = _clip(m / np.sqrt(1 - m * m), x[k], x[k + 1])
    theta = (t - x[k]) / h
    rate = weight(t) + Ga + theta * (Gb - Ga)
    kappa = (1 - theta) ** 2 * curv[k] + theta ** 2 * curv[k + 1]
    pull = rate < -1e-13 * (ch.w[k] + ch.w[k + 1])
    width = ch.hi - ch.lo
    big = 1e3 * (1 + np.abs(grad).max())
    alpha = np.minimum(-rate / np.maximum(kappa, 1e-300), big)
    across = np.minimum(width[k] / np.maximum(1 - theta, 1e-300), width[k + 1] / np.maximum(theta, 1e-300))
    alpha = np.minimum(alpha, across)
    alpha = np.where(pull, alpha, 0.0)
    return pull, -g[k] * alpha * (1 - theta), g[k] * alpha * theta


def _derivatives(ch, sigma):
    """Gradient, Hessian diagonal and off-diagonal of F at σ, and the apex intervals (J = 0)."""
    x, y, norm = ch.x, ch.y, ch.norm
    ka, kb = x[:-1], x[1:]
    J = sigma[1:] - sigma[:-1]
    c = y - sigma * x
    P = c[:-1] - c[1:]
    smooth = norm & (J != 0)
    apex = np.flatnonzero(norm & (J == 0))
    inv = np.where(smooth, 1.0 / np.where(smooth, np.hypot(J, P), 1.0), 0.0)
    u1, u2 = J * inv, P * inv
    # a neighbour on the chord puts the kink exactly at the data point: take that exact direction
    # (the rounded P/J would give the flat, kink-splitting direction a noisy slope and curvature)
    at = np.where(smooth & (sigma[1:] == ch.s), ka, np.where(smooth & (sigma[:-1] == ch.s), kb, np.nan))
    exact = ~np.isnan(at)
    if exact.any():
        wt = weight(at[exact])
        u1[exact], u2[exact] = np.sign(J[exact]) / wt, np.sign(J[exact]) * at[exact] / wt
    n = len(sigma)
    grad, diag = np.zeros(n), np.zeros(n)
    grad[:-1] += np.where(smooth, -u1 - ka * u2, ch.lin_ga)
    grad[1:] += np.where(smooth, u1 + kb * u2, ch.lin_gb)
    na, nb = u2 - ka * u1, kb * u1 - u2
    diag[:-1] += na * na * inv
    diag[1:] += nb * nb * inv
    return grad, diag, na * nb * inv, apex


def _merged_pairs(ch):
    """The start: connect-the-dots with the best set of disjoint same-sign neighbour pairs merged, by
    a dynamic programme over the nodes. A pair k, k+1 merges into one kink δ_k + δ_{k+1} where the
    chord lines of intervals k−1 and k+1 meet, at t = (|δ_k|x_k + |δ_{k+1}|x_{k+1})/(|δ_k| + |δ_{k+1}|),
    which is cheaper by Jensen (docs/univariate.md §2); in σ it is σ_k = s_{k−1}. These are the box's vertices
    made of whole kinks; Newton then moves what the vertices cannot express."""
    x, s, g = ch.x, ch.s, ch.g
    d = np.abs(s[1:] - s[:-1])
    xi = x[1:-1]
    single = ch.w[1:-1] * d
    both = d[:-1] + d[1:]
    same = (g[1:-2] == g[2:-1]) & (g[1:-2] != 0)   # then both > 0
    t = np.divide(d[:-1] * xi[:-1] + d[1:] * xi[1:], both, out=np.zeros(len(both)), where=same)
    pair = weight(t) * both
    pair[~same] = np.inf
    gain = single[:-1] + single[1:] - pair   # > 0 where a pair may merge (Jensen)
    take = bytearray(len(single) + 1)
    before, last = 0.0, 0.0   # best saving over the first j − 2 and j − 1 interior nodes
    for j, gj in enumerate(gain.tolist(), start=2):
        merged = before + gj
        if merged > last:
            take[j] = 1
            before, last = last, merged
        else:
            before = last
    sigma = np.empty(len(x))
    sigma[:-1], sigma[-1] = s, s[-1]
    j = len(single)
    while j >= 2:
        if take[j]:
            sigma[j - 1] = s[j - 2]   # interior nodes j−1, j (0-based) merged: σ_{j−1} = s_{j−2}
            j -= 2
        else:
            j -= 1
    return sigma


def _line_search_1d(ch, sigma, i, step, grad, halvings: int = 16):
    """The free slopes i (pairwise non-adjacent, between held ones: their terms C_{i−1} + C_i are
    disjoint) searched each on its own along its Newton step. The bound ahead is taken where the
    derivative there still points out (then it is the 1-D minimiser, by convexity: no crawling);
    else the best of t ∈ {1, ½, …}, or the full step where the predicted decrease is below the
    rounding of the terms (there the cost cannot rank candidates; first-order conditions fix σ)."""
    target = np.where(step < 0, ch.lo[i], ch.hi[i])
    finite = np.isfinite(target)
    at_bound = sigma.copy()
    at_bound[i[finite]] = target[finite]
    g_bound = _derivatives(ch, at_bound)[0][i]
    stay = finite & np.where(step < 0, g_bound >= 0, g_bound <= 0)
    ts = 0.5 ** np.arange(halvings)
    cand = _clip(sigma[i][:, None] + step[:, None] * ts[None, :], ch.lo[i][:, None], ch.hi[i][:, None])
    cand = np.concatenate([sigma[i][:, None], cand], axis=1)
    vals = ch.local(np.repeat(i, cand.shape[1]), sigma, cand.ravel()).reshape(cand.shape)
    pick = cand[np.arange(len(i)), np.argmin(vals, axis=1)]
    pick = np.where(-grad * step <= 1e-13 * vals[:, 0], cand[:, 1], pick)
    out = sigma.copy()
    out[i] = np.where(stay, target, pick)
    return out


def solve_chain(x, y, max_iter: int = 60):
    """Slopes σ at the data and interval kinds (INSIDE for the smooth-norm intervals, ENDS else).

    Projected Newton from ``_merged_pairs``: slopes on a bound with the gradient pointing out are
    held, the rest take the Newton step of the tridiagonal system; apexes are left by ``_apex_pull``;
    a free slope between two held ones is searched on its own (``_line_search_1d``: where the cost is
    nearly linear in it, e.g. a kink sliding to the end of a tiny interval, one shared step length
    would let it crawl); the coupled rest shares one projected Armijo search. Once the predicted
    decrease is below the rounding of F, plain Newton steps finish (the dual, read off the knots, is
    first-order in σ where F is second-order)."""
    ch = _Chain(x, y)
    n = len(x)
    lo, hi, norm = ch.lo, ch.hi, ch.norm
    # a slope with linear terms on both sides only moves its kink across x_k: the cost ignores it
    touches = np.zeros(n, bool)
    touches[:-1] |= norm
    touches[1:] |= norm
    fixed = (lo == hi) | ~touches
    sigma = _clip(_merged_pairs(ch), lo, hi)
    best = ch.objective(sigma)
    finishing = 0
    for _ in range(max_iter):
        grad, diag, off, apex = _derivatives(ch, sigma)
        held = fixed | ((sigma <= lo) & (grad > 0)) | ((sigma >= hi) & (grad < 0))
        held[apex] = held[apex + 1] = True
        free = ~held
        step = np.zeros(n)
        if free.any():
            e = np.where(free[:-1] & free[1:], off, 0.0)
            d = np.where(free, diag, 1.0)
            d += 1e-12 * d.max()
            _, _, sol, info = dptsv(d, e, np.where(free, -grad, 0.0))
            if info == 0:
                step = np.where(free, sol, 0.0)
        pull = np.zeros(0, bool)
        if len(apex):
            pull, da, db = _apex_pull(ch, apex, grad, diag)
            step[apex[pull]], step[apex[pull] + 1] = da[pull], db[pull]
        pred = -float(grad @ step)
        if not step.any():
            break
        if not pull.any() and pred <= 1e-13 * best:
            sigma = _clip(sigma + step, lo, hi)
            finishing += 1
            if pred <= 1e-24 * best or finishing >= 5:
                break
            continue
        alone = free.copy()   # free with both neighbours held (or absent)
        alone[:-1] &= ~free[1:]
        alone[1:] &= ~free[:-1]
        alone[apex[pull]] = alone[apex[pull] + 1] = False
        if alone.any():
            i = np.flatnonzero(alone)
            sigma, step[i] = _line_search_1d(ch, sigma, i, step[i], grad[i]), 0.0
            best = ch.objective(sigma)
        if not step.any():
            continue
        t = 1.0
        while t > 1e-12:
            trial = _clip(sigma + t * step, lo, hi)
            val = ch.objective(trial)
            if val < best:
                sigma, best = trial, val
                break
            t *= 0.5
    kind = np.where(norm, INSIDE, ENDS)
    return sigma, kind


def chain_function(x, y, sigma, kind):
    """Affine part (c, v), knots and jumps of the f that the slopes σ describe, read off σ directly
    (no differencing of nearby breakpoints): a kink J_k = σ_{k+1} − σ_k at t_k = P_k/J_k on a smooth-norm
    interval, kinks s_k − σ_k at x_k and σ_{k+1} − s_k at x_{k+1} on a linear one; equal knots summed."""
    s = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
    J = sigma[1:] - sigma[:-1]
    c = y - sigma * x
    inside = (kind == INSIDE) & (J != 0)
    t = _clip((c[:-1] - c[1:]) / np.where(inside, J, 1.0), x[:-1], x[1:])
    lin = kind != INSIDE
    knots = np.concatenate([t[inside], x[:-1][lin], x[1:][lin]])
    jumps = np.concatenate([J[inside], (s - sigma[:-1])[lin], (sigma[1:] - s)[lin]])
    order = np.argsort(knots, kind="stable")
    knots, jumps = knots[order], jumps[order]
    start = np.concatenate([[True], knots[1:] != knots[:-1]])
    knots, jumps = knots[start], np.add.reduceat(jumps, np.flatnonzero(start)) if len(jumps) else jumps
    # drop only kinks that move no value on the data range by more than rounding (a floor relative to
    # the largest kink would drop real small ones next to a steep step)
    keep = np.abs(jumps) * (x[-1] - x[0]) > 1e-15 * np.abs(y).max()
    return np.array([y[0] - sigma[0] * x[0], sigma[0]]), knots[keep], jumps[keep]
