r"""The arithmetic of bias-free interpolation (``bias_free.solve_bias_free``) in one compiled call.

For data x_1 < … < x_N and T tasks: chord slopes s_i, slope changes δ_i = s_i − s_{i−1} ∈ ℝᵀ with norms
‖δ_i‖; connect-the-dots (knots at the x_i with ‖δ_i‖ above the kink floor) is a minimiser of Σ‖J_k‖;
the free pairs are the i where δ_i and δ_{i+1} are positively collinear (1 − cos ∠ ≤ COLLINEAR_TOL);
their apexes t_i = (‖δ_i‖x_{i+1} + ‖δ_{i+1}‖x_{i+2})/(‖δ_i‖ + ‖δ_{i+1}‖), the solution-set triangles and
the two extreme minimisers (alternate merges along each run of free pairs) follow (Savarese et al.,
COLT 2019; docs/univariate.md §1). Compiled by numba (``@njit(cache=True)``): at N = 200 the numpy
version made ~10² calls on small arrays. Sums run in numpy's order (over tasks, then along the data).
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
def closed_form(x, Y, zero_tol, collinear_tol):
    """Returns (knots, jumps (m, T), affine (T, 2), cost, primal, pairs, triangles (T, P, 3, 2),
    knots and jumps of the two extremes); ``cost`` sums every ‖δ_i‖, ``primal`` the kept ones."""
    T, n = Y.shape
    s = np.empty((T, n - 1))
    delta = np.empty((T, n - 2))
    s_max, d_max = 0.0, 0.0
    for task in range(T):
        for i in range(n - 1):
            s[task, i] = (Y[task, i + 1] - Y[task, i]) / (x[i + 1] - x[i])
            s_max = max(s_max, abs(s[task, i]))
        for i in range(n - 2):
            delta[task, i] = s[task, i + 1] - s[task, i]
            d_max = max(d_max, abs(delta[task, i]))
    floor = max(zero_tol * d_max, 1e-14 * s_max)   # bias_free.kink_floor
    norms = np.zeros(n - 2)
    for task in range(T):
        for i in range(n - 2):
            norms[i] += delta[task, i] * delta[task, i]
    kept = np.empty(n - 2, np.bool_)
    m = 0
    for i in range(n - 2):
        norms[i] = math.sqrt(norms[i])
        kept[i] = norms[i] > floor
        m += kept[i]
    cost = _numpy_sum(norms, 0, n - 2)
    knots, jumps, kept_norms = np.empty(m), np.empty((m, T)), np.empty(m)
    q = 0
    for i in range(n - 2):
        if kept[i]:
            knots[q], kept_norms[q] = x[i + 1], norms[i]
            for task in range(T):
                jumps[q, task] = delta[task, i]
            q += 1
    primal = _numpy_sum(kept_norms, 0, m)
    affine = np.empty((T, 2))
    for task in range(T):
        affine[task, 0], affine[task, 1] = Y[task, 0] - s[task, 0] * x[0], s[task, 0]
    free = np.zeros(max(n - 3, 0), np.bool_)
    for i in range(n - 3):
        dot = 0.0
        for task in range(T):
            dot += delta[task, i] * delta[task, i + 1]
        free[i] = dot >= (1 - collinear_tol) * (norms[i] * norms[i + 1]) and kept[i] and kept[i + 1]
    pairs = np.flatnonzero(free)
    P = len(pairs)
    t = np.empty(P)
    tri = np.empty((T, P, 3, 2))
    odd = np.zeros(P, np.int64)   # alternate merges along each run of consecutive free pairs
    run = 0
    for j in range(P):
        i = pairs[j]
        a, b = norms[i], norms[i + 1]
        t[j] = (a * x[i + 1] + b * x[i + 2]) / (a + b)
        run = j if j == 0 or pairs[j] - pairs[j - 1] != 1 else run
        odd[j] = (j - run) % 2
        for task in range(T):   # the points i+1, i+2 and the apex on the chord line left of i+1
            yl = Y[task, i + 1]
            tri[task, j, 0, 0], tri[task, j, 0, 1] = x[i + 1], yl
            tri[task, j, 1, 0], tri[task, j, 1, 1] = t[j], yl + s[task, i] * (t[j] - x[i + 1])
            tri[task, j, 2, 0], tri[task, j, 2, 1] = x[i + 2], Y[task, i + 2]
    ext_knots = np.empty((2, n - 2))
    ext_jumps = np.empty((2, n - 2, T))
    stay = np.empty((2, n - 2), np.bool_)
    for side in range(2):
        for i in range(n - 2):
            ext_knots[side, i], stay[side, i] = x[i + 1], kept[i]
            for task in range(T):
                ext_jumps[side, i, task] = delta[task, i]
    for j in range(P):   # the apex replaces the first point, the second one's kink joins it
        side, i = odd[j], pairs[j]
        ext_knots[side, i] = t[j]
        for task in range(T):
            ext_jumps[side, i, task] += delta[task, i + 1]
        stay[side, i + 1] = False
    e0 = np.flatnonzero(stay[0])
    e1 = np.flatnonzero(stay[1])
    return (knots, jumps, affine, cost, primal, pairs, tri,
            ext_knots[0][e0], ext_jumps[0][e0], ext_knots[1][e1], ext_jumps[1][e1])
