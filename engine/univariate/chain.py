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

The loops are compiled by numba (``@njit(cache=True)``, compiled once and cached on disk): at N = 20 a
numpy version spent its time in ~10³ calls on tiny arrays. The arithmetic is that of the earlier numpy
code, operation for operation (LAPACK's dptsv is written out as its L·D·Lᵀ recurrence).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

ZERO_TOL = 1e-12   # engine.univariate.bias_free.ZERO_TOL: a slope change below it (relative) is no kink



@njit(cache=True)
def chords(x, y):
    """Chord slopes s (N−1,) and the kink floor max(ZERO_TOL·max|δ|, 1e-14·max|s|) (``bias_free.kink_floor``)."""
    m = len(x) - 1
    s = np.empty(m)
    smax = 0.0
    for k in range(m):
        s[k] = (y[k + 1] - y[k]) / (x[k + 1] - x[k])
        smax = max(smax, abs(s[k]))
    dmax = 0.0
    for k in range(m - 1):
        dmax = max(dmax, abs(s[k + 1] - s[k]))
    return s, dmax, max(ZERO_TOL * dmax, 1e-14 * smax)


@njit(cache=True)
def _box(s, floor):
    """Node signs g (N,), bounds (lo, hi) and the smooth-norm intervals of the box."""
    n = len(s) + 1
    g = np.zeros(n)
    for k in range(1, n - 1):
        d = s[k] - s[k - 1]
        if abs(d) > floor:
            g[k] = 1.0 if d > 0 else -1.0
    g[0], g[n - 1] = g[1], g[n - 2]
    lo, hi = np.empty(n), np.empty(n)
    for k in range(1, n - 1):
        if g[k] == 0:
            lo[k] = hi[k] = s[k]
        else:
            lo[k], hi[k] = min(s[k - 1], s[k]), max(s[k - 1], s[k])
    lo[0] = s[0] if g[0] <= 0 else -np.inf
    hi[0] = s[0] if g[0] >= 0 else np.inf
    lo[n - 1] = s[n - 2] if g[n - 1] >= 0 else -np.inf
    hi[n - 1] = s[n - 2] if g[n - 1] <= 0 else np.inf
    norm = np.empty(n - 1, np.bool_)
    for k in range(n - 1):
        norm[k] = g[k] == g[k + 1] and g[k] != 0
    return g, lo, hi, norm


@njit(cache=True)
def _cost(k, a, b, x, y, w, s, norm):
    """C_k(σ_k = a, σ_{k+1} = b) on the box: the norm or the linear form."""
    if norm[k]:
        return math.hypot(b - a, (y[k] - a * x[k]) - (y[k + 1] - b * x[k + 1]))
    return abs(w[k] * (a - s[k]) + w[k + 1] * (b - s[k]))


@njit(cache=True)
def _objective(sigma, x, y, w, s, norm):
    smooth, linear = 0.0, 0.0
    for k in range(len(x) - 1):
        if norm[k]:
            smooth += _cost(k, sigma[k], sigma[k + 1], x, y, w, s, norm)
        else:
            linear += _cost(k, sigma[k], sigma[k + 1], x, y, w, s, norm)
    return smooth + linear


@njit(cache=True)
def _interval(k, a, b, x, y, s, norm, lin_ga, lin_gb):
    """Interval k's share of the derivatives at σ_k = a, σ_{k+1} = b: (∂_a, ∂_b, n_a, n_b, 1/‖v‖, apex).
    A neighbour on the chord puts the kink exactly at the data point: that exact direction is taken
    (the rounded P/J would give the flat, kink-splitting direction a noisy slope and curvature)."""
    J = b - a
    if not norm[k]:
        return lin_ga[k], lin_gb[k], 0.0, 0.0, 0.0, False
    if J == 0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, True
    P = (y[k] - a * x[k]) - (y[k + 1] - b * x[k + 1])
    inv = 1.0 / math.hypot(J, P)
    u1, u2 = J * inv, P * inv
    at = np.nan
    if b == s[k]:
        at = x[k]
    elif a == s[k]:
        at = x[k + 1]
    if not np.isnan(at):
        sg = 1.0 if J > 0 else -1.0
        wt = math.hypot(1.0, at)
        u1, u2 = sg / wt, sg * at / wt
    return -u1 - x[k] * u2, u1 + x[k + 1] * u2, u2 - x[k] * u1, x[k + 1] * u1 - u2, inv, False


@njit(cache=True)
def _derivatives(sigma, x, y, s, norm, lin_ga, lin_gb):
    """Gradient, Hessian diagonal and off-diagonal of F at σ, and the apex intervals (J = 0)."""
    n = len(sigma)
    ga, gb = np.empty(n - 1), np.empty(n - 1)
    da, db, off = np.empty(n - 1), np.empty(n - 1), np.empty(n - 1)
    apex = np.zeros(n - 1, np.bool_)
    for k in range(n - 1):
        ga[k], gb[k], na, nb, inv, apex[k] = _interval(k, sigma[k], sigma[k + 1], x, y, s, norm, lin_ga, lin_gb)
        da[k], db[k], off[k] = na * na * inv, nb * nb * inv, na * nb * inv
    grad, diag = np.zeros(n), np.zeros(n)
    for k in range(n - 1):
        grad[k] += ga[k]
        diag[k] += da[k]
    for k in range(n - 1):
        grad[k + 1] += gb[k]
        diag[k + 1] += db[k]
    return grad, diag, off, np.flatnonzero(apex)


@njit(cache=True)
def _node_grad(i, sigma, x, y, s, norm, lin_ga, lin_gb):
    """∂F/∂σ_i alone (the terms C_{i−1} + C_i), summed in the order of ``_derivatives``."""
    g = 0.0
    if i < len(sigma) - 1:
        g += _interval(i, sigma[i], sigma[i + 1], x, y, s, norm, lin_ga, lin_gb)[0]
    if i > 0:
        g += _interval(i - 1, sigma[i - 1], sigma[i], x, y, s, norm, lin_ga, lin_gb)[1]
    return g


@njit(cache=True)
def _apex_pull(k, grad, curv, x, g, w, width, big):
    """Step (Δσ_k, Δσ_{k+1}) off the apex k (σ_k = σ_{k+1} = s_k: no kink in the interval), where the
    cost is not smooth: with a = |σ_k − s_k|, b = |σ_{k+1} − s_k| it is C = ‖a(1, x_k) + b(1, x_{k+1})‖,
    so along the direction (1 − θ, θ) a kink appears at t = x_k + θh at the rate ω(t) while the other
    terms change at the rate G_a(1 − θ) + G_b θ. The apex is optimal iff min_θ of the sum is ≥ 0; else
    step to the minimiser of the model φ(θ)α + ½κα² (κ the other terms' curvature), or across the box
    where that is nearer. Returns (pull, Δσ_k, Δσ_{k+1})."""
    h = x[k + 1] - x[k]
    Ga, Gb = -g[k] * grad[k], g[k] * grad[k + 1]
    m = min(max((Ga - Gb) / h, -1 + 1e-16), 1 - 1e-16)   # the slope ω'(t) that balances the other terms
    t = min(max(m / math.sqrt(1 - m * m), x[k]), x[k + 1])
    theta = (t - x[k]) / h
    rate = math.hypot(1.0, t) + Ga + theta * (Gb - Ga)
    kappa = (1 - theta) ** 2 * curv[k] + theta ** 2 * curv[k + 1]
    if not rate < -1e-13 * (w[k] + w[k + 1]):
        return False, 0.0, 0.0
    alpha = min(-rate / max(kappa, 1e-300), big)
    across = min(width[k] / max(1 - theta, 1e-300), width[k + 1] / max(theta, 1e-300))
    alpha = min(alpha, across)
    return True, -g[k] * alpha * (1 - theta), g[k] * alpha * theta


@njit(cache=True)
def _merged_pairs(x, s, g, w):
    """The start: connect-the-dots with the best set of disjoint same-sign neighbour pairs merged, by
    a dynamic programme over the nodes. A pair k, k+1 merges into one kink δ_k + δ_{k+1} where the
    chord lines of intervals k−1 and k+1 meet, at t = (|δ_k|x_k + |δ_{k+1}|x_{k+1})/(|δ_k| + |δ_{k+1}|),
    which is cheaper by Jensen (docs/univariate.md §2); in σ it is σ_k = s_{k−1}. These are the box's
    vertices made of whole kinks; Newton then moves what the vertices cannot express."""
    n = len(x)
    m = n - 2                      # interior nodes 1 … N−2
    d = np.empty(m)
    for j in range(m):
        d[j] = abs(s[j + 1] - s[j])
    take = np.zeros(m + 1, np.bool_)
    before, last = 0.0, 0.0        # best saving over the first j − 2 and j − 1 interior nodes
    for j in range(2, m + 1):      # pair of interior nodes j−1, j (0-based: nodes j−1 and j)
        a = j - 2
        gain = -np.inf
        if g[a + 1] == g[a + 2] and g[a + 1] != 0:
            both = d[a] + d[a + 1]
            t = (d[a] * x[a + 1] + d[a + 1] * x[a + 2]) / both
            gain = w[a + 1] * d[a] + w[a + 2] * d[a + 1] - math.hypot(1.0, t) * both
        merged = before + gain
        if merged > last:
            take[j] = True
            before, last = last, merged
        else:
            before = last
    sigma = np.empty(n)
    sigma[:-1] = s
    sigma[-1] = s[-1]
    j = m
    while j >= 2:
        if take[j]:
            sigma[j - 1] = s[j - 2]   # interior nodes j−1, j (0-based) merged: σ_{j−1} = s_{j−2}
            j -= 2
        else:
            j -= 1
    return sigma


@njit(cache=True)
def _line_search_1d(sigma, idx, step, grad, lo, hi, x, y, w, s, norm, lin_ga, lin_gb):
    """The free slopes idx (pairwise non-adjacent, between held ones: their terms C_{i−1} + C_i are
    disjoint) searched each on its own along its Newton step. The bound ahead is taken where the
    derivative there still points out (then it is the 1-D minimiser, by convexity: no crawling);
    else the best of t ∈ {1, ½, …, 2⁻¹⁵}, or the full step where the predicted decrease is below the
    rounding of the terms (there the cost cannot rank candidates; first-order conditions fix σ)."""
    n = len(sigma)
    at_bound = sigma.copy()
    for j in range(len(idx)):
        target = lo[idx[j]] if step[j] < 0 else hi[idx[j]]
        if np.isfinite(target):
            at_bound[idx[j]] = target
    out = sigma.copy()
    for j in range(len(idx)):
        i = idx[j]
        target = lo[i] if step[j] < 0 else hi[i]
        if np.isfinite(target):
            gb = _node_grad(i, at_bound, x, y, s, norm, lin_ga, lin_gb)
            if (gb >= 0) if step[j] < 0 else (gb <= 0):
                out[i] = target
                continue
        best_val, pick, first, val0 = np.inf, sigma[i], sigma[i], 0.0
        t = 1.0
        for c in range(17):
            v = sigma[i] if c == 0 else min(max(sigma[i] + step[j] * t, lo[i]), hi[i])
            if c > 0:
                t *= 0.5
            val = 0.0
            if i > 0:
                val += _cost(i - 1, sigma[i - 1], v, x, y, w, s, norm)
            if i < n - 1:
                val += _cost(i, v, sigma[i + 1], x, y, w, s, norm)
            if c == 0:
                val0 = val
            if c == 1:
                first = v
            if val < best_val:
                best_val, pick = val, v
        out[i] = first if -grad[j] * step[j] <= 1e-13 * val0 else pick
    return out


@njit(cache=True)
def _dptsv(d, e, b):
    """LAPACK dptsv (dpttrf + dptts2) for the symmetric tridiagonal (d, e): returns (solution, info)."""
    n = len(d)
    d, e, b = d.copy(), e.copy(), b.copy()
    for i in range(n - 1):
        if d[i] <= 0:
            return b, i + 1
        ei = e[i]
        e[i] = ei / d[i]
        d[i + 1] -= e[i] * ei
    if d[n - 1] <= 0:
        return b, n
    for i in range(1, n):
        b[i] -= b[i - 1] * e[i - 1]
    b[n - 1] /= d[n - 1]
    for i in range(n - 2, -1, -1):
        b[i] = b[i] / d[i] - b[i + 1] * e[i]
    return b, 0


@njit(cache=True)
def _clipped(sigma, t, step, lo, hi):
    out = np.empty(len(sigma))
    for i in range(len(sigma)):
        out[i] = min(max(sigma[i] + t * step[i], lo[i]), hi[i])
    return out


@njit(cache=True)
def _solve(x, y, max_iter):
    """Slopes σ at the data and the smooth-norm intervals (the rest are linear), by projected Newton
    from ``_merged_pairs``: slopes on a bound with the gradient pointing out are held, the rest take the
    Newton step of the tridiagonal system; apexes are left by ``_apex_pull``; a free slope between two
    held ones is searched on its own (``_line_search_1d``: where the cost is nearly linear in it, e.g. a
    kink sliding to the end of a tiny interval, one shared step length would let it crawl); the coupled
    rest shares one projected Armijo search. Once the predicted decrease is below the rounding of F,
    plain Newton steps finish (the dual, read off the knots, is first-order in σ where F is
    second-order)."""
    n = len(x)
    s, _, floor = chords(x, y)
    g, lo, hi, norm = _box(s, floor)
    w = np.empty(n)
    for k in range(n):
        w[k] = math.hypot(1.0, x[k])
    lin_ga, lin_gb = np.empty(n - 1), np.empty(n - 1)
    for k in range(n - 1):
        sign = 0.0 if norm[k] else (g[k + 1] if g[k + 1] != 0 else -g[k])
        lin_ga[k], lin_gb[k] = sign * w[k], sign * w[k + 1]
    # a slope with linear terms on both sides only moves its kink across x_k: the cost ignores it
    fixed = np.empty(n, np.bool_)
    for k in range(n):
        touches = (k < n - 1 and norm[k]) or (k > 0 and norm[k - 1])
        fixed[k] = lo[k] == hi[k] or not touches
    width = hi - lo
    sigma = _merged_pairs(x, s, g, w)
    for k in range(n):
        sigma[k] = min(max(sigma[k], lo[k]), hi[k])
    best = _objective(sigma, x, y, w, s, norm)
    finishing = 0
    free = np.empty(n, np.bool_)
    for _ in range(max_iter):
        grad, diag, off, apex = _derivatives(sigma, x, y, s, norm, lin_ga, lin_gb)
        for k in range(n):
            free[k] = not (fixed[k] or (sigma[k] <= lo[k] and grad[k] > 0) or (sigma[k] >= hi[k] and grad[k] < 0))
        for k in apex:
            free[k] = free[k + 1] = False
        step = np.zeros(n)
        if free.any():
            d, rhs, e = np.empty(n), np.empty(n), np.empty(n - 1)
            dmax = -np.inf
            for k in range(n):
                d[k] = diag[k] if free[k] else 1.0
                rhs[k] = -grad[k] if free[k] else 0.0
                dmax = max(dmax, d[k])
            for k in range(n):
                d[k] += 1e-12 * dmax
            for k in range(n - 1):
                e[k] = off[k] if free[k] and free[k + 1] else 0.0
            sol, info = _dptsv(d, e, rhs)
            if info == 0:
                for k in range(n):
                    step[k] = sol[k] if free[k] else 0.0
        pulled = np.zeros(n, np.bool_)   # the two slopes of each apex left by a pull
        any_pull = False
        if len(apex):
            big = 1e3 * (1 + np.abs(grad).max())
            pj = np.zeros(len(apex), np.bool_)
            da, db = np.zeros(len(apex)), np.zeros(len(apex))
            for j in range(len(apex)):
                pj[j], da[j], db[j] = _apex_pull(apex[j], grad, diag, x, g, w, width, big)
            for j in range(len(apex)):   # in numpy's order: all the left slopes, then all the right ones
                if pj[j]:
                    step[apex[j]] = da[j]
                    pulled[apex[j]] = any_pull = True
            for j in range(len(apex)):
                if pj[j]:
                    step[apex[j] + 1] = db[j]
                    pulled[apex[j] + 1] = True
        pred = 0.0
        for k in range(n):
            pred -= grad[k] * step[k]
        if not step.any():
            break
        if not any_pull and pred <= 1e-13 * best:
            sigma = _clipped(sigma, 1.0, step, lo, hi)
            finishing += 1
            if pred <= 1e-24 * best or finishing >= 5:
                break
            continue
        alone = np.empty(n, np.bool_)   # free with both neighbours held (or absent)
        for k in range(n):
            alone[k] = free[k] and not (k < n - 1 and free[k + 1]) and not (k > 0 and free[k - 1]) and not pulled[k]
        if alone.any():
            idx = np.flatnonzero(alone)
            sigma = _line_search_1d(sigma, idx, step[idx], grad[idx], lo, hi, x, y, w, s, norm, lin_ga, lin_gb)
            step[idx] = 0.0
            best = _objective(sigma, x, y, w, s, norm)
        if not step.any():
            continue
        t = 1.0
        while t > 1e-12:
            trial = _clipped(sigma, t, step, lo, hi)
            val = _objective(trial, x, y, w, s, norm)
            if val < best:
                sigma, best = trial, val
                break
            t *= 0.5
    return sigma, norm


@njit(cache=True)
def _chain_function(x, y, sigma, norm):
    """Affine part (c, v), knots and jumps of the f that the slopes σ describe, read off σ directly
    (no differencing of nearby breakpoints): a kink J_k = σ_{k+1} − σ_k at t_k = P_k/J_k on a smooth-norm
    interval, kinks s_k − σ_k at x_k and σ_{k+1} − s_k at x_{k+1} on a linear one; equal knots summed."""
    n = len(x)
    s, _, _ = chords(x, y)
    knots, jumps = np.empty(2 * (n - 1)), np.empty(2 * (n - 1))
    m = 0
    for k in range(n - 1):   # kinks inside the smooth-norm intervals first, then the end kinks (numpy's order)
        J = sigma[k + 1] - sigma[k]
        if norm[k] and J != 0:
            t = ((y[k] - sigma[k] * x[k]) - (y[k + 1] - sigma[k + 1] * x[k + 1])) / J
            knots[m], jumps[m] = min(max(t, x[k]), x[k + 1]), J
            m += 1
    for k in range(n - 1):
        if not norm[k]:
            knots[m], jumps[m] = x[k], s[k] - sigma[k]
            m += 1
    for k in range(n - 1):
        if not norm[k]:
            knots[m], jumps[m] = x[k + 1], sigma[k + 1] - s[k]
            m += 1
    order = np.argsort(knots[:m], kind="mergesort")
    t_out, j_out = np.empty(m), np.empty(m)
    q = -1
    for r in range(m):
        t, J = knots[order[r]], jumps[order[r]]
        if q >= 0 and t == t_out[q]:
            j_out[q] += J
        else:
            q += 1
            t_out[q], j_out[q] = t, J
    # drop only kinks that move no value on the data range by more than rounding (a floor relative to
    # the largest kink would drop real small ones next to a steep step)
    ymax = np.abs(y).max()
    keep = np.abs(j_out[:q + 1]) * (x[-1] - x[0]) > 1e-15 * ymax
    affine = np.array([y[0] - sigma[0] * x[0], sigma[0]])
    return affine, t_out[:q + 1][keep], j_out[:q + 1][keep]


@njit(cache=True)
def solve_read(x, y, max_iter=60):
    """The one-task answer on the chain in one compiled call: (collinear, scale, (c, v), knots, jumps),
    solved on y/scale, scale = max|y| (or 1); for collinear data (every slope change below the kink
    floor) the line (c, v) and no knots.

    Parameters
    ----------
    x, y : ndarray of float64, shape (N,), contiguous
        Sorted distinct inputs and their values, N ≥ 2.
    max_iter : int, optional
        Projected Newton steps at most.

    Returns
    -------
    collinear : bool
    scale : float
    affine : ndarray, shape (2,)
        (c, v) of y/scale (of y itself when collinear).
    knots, jumps : ndarray, shape (m,)
        Of y/scale, before the Jensen merge (``chain_certificate.certify_read``).
    """
    s, d_max, floor = chords(x, y)
    if d_max <= floor:
        return True, 1.0, np.array([y[0] - s[0] * x[0], s[0]]), np.empty(0), np.empty(0)
    scale = np.abs(y).max()
    scale = scale if scale > 0 else 1.0
    ys = y / scale
    sigma, norm = _solve(x, ys, max_iter)
    affine, knots, jumps = _chain_function(x, ys, sigma, norm)
    return False, scale, affine, knots, jumps
