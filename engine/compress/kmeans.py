"""k-means of scalars or rows, numpy in and out: scikit-learn's stopping rule, several starts by default.

``kmeans(points, k)`` runs Lloyd's algorithm (Lloyd 1982) from k-means++ starts (Arthur & Vassilvitskii 2007,
scikit-learn's greedy variant) and matches ``sklearn.cluster.KMeans`` in what it stops on:

* Stopping rule (scikit-learn's ``_tolerance`` and ``_kmeans_single_lloyd``): stop when no label changed, or
  when Σ_j ‖c_j^new − c_j^old‖² ≤ tol · mean_f Var(X[:, f]) with the unweighted variance of each feature
  over all points (``np.var(X, axis=0)``, weights ignored as scikit-learn ignores them there), or after
  max_iter iterations; defaults tol = 1e-4, max_iter = 300, as scikit-learn's.
* Several starts, cheaply (n_init="auto": N_INIT_AUTO = 20 k-means++ starts; 1 for "linear" or given
  centres; 10 left 5 of 72 seeded 12-blob problems 2–4% above KMeans(n_init=10), 20 none). The starts
  are seeded (``engine.compress.seeding``, numba, start g with seed + g) on a subsample of
  m = subsample_size(n, k) = min(n, max(2¹⁴, 64k)) points drawn without replacement (seed ``seed``; points
  of weight 0 are never drawn), each is iterated there (at most SUB_MAX_ITER = 30 iterations, the same
  rule with the subsample's variance), and the start with the lowest subsample SSE is iterated on all the
  data. scikit-learn's KMeans(n_init=10) runs all ten starts on all the data: ten times the work. This is in the spirit of Bradley & Fayyad, "Refining initial
  points for k-means clustering" (ICML 1998): choose among starts on subsamples, refine on the full set.
* Where it runs: rows on the CPU go to ``engine.compress.lloyd_cpu`` (numba, one fused pass per iteration,
  Hamerly's bounds); scalars, and everything on CUDA, to ``engine.compress.kmeans_torch`` (the sorted
  O(k log n) path for scalars). Both compute in float64 on data divided by a power of two (exact) and
  translated by their weighted mean. One k-means++ start on the CPU is seeded by ``seeding`` too; on CUDA
  by ``kmeans_torch`` on the device.

The result: centres, labels, SSE Σ w_i ‖x_i − c_{l_i}‖², n_iter (iterations of the final run on all the
data), device, seconds. When the data have at most k distinct points the exact answer is returned at once.
"""
from __future__ import annotations

import time

import numpy as np

from engine.compress.kmeans_1d import (MAX_KMEANS_OPS, SUB_MAX_ITER, KMeansResult, _few_distinct, _pow2_scale,
                                       _validate, check_kmeans_work, subsample_size)
from engine.validation import DataError

__all__ = ["kmeans", "kmeans_torch", "KMeansResult", "MAX_KMEANS_OPS", "N_INIT_AUTO", "sklearn_threshold"]

N_INIT_AUTO = 20


def __getattr__(name):   # kmeans_torch imports torch: load it only when asked for
    if name == "kmeans_torch":
        from engine.compress.kmeans_torch import kmeans_torch
        return kmeans_torch
    raise AttributeError(name)


def sklearn_threshold(X, tol: float) -> float:
    """scikit-learn's ``_tolerance``: tol × the mean over features of np.var(X, axis=0) (0 when tol = 0)."""
    return 0.0 if tol == 0 else float(tol * np.mean(np.var(X, axis=0)))


def _device(device):
    import torch
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise DataError("device 'cuda' requested but CUDA is not available")
    return dev


def _n_init(n_init, init) -> int:
    if isinstance(n_init, str) and n_init == "auto":
        return N_INIT_AUTO if isinstance(init, str) and init == "k-means++" else 1
    if isinstance(n_init, (bool, np.bool_)) or not isinstance(n_init, (int, np.integer)) or n_init < 1:
        raise DataError(f"n_init must be 'auto' or a positive integer, got {n_init!r}")
    if n_init > 1 and not (isinstance(init, str) and init == "k-means++"):
        raise DataError("n_init > 1 needs init='k-means++' (the other inits are deterministic)")
    return int(n_init)


def _best_start(X, w, k, seed, n_init, tol, max_iter, use_numba, dev):
    """The best of n_init k-means++ starts, ranked on a subsample (see the module docstring); (k, p)."""
    from engine.compress.seeding import kmeanspp
    pos = np.flatnonzero(w > 0)
    m = subsample_size(len(pos), k)
    idx = pos if m >= len(pos) else np.sort(np.random.default_rng(seed).choice(pos, m, replace=False))
    Xs, ws = np.ascontiguousarray(X[idx]), np.ascontiguousarray(w[idx])
    thr = sklearn_threshold(Xs, tol)
    iters = min(int(max_iter), SUB_MAX_ITER)
    starts = np.stack([kmeanspp(Xs, ws, k, seed + g) for g in range(n_init)])
    if use_numba:
        from engine.compress.lloyd_cpu import lloyd_rows
        runs = [lloyd_rows(Xs, ws, C, thr, iters) for C in starts]
        return runs[int(np.argmin([r[2] for r in runs]))][0]
    import torch
    from engine.compress.kmeans_torch import kmeans_torch
    G = n_init
    Xt = torch.from_numpy(Xs).to(dev).expand(G, *Xs.shape).contiguous()
    wt = torch.from_numpy(ws).to(dev).expand(G, len(ws)).contiguous()
    C, _, sse, _ = kmeans_torch(Xt, k, init=torch.from_numpy(starts).to(dev), weights=wt, max_iter=iters, thr=thr,
                                max_ops=None)
    return C[int(torch.argmin(sse))].cpu().numpy()


def kmeans(points, k, *, seed=0, init="k-means++", n_init="auto", weights=None, max_iter=300, tol=1e-4,
           device="auto", max_ops=MAX_KMEANS_OPS) -> KMeansResult:
    """k-means of scalars (n,) or rows (n, p): scikit-learn's stopping rule, several starts by default.

    Parameters
    ----------
    points : array (n,) or (n, p) of finite reals.
    k : int, 1 <= k <= n.
    seed : int; the subsample and start g's k-means++ (seed + g) derive from it.
    init : "k-means++", "linear" (evenly spaced along the bounding box's diagonal) or centres (k,) / (k, p).
    n_init : "auto" (N_INIT_AUTO = 20 for k-means++, else 1) or a positive integer (> 1 only with k-means++).
    weights : None or (n,) non-negative with a positive sum.
    max_iter, tol : scikit-learn's (300, 1e-4); see the module docstring for the rule.
    device : "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:1", … .
    max_ops : bound on ``kmeans_work`` (DataError beyond it; None: no bound).

    Returns
    -------
    KMeansResult(centers (k,) or (k, p), labels int64 (n,), sse, n_iter, device, seconds). When the data
    have at most k distinct points: the distinct points (ascending; lexicographic for rows) padded with
    copies of the last one, sse = 0, n_iter = 0.
    """
    t0 = time.perf_counter()
    X, scalar, k, w = _validate(points, k, weights)
    n, p = X.shape
    if isinstance(init, str):
        if init not in ("k-means++", "linear"):
            raise DataError(f"init must be 'k-means++', 'linear' or an array of centres, got {init!r}")
    else:
        init = np.asarray(init, dtype=np.float64)
        init = init[:, None] if (scalar and init.ndim == 1) else init
        if init.shape != (k, p) or not np.isfinite(init).all():
            raise DataError(f"init centres must be finite with shape {(k,) if scalar else (k, p)}")
    n_init = _n_init(n_init, init)
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise DataError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not (tol >= 0):
        raise DataError(f"tol must be >= 0, got {tol!r}")
    dev = _device(device)
    check_kmeans_work(n, p, k, init, int(max_iter), max_ops, n_init, dev.type == "cpu")   # before any work
    short = _few_distinct(X, k, scalar, w, str(dev), t0)
    if short is not None:
        return short
    scale = _pow2_scale(X)   # exact rescaling: no under/overflow of squares for |x| ≲ 1e-154 or ≳ 1e154
    Xs = X / scale
    thr = sklearn_threshold(Xs, tol)
    ww = np.ones(n) if w is None else w
    ref = (ww @ Xs) / ww.sum()                 # translate by the weighted mean (cancellation, see kmeans_torch)
    Xs -= ref
    start = None if isinstance(init, str) else init / scale - ref
    use_numba = dev.type == "cpu" and p > 1
    if n_init > 1:
        start = _best_start(Xs, ww, k, int(seed), n_init, tol, max_iter, use_numba, dev)
    elif isinstance(init, str) and init == "k-means++" and dev.type == "cpu":   # one start, seeded here
        from engine.compress.seeding import kmeanspp
        start = kmeanspp(Xs, ww, k, int(seed))
    if use_numba:
        from engine.compress.lloyd_cpu import lloyd_rows
        if start is None:            # "linear", as kmeans_torch's: the diagonal of the support's box
            sup = Xs[ww > 0]
            lo, hi = sup.min(0), sup.max(0)
            t = np.arange(k) / (k - 1) if k > 1 else np.array([0.5])
            start = lo + t[:, None] * (hi - lo)
        C, labels, sse, n_iter = lloyd_rows(Xs, ww, start, thr, int(max_iter))
    else:
        import torch
        from engine.compress.kmeans_torch import kmeans_torch
        Xt = torch.from_numpy(Xs).to(dev)
        wt = None if w is None else torch.from_numpy(w).to(dev)
        it = init if start is None else torch.from_numpy(np.ascontiguousarray(start)).to(dev)
        C, labels, sse, n_iter = kmeans_torch(Xt, k, seed=seed, init=it, weights=wt, max_iter=int(max_iter), thr=thr,
                                              max_ops=None)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        C, labels, sse, n_iter = C.cpu().numpy(), labels.cpu().numpy(), float(sse), int(n_iter)
    C = (C + ref) * scale
    return KMeansResult(centers=C[:, 0] if scalar else C, labels=np.asarray(labels, dtype=np.int64),
                        sse=float(sse) * scale * scale, n_iter=int(n_iter), device=str(dev),
                        seconds=time.perf_counter() - t0)
