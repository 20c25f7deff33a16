"""The committed baseline CNN (engine.compress.baseline): small, its summary readable without torch, the model
loads with its stated accuracy, and the script that made it reproduces its first epochs (training is
deterministic for a seed on the CPU)."""
import subprocess
import sys
from pathlib import Path

import pytest

from engine.compress.baseline import EPOCHS, PATH, SEED, load_baseline, stored, summary

ROOT = Path(__file__).resolve().parents[1]


def test_file_is_small_and_its_summary_needs_no_torch():
    assert stored(SEED, EPOCHS) and not stored(SEED, EPOCHS + 1)
    assert PATH.stat().st_size < 1_000_000
    code = ("import sys; from engine.compress.baseline import summary; s = summary(); "
            "print(s['epochs'], 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == [str(EPOCHS), "False"], out.stderr


def test_model_loads_with_its_accuracy():
    from engine.compress.digits import accuracy, load_data

    meta = summary()
    model, loaded = load_baseline("cpu")
    data = load_data(SEED)
    assert loaded == meta and len(meta["history"]) == EPOCHS
    assert accuracy(model, data.x_test, data.y_test) == pytest.approx(meta["result"]["accuracy"], abs=1e-9)
    assert meta["result"]["accuracy"] == pytest.approx(meta["history"][-1]["accuracy"], abs=1e-9)
    assert meta["result"]["accuracy"] > 0.95
    assert meta["parameters"] == sum(p.numel() for p in model.parameters())


def test_the_script_reproduces_its_first_epochs():
    import torch

    from engine.compress.deep_kmeans import train_baseline
    from engine.compress.digits import load_data

    history = summary()["history"]
    torch.manual_seed(SEED)
    redone = [p for p in train_baseline(load_data(SEED), epochs=2, seed=SEED, device="cpu") if p.stage == "train"]
    # float32 convolutions take different kernels on different CPUs (oneDNN's AVX2 and AVX-512 paths sum in
    # other orders): the same script on another machine agrees to ~1e-4 after an epoch, not to rounding.
    for p, h in zip(redone, history):
        assert p.loss == pytest.approx(h["loss"], rel=1e-3)
        assert p.accuracy == pytest.approx(h["accuracy"], abs=0.01)
