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

import math

import numpy as np

from engine.univariate.validation import DataError, numbers

KEYS = {"weights", "k", "seed", "method", "bits"}
METHODS = ("exact", "linear", "k-means++")
MAX_VALUES = 10_000_000


def _integer(data, key, default, lo, hi):
    value = data.get(key, default)
    # json reads Infinity, NaN and 1e400 (= inf) as floats, on which int() raises
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value != int(value)):
        raise DataError(f"{key} must be a whole number")
    if not lo <= value <= hi:
        raise DataError(f"{key} must lie between {lo} and {hi}")
    return int(value)


def run_compress(data: dict) -> dict:
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
    try:
        W = np.asarray(raw, dtype=float)
    except OverflowError:
        raise DataError("weights must fit in double precision") from None
    if W.size == 0:
        raise DataError("weights is empty")
    if W.size > MAX_VALUES:
        raise DataError(f"at most {MAX_VALUES} numbers (got {W.size})")
    if not np.isfinite(W).all():
        raise DataError("weights contain NaN or infinite values")
    n = W.shape[0]
    k = _integer(data, "k", 16, 1, min(n, 65536))
    seed = _integer(data, "seed", 0, 0, 2**31 - 1)
    bits = _integer(data, "bits", 32, 1, 64)
    method = data.get("method", "k-means++" if rows else "exact")
    if method not in METHODS or (rows and method == "exact"):
        allowed = METHODS[1:] if rows else METHODS
        raise DataError(f"method must be one of {', '.join(allowed)}" + (" for rows" if rows else ""))
    try:
        if method == "exact":
            from engine.compress.kmeans_1d import kmeans_1d
            res = kmeans_1d(W, k)
        else:
            from engine.compress.kmeans import kmeans
            res = kmeans(W, k, seed=seed, init=method)
    except ValueError as err:
        raise DataError(str(err)) from None
    layer = LayerBits("weights", n, W.shape[1] if rows else 1, k, bits, entropy=entropy_bits(res.labels, k))
    return {"centers": np.asarray(res.centers).tolist(), "labels": res.labels.tolist(), "sse": res.sse,
            "compression_ratio": layer.ratio(), "compression_ratio_entropy": layer.ratio(True), "k": k, "n": n,
            "method": method, "device": res.device, "seconds": res.seconds}
