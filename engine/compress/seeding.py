"""k-means++ seeding on the CPU, compiled with numba: scikit-learn's greedy variant, weighted.

k-means++ (D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007) draws
the first centre ∝ w_i and every next one ∝ w_i·D(x_i)², D the distance to the nearest centre chosen so far.
The greedy variant (scikit-learn's ``_kmeans_plusplus``) draws 2 + ⌊ln k⌋ candidates per step and keeps the
one that lowers the potential Σ_i w_i D(x_i)² most (the first on ties). Draws are by inverse CDF on the
float64 cumulative sum (the first index with cumsum > u·total, never a point of weight 0); where the
potential is 0 (every point sits on a centre) candidates are drawn ∝ w instead. The uniforms come from
``numpy.random.default_rng(seed)``, so a seed gives the same centres on every machine. Cost: k steps of one
pass over the n points for all candidates at once, O(n·p·(2 + ln k)) each; memory O(n).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _draw(cum, last, u):
    i = np.searchsorted(cum, u * cum[-1], side="right")
    return min(i, last)


@njit(cache=True, nogil=True)
def _seed(X, w, k, trials, U):
    n, p = X.shape
    C = np.empty((k, p))
    cum_w = np.cumsum(w)
    last_w = np.searchsorted(cum_w, cum_w[-1], side="left")       # last point of positive weight
    first = _draw(cum_w, last_w, U[0])
    C[0] = X[first]
    closest = np.empty(n)
    for i in range(n):
        d = 0.0
        for q in range(p):
            t = X[i, q] - C[0, q]
            d += t * t
        closest[i] = d
    cum = np.empty(n)
    cand = np.empty(trials, dtype=np.int64)
    pot = np.empty(trials)
    for j in range(1, k):
        acc = 0.0
        for i in range(n):
            acc += w[i] * closest[i]
            cum[i] = acc
        use_w = not cum[-1] > 0
        last = last_w if use_w else np.searchsorted(cum, cum[-1], side="left")
        for t in range(trials):
            u = U[1 + (j - 1) * trials + t]
            cand[t] = _draw(cum_w, last_w, u) if use_w else _draw(cum, last, u)
        pot[:] = 0.0
        for i in range(n):
            for t in range(trials):
                c = cand[t]
                d = 0.0
                for q in range(p):
                    s = X[i, q] - X[c, q]
                    d += s * s
                pot[t] += w[i] * min(d, closest[i])
        best = 0
        for t in range(1, trials):
            if pot[t] < pot[best]:
                best = t
        C[j] = X[cand[best]]
        for i in range(n):
            d = 0.0
            for q in range(p):
                t2 = X[i, q] - C[j, q]
                d += t2 * t2
            closest[i] = min(closest[i], d)
    return C


def kmeanspp(X, w, k: int, seed: int) -> np.ndarray:
    """Greedy weighted k-means++ centres (k, p) of X (n, p) float64, w (n,) ≥ 0 with a positive sum."""
    trials = 2 + int(math.log(k))
    U = np.random.default_rng(int(seed)).random(1 + (k - 1) * trials)
    return _seed(np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(w, dtype=np.float64), int(k),
                 trials, U)
