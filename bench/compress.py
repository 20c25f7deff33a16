"""k-means for weight sharing: ours (exact 1-D Ckmeans.1d.dp, torch Lloyd) vs scikit-learn's KMeans.

Data (fixed seed 0): standard normal scalars (n = 10⁶, like the weights of a layer) and standard normal rows
of length 3 (n = 10⁶, like the filter rows of a 3×3 conv layer, docs/design.md §2), K = 16 clusters. For each
method: wall time (one run; a warm-up call first so that imports and allocations are not timed), SSE,
Lloyd iterations, and the ratios ours/sklearn of time and SSE against ``KMeans(n_clusters=16, n_init=1)``
(scikit-learn's default n_init="auto" is 1 run for k-means++). All Lloyd runs use scikit-learn's default
tol = 1e-4 with the same stopping rule (Σ‖Δc‖² ≤ tol·mean variance), so iteration counts are comparable.
If CUDA is available, the same on the GPU plus 10⁷ scalars (the first CUDA call is reported separately as
warm-up; kmeans() synchronises before it returns). Run: ``python -m bench.compress [--n 1000000]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.cluster import KMeans

from engine.compress.kmeans import kmeans
from engine.compress.kmeans_1d import kmeans_1d

# The bench sizes (10⁶–10⁷ points) exceed the per-request work bounds of the app and the CLI on purpose:
# max_ops=None / max_bytes=None lift them here.

K = 16
TOL = 1e-4


def _sk(X, n_init):
    t = time.perf_counter()
    km = KMeans(n_clusters=K, n_init=n_init, random_state=0, tol=TOL).fit(X)
    return time.perf_counter() - t, float(km.inertia_), int(km.n_iter_)


def _ours(fn):
    t = time.perf_counter()
    r = fn()
    return time.perf_counter() - t, r.sse, r.n_iter


def _row(name, res, ref):
    t, sse, it = res
    print(f"{name:34} {t:9.3f} {sse:16.6e} {it:6d} {t / ref[0]:9.2f} {sse / ref[1]:10.6f}", flush=True)


def _header(title):
    print(f"\n{title}")
    print(f"{'method':34} {'time [s]':>9} {'SSE':>16} {'iters':>6} {'t/t_sk1':>9} {'SSE/SSE_sk1':>10}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--no-sklearn-n-init-10", action="store_true", help="skip KMeans(n_init=10)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.n)
    R = rng.standard_normal((args.n, 3))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads; K = {K}, tol = {TOL}, seed 0")

    # warm-up (imports, thread pools, ckwrap load) on a small problem, not timed
    kmeans_1d(x[:1000], K)
    kmeans(x[:1000], K, device="cpu")
    kmeans(R[:1000], K, device="cpu")
    KMeans(n_clusters=K, n_init=1, random_state=0).fit(R[:1000])

    _header(f"{args.n:,} standard normal scalars, CPU")
    ref = _sk(x[:, None], 1)
    _row("sklearn KMeans n_init=1 (default)", ref, ref)
    if not args.no_sklearn_n_init_10:
        _row("sklearn KMeans n_init=10", _sk(x[:, None], 10), ref)
    _row("ours kmeans_1d (exact, ckwrap)", _ours(lambda: kmeans_1d(x, K)), ref)
    _row("ours kmeans torch k-means++", _ours(lambda: kmeans(x, K, max_ops=None, tol=TOL, device="cpu")), ref)
    _row("ours kmeans torch linear init", _ours(lambda: kmeans(x, K, max_ops=None, init="linear", tol=TOL, device="cpu")), ref)

    _header(f"{args.n:,} standard normal rows of length 3, CPU")
    ref3 = _sk(R, 1)
    _row("sklearn KMeans n_init=1 (default)", ref3, ref3)
    _row("ours kmeans torch k-means++", _ours(lambda: kmeans(R, K, max_ops=None, tol=TOL, device="cpu")), ref3)
    _row("ours kmeans torch linear init", _ours(lambda: kmeans(R, K, max_ops=None, init="linear", tol=TOL, device="cpu")), ref3)

    if torch.cuda.is_available():
        dev = torch.cuda.get_device_name(0)
        t = time.perf_counter()
        kmeans(x[:1000], K, device="cuda")
        print(f"\nCUDA ({dev}) warm-up call (context, kernels): {time.perf_counter() - t:.3f} s")
        _header(f"{args.n:,} scalars, CUDA (ratios vs sklearn on CPU)")
        _row("ours kmeans torch k-means++", _ours(lambda: kmeans(x, K, max_ops=None, tol=TOL, device="cuda")), ref)
        _row("ours kmeans torch linear init", _ours(lambda: kmeans(x, K, max_ops=None, init="linear", tol=TOL, device="cuda")), ref)
        _header(f"{args.n:,} rows of length 3, CUDA (ratios vs sklearn on CPU)")
        _row("ours kmeans torch k-means++", _ours(lambda: kmeans(R, K, max_ops=None, tol=TOL, device="cuda")), ref3)
        x7 = rng.standard_normal(10 * args.n)
        _header(f"{10 * args.n:,} scalars, CUDA (ratios vs exact 1-D on CPU)")
        ex = _ours(lambda: kmeans_1d(x7, K, max_bytes=None))   # 10⁷ × 16: 2.6 GB, past the per-request bound
        _row("ours kmeans_1d (exact, CPU)", ex, ex)
        _row("ours kmeans torch k-means++", _ours(lambda: kmeans(x7, K, max_ops=None, tol=TOL, device="cuda")), ex)
        _row("ours kmeans torch linear init", _ours(lambda: kmeans(x7, K, max_ops=None, init="linear", tol=TOL, device="cuda")), ex)


if __name__ == "__main__":
    main()
