"""The sweep experiments' rows, called directly (no cluster), against closed forms."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from engine.sweep import EXPERIMENTS, load_spec
from engine.sweep.kernel_regime import seed_spread
from engine.sweep.uniqueness import problem


def runs_of_same_sign(delta):
    """Lengths of the maximal runs of consecutive slope changes with the same strict sign."""
    signs = np.sign(delta)
    runs, length = [], 1
    for a, b in zip(signs[:-1], signs[1:]):
        if a == b != 0:
            length += 1
        else:
            runs.append(length)
            length = 1
    return runs + [length]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 30), seed=st.integers(0, 10_000), layout=st.sampled_from(["random", "uniform"]),
       spacing=st.sampled_from([0.1, 1.0, 7.0]))
def test_one_task_uniqueness_cost_and_sparsest_kinks_match_closed_forms(n, seed, layout, spacing):
    params = {"tasks": 1, "n_points": n, "spacing": spacing, "layout": layout}
    row = EXPERIMENTS["uniqueness"].run(params, seed, "cpu")
    x, Y = problem(params, seed)
    delta = np.diff(np.diff(Y[0]) / np.diff(x))
    runs = runs_of_same_sign(delta)
    # Savarese et al.: cost Σ|δ_i|; unique iff no two consecutive slope changes share a sign;
    # Debarre et al. 2022: the sparsest minimiser has ⌈m/2⌉ kinks per run of m same-sign changes
    assert row["cost_bias_free"] == pytest.approx(np.abs(delta).sum(), rel=1e-12)
    assert row["unique_bias_free"] == (max(runs) == 1)
    assert row["kinks_bias_free"] == n - 2
    assert row["kinks_sparsest_bias_free"] == sum(math.ceil(m / 2) for m in runs)
    assert row["unique_penalised"] is True   # Boursier & Flammarion: one task, biases penalised
    assert row["cost_penalised"] >= row["cost_bias_free"] * (1 - 1e-9)   # √(1+t²) ≥ 1
    if row["penalised_in_bias_free_set"]:
        assert row["kinks_penalised"] >= row["kinks_sparsest_bias_free"]


def test_uniqueness_data_follow_the_spec():
    x, Y = problem({"tasks": 3, "n_points": 5, "spacing": 2.0, "layout": "uniform"}, 0)
    assert x.tolist() == [-4, -2, 0, 2, 4] and Y.shape == (3, 5)
    x, _ = problem({"tasks": 1, "n_points": 50, "spacing": 2.0, "layout": "random"}, 1)
    assert np.all(np.diff(x) > 0) and -49 <= x[0] and x[-1] <= 49


def test_seed_spread_is_the_mean_pairwise_relative_rms_distance():
    a, b, c = np.ones(4), 2 * np.ones(4), np.array([1.0, 1, 1, 3])
    table = pd.DataFrame({"tasks": [1, 1, 1, 101], "width": 100, "lam": 1e-3, "steps": 10, "seed": [0, 1, 2, 0],
                          "task1": [a, b, c, a], "error": [None] * 4})
    out = seed_spread(table).set_index("tasks")
    # pairs: (a, b) 1, (a, c) √(4/4)/1 = 1, (b, c) √((1+1+1+1)/4)/2 = 1/2
    assert out.loc[1, "spread"] == pytest.approx((1 + 1 + 0.5) / 3) and out.loc[1, "seeds"] == 3
    assert np.isnan(out.loc[101, "spread"]) and out.loc[101, "seeds"] == 1


def test_compress_row_reports_the_compressed_net():
    exp = EXPERIMENTS["compress"]
    params = {k: p.default for k, p in exp.params.items()} | {"method": "kmeans", "k": 2, "baseline_epochs": 1,
                                                              "finetune_epochs": 0}
    row = exp.run(params, 0, "cpu")
    assert 0 <= row["accuracy"] <= 1 and 0 < row["baseline_accuracy"] <= 1
    assert row["ratio"] > 10 and row["ratio_entropy"] >= row["ratio"] * (1 - 1e-12)   # 1-bit indexes of 32-bit floats
    assert 0 < row["energy"] < row["energy_baseline"]   # fewer weight bits read


def test_specs_in_the_repo_are_valid():
    from pathlib import Path

    specs = sorted((Path(__file__).resolve().parents[1] / "specs").glob("*.json"))
    assert {p.stem for p in specs} >= {"smoke", "kernel_regime_seeds", "deep_kmeans_ratio", "uniqueness_tasks"}
    for path in specs:
        assert len(load_spec(str(path))) >= 1
