"""A trained network against the exact minimiser of the same objective (d = 1).

Training minimises L = ½Σ‖f(x_i) − y_i‖² + (λ/2)Σ(‖a_k‖² + ‖w_k‖² [+ b_k²]); over wide nets its
minimum equals ½‖f*(x) − Y‖² + λ·R(f*) for the exact minimiser f* = ``engine.interpolate(x, Y, lam=λ)``
(docs/design.md §2; the rescaling argument in ``engine.train.trainer``). So the gaps below are ≥ 0 up to
rounding, and they measure how far gradient training is from the global optimum.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine.univariate.interpolate import objective


@dataclass(frozen=True)
class Gaps:
    """How far a trained net is from the exact minimiser: relative gaps of the objective and of the
    cost, and the largest difference of one task's curve relative to the data's range."""

    objective: float          # ½‖f*(x) − Y‖² + λ·R(f*), the exact minimum
    objective_gap: float      # (L_net − objective)/|objective|
    cost_gap: float           # (R(net) − R(f*))/R(f*)
    function_gap: float       # max |net − f*| on the data range / range of that task's values

    def to_dict(self) -> dict:
        """JSON-ready {"objective", "objective_gap", "cost_gap", "function_gap"}."""
        return asdict(self)


def gaps(snapshot, sol, x, Y, lam: float, *, task: int = 0, points: int = 2001) -> Gaps:
    """Relative gaps of the trained net to the exact solution (see ``Gaps``).

    Parameters
    ----------
    snapshot : engine.train.Snapshot
        The trainer's snapshot (its ``loss``, ``cost`` and ``net``).
    sol : engine.univariate.Interpolant
        The exact minimiser ``interpolate(x, Y, lam=lam, bias_penalty=…)`` of the same objective.
    x : array_like, shape (N,)
    Y : array_like, shape (N,) or (T, N)
    lam : float
        The weight decay λ of the training run.
    task : int, optional
        The task whose curves are compared.
    points : int, optional
        Samples of the data range for ``function_gap``.

    Returns
    -------
    Gaps
    """
    x = np.asarray(x, float)
    best = objective(sol, x, Y, lam)
    xs = np.linspace(x.min(), x.max(), points)
    net = snapshot.net(xs)[:, task]
    exact = np.atleast_2d(sol(xs))[task]
    spread = float(np.ptp(np.atleast_2d(Y)[task])) or 1.0
    return Gaps(best, (snapshot.loss - best) / max(abs(best), 1e-300),
                (snapshot.cost - sol.cost) / max(abs(sol.cost), 1e-300), float(np.abs(net - exact).max()) / spread)
