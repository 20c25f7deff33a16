"""Exact (globally optimal) k-means of scalars, and the result type shared by engine.compress.

Why Ckmeans.1d.dp: in one dimension an optimal k-means partition consists of contiguous runs of the sorted
data, so the optimum is found by dynamic programming over split points instead of by a local search
(Lloyd), which only finds a local optimum that depends on its start. We call ``ckwrap.ckmeans``, a binding
of the C++ Ckmeans.1d.dp code — H. Wang and M. Song, "Ckmeans.1d.dp: Optimal k-means clustering in one
dimension by dynamic programming", The R Journal 3(2):29–33, 2011 (later versions use the SMAWK /
divide-and-conquer speed-ups, O(k·n) after an O(n log n) sort for method "linear"). It is exact (globally
minimal SSE, up to floating point), compiled, and fast enough for 10⁶ weights: the natural reference and
the natural choice for scalar weight sharing (Deep Compression's per-layer codebooks).

This module imports numpy (and ckwrap when called) only.

    >>> res = kmeans_1d([0.0, 0.1, 5.0, 5.2, 9.0], 3)
    >>> res.centers.round(3).tolist(), res.labels.tolist(), round(res.sse, 6)
    ([0.05, 5.1, 9.0], [0, 0, 1, 1, 2], 0.025)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from engine.validation import MAX_WORK_BYTES, DataError, memory

# Ckmeans.1d.dp keeps a k × n table of costs (double) and of split points (size_t): 16·k·n bytes
# (measured: n = 20000, k = 500 takes 153 MB more than k = 10), and its time is O(k·n) too (that run:
# 3.3 s). Both are checked before ckwrap is called.
EXACT_BYTES_PER_CELL = 16

# Work bound of one k-means call (engine.compress.kmeans), estimated before it starts in units of one
# distance term, with the per-step costs measured on the 2-core sandbox under load (30–150 ns a unit):
# k-means++ seeding takes k sequential steps of n·p·(2 + ln k) terms plus an overhead worth ~2·10⁵
# (a step at n = 10⁴ cost 22 ms); each Lloyd iteration n·p·k terms for rows, and for scalars (sorted
# assignment) ~20 units a point (1.5 µs measured). Counted for all max_iter iterations (the worst case;
# most runs stop far earlier). With n_init > 1 starts, each start is seeded and iterated (at most
# SUB_MAX_ITER iterations) on a subsample of subsample_size(n, k) points, then the best one is iterated on
# all n points. At most 10⁹ units: well under a minute on an idle 2-core machine.
MAX_KMEANS_OPS = 1e9
_SEED_STEP, _SCALAR_POINT = 2e5, 20.0
SUB_MIN, SUB_PER_K, SUB_MAX_ITER = 2 ** 14, 64, 30
COMPILED_UNIT = 0.1


def subsample_size(n: int, k: int) -> int:
    """Points on which the n_init > 1 starts of ``engine.compress.kmeans.kmeans`` are seeded and ranked."""
    return int(min(n, max(SUB_MIN, SUB_PER_K * k)))


def kmeans_work(n: int, p: int, k: int, init, max_iter: int, n_init: int = 1, compiled: bool = False) -> float:
    """Worst-case work of ``engine.compress.kmeans.kmeans`` in the units of MAX_KMEANS_OPS.

    compiled: the Lloyd iterations run in ``engine.compress.lloyd_cpu`` (rows on the CPU), whose units cost
    COMPILED_UNIT of torch's (measured: a full pass 1.7 ns a unit, later passes less with Hamerly's bounds,
    vs 30–150 ns). The subsample's seeding is compiled too (no per-step launch overhead)."""
    lloyd_unit = COMPILED_UNIT if compiled and p > 1 else 1.0

    def seeding(m, step):
        return k * (m * p * (2.0 + math.log(k)) + step) if isinstance(init, str) and init == "k-means++" else 0.0

    def lloyd(m, iters):
        return lloyd_unit * iters * m * (p * k if p > 1 else _SCALAR_POINT)

    if n_init <= 1:
        return seeding(n, 0.0 if compiled else _SEED_STEP) + lloyd(n, max_iter)
    m = subsample_size(n, k)
    return n_init * (seeding(m, 0.0) + lloyd(m, min(max_iter, SUB_MAX_ITER))) + lloyd(n, max_iter)


def check_kmeans_work(n: int, p: int, k: int, init, max_iter: int, max_ops, n_init: int = 1,
                      compiled: bool = False) -> None:
    """DataError when ``kmeans_work`` exceeds ``max_ops`` (None: no bound)."""
    work = kmeans_work(n, p, k, init, max_iter, n_init, compiled)
    if max_ops is not None and work > max_ops:
        how = init if isinstance(init, str) else "given"
        starts = f", {n_init} starts" if n_init > 1 else ""
        raise DataError(f"k-means of {n:,} points of dimension {p} with k = {k} ({how} init{starts}, up to "
                        f"{max_iter} iterations) would take about {work:.1e} operations (limit {max_ops:.0e}): "
                        "lower k, the number of points, n_init or max_iter")


@dataclass
class KMeansResult:
    """Result of a k-means run.

    centers: (k,) for scalar data, (k, p) for rows. labels: int64 (n,), the index of each point's centre.
    sse: Σ_i w_i ‖x_i − centers[labels_i]‖² (float64). n_iter: Lloyd iterations (0 for the exact 1-D
    solver and for the "fewer distinct points than k" shortcut). device: where it ran ("cpu", "cuda:0").
    seconds: wall-clock time of the call.
    """
    centers: np.ndarray
    labels: np.ndarray
    sse: float
    n_iter: int
    device: str
    seconds: float


def _validate(points, k, weights=None, *, allow_rows=True):
    """Boundary checks shared by kmeans and kmeans_1d. Returns (X float64 (n, p), scalar?, k, w or None)."""
    X = np.asarray(points)
    if X.dtype == object or not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise DataError(f"points must be numeric, got dtype {X.dtype}")
    if np.iscomplexobj(X):
        raise DataError("points must be real, got complex values")
    X = X.astype(np.float64, copy=False)
    if X.ndim == 1:
        scalar = True
        X = X[:, None]
    elif X.ndim == 2 and allow_rows:
        scalar = False
    else:
        want = "1-D (n,) scalars or 2-D (n, p) rows" if allow_rows else "1-D (n,) scalars"
        raise DataError(f"points must be {want}, got an array of shape {X.shape}")
    n, p = X.shape
    if n == 0 or p == 0:
        raise DataError(f"points is empty (shape {X.shape})")
    if not np.isfinite(X).all():
        raise DataError("points contain NaN or inf")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise DataError(f"k must be an integer, got {k!r}")
    k = int(k)
    if k < 1:
        raise DataError(f"k must be >= 1, got {k}")
    if k > n:
        raise DataError(f"k = {k} exceeds the number of points n = {n}")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise DataError(f"weights must have shape ({n},), got {w.shape}")
        if not np.isfinite(w).all():
            raise DataError("weights contain NaN or inf")
        if (w < 0).any():
            raise DataError("weights must be non-negative")
        if not w.sum() > 0:
            raise DataError("weights sum to zero")
    return X, scalar, k, w


def _few_distinct(X, k, scalar, w, device, t0):
    """If the data have at most k distinct points, the optimum is exact: the distinct points themselves.

    Rule (documented, tested): centers = the distinct points in ascending (lexicographic for rows) order,
    followed by copies of the last (largest) one to make k centres; the copies are unused (no label points
    at them); sse = 0; n_iter = 0. Returns None when there are more than k distinct points.
    """
    # cheap exit first: distinct values of a fixed projection bound the distinct rows from below
    # (np.unique(axis=0) sorts lexicographically: ~10× slower than a 1-D sort on 10⁶ rows)
    probe = X[:, 0] if X.shape[1] == 1 else X @ np.linspace(1.0, np.pi, X.shape[1])
    if len(np.unique(probe[:8 * k + 8])) > k or len(np.unique(probe)) > k:   # a prefix decides most cases
        return None
    uniq, inverse = np.unique(X, axis=0, return_inverse=True)
    if len(uniq) > k:
        return None
    centers = np.concatenate([uniq, np.repeat(uniq[-1:], k - len(uniq), axis=0)])
    return KMeansResult(centers=centers[:, 0] if scalar else centers, labels=inverse.reshape(-1).astype(np.int64),
                        sse=0.0, n_iter=0, device=device, seconds=time.perf_counter() - t0)


def _pow2_scale(X) -> float:
    """A power of two s with max|X|/s in [1, 2) (s ≥ 2⁻¹⁰²² for subnormal data). k-means is scale-
    equivariant and dividing by a power of two is exact, so clustering X/s gives the same partition while
    squares neither underflow (|x| ≲ 1e-154: every squared distance 0, Lloyd stops at once) nor overflow
    (|x| ≳ 1e154). Centres are then multiplied by s and the SSE by s² (inf or 0 when the true SSE is
    beyond float64)."""
    m = float(np.abs(X).max())
    return float(np.ldexp(1.0, max(int(np.frexp(m)[1]) - 1, -1022))) if m > 0 else 1.0


def _sse(X, centers, labels, w=None):
    d = ((X - centers[labels]) ** 2).sum(axis=1)
    return float(d.sum() if w is None else w @ d)


def kmeans_1d(x, k, *, weights=None, max_bytes=MAX_WORK_BYTES) -> KMeansResult:
    """Globally optimal k-means of scalars (Ckmeans.1d.dp via ckwrap), optionally weighted.

    x: (n,) finite reals; k: 1 <= k <= n. Returns KMeansResult with centers (k,) sorted ascending, labels
    int64 in 0..k−1 (contiguous runs of the sorted data), sse = Σ w_i (x_i − c_{label_i})² computed here in
    float64, n_iter = 0, device "cpu". When x has at most k distinct values, ckwrap refuses (it raises
    "Max 'k' must be smaller than the number of unique 'x' values" for k > distinct values), so we return
    the exact answer directly: the distinct values, padded at the end with copies of the largest one
    (unused centres), sse = 0. max_bytes: the memory ckwrap may take, 16·k·n bytes (DataError beyond;
    None: no bound).
    """
    t0 = time.perf_counter()
    X, _, k, w = _validate(x, k, weights, allow_rows=False)
    if max_bytes is not None:
        memory(EXACT_BYTES_PER_CELL * k * len(X), f"exact 1-D k-means of {len(X):,} values with k = {k}", max_bytes)
    short = _few_distinct(X, k, True, w, "cpu", t0)
    if short is not None:
        return short
    import ckwrap   # C++ extension, loaded on first use
    scale = _pow2_scale(X)
    X = X / scale
    x1 = np.ascontiguousarray(X[:, 0])
    res = ckwrap.ckmeans(x1, k, weights=w, method="linear")
    labels = np.asarray(res.labels, dtype=np.int64)
    centers = np.asarray(res.centers, dtype=np.float64)
    # ckwrap's clusters are already ordered by value; sort anyway so the contract does not rest on it.
    order = np.argsort(centers, kind="stable")
    if not np.array_equal(order, np.arange(k)):
        centers = centers[order]
        labels = np.argsort(order)[labels]
    if len(centers) != k:   # cannot happen with > k distinct values, but keep the contract explicit
        raise RuntimeError(f"ckwrap returned {len(centers)} clusters for k = {k}")
    # Recompute the centres as (weighted) means of their clusters in float64 (ckwrap's are the same means).
    wt = np.ones_like(x1) if w is None else w
    sums = np.bincount(labels, weights=wt * x1, minlength=k)
    cnt = np.bincount(labels, weights=wt, minlength=k)
    centers = np.where(cnt > 0, sums / np.where(cnt > 0, cnt, 1), centers)
    sse = _sse(X, centers[:, None], labels, w) * scale * scale     # Python floats: inf, not a warning
    return KMeansResult(centers=centers * scale, labels=labels, sse=sse, n_iter=0,
                        device="cpu", seconds=time.perf_counter() - t0)
