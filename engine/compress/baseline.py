"""The page's default uncompressed digits CNN, trained once by this script and committed, so that the
compression page shows a trained baseline at once on a fresh server (DESIGN.md §3).

``python -m engine.compress.baseline`` trains ``train_baseline(load_data(SEED), epochs=EPOCHS,
seed=SEED, device="cpu")`` — deterministic for a seed on the CPU (``engine.compress.digits``) — and
writes its weights (float32, ~80 kB) with the per-epoch history and test accuracy to ``PATH``.
``load_baseline`` rebuilds (model, Result, history) from it on any device, the accuracy re-measured
there; tests/test_compress_baseline.py checks the stored accuracy and that retraining reproduces the
stored first epochs.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import torch

from engine.compress.deep_kmeans import Result, train_baseline
from engine.compress.digits import DigitsCNN, DigitsData, accuracy, load_data

PATH = Path(__file__).with_name("data") / "baseline_cnn.pt"
SEED, EPOCHS = 0, 20


def make_baseline(path: Path = PATH, epochs: int = EPOCHS, seed: int = SEED) -> dict:
    """Train on the CPU and save {"state", "channels", "seed", "epochs", "history", "result"}."""
    torch.manual_seed(seed)
    history = []
    for p in train_baseline(load_data(seed), epochs=epochs, seed=seed, device="cpu"):
        if p.stage == "train":
            history.append({"stage": "train", "step": p.epoch, "loss": p.loss, "accuracy": p.accuracy})
    stored = {"state": {k: v.detach().cpu().clone() for k, v in p.model.state_dict().items()},
              "channels": list(p.model.channels), "seed": seed, "epochs": epochs, "history": history,
              "result": p.result.to_dict()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(stored, path)
    return stored


def stored(seed: int, epochs: int, path: Path = PATH) -> bool:
    """Whether the committed file holds the baseline for (seed, epochs)."""
    return (seed, epochs) == (SEED, EPOCHS) and path.exists()


def load_baseline(data: DigitsData, device: str, path: Path = PATH):
    """(model, Result, history) of the committed baseline on ``device`` (accuracy measured on ``data``)."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = DigitsCNN(tuple(saved["channels"]), seed=saved["seed"])
    model.load_state_dict(saved["state"])
    model = model.to(device)
    data = data.to(device)
    result = dataclasses.replace(Result(**saved["result"]), accuracy=accuracy(model, data.x_test, data.y_test),
                                 device=device)
    return model, result, saved["history"]


if __name__ == "__main__":
    out = make_baseline(Path(sys.argv[1]) if len(sys.argv) > 1 else PATH)
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else PATH}: test accuracy {out['result']['accuracy']:.4f} "
          f"after {out['epochs']} epochs")
