"""The page's default uncompressed digits CNN, trained once by this script and committed, so that the
compression page shows a trained baseline at once on a fresh server (before torch is even imported).

``python -m engine.compress.baseline`` trains ``train_baseline(load_data(SEED), epochs=EPOCHS,
seed=SEED, device="cpu")`` — deterministic for a seed on the CPU (``engine.compress.digits``) — and
writes ``PATH``, a numpy archive: the weights (float32, ~80 kB) and a JSON ``meta`` entry with the
per-epoch history, the parameter count and the baseline's ``Result`` (accuracy, bits, energy).
``summary`` reads the meta without torch; ``load_baseline`` rebuilds the model on any device.
tests/test_compress_baseline.py checks the stored accuracy and that retraining reproduces the
stored first epochs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

PATH = Path(__file__).with_name("data") / "baseline_cnn.npz"
SEED, EPOCHS = 0, 20


def make_baseline(path: Path = PATH, epochs: int = EPOCHS, seed: int = SEED) -> dict:
    """Train on the CPU and save the weights and {"channels", "seed", "epochs", "parameters", "history",
    "result"}; returns that meta dict."""
    import torch

    from engine.compress.deep_kmeans import train_baseline
    from engine.compress.digits import load_data

    torch.manual_seed(seed)
    history = []
    for p in train_baseline(load_data(seed), epochs=epochs, seed=seed, device="cpu"):
        if p.stage == "train":
            history.append({"stage": "train", "step": p.epoch, "loss": p.loss, "accuracy": p.accuracy})
    state = {k: v.detach().cpu().numpy() for k, v in p.model.state_dict().items()}
    meta = {"channels": list(p.model.channels), "seed": seed, "epochs": epochs,
            "parameters": int(sum(v.size for v in state.values())), "history": history, "result": p.result.to_dict()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        np.savez(out, meta=np.array(json.dumps(meta)), **{f"state.{k}": v for k, v in state.items()})
    return meta


def stored(seed: int, epochs: int, path: Path = PATH) -> bool:
    """Whether the committed file holds the baseline for (seed, epochs)."""
    return (seed, epochs) == (SEED, EPOCHS) and path.exists()


def summary(path: Path = PATH) -> dict:
    """The stored meta (no torch): {"channels", "seed", "epochs", "parameters", "history", "result"}."""
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(str(archive["meta"]))


def load_baseline(device: str, path: Path = PATH):
    """(model on ``device``, meta) of the committed baseline."""
    import torch

    from engine.compress.digits import DigitsCNN

    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
        state = {k[len("state."):]: torch.from_numpy(archive[k].copy()) for k in archive.files if k.startswith("state.")}
    model = DigitsCNN(tuple(meta["channels"]), seed=meta["seed"])
    model.load_state_dict(state)
    return model.to(device), meta


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PATH
    out = make_baseline(target)
    print(f"wrote {target}: test accuracy {out['result']['accuracy']:.4f} after {out['epochs']} epochs")
