"""``python -m engine compress FILE.json``: k-means weight sharing of a list of weights.

Input: {"weights": [...] or [[...], ...], "k": 16, "seed": 0, "method": ..., "bits": 32}
  a flat list clusters scalars (default method "exact": optimal 1-D k-means, Ckmeans.1d.dp; or
  "linear" / "k-means++": Lloyd from Deep Compression's linear or from k-means++ initialisation);
  a list of equal-length rows clusters vectors (k-means++ then Lloyd; "linear" also allowed).
Output: {"centers", "labels", "sse", "compression_ratio" (fixed-length ⌈log₂K⌉-bit indexes, b-bit
floats: n·p·b / (n·⌈log₂K⌉ + K·p·b)), "compression_ratio_entropy" (entropy-coded indexes), "k", "n",
"method", "device", "seconds"}.
"""
from __future__ import annotations

from engine.compress.kmeans_1d import MAX_KMEANS_OPS
from engine.univariate.validation import numbers
from engine.validation import MAX_WORK_BYTES, DataError, choice, count, finite_array

KEYS = {"weights", "k", "seed", "method", "bits"}
METHODS = ("exact", "linear", "k-means++")
MAX_VALUES = 10_000_000
MAX_K = 65536
LIMITS = (f"Limits: at most {MAX_VALUES:,} numbers, k ≤ min(n, {MAX_K}); exact: 16·k·n bytes ≤ "
          f"{MAX_WORK_BYTES >> 30} GiB (k·n ≤ {MAX_WORK_BYTES // 16:,}); linear / k-means++: worst-case work "
          f"(engine.compress.kmeans_1d.kmeans_work: seeding k·(n·p·(2 + ln k) + 2e5), 300 Lloyd iterations of "
          f"n·p·k, or 20·n for scalars) ≤ {MAX_KMEANS_OPS:.0e}.")


def run_compress(data: dict) -> dict:
    import numpy as np

    from engine.compress.metrics import LayerBits, entropy_bits

    if "weights" not in data or "k" not in data:
        raise DataError('the input needs "weights" and "k"')
    unknown = data.keys() - KEYS
    if unknown:
        raise DataError(f"unknown key(s): {', '.join(sorted(unknown))}")
    raw = numbers(data["weights"], "weights", nested=True)
    rows = bool(raw) and isinstance(raw[0], list)
    if rows and len({len(r) for r in raw}) != 1:
        raise DataError("all rows of weights must have the same length")
    size = sum(len(r) for r in raw) if rows else len(raw)
    if size > MAX_VALUES:
        raise DataError(f"weights: at most {MAX_VALUES:,} numbers (got {size:,})")
    W = finite_array(raw, "weights")
    if W.size == 0:
        raise DataError("weights is empty")
    n = W.shape[0]
    k = count(data["k"], "k", 1, min(n, MAX_K))
    seed = count(data.get("seed", 0), "seed", 0, 2**31 - 1)
    bits = count(data.get("bits", 32), "bits", 1, 64)
    method = choice(data.get("method", "k-means++" if rows else "exact"), "method" + (" for rows" if rows else ""),
                    METHODS[1:] if rows else METHODS)
    if method == "exact":
        from engine.compress.kmeans_1d import kmeans_1d
        res = kmeans_1d(W, k)
    else:
        from engine.compress.kmeans import kmeans
        res = kmeans(W, k, seed=seed, init=method)
    layer = LayerBits("weights", n, W.shape[1] if rows else 1, k, bits, entropy=entropy_bits(res.labels, k))
    return {"centers": np.asarray(res.centers).tolist(), "labels": res.labels.tolist(), "sse": res.sse,
            "compression_ratio": layer.ratio(), "compression_ratio_entropy": layer.ratio(True), "k": k, "n": n,
            "method": method, "device": res.device, "seconds": res.seconds}
