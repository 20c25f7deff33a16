"""``python -m engine compress FILE.json``: k-means weight sharing of a list of weights.

Input: {"weights": [...] or [[...], ...], "k": 16, "seed": 0, "method": ..., "bits": 32}
  a flat list clusters scalars (default method "exact": optimal 1-D k-means, Ckmeans.1d.dp; or
  "linear" / "k-means++": Lloyd from Deep Compression's linear or from k-means++ initialisation);
  a list of equal-length rows clusters vectors (k-means++ then Lloyd; "linear" also allowed).
Output: {"centers", "labels", "sse", "compression_ratio" (fixed-length ⌈log₂K⌉-bit indexes, b-bit
floats: n·p·b / (n·⌈log₂K⌉ + K·p·b)), "compression_ratio_entropy" (entropy-coded indexes), "k", "n",
"method", "device", "seconds"}.

Or the digits CNN of the compression page (``run_cnn``): {"model": "digits-cnn", "method": "kmeans" | "scalar" |
"dkm", "k": 8 (or "rate": 0.01, or "per_layer": {"conv1": 4, ...}), "lam", "epochs", "refresh", "basis",
"finetune_epochs", "seed", "base_epochs"} (defaults as the page's) → the run's Result (accuracy, ratio,
ratio_entropy, layers, energy, …) and the baseline's accuracy; with "sweep_k": [2, 4, …] instead of "k"
every method at each K (the page's "Compare methods") → {"runs": [Result, …]}. The baseline is the committed
CNN for seed 0 and 20 epochs, else trained first (deterministic on the CPU). Runs on CUDA when torch sees it.
"""
from __future__ import annotations

from engine.compress.kmeans_1d import MAX_KMEANS_OPS
from engine.univariate.validation import numbers
from engine.validation import MAX_WORK_BYTES, DataError, choice, count, finite_array, number

KEYS = {"weights", "k", "seed", "method", "bits"}
METHODS = ("exact", "linear", "k-means++")
MAX_VALUES = 10_000_000
MAX_ABS_WEIGHT = 1e150   # |w| bound: squared distances (and their sums over 10⁷ values) stay finite
MAX_K = 65536
MAX_CNN_EPOCHS = 200   # = engine.compress.deep_kmeans.MAX_EPOCHS (that module loads torch; a test checks they agree)
MAX_SEED = 10_000
MAX_SWEEP_K = 20       # K values of "sweep_k"
LIMITS = (f"Limits: at most {MAX_VALUES:,} numbers, k ≤ min(n, {MAX_K}); exact: 16·k·n bytes ≤ "
          f"{MAX_WORK_BYTES >> 30} GiB (k·n ≤ {MAX_WORK_BYTES // 16:,}); linear / k-means++: worst-case work "
          f"(engine.compress.kmeans_1d.kmeans_work: seeding k·(n·p·(2 + ln k) + 2e5), 300 Lloyd iterations of "
          f"n·p·k, or 20·n for scalars) ≤ {MAX_KMEANS_OPS:.0e}. Digits CNN: epochs, fine-tuning and baseline "
          f"epochs ≤ {MAX_CNN_EPOCHS} each, seed 0..{MAX_SEED}, at most {MAX_SWEEP_K} K values in sweep_k.")


CNN_KEYS = {"model", "method", "k", "rate", "per_layer", "sweep_k", "lam", "epochs", "refresh", "basis",
            "finetune_epochs", "seed", "base_epochs"}
CNN_DEFAULTS = {"lam": 1e-2, "epochs": 5, "refresh": 2, "basis": "svd", "finetune_epochs": 3, "seed": 0,
                "base_epochs": 20}


def run_cnn(data: dict) -> dict:
    """The compression page's numbers for the digits CNN (see the module docstring)."""
    from engine.compress.methods import BASES, METHODS as CNN_METHODS

    unknown = data.keys() - CNN_KEYS
    if unknown:
        raise DataError(f"unknown key(s) for the digits CNN: {', '.join(sorted(unknown))}")
    o = {**CNN_DEFAULTS, **{k: v for k, v in data.items() if k in CNN_DEFAULTS}}
    seed, base_epochs = count(o["seed"], "seed", 0, MAX_SEED), count(o["base_epochs"], "base_epochs", 1, MAX_CNN_EPOCHS)
    choice(o["basis"], "basis", BASES)
    method = choice(data.get("method", "dkm"), "method", tuple(CNN_METHODS))
    sweep_k = data.get("sweep_k")
    if sweep_k is not None and (not isinstance(sweep_k, list) or not 0 < len(sweep_k) <= MAX_SWEEP_K):
        raise DataError(f"sweep_k must be a list of 1 to {MAX_SWEEP_K} cluster counts")
    from engine.compress.baseline import load_baseline, stored
    from engine.compress.deep_kmeans import cluster_counts, compress, sweep, train_baseline
    from engine.compress.digits import load_data
    from engine.compress.session import _plain
    from engine.train.trainer import default_device

    device = default_device()
    digits = load_data(seed)
    if stored(seed, base_epochs):
        model, meta = load_baseline(device)
        base_accuracy = meta["result"]["accuracy"]
    else:
        *_, done = train_baseline(digits, epochs=base_epochs, seed=seed, device=device)
        model, base_accuracy = done.model, done.result.accuracy
    options = dict(lam=o["lam"], epochs=o["epochs"], refresh=o["refresh"], basis=o["basis"],
                   finetune_epochs=o["finetune_epochs"], seed=seed)
    if sweep_k is not None:
        ks = [count(k, "a K of sweep_k", 1, 1 << 20) for k in sweep_k]
        return {"baseline_accuracy": base_accuracy,
                "runs": [_plain(r.to_dict()) for *_, r in sweep(model, digits, list(CNN_METHODS), ks, **options)]}
    k, rate, per_layer = data.get("k"), data.get("rate"), data.get("per_layer")
    if per_layer is not None and not isinstance(per_layer, dict):
        raise DataError('per_layer must be an object {"conv1": K, ...}')
    ks = cluster_counts(model, method, k=None if k is None else count(k, "k", 1, 1 << 20),
                        rate=None if rate is None else number(rate, "rate", 1e-9, 1.0),
                        per_layer=None if per_layer is None else
                        {str(n): count(v, f"K of {n}", 1, 1 << 20) for n, v in per_layer.items()})
    *_, last = compress(model, digits, method, ks, **options)
    return {"baseline_accuracy": base_accuracy, **_plain(last.result.to_dict())}


def run_compress(data: dict) -> dict:
    import numpy as np

    if data.get("model") is not None:
        if data["model"] != "digits-cnn":
            raise DataError('model must be "digits-cnn" (or leave it out and give "weights")')
        return run_cnn(data)
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
    if np.abs(W).max() > MAX_ABS_WEIGHT:   # k-means sums squared distances: beyond this they are not finite
        raise DataError(f"weights beyond ±{MAX_ABS_WEIGHT:.0e} are too large to cluster (their squared distances "
                        "are not finite in double precision)")
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
