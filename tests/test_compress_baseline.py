"""The committed baseline CNN (engine.compress.baseline): small, loads, has its stated accuracy, and the
script that made it reproduces its first epochs (training is deterministic for a seed on the CPU)."""
import pytest
import torch

from engine.compress.baseline import EPOCHS, PATH, SEED, load_baseline, stored
from engine.compress.deep_kmeans import train_baseline
from engine.compress.digits import load_data


def test_file_is_small_and_loads_with_its_accuracy():
    assert stored(SEED, EPOCHS) and not stored(SEED, EPOCHS + 1)
    assert PATH.stat().st_size < 1_000_000
    saved = torch.load(PATH, weights_only=True)
    model, result, history = load_baseline(load_data(SEED), "cpu")
    assert len(history) == EPOCHS == saved["epochs"]
    assert result.accuracy == pytest.approx(saved["result"]["accuracy"], abs=1e-9)
    assert result.accuracy == pytest.approx(history[-1]["accuracy"], abs=1e-9)
    assert result.accuracy > 0.95


def test_the_script_reproduces_its_first_epochs():
    history = torch.load(PATH, weights_only=True)["history"]
    torch.manual_seed(SEED)
    redone = [p for p in train_baseline(load_data(SEED), epochs=2, seed=SEED, device="cpu") if p.stage == "train"]
    for p, h in zip(redone, history):
        assert p.loss == pytest.approx(h["loss"], rel=1e-5)
        assert p.accuracy == pytest.approx(h["accuracy"], abs=1e-9)
