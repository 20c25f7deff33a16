"""Experiment ``compress``: weight sharing of the digits CNN (``engine.compress.deep_kmeans``) over
methods, K, λ and epochs (docs/sweeps.md).

A row trains the uncompressed CNN on the digits split of its seed (``digits.load_data(seed)``, init and
shuffling from the same seed; kept per worker process, so rows of one seed share it) for
``baseline_epochs``, compresses it by ``method`` with one global K per layer (``cluster_counts``:
"kmeans" = k-means sharing without retraining, "scalar" = Deep Compression, Han et al. 2016, "dkm" =
Deep k-means, Wu et al. 2018, retrained ``epochs`` with penalty λ, F refreshed every ``refresh`` epochs
by ``basis``), optionally fine-tunes the centres, and reports test ``accuracy`` (and the baseline's),
the compression ``ratio`` (fixed-length indexes) and ``ratio_entropy`` (entropy-coded), and the energy
proxies summed over layers (``metrics.layer_energy``: full adders plus bits read per example) of the
compressed and the baseline net. Defaults: the compression page's (20 baseline epochs, λ = 0.01,
5 retraining epochs, SVD F every 2, 3 fine-tuning epochs).
"""
from __future__ import annotations

from functools import lru_cache

from engine.sweep.spec import Experiment, Param

PARAMS = {
    "method": Param("dkm", "choice", choices=("dkm", "kmeans", "scalar"), help="compression method"),
    "k": Param(8, "int", 1, 256, help="clusters per layer (capped at the layer's rows)"),
    "lam": Param(1e-2, "float", 0.0, 10.0, help="Deep k-means penalty λ"),
    "epochs": Param(5, "int", 0, 100, help="Deep k-means retraining epochs"),
    "refresh": Param(2, "int", 1, 100, help="epochs between refreshes of F"),
    "basis": Param("svd", "choice", choices=("svd", "hard"), help="F by truncated SVD or k-means labels"),
    "finetune_epochs": Param(3, "int", 0, 50, help="fine-tuning epochs of the shared centres"),
    "baseline_epochs": Param(20, "int", 1, 200, help="training epochs of the uncompressed CNN"),
}
RESULTS = {"accuracy": "float", "baseline_accuracy": "float", "ratio": "float", "ratio_entropy": "float",
           "energy": "float", "energy_baseline": "float"}


@lru_cache(maxsize=16)
def _baseline(seed: int, epochs: int, device: str):
    from engine.compress.deep_kmeans import train_baseline
    from engine.compress.digits import load_data

    data = load_data(seed)
    *_, last = train_baseline(data, epochs=epochs, seed=seed, device=device)
    return data, last.model, last.result


def _energy(result) -> float:
    return float(sum(e["compute"] + e["weights"] + e["activations"] for e in result.energy))


def run(params: dict, seed: int, device: str) -> dict:
    from engine.compress.deep_kmeans import cluster_counts, compress

    data, model, base = _baseline(seed, params["baseline_epochs"], device)
    method = params["method"]
    *_, last = compress(model, data, method, cluster_counts(model, method, k=params["k"]), lam=params["lam"],
                        epochs=params["epochs"], refresh=params["refresh"], basis=params["basis"],
                        finetune_epochs=params["finetune_epochs"], seed=seed)
    r = last.result
    return {"accuracy": r.accuracy, "baseline_accuracy": base.accuracy, "ratio": r.ratio,
            "ratio_entropy": r.ratio_entropy, "energy": _energy(r), "energy_baseline": _energy(base)}


EXPERIMENT = Experiment("compress", "digits CNN weight sharing: accuracy, compression ratio and energy",
                        PARAMS, RESULTS, run, torch=True)
