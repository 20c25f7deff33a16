r"""True optimality certificates for one-task univariate solutions (docs/univariate.md §4).

Dual of interpolation. For multipliers λ ⟂ {1, x} of the constraints f(x_i) = y_i, the dual function
is η(t) = Σ_i λ_i (x_i − t)₊, zero outside [x_1, x_N], linear between data points, with node values
e_k = η(x_k) (e_1 = e_N = 0). It is *feasible* when |η(t)| ≤ ω(t) for all t (ω ≡ 1 bias free,
ω = √(1+t²) biases penalised), and then every interpolant g has cost(g) ≥ ∫η dg'' = Σ_i λ_i y_i
= Σ_k e_k δ_k (δ_k: the slope changes of the data). So the optimum lies in [Σ e_k δ_k, cost(f)].

What we report. The gap is computed from the *returned* function and a *feasible* dual point, so it
bounds the true sub-optimality (up to rounding of the two sums):
  * the candidate node values e (from the solver) are scaled into the dual ball: the two nodes of
    each interval with ρ_k > 1 are divided by ρ_k (a few rounds, so the loss stays local), then all of
    e by max(1, ρ), ρ = max_k ρ_k (so the point is feasible whatever the rounds did), where
    ρ_k = max_{t ∈ [x_k, x_{k+1}]} |η(t)|/ω(t) in closed form: for ω ≡ 1 the larger end value; for
    ω = √(1+t²), |a + bt|/√(1+t²) ≤ ‖(a, b)‖ (Cauchy–Schwarz, equality at t = b/a), so ρ_k is
    ‖(a, b)‖ when b/a lies in the interval and the larger end ratio otherwise;
  * duality_gap = (cost(f) − Σ e_k δ_k)/cost(f); max_violation = max(ρ − 1, 0), how far the candidate
    was outside the ball before scaling (the gap already pays for it).
Dual of the regularised fit min ½‖g(x) − y‖² + lam·cost(g): for u ⟂ {1, x} with η_u/lam feasible,
lam·cost(z) ≥ ⟨u, z⟩ for every interpolant of z, hence the objective is ≥ ⟨u, y⟩ − ½‖u‖². We take u the
residuals y − f(x) (the optimum's own multipliers), projected onto {1, x}⊥, scaled by the best factor
that keeps it feasible.
"""
from __future__ import annotations

import numpy as np

from engine.univariate.costs import weight


def node_values(x, lam_dual):
    """e_k = η(x_k) = Σ_{i>k} λ_i (x_i − x_k) for multipliers λ (shape (N,) or (T, N))."""
    tail = np.cumsum(lam_dual[..., ::-1], axis=-1)[..., ::-1]
    tail_x = np.cumsum((lam_dual * x)[..., ::-1], axis=-1)[..., ::-1]
    e = tail_x[..., 1:] - x[:-1] * tail[..., 1:]
    return np.concatenate([e, np.zeros(e.shape[:-1] + (1,))], axis=-1)


def gauge(x, e, penalised: bool):
    """ρ_k = max over [x_k, x_{k+1}] of ‖η‖/ω for η linear between the node values e ((N,) one task;
    (T, N) bias free, where ‖η‖ is convex so the larger end value is the maximum)."""
    if not penalised:
        norms = np.abs(e) if e.ndim == 1 else np.linalg.norm(e, axis=0)
        return np.maximum(norms[:-1], norms[1:])
    w = weight(x)
    ends = np.maximum(np.abs(e[:-1]) / w[:-1], np.abs(e[1:]) / w[1:])
    b = (e[1:] - e[:-1]) / (x[1:] - x[:-1])
    a = e[:-1] - b * x[:-1]
    # b/a in [x_k, x_{k+1}] ⟺ a·x_k ≤ b ≤ a·x_{k+1} (a > 0) or the reverse (a < 0)
    inside = np.where(a > 0, (a * x[:-1] <= b) & (b <= a * x[1:]), (a * x[1:] <= b) & (b <= a * x[:-1])) & (a != 0)
    return np.where(inside, np.maximum(np.hypot(a, b), ends), ends)


def _gap(primal, dual, floor):
    return abs(primal - dual) / max(abs(primal), abs(dual), floor, 1e-300)


def interpolation_certificate(x, y, f, e, penalised: bool, cost: float, floor: float = 0.0) -> dict:
    """Certificate of the interpolant ``f`` (of cost ``cost``) from candidate node values ``e``;
    ``floor``: a scale below which the cost counts as zero (the gap is relative to it then)."""
    e = np.asarray(e, float).copy()
    e[0] = e[-1] = 0.0
    r = gauge(x, e, penalised)
    rho = float(r.max(initial=0.0))
    feasible = e.copy()
    if rho > 1.0:
        for _ in range(3):   # shrink the nodes of violated intervals first: the loss stays local
            feasible /= np.maximum(np.maximum(np.append(1.0, r), np.append(r, 1.0)), 1.0)
            r = gauge(x, feasible, penalised)
            if r.max(initial=0.0) <= 1.0:
                break
        feasible /= max(float(r.max(initial=0.0)), 1.0)   # then all of it: feasible whatever the rounds did
    s = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
    dual = float(feasible[1:-1] @ (s[1:] - s[:-1]))
    return {"primal_objective": cost, "dual_objective": dual, "duality_gap": _gap(cost, dual, floor),
            "max_violation": max(rho - 1.0, 0.0), "interpolation_residual": float(np.abs(f(x) - y).max())}


def fit_certificate(x, y, f, lam: float, penalised: bool, cost: float) -> dict:
    """Certificate of the regularised fit ``f`` (y: (N,), or (T, N) bias free): dual point u = the
    residuals, made orthogonal to the affine functions and scaled by the best feasible factor."""
    fitted = f(x)
    u = y - fitted
    basis = np.column_stack([np.ones_like(x), x])
    u = u - (basis @ np.linalg.lstsq(basis, u.T, rcond=None)[0]).T   # ⟂ the affine functions
    rho = float(gauge(x, node_values(x, u), penalised).max(initial=0.0))
    uu, uy = float((u * u).sum()), float((u * y).sum())
    scale = max(min(uy / uu, lam / rho), 0.0) if uu > 0 and rho > 0 else 0.0
    dual = scale * uy - 0.5 * scale * scale * uu
    primal = 0.5 * float(((fitted - y) ** 2).sum()) + lam * cost
    return {"primal_objective": primal, "dual_objective": dual, "duality_gap": _gap(primal, dual, 0.0),
            "max_violation": max(rho / lam - 1.0, 0.0)}


def structure_dual(x, knots, jumps):
    """Node values of the dual that a biases-penalised minimiser implies (complementary slackness):
    η = sign(J)·ω at a kink on a data point; η = the tangent line sign(J)(1 + t s)/ω(t) of ±ω on the
    interval of a kink at t between data points; elsewhere (f linear on both sides, so δ_k = 0 there
    and e_k is not in the objective) the value that keeps the adjacent intervals feasible (golden
    section on the larger gauge of its two intervals). Compiled: ``chain_certificate.structure_dual``."""
    from engine.univariate.chain_certificate import structure_dual as compiled

    return compiled(x, knots, jumps)
