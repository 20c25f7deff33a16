"""A trained network against the exact minimiser of the same objective (d = 1).

Training minimises L = ½Σ‖f(x_i) − y_i‖² + (λ/2)Σ(‖a_k‖² + ‖w_k‖² [+ b_k²]); over wide nets its
minimum equals ½‖f*(x) − Y‖² + λ·R(f*) for the exact minimiser f* = ``engine.interpolate(x, Y, lam=λ)``
(DESIGN.md §2; the rescaling argument in ``engine.train.trainer``). So the gaps below are ≥ 0 up to
rounding, and they measure how far gradient training is from the global optimum.
"""
from __future__ import annotations

import numpy as np


def exact_objective(sol, x, Y, lam: float) -> float:
    """½‖f*(x) − Y‖² + λ·R(f*) of the exact solution ``sol``."""
    resid = np.atleast_2d(sol(np.asarray(x, float))) - np.atleast_2d(Y)
    return 0.5 * float((resid ** 2).sum()) + lam * float(sol.cost)


def gaps(snapshot, sol, x, Y, lam: float, task: int = 0, points: int = 2001) -> dict:
    """Relative gaps of the trained net (a ``Snapshot``) to the exact solution: objective, cost, and
    the largest difference of task ``task`` on the data range, relative to the data's range."""
    x = np.asarray(x, float)
    best = exact_objective(sol, x, Y, lam)
    xs = np.linspace(x.min(), x.max(), points)
    net = snapshot.net(xs)[:, task]
    exact = np.atleast_2d(sol(xs))[task]
    spread = float(np.ptp(np.atleast_2d(Y)[task])) or 1.0
    return {"objective": best, "objective_gap": (snapshot.loss - best) / max(abs(best), 1e-300),
            "cost_gap": (snapshot.cost - sol.cost) / max(abs(sol.cost), 1e-300),
            "function_gap": float(np.abs(net - exact).max()) / spread}
