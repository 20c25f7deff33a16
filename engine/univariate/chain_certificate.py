r"""The biases-penalised one-task answer read off the chain, merged and certified in one compiled call.

What ``bias_penalised.solve_bias_penalised`` does after ``chain.solve_read``, compiled by numba
(``@njit(cache=True)``; at N = 20 the numpy version spent ~0.4 ms in calls on tiny arrays):

1. *Jensen merge* (``jensen_merge``): every run of same-sign kinks with no data point strictly between
   them becomes one kink at the mass-weighted position; f is unchanged on the data and the cost
   strictly drops (√(1+t²) is strictly convex; docs/univariate.md §2).
2. *Cost* Σ_k √(1+t_k²)|J_k| (``costs.representation_cost``).
3. *Dual from the structure* (``structure_dual``, complementary slackness): η = sign(J)·ω at a kink on
   a data point; the tangent line sign(J)(1 + t s)/ω(t) of ±ω on the interval of a kink at t between
   data points; elsewhere (f linear on both sides) the value that keeps both intervals feasible.
4. *Certificate* (``certificate.interpolation_certificate``, docs/univariate.md §4): the node values
   scaled into the dual ball with the closed-form gauge ρ_k = max_{[x_k, x_{k+1}]} |η|/ω, so the dual
   objective Σ e_k δ_k is a true lower bound; the gap is relative to f's own cost; the interpolation
   residual max|f(x_i) − y_i| is evaluated knot to knot as ``Interpolant._pieces`` does.
The arithmetic is that of the numpy functions named, operation for operation (sums in their order).
Reference: Boursier & Flammarion, NeurIPS 2023 (the problem).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit



@njit(cache=True)
def _block_sum(a, lo, n):
    """numpy's sum of a block of n ≤ 128 numbers: plain below 8, else 8 accumulators."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r = a[lo:lo + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for j in range(i, n):
        res += a[lo + j]
    return res


@njit(cache=True)
def _numpy_sum(a, lo, n):
    """a[lo:lo+n].sum() exactly as numpy adds (pairwise: halves, rounded to multiples of 8, down to blocks
    of ≤ 128), so that the cost equals ``costs.representation_cost`` to the last bit. The recursion is
    run on an explicit stack (numba's cache cannot reload a recursive function; kept per file: it does
    not notice changes to a compiled callee in another file)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    los, ns, stage = np.empty(64, np.int64), np.empty(64, np.int64), np.zeros(64, np.int64)
    partial = np.empty(64)
    top, ret = 0, 0.0
    los[0], ns[0] = lo, n
    while top >= 0:
        start, size = los[top], ns[top]
        if size <= 128:
            ret = _block_sum(a, start, size)
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        if stage[top] == 0:       # the left half first
            stage[top] = 1
            top += 1
            los[top], ns[top], stage[top] = start, half, 0
        elif stage[top] == 1:     # then the right half
            partial[top], stage[top] = ret, 2
            top += 1
            los[top], ns[top], stage[top] = start + half, size - half, 0
        else:                     # then their sum
            ret = partial[top] + ret
            top -= 1
    return ret

@njit(cache=True)
def _hypot(a, b):
    """√(a² + b²) (libm's hypot guards against overflow, which |values| ≤ 10⁶ cannot reach, at ~10× the cost)."""
    return math.sqrt(a * a + b * b)

@njit(cache=True)
def _merge(x, knots, jumps):
    """``jensen_merge`` (bias_penalised): returns (positions, masses)."""
    m = len(knots)
    if m < 2:
        return knots.copy(), jumps.copy()
    join = np.empty(m - 1, np.bool_)
    for k in range(m - 1):
        between = np.searchsorted(x, knots[k + 1], side="left") - np.searchsorted(x, knots[k], side="right")
        join[k] = np.sign(jumps[k + 1]) == np.sign(jumps[k]) and jumps[k + 1] != 0 and between == 0
    if not join.any():
        return knots.copy(), jumps.copy()
    n = len(x)
    on_data = np.empty(m, np.bool_)
    for k in range(m):
        on_data[k] = x[min(np.searchsorted(x, knots[k]), n - 1)] == knots[k]
    # a knot on a data point can only end a run (the merged position would pass it): scanning left to
    # right, a join after such a knot that was itself joined is dropped
    candidates = np.flatnonzero(join[1:] & on_data[1:-1]) + 1
    for k in candidates:
        if join[k - 1]:
            join[k] = False
    position, mass = np.empty(m), np.empty(m)
    q, size, moment = 0, 0, 0.0
    for k in range(m):
        if k == 0 or not join[k - 1]:   # a run starts
            if k > 0:
                position[q] = position[q] if size == 1 else moment / mass[q]
                q += 1
            mass[q], moment, position[q], size = jumps[k], knots[k] * jumps[k], knots[k], 1
        else:
            mass[q] += jumps[k]
            moment += knots[k] * jumps[k]
            size += 1
    position[q] = position[q] if size == 1 else moment / mass[q]
    return position[:q + 1], mass[:q + 1]


@njit(cache=True)
def _gauge(x, e):
    """ρ_k = max over [x_k, x_{k+1}] of |η|/ω, ω = √(1+t²), η linear between the node values e
    (``certificate.gauge``): |a + bt|/ω ≤ ‖(a, b)‖, attained at t = b/a."""
    n = len(x)
    r = np.empty(n - 1)
    for k in range(n - 1):
        ends = max(abs(e[k]) / _hypot(1.0, x[k]), abs(e[k + 1]) / _hypot(1.0, x[k + 1]))
        b = (e[k + 1] - e[k]) / (x[k + 1] - x[k])
        a = e[k] - b * x[k]
        if a > 0:
            inside = a * x[k] <= b and b <= a * x[k + 1]
        else:
            inside = a * x[k + 1] <= b and b <= a * x[k]
        r[k] = max(_hypot(a, b), ends) if inside and a != 0 else ends
    return r


@njit(cache=True)
def _feasible_value(x, e, j, iterations=80):
    """The e_j in [−ω_j, ω_j] that minimises the larger gauge of its two intervals (golden section;
    a neighbour not yet set counts as 0)."""
    w = _hypot(1.0, x[j])
    seg = x[j - 1:j + 2].copy()
    trio = np.array([0.0 if np.isnan(e[j - 1]) else e[j - 1], 0.0, 0.0 if np.isnan(e[j + 1]) else e[j + 1]])
    g = (np.sqrt(5) - 1) / 2
    a, b = -w, w
    for _ in range(iterations):
        c, d = b - g * (b - a), a + g * (b - a)
        trio[1] = c
        worst_c = _gauge(seg, trio).max()
        trio[1] = d
        worst_d = _gauge(seg, trio).max()
        if worst_c <= worst_d:
            b = d
        else:
            a = c
    return 0.5 * (a + b)


@njit(cache=True)
def _structure_dual(x, knots, jumps):
    """Node values of the dual the minimiser implies (``certificate.structure_dual``)."""
    n, m = len(x), len(knots)
    total, count = np.zeros(n), np.zeros(n)
    kk, where = np.empty(m, np.int64), np.empty(m, np.int64)   # interval; 0 inner, 1 at left, 2 at right
    for q in range(m):
        k = min(max(np.searchsorted(x, knots[q]) - 1, 0), n - 2)
        tol = 1e-9 * (x[k + 1] - x[k])
        kk[q] = k
        where[q] = 1 if abs(knots[q] - x[k]) <= tol else (2 if abs(knots[q] - x[k + 1]) <= tol else 0)
    for side in range(2):   # tangent lines: both ends of the kink's interval (averaged where two meet)
        for q in range(m):
            if where[q] == 0:
                t, k = knots[q], kk[q]
                node = k + side
                total[node] += np.sign(jumps[q]) * (1 + t * x[node]) / _hypot(1.0, t)
                count[node] += 1
    e = np.empty(n)
    for j in range(n):
        e[j] = total[j] / count[j] if count[j] > 0 else np.nan
    for side in (1, 2):
        for q in range(m):
            if where[q] == side:
                node = kk[q] + (side - 1)
                e[node] = np.sign(jumps[q]) * _hypot(1.0, x[node])
    e[0] = e[n - 1] = 0.0
    for j in range(n):
        if np.isnan(e[j]):   # only where data are collinear: a feasible value
            e[j] = _feasible_value(x, e, j)
    return e


@njit(cache=True)
def _residual(x, y, knots, jumps, c, v):
    """max_i |f(x_i) − y_i|, f evaluated knot to knot (``Interpolant._pieces``)."""
    m = len(knots)
    order = np.argsort(knots, kind="mergesort")
    t, J = knots[order], jumps[order]
    B, F = np.empty(m), np.empty(m)
    cum = 0.0
    for q in range(m):
        cum += J[q]
        B[q] = v + cum
    if m:
        F[0] = c + v * t[0] + 0.0
        steps = 0.0
        for q in range(1, m):
            steps += B[q - 1] * (t[q] - t[q - 1])
            F[q] = c + v * t[0] + steps
    worst = 0.0
    for i in range(len(x)):
        j = np.searchsorted(t, x[i], side="right") - 1
        value = c + v * x[i] if j < 0 else F[j] + B[j] * (x[i] - t[j])
        worst = max(worst, abs(value - y[i]))
    return worst


@njit(cache=True)
def certify_read(x, y, affine, knots, jumps, scale):
    """Scale the chain's answer (solved on y/scale) back, merge, cost and certify it.

    Parameters
    ----------
    x, y : ndarray of float64, shape (N,), contiguous
        The data (y unscaled).
    affine, knots, jumps : ndarray
        ``chain.solve_read``'s answer for y/scale.
    scale : float

    Returns
    -------
    tuple
        (knots, jumps, affine, cost, dual objective, duality gap, max violation, interpolation
        residual, Σ|J|) of the merged answer for y.
    """
    knots, jumps = _merge(x, knots, jumps * scale)
    affine = affine * scale
    terms = np.empty(len(knots))
    for q in range(len(knots)):
        terms[q] = math.hypot(1.0, knots[q]) * abs(jumps[q])   # math.hypot = np.hypot (costs.weight)
    cost = _numpy_sum(terms, 0, len(terms))
    n = len(x)
    s = np.empty(n - 1)
    for k in range(n - 1):
        s[k] = (y[k + 1] - y[k]) / (x[k + 1] - x[k])
    data_cost = 0.0   # Σ √(1+x_i²)|δ_i|: the penalised cost of the data's own slope changes
    for k in range(1, n - 1):
        data_cost += _hypot(1.0, x[k]) * abs(s[k] - s[k - 1])
    floor = 1e-12 * data_cost
    e = _structure_dual(x, knots, jumps)
    r = _gauge(x, e)
    rho = max(r.max(), 0.0)
    if rho > 1.0:
        for _ in range(3):   # shrink the nodes of violated intervals first: the loss stays local
            for j in range(n):
                left = 1.0 if j == 0 else r[j - 1]
                right = 1.0 if j == n - 1 else r[j]
                e[j] /= max(max(left, right), 1.0)
            r = _gauge(x, e)
            if r.max() <= 1.0:
                break
        e /= max(r.max(), 1.0)   # then all of it: feasible whatever the rounds did
    dual = 0.0
    for k in range(1, n - 1):
        dual += e[k] * (s[k] - s[k - 1])
    gap = abs(cost - dual) / max(abs(cost), abs(dual), floor, 1e-300)
    residual = _residual(x, y, knots, jumps, affine[0], affine[1])
    return knots, jumps, affine, cost, dual, gap, max(rho - 1.0, 0.0), residual, np.abs(jumps).sum()


def jensen_merge(x, knots, jumps):
    """Merge every run of same-sign kinks with no data point strictly between them into one kink at
    their mass-weighted position (module docstring, step 1).

    Parameters
    ----------
    x : ndarray, shape (N,)
        Sorted data inputs.
    knots, jumps : ndarray, shape (m,)
        Sorted knots and their jumps.

    Returns
    -------
    knots, jumps : ndarray, shape (m',)
    """
    c = np.ascontiguousarray
    return _merge(c(x, float), c(knots, float), c(jumps, float))


def structure_dual(x, knots, jumps):
    """Node values e (N,) of the dual that a biases-penalised minimiser implies (module docstring, step 3).

    Parameters
    ----------
    x : ndarray, shape (N,)
    knots, jumps : ndarray, shape (m,)

    Returns
    -------
    ndarray, shape (N,)
    """
    c = np.ascontiguousarray
    return _structure_dual(c(x, float), c(knots, float), c(jumps, float))
