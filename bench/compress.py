"""k-means for weight sharing: ours (engine.compress.kmeans defaults, exact 1-D) vs scikit-learn, in one run.

Cases (fixed seed 0), each printed with wall and CPU time, SSE, iterations and the ratios ours/scikit-learn
measured in the same run (time: wall and CPU; SSE: against the reference row of the case):
1. rows: n = 10⁶ standard normal rows of length 3 (the filter rows of a 3×3 conv layer, docs/design.md §2),
   K = 16; ``kmeans`` with its defaults (scikit-learn's tol = 1e-4 rule, 20 starts ranked on a subsample)
   vs ``KMeans(n_clusters=16)`` with its defaults (n_init="auto" = 1 run for k-means++) and KMeans(n_init=10).
2. blobs: 12 well-separated blobs (make_blobs, 120 000 points in 3-D, std 1, centres in [−10, 10]³,
   random_state 3), on which one k-means++ start is often 4–20% off; the same three methods.
3. scalars: 10⁶ standard normal scalars, K = 16: exact 1-D k-means (``kmeans_1d``) vs scikit-learn's
   approximate KMeans(n_init=1) (its SSE is above the optimum), and ``kmeans`` with its defaults.
If CUDA is available, rows and 10⁷ scalars on the GPU. A warm-up call first (imports, numba's compiled-code
cache, thread pools) is not timed; its time is printed. Run: ``python -m bench.compress [--n 1000000]``.
The machine may be shared: repeat with --repeat and read the CPU-time ratios too.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from engine.compress.kmeans import kmeans
from engine.compress.kmeans_1d import kmeans_1d

# The bench sizes (10⁶–10⁷ points) exceed the per-request work bounds of the app and the CLI on purpose:
# max_ops=None / max_bytes=None lift them here.

K = 16


def _timed(fn):
    c, t = time.process_time(), time.perf_counter()
    sse, it = fn()
    return time.perf_counter() - t, time.process_time() - c, sse, it


def _sk(X, k, n_init, seed=0):
    def run():
        km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
        return float(km.inertia_), int(km.n_iter_)
    return _timed(run)


def _ours(fn):
    def run():
        r = fn()
        return r.sse, r.n_iter
    return _timed(run)


def _header(title):
    print(f"\n{title}")
    print(f"{'method':36} {'wall [s]':>9} {'cpu [s]':>8} {'SSE':>15} {'iters':>5} {'wall/ref':>8} {'cpu/ref':>8} "
          f"{'SSE/ref':>9} {'SSE/sk10':>9}")


def _row(name, res, ref, sk10=None):
    t, c, sse, it = res
    s10 = f"{sse / sk10[2]:9.5f}" if sk10 else f"{'':9}"
    print(f"{name:36} {t:9.3f} {c:8.3f} {sse:15.6e} {it:5d} {t / ref[0]:8.2f} {c / ref[1]:8.2f} {sse / ref[2]:9.5f} "
          f"{s10}", flush=True)


def _case(title, X, k, sk10_too, ours_fn):
    _header(title)
    ref = _sk(X, k, 1)
    sk10 = _sk(X, k, 10) if sk10_too else None
    _row("sklearn KMeans (defaults, n_init=1)", ref, ref, sk10)
    if sk10:
        _row("sklearn KMeans n_init=10", sk10, ref, sk10)
    _row("ours kmeans (defaults)", _ours(ours_fn), ref, sk10)
    return ref


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="run every case this many times")
    parser.add_argument("--no-sklearn-n-init-10", action="store_true", help="skip KMeans(n_init=10) on rows")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.n)
    R = rng.standard_normal((args.n, 3))
    B = make_blobs(n_samples=120_000, centers=12, n_features=3, cluster_std=1.0, center_box=(-10, 10),
                   random_state=3)[0]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads; K = {K}, seed 0")
    t = time.perf_counter()
    kmeans_1d(x[:1000], K)
    kmeans(x[:1000], K, device="cpu")
    kmeans(R[:1000], K, device="cpu")
    KMeans(n_clusters=K, n_init=1, random_state=0).fit(R[:1000])
    print(f"warm-up (imports, numba cache or compile, thread pools): {time.perf_counter() - t:.2f} s")

    for rep in range(args.repeat):
        if args.repeat > 1:
            print(f"\n=== repeat {rep + 1} of {args.repeat}, {time.strftime('%H:%M:%S UTC', time.gmtime())}")
        _case(f"1. {args.n:,} standard normal rows of length 3, K = {K}, CPU", R, K, not args.no_sklearn_n_init_10,
              lambda: kmeans(R, K, max_ops=None, device="cpu"))
        _case("2. 12 well-separated blobs, 120,000 points in 3-D, K = 12, CPU", B, 12, True,
              lambda: kmeans(B, 12, max_ops=None, device="cpu"))
        _header(f"3. {args.n:,} standard normal scalars, K = {K}, CPU (exact vs scikit-learn's approximate)")
        ref = _sk(x[:, None], K, 1)
        _row("sklearn KMeans (defaults, n_init=1)", ref, ref)
        _row("ours kmeans_1d (exact)", _ours(lambda: kmeans_1d(x, K, max_bytes=None)), ref)
        _row("ours kmeans (defaults, Lloyd)", _ours(lambda: kmeans(x, K, max_ops=None, device="cpu")), ref)

    if torch.cuda.is_available():
        dev = torch.cuda.get_device_name(0)
        t = time.perf_counter()
        kmeans(x[:1000], K, device="cuda")
        print(f"\nCUDA ({dev}) warm-up call (context, kernels): {time.perf_counter() - t:.3f} s")
        ref3 = _sk(R, K, 1)
        _header(f"{args.n:,} rows of length 3, CUDA (ratios vs sklearn n_init=1 on CPU)")
        _row("ours kmeans (defaults) on CUDA", _ours(lambda: kmeans(R, K, max_ops=None, device="cuda")), ref3)
        x7 = rng.standard_normal(10 * args.n)
        _header(f"{10 * args.n:,} scalars, CUDA (ratios vs exact 1-D on CPU)")
        ex = _ours(lambda: kmeans_1d(x7, K, max_bytes=None))   # 10⁷ × 16: 2.6 GB, past the per-request bound
        _row("ours kmeans_1d (exact, CPU)", ex, ex)
        _row("ours kmeans (defaults) on CUDA", _ours(lambda: kmeans(x7, K, max_ops=None, device="cuda")), ex)


if __name__ == "__main__":
    main()
