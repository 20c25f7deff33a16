"""Lloyd k-means of rows on the CPU, compiled with numba: one fused pass (assign + accumulate) per iteration.

Lloyd's algorithm (S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2):129–137,
1982) alternates the assignment l_i = argmin_j ‖x_i − c_j‖² and the update c_j = Σ_{l_i = j} w_i x_i /
Σ_{l_i = j} w_i. Here both happen in one pass over the data: each block of ``BLOCK`` points computes its
labels, its per-cluster weighted sums and masses and its part of the SSE Σ_i w_i ‖x_i − c_{l_i}‖² (direct
differences, no ‖c‖² − 2c·x cancellation), in parallel over blocks (``numba.prange``); the block partials are
then added in block order, so the result does not depend on the number of threads. Memory: labels (int64,
n) plus (n / BLOCK)·k·(p + 1) partial sums, no n × k matrix.

The iteration is scikit-learn's ``_kmeans_single_lloyd`` (sklearn/cluster/_kmeans.py): stop when no label
changed (strict convergence), else when Σ_j ‖c_j^new − c_j^old‖² ≤ thr (the caller passes thr = tol ×
mean per-feature variance, scikit-learn's ``_tolerance``), else after max_iter iterations; after a tol or
max_iter stop one more assignment makes the labels match the returned centres. An empty cluster is re-seeded
at the point farthest from its centre (the e-th empty cluster at the e-th farthest point), and that point's
weight is moved out of its old cluster, as in scikit-learn's ``_relocate_empty_clusters_dense``.

numba compiles on first use and caches the machine code next to this file (``cache=True``): the first call
in a fresh environment takes a few seconds, later processes load the cache.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

BLOCK = 4096
PARALLEL_MIN = 2 ** 17   # fewer points: one thread (waking the others costs more than it saves)
_MARGIN = 1e-12   # relative safety margin of the bound test (rounding of the bounds)


@njit(cache=True, nogil=True, parallel=True)
def _pass(X, w, C, labels, upper, lower, delta, sums, mass, changed):
    """One assignment pass with Hamerly's bounds; sums (B, k, p), mass (B, k), changed (B,) per block.

    On entry upper/lower hold the bounds against the previous centres and delta (k,) how far each centre
    moved since; a label of −1 means "not assigned yet" (a full scan)."""
    n, p = X.shape
    k = C.shape[0]
    nb = sums.shape[0]
    half = np.full(k, np.inf)        # half the distance from each centre to its nearest other centre
    for j in range(k):
        for j2 in range(k):
            if j2 != j:
                dd = 0.0
                for q in range(p):
                    t = C[j, q] - C[j2, q]
                    dd += t * t
                half[j] = min(half[j], 0.5 * np.sqrt(dd))
    d1, d2, a1 = 0.0, 0.0, -1        # largest and second-largest drift, and whose
    for j in range(k):
        if delta[j] > d1:
            d2, d1, a1 = d1, delta[j], j
        elif delta[j] > d2:
            d2 = delta[j]
    CT = np.ascontiguousarray(C.T)
    for b in prange(nb):
        s = b * BLOCK
        e = min(n, s + BLOCK)
        S = sums[b]
        M = mass[b]
        S[:, :] = 0.0
        M[:] = 0.0
        ch = 0
        d = np.empty(k)
        for i in range(s, e):
            a = labels[i]
            ub = np.inf
            lb = 0.0
            bound = 0.0
            if a >= 0:
                ub = upper[i] + delta[a]
                lb = lower[i] - (d2 if a == a1 else d1)
                bound = max(half[a], lb) * (1.0 - _MARGIN)
                if ub > bound:                       # tighten the upper bound
                    dd = 0.0
                    for q in range(p):
                        t = X[i, q] - C[a, q]
                        dd += t * t
                    ub = np.sqrt(dd)
            if ub > bound:                           # full scan: nearest and second-nearest centre
                t = X[i, 0]
                for j in range(k):
                    u = t - CT[0, j]
                    d[j] = u * u
                for q in range(1, p):
                    t = X[i, q]
                    for j in range(k):
                        u = t - CT[q, j]
                        d[j] += u * u
                best, second, bj = np.inf, np.inf, 0
                for j in range(k):
                    if d[j] < best:
                        second = best
                        best = d[j]
                        bj = j
                    elif d[j] < second:
                        second = d[j]
                ub = np.sqrt(best)
                lb = np.sqrt(second)
                if bj != a:
                    ch += 1
                    labels[i] = bj
                    a = bj
            upper[i] = ub
            lower[i] = lb
            wi = w[i]
            M[a] += wi
            for q in range(p):
                S[a, q] += wi * X[i, q]
        changed[b] = ch


@njit(cache=True, nogil=True, parallel=True)
def _sse(X, w, C, labels, out):
    """Σ_i w_i ‖x_i − c_{l_i}‖², per block (added in block order by the caller)."""
    n, p = X.shape
    for b in prange(out.shape[0]):
        tot = 0.0
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            dd = 0.0
            for q in range(p):
                t = X[i, q] - C[labels[i], q]
                dd += t * t
            tot += w[i] * dd
        out[b] = tot


@njit(cache=True, nogil=True)
def _reduce(sums, mass, changed):
    """Add the block partials in block order (deterministic)."""
    nb, k, p = sums.shape
    S = np.zeros((k, p))
    M = np.zeros(k)
    ch = 0
    for b in range(nb):
        for j in range(k):
            M[j] += mass[b, j]
            for q in range(p):
                S[j, q] += sums[b, j, q]
        ch += changed[b]
    return S, M, ch


def _relocate_empty(X, w, C_old, labels, S, M, upper, lower):
    """scikit-learn's relocation: the e-th empty cluster takes the e-th farthest point (positive weight)."""
    empty = np.flatnonzero(M <= 0)
    dist = ((X - C_old[labels]) ** 2).sum(1)
    dist[w <= 0] = -1.0
    far = np.argsort(-dist, kind="stable")[:len(empty)]
    for j, i in zip(empty, far):
        old = labels[i]
        S[old] -= w[i] * X[i]
        M[old] -= w[i]
        S[j] = w[i] * X[i]
        M[j] = w[i]
        labels[i] = j
        upper[i], lower[i] = np.inf, 0.0     # its bounds no longer hold: a full scan next time


def sse_rows(X, w, C, labels):
    """Σ_i w_i ‖x_i − c_{l_i}‖² in float64 (block partials added in order)."""
    out = np.empty((len(X) + BLOCK - 1) // BLOCK)
    _sse(X, w, np.ascontiguousarray(C, dtype=np.float64), labels, out)
    return float(out.sum())


def lloyd_rows(X, w, C, thr, max_iter):
    """Lloyd iterations from centres C (k, p) on X (n, p) float64 with weights w (n,); see the module docstring.

    Returns (centres (k, p), labels int64 (n,), sse float, n_iter int).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    C = np.array(C, dtype=np.float64, order="C")
    threads = numba.get_num_threads()
    if len(X) < PARALLEL_MIN:
        numba.set_num_threads(1)
    try:
        return _lloyd(X, w, C, thr, max_iter)
    finally:
        numba.set_num_threads(threads)


def _lloyd(X, w, C, thr, max_iter):
    n, p = X.shape
    k = C.shape[0]
    nb = (n + BLOCK - 1) // BLOCK
    sums, mass, ch_b = np.empty((nb, k, p)), np.empty((nb, k)), np.empty(nb, dtype=np.int64)
    labels = np.full(n, -1, dtype=np.int64)
    upper, lower = np.full(n, np.inf), np.zeros(n)
    delta = np.zeros(k)
    strict = False
    it = 0
    while it < max_iter:
        _pass(X, w, C, labels, upper, lower, delta, sums, mass, ch_b)
        S, M, changed = _reduce(sums, mass, ch_b)
        it += 1
        if (M <= 0).any():
            _relocate_empty(X, w, C, labels, S, M, upper, lower)
            changed = max(changed, 1)
        newC = S / np.where(M > 0, M, 1.0)[:, None]
        step = ((newC - C) ** 2).sum(1)
        delta = np.sqrt(step)
        C = newC
        if changed == 0:       # same labels as the previous pass: the centres are those labels' means
            strict = True
            break
        if float(step.sum()) <= thr:
            break
    if not strict:             # labels for the returned centres
        _pass(X, w, C, labels, upper, lower, delta, sums, mass, ch_b)
    return C, labels, sse_rows(X, w, C, labels), it
