"""Experiment ``uniqueness``: how often random univariate problems have a unique minimum-norm
interpolant, and how sparse the minimisers are, for both penalties (docs/sweeps.md).

Data of a row (numpy.random.default_rng(seed)): ``n_points`` inputs with mean gap ``spacing``, centred
at 0 — ``layout`` "uniform" (x_i = spacing·(i − (N−1)/2)) or "random" (sorted uniform on the same
range) — and ``tasks`` label vectors, i.i.d. N(0, 1) (as the multi-task explorer's random tasks,
``engine.univariate.task_sets``). Both interpolants come from ``engine.interpolate``:

* bias free, cost Σ‖J_k‖ (Savarese et al. 2019; T tasks: Nakhleh, Shenouda & Nowak 2024): unique iff no
  two consecutive slope changes are positively collinear (``bias_free.solve_bias_free``); for one task
  and Gaussian labels that fails often, for T ≥ 2 almost never;
* biases penalised, cost Σ√(1+t_k²)‖J_k‖ (Boursier & Flammarion 2023): unique for one task.

Sparsity against the bias-free solution set: ``kinks_bias_free`` is connect-the-dots' number of kinks,
``kinks_sparsest_bias_free`` the fewest among the bias-free minimisers the solver returns (connect-the-
dots and its two extremes, which merge alternate pairs in every run of positively collinear slope
changes; for one task a run of m same-sign slope changes then needs ⌈m/2⌉ kinks, the sparsest count of
Debarre et al. 2022, checked in tests/test_sweep_experiments.py), ``kinks_penalised`` the biases-penalised
minimiser's, and ``penalised_in_bias_free_set`` whether that minimiser also has the least bias-free cost.
"""
from __future__ import annotations

import numpy as np

from engine.sweep.spec import Experiment, Param

PARAMS = {
    "tasks": Param(1, "int", 1, 20, help="number of tasks T (label vectors at the same inputs)"),
    "n_points": Param(10, "int", 3, 400, help="number of data points N"),
    "spacing": Param(1.0, "float", 1e-3, 1e3, help="mean gap between consecutive inputs"),
    "layout": Param("random", "choice", choices=("random", "uniform"), help="inputs equally spaced or uniform at random"),
}
RESULTS = {
    "unique_bias_free": "bool", "unique_penalised": "bool",
    "cost_bias_free": "float", "cost_penalised": "float",
    "kinks_bias_free": "int", "kinks_sparsest_bias_free": "int", "kinks_penalised": "int",
    "penalised_in_bias_free_set": "bool",
}
SAME_COST = 1e-7   # relative: the penalised minimiser's bias-free cost equals the bias-free minimum


def problem(params: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x (N,) increasing and Y (T, N) of one row."""
    n, s = params["n_points"], params["spacing"]
    rng = np.random.default_rng(seed)
    half = s * (n - 1) / 2
    x = np.linspace(-half, half, n) if params["layout"] == "uniform" else np.sort(rng.uniform(-half, half, n))
    return x, rng.normal(size=(params["tasks"], n))


def run(params: dict, seed: int, device: str) -> dict:
    from engine.univariate.costs import representation_cost
    from engine.univariate.interpolate import interpolate

    x, Y = problem(params, seed)
    y = Y[0] if len(Y) == 1 else Y
    free = interpolate(x, y)
    pen = interpolate(x, y, bias_penalty=True)
    pen_free_cost = representation_cost(pen, "bias_free")
    return {
        "unique_bias_free": free.unique, "unique_penalised": pen.unique,
        "cost_bias_free": free.cost, "cost_penalised": pen.cost,
        "kinks_bias_free": len(free.knots),
        "kinks_sparsest_bias_free": min(len(f.knots) for f in [free, *free.extremes]),
        "kinks_penalised": len(pen.knots),
        "penalised_in_bias_free_set": bool(pen_free_cost <= free.cost * (1 + SAME_COST) + 1e-12),
    }


EXPERIMENT = Experiment("uniqueness", "random univariate data: uniqueness, cost and kinks for both penalties",
                        PARAMS, RESULTS, run, batch=8)
