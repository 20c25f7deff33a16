"""Digits CNN: test accuracy against compression ratio for the three methods (no retraining, Deep
Compression scalar, Deep k-means), the figures behind the issue's target (within 1 point of the
uncompressed net at ≥ 8×). Same options as the compression page's defaults: 20 baseline epochs, Deep
k-means λ = 0.01 with 5 retraining epochs (SVD F every 2), 3 centroid fine-tuning epochs for every method.
Run: ``python -m bench.compress_digits``."""
from __future__ import annotations

import time

import torch

from engine.compress.deep_kmeans import METHODS, cluster_counts, compress, train_baseline
from engine.compress.digits import load_data
from engine.train.trainer import default_device


def main():
    device = default_device()
    data = load_data(0)
    t = time.perf_counter()
    *_, last = train_baseline(data, epochs=20, seed=0, device=device)
    model, base = last.model, last.result
    print(f"torch {torch.__version__} on {device}; uncompressed: {100 * base.accuracy:.1f}% "
          f"({time.perf_counter() - t:.1f} s to train)")
    print(f"{'method':34} {'K':>3} {'accuracy':>9} {'Δ points':>9} {'ratio':>7} {'entropy':>8} {'time [s]':>9}")
    for method, label in METHODS.items():
        for k in (4, 8, 16):
            *_, out = compress(model, data, method, cluster_counts(model, method, k=k), lam=1e-2, epochs=5,
                               refresh=2, finetune_epochs=3)
            r = out.result
            print(f"{label:34} {k:3d} {100 * r.accuracy:8.1f}% {100 * (r.accuracy - base.accuracy):+9.1f} "
                  f"{r.ratio:6.1f}× {r.ratio_entropy:7.1f}× {r.seconds:9.2f}", flush=True)


if __name__ == "__main__":
    main()
