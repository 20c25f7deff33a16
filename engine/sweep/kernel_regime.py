"""Experiment ``kernel_regime``: the 2-D multi-task experiment of Nakhleh, Shenouda & Nowak (NeurIPS
2024) over seeds, numbers of tasks T, widths, λ and steps (docs/sweeps.md).

A row trains one shallow ReLU net (free biases and skip, weight decay λ, full-batch Adam,
``engine.train.train``) on the eight square points (task 1, ``engine.kernel_regime.square_data``) plus
T − 1 Bernoulli(½) tasks drawn with the row's seed (``runs.task_labels``), and measures task 1 on the
41 × 41 grid over [−1.5, 1.5]²:

* ``task1``: its values there (what ``seed_spread`` compares across seeds: mean pairwise relative RMS
  distance, large for T = 1, small for T = 101 — the spread of the paper's Fig. 1);
* ``distance_kernel`` / ``distance_kernel_others``: relative RMS distance to kernel interpolation with
  the net's neural kernel built from all tasks' / the other tasks' neurons (``runs.kernel_distance``;
  the latter NaN for T = 1);
* ``objective`` ½Σ(f − y)² + (λ/2)Σ(‖a‖² + ‖w‖²) over all tasks, ``cost`` Σ‖a_k‖‖w_k‖;
* ``distance_to_exact``: task 1 against the exact minimum-cost single-task network at the same λ
  (``experiment.exact_view``, a convex group lasso), and for T = 1 ``objective_gap`` =
  (objective − exact objective)/exact objective (NaN for T > 1: there the exact program is copositive).
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pandas as pd

from engine.sweep.spec import Experiment, Param

GRID_N = 41
EXTENT = 1.5
PARAMS = {
    "tasks": Param(101, "int", 1, 501, help="number of tasks T (task 1 + T − 1 Bernoulli(½) tasks)"),
    "width": Param(100, "int", 1, 2000, help="number of hidden units"),
    "lam": Param(1e-3, "float", 0.0, 1.0, help="weight decay λ"),
    "steps": Param(6000, "int", 1, 100_000, help="full-batch Adam steps"),
}
RESULTS = {"objective": "float", "cost": "float", "distance_kernel": "float", "distance_kernel_others": "float",
           "distance_to_exact": "float", "objective_gap": "float", "task1": "floats"}


@lru_cache(maxsize=8)
def _exact(lam: float):
    from engine.kernel_regime import exact_view, grid, square_data

    X, y = square_data()
    view = exact_view(X, y, grid(EXTENT, GRID_N)[0], lam)
    return view["result"].objective, view["values"]


def run(params: dict, seed: int, device: str) -> dict:
    from engine.kernel_regime import function_distance, grid, square_data
    from engine.kernel_regime.runs import Run, kernel_distance, task_labels
    from engine.train import train

    X, y = square_data()
    points = grid(EXTENT, GRID_N)[0]
    T, steps = params["tasks"], params["steps"]
    *_, last = train(X, task_labels(y, T, seed), width=params["width"], lam=params["lam"], steps=steps, seed=seed,
                     device=device, snapshot_every=steps)
    run_ = Run(T, seed, last.net, last.net(points)[:, 0], last.loss, last.cost, last.elapsed, last.device)
    kd = kernel_distance(run_, X, y, points)
    exact_objective, exact_values = _exact(params["lam"])
    return {"objective": last.loss, "cost": last.cost, "distance_kernel": kd["distance"],
            "distance_kernel_others": kd.get("distance_others", float("nan")),
            "distance_to_exact": function_distance(run_.values, exact_values),
            "objective_gap": (last.loss - exact_objective) / exact_objective if T == 1 else float("nan"),
            "task1": run_.values.tolist()}


def seed_spread(table: pd.DataFrame) -> pd.DataFrame:
    """Per point of the grid (every parameter but the seed): the spread of task 1 across seeds
    (``runs.seed_spread``: mean pairwise relative RMS distance of the ``task1`` surfaces) and the
    number of seeds; rows with an error are left out."""
    from engine.kernel_regime.runs import seed_spread as spread

    ok = table[table["error"].isna()] if "error" in table else table
    out = [{**dict(zip(PARAMS, key)), "spread": spread([SimpleNamespace(values=np.asarray(v)) for v in g["task1"]]),
            "seeds": len(g)} for key, g in ok.groupby(list(PARAMS), sort=True)]
    return pd.DataFrame(out, columns=[*PARAMS, "spread", "seeds"])


EXPERIMENT = Experiment("kernel_regime", "2-D multi-task training: task 1 across seeds and the neural kernel",
                        PARAMS, RESULTS, run, torch=True)
