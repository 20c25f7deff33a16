"""``python -m engine kernel-regime FILE.json``: the numbers of the 2-D kernel-regime page.

Input: {"width": 100, "steps": 6000, "lam": 0.001, "seeds": [0, 1, 2]} (the page's Quick preset; every key
optional). Trains a net per seed on the square data alone (T = 1) and with 100 Bernoulli(½) tasks (T = 101)
(``runs.train_runs``), on CUDA when torch sees it. Output: {"spread": {"1": …, "101": …} (mean pairwise
relative RMS distance of task-1 surfaces across seeds, on the page's 61 × 61 grid of [−1.5, 1.5]²; only
with two seeds or more: one seed has no pairs, and the key is left out),
"runs": [{"tasks", "seed", "objective", "cost", "seconds", "device"}], "single_task": the page's table
(objective, cost and relative objective gap to the exact minimiser of the same λ), "settings"}.
"""
from __future__ import annotations

from engine.validation import DataError, count, lam as check_lam

KEYS = {"width", "steps", "lam", "seeds"}
DEFAULTS = {"width": 100, "steps": 6000, "lam": 1e-3, "seeds": [0, 1, 2]}
MAX_WIDTH, MAX_STEPS, MAX_SEEDS = 2000, 100_000, 10
LIMITS = f"Limits: width ≤ {MAX_WIDTH}, steps ≤ {MAX_STEPS:,}, at most {MAX_SEEDS} seeds."
EXTENT, GRID = 1.5, 61   # the page's grid


def run_kernel_regime(data: dict) -> dict:
    from engine.kernel_regime.data import grid, square_data
    from engine.kernel_regime.experiment import exact_view
    from engine.kernel_regime.runs import seed_spread, single_task_rows, train_runs
    from engine.kernel_regime.saved import TASK_COUNTS

    unknown = data.keys() - KEYS
    if unknown:
        raise DataError(f"unknown key(s): {', '.join(sorted(unknown))}")
    o = {**DEFAULTS, **data}
    width, steps = count(o["width"], "width", 1, MAX_WIDTH), count(o["steps"], "steps", 1, MAX_STEPS)
    lam = check_lam(o["lam"])
    if not isinstance(o["seeds"], list) or not 1 <= len(o["seeds"]) <= MAX_SEEDS:
        raise DataError(f"seeds must be a list of 1 to {MAX_SEEDS} seeds")
    seeds = [count(s, "a seed", 0, 2**31 - 1) for s in o["seeds"]]
    if len(set(seeds)) < len(seeds):
        raise DataError("seeds must be distinct (a repeated seed repeats its run)")
    X, y = square_data()
    points, _ = grid(EXTENT, GRID)
    runs = [p[0] for kind, *p in train_runs(X, y, points, seeds=seeds, task_counts=TASK_COUNTS, width=width,
                                            lam=lam, steps=steps) if kind == "run"]
    exact = exact_view(X, y, points, lam)["result"]
    spread = {"spread": {str(T): seed_spread([r for r in runs if r.tasks == T]) for T in TASK_COUNTS}} \
        if len(set(seeds)) >= 2 else {}   # a spread needs a pair of seeds
    return {"settings": {"width": width, "steps": steps, "lam": lam, "seeds": seeds}, **spread,
            "runs": [{"tasks": r.tasks, "seed": r.seed, "objective": r.loss, "cost": r.cost, "seconds": r.seconds,
                      "device": r.device} for r in runs],
            "single_task": single_task_rows([r for r in runs if r.tasks == 1], exact)}
