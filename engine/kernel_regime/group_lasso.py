"""Exact minimum-cost shallow ReLU network (one output, free skip, unpenalised biases) as a convex
group-lasso program over activation patterns.

Problem. Over all widths and all f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c (a_k ∈ ℝ), minimise
½Σ_i (f(x_i) − y_i)² + (lam/2) Σ_k (a_k² + ‖w_k‖²), or, for lam = 0, (1/2)Σ_k (a_k² + ‖w_k‖²)
subject to f(x_i) = y_i. Rescaling a_k → a_k/s, (w_k, b_k) → s(w_k, b_k) leaves f unchanged (biases
are free), and min_s ½(a²/s² + s²‖w‖²) = |a|‖w‖: the cost is Σ_k |a_k|‖w_k‖ (docs/design.md §2).

Convex program (Pilanci & Ergen, ICML 2020, "Neural networks are convex regularizers"; Ergen &
Pilanci, "Revealing the structure of deep neural networks via convex duality", ICML 2021; here with
a free skip and the bias left out of the penalty). X̃ = [X, 1], D_j = diag of the patterns of
``patterns.activation_patterns``, u_j, u'_j ∈ ℝ^{d+1}, u[:d] the w-part:

    lam = 0:  minimise  R = Σ_j ‖u_j[:d]‖ + ‖u'_j[:d]‖  s.t.  r = 0,
    lam > 0:  minimise  ½‖r‖² + lam·R,
    where     r = Σ_j D_j X̃ (u_j − u'_j) + Xv + c·1 − y,
              (2D_j − I) X̃ u_j ≥ 0,  (2D_j − I) X̃ u'_j ≥ 0  (the cone constraints).

Why it is exact. (≥) Given a net, drop units with w_k = 0 (constants, absorbed by c) and put ũ_k = |a_k|(w_k, −b_k); σ(X̃ũ_k) = D X̃ũ_k with D the unit's
pattern on the data, which is the cone constraint (2D − I)X̃ũ_k ≥ 0. Summing the ũ_k of all units with
the same pattern and sign of a_k into u_j (a_k > 0) or u'_j (a_k < 0) keeps the constraint (a convex
cone) and reproduces f on the data (so r, and the data term, are unchanged), at cost
‖Σ ũ_k[:d]‖ ≤ Σ |a_k|‖w_k‖ (triangle inequality).
(≤) Given a feasible point, each u_j with w-part ≠ 0 becomes one unit a = ±√‖u_j[:d]‖,
(w, −b) = u_j/√‖u_j[:d]‖: a σ(X̃(w, −b)) = ±σ(X̃u_j) = ±D_j X̃u_j by the cone constraint, at cost
½(a² + ‖w‖²) = ‖u_j[:d]‖. A u_j with zero w-part is the constant u_j[d] on the data; for a pattern
that is neither empty nor full the cone constraint forces it to 0, and the full pattern's u_j is an
affine function, absorbed by the free (v, c) at no cost. So the two minima are equal, and a minimiser
of the program gives a minimum-cost network with at most 2(#patterns) units.
Reductions used below, both exact: the empty pattern contributes nothing and the full one is affine
(dropped); σ(z) = z + σ(−z) turns a unit with pattern D into one with pattern I − D (u → −u, the same
cone constraint and cost) plus an affine function, so one pattern of each complementary pair — the one
not containing point 0 — suffices: (P − 2)/2 patterns, each with a u and a u', P = number of patterns.

Numerics: the data are centred and scaled before the solve, X → (X − mean)/s with s the largest
distance to the mean, y → (y − ℓ(X))/t with ℓ the least-squares plane (absorbed by the free skip) and
t the largest remaining deviation (affine data: no unit, cost 0, no solve); the net is mapped back
exactly (the cost scales by t/s: f(x) = g(x/s) has cost(g)/s). Solved by cvxpy +
Clarabel (interior point) at gap/feasibility tolerance 1e-10; units whose w-part is below
UNIT_TOL·max(1, largest) are dropped (interior-point solutions leave every inactive group at ~1e-10, and hundreds of
them add up to residuals ~1e-7); for lam = 0 the kept units' outputs are then rescaled, a_k → a_k(1 + ε_k)
with |ε_k| ≤ ½ (no sign change), and the affine part corrected, so as to remove that residual
(``_polish``): what is left is ≲1e-9·max|y|, the cost moves by ~1e-9 relative. Not the least-norm change
of a: an optimal unit whose hyperplane passes through a data point comes back split into copies with
nearly equal outputs on the data, along which that change is ill-conditioned and flips signs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from engine.network import ShallowNet
from engine.kernel_regime.patterns import activation_patterns, as_points
from engine.validation import DataError, lam as check_lam

MAX_POINTS = 30
"""Default limit on the number of distinct points: the program has ~N² groups of N cone constraints."""
UNIT_TOL = 1e-9
"""Units whose ‖u[:d]‖ (normalised coordinates) is below UNIT_TOL·max(1, largest) are dropped."""


@dataclass(frozen=True)
class GroupLassoResult:
    """``cost`` Σ_k |a_k|‖w_k‖ (= Σ_j ‖u_j[:d]‖ + ‖u'_j[:d]‖), ``objective`` (= cost for lam = 0,
    else ½Σ_i (f(x_i) − y_i)² + lam·cost), ``net`` (a ``ShallowNet``, T = 1, balanced units),
    ``n_patterns`` (distinct activation patterns P of the distinct points, empty and full included),
    ``status`` (cvxpy's, or "affine" when no unit is needed), ``lam``, ``residual`` max_i |f(x_i) − y_i|, ``solve_time`` (s, the solve)."""

    cost: float
    objective: float
    net: ShallowNet
    n_patterns: int
    status: str
    lam: float
    residual: float
    solve_time: float

    def __call__(self, X) -> np.ndarray:
        """Values (M,) of the recovered network at X (M, d)."""
        return self.net(X)[:, 0]


def _validate(X, y, lam, max_points):
    X = as_points(X)
    y = np.asarray(y, float).reshape(-1)
    if len(y) != len(X):
        raise DataError(f"X has {len(X)} points but y has {len(y)} values")
    if not np.all(np.isfinite(y)):
        raise DataError("y must be finite (no NaN or inf)")
    lam = check_lam(lam)
    uniq, inverse, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    y_min, y_max = np.full(len(uniq), np.inf), np.full(len(uniq), -np.inf)
    np.minimum.at(y_min, inverse, y)
    np.maximum.at(y_max, inverse, y)
    if np.any(y_max - y_min > 1e-12 * (1 + np.abs(y).max())):
        raise DataError("repeated points with different labels: no function fits them")
    if len(uniq) < 2:
        raise DataError("need at least 2 distinct points")
    if len(uniq) > max_points:
        raise DataError(f"{len(uniq)} distinct points exceed the limit of {max_points}: the number of "
                         "activation patterns grows as N², and the program with it")
    return X, y, lam, uniq, y_max, counts


def solve_group_lasso(X, y, lam: float = 0.0, *, max_points: int = MAX_POINTS) -> GroupLassoResult:
    """Minimum-cost ReLU network through (X, y) (lam = 0) or minimiser of the regularised training
    loss ½Σ(f(x_i) − y_i)² + (lam/2)Σ(a_k² + ‖w_k‖²) (lam > 0); exact (see the module docstring).

    X: (N, 2), (N, 1) or (N,); y: (N,). Repeated points must carry equal labels (they count with their
    multiplicity in the data term). Raises ValueError on bad input, RuntimeError if the solver fails.
    """
    X, y, lam, uniq, yu, counts = _validate(X, y, lam, max_points)
    m, d = uniq.shape
    patterns = activation_patterns(uniq)
    P = np.column_stack([uniq, np.ones(m)])
    affine = np.linalg.lstsq(P, yu, rcond=None)[0]           # (v, c) of the least-squares plane
    t = float(np.max(np.abs(yu - P @ affine)))
    if t <= 1e-12 * (1 + np.abs(yu).max()):                  # affine data: no unit needed, cost 0
        net = ShallowNet(np.zeros((0, 1)), np.zeros((0, d)), np.zeros(0), affine[:d, None], affine[d:])
        status, solve_time = "affine", 0.0
    else:
        net, status, solve_time = _solve(uniq, yu, counts, lam, patterns, affine, t)
    fitted = net(X)[:, 0]
    cost = net.cost
    objective = cost if lam == 0 else 0.5 * float(np.sum((fitted - y) ** 2)) + lam * cost
    return GroupLassoResult(cost, objective, net, len(patterns), status, lam,
                            float(np.max(np.abs(fitted - y))), solve_time)


def _solve(uniq, yu, counts, lam, patterns, affine, t):
    """The conic program in normalised coordinates; returns (net, cvxpy status, solve seconds)."""
    import cvxpy as cp

    m, d = uniq.shape
    mu = uniq.mean(axis=0)
    s = float(np.max(np.linalg.norm(uniq - mu, axis=1)))
    Xn, yn = (uniq - mu) / s, (yu - uniq @ affine[:d] - affine[d]) / t
    D = patterns[~patterns[:, 0] & patterns.any(axis=1)].T.astype(float)      # (m, J)
    J = D.shape[1]
    Xt = np.column_stack([Xn, np.ones(m)])
    Z = cp.Variable((2 * J, d + 1))                          # rows: u_1..u_J, u'_1..u'_J
    v, c = cp.Variable(d), cp.Variable()
    H = Xt @ Z.T                                             # (m, 2J): X̃u for every group
    sign = np.r_[np.ones(J), -np.ones(J)]
    pred = cp.sum(cp.multiply(np.hstack([D, D]) * sign, H), axis=1) + Xn @ v + c
    reg = cp.sum(cp.norm(Z[:, :d], 2, axis=1))
    cons = [cp.multiply(np.hstack([2 * D - 1, 2 * D - 1]), H) >= 0]
    if lam == 0:
        problem = cp.Problem(cp.Minimize(reg), cons + [pred == yn])
    else:                                                    # lam in normalised units: lam/(s·t)
        fit = 0.5 * cp.sum_squares(cp.multiply(np.sqrt(counts), pred - yn))
        problem = cp.Problem(cp.Minimize(fit + lam / (s * t) * reg), cons)
    start = time.perf_counter()
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10,
                  tol_ktratio=1e-8, max_iter=200)
    solve_time = time.perf_counter() - start
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or Z.value is None:
        raise RuntimeError(f"the group-lasso solve failed (status {problem.status})")
    net = _network(Z.value, sign, v.value, float(c.value), mu, s, t, affine)
    return (_polish(net, uniq, yu) if lam == 0 else net), problem.status, solve_time


def _network(Z, sign, vn, cn, mu, s, t, affine) -> ShallowNet:
    """Map the groups sign_j·u_j (normalised coordinates) to balanced units in the original ones:
    t·σ(u_wᵀ(x − μ)/s + u_b) = t·σ(ũ_wᵀx + ũ_b), ũ_w = u_w/s, ũ_b = u_b − u_wᵀμ/s; the unit
    a σ(wᵀx − b) with ρ = √(t‖ũ_w‖), a = sign·ρ, (w, −b) = (t/ρ)ũ has |a| = ‖w‖ = ρ. The affine part
    is the plane ``affine`` = (v, c) plus t·(vnᵀ(x − μ)/s + cn)."""
    d = Z.shape[1] - 1
    norms = np.linalg.norm(Z[:, :d], axis=1)
    keep = norms > UNIT_TOL * max(norms.max(initial=0.0), 1.0)
    uw, ub = Z[keep, :d] / s, Z[keep, d] - Z[keep, :d] @ mu / s
    rho = np.sqrt(t * np.linalg.norm(uw, axis=1))
    scale = (t / rho)[:, None]
    return ShallowNet(a=(sign[keep] * rho)[:, None], w=uw * scale, b=-ub * scale[:, 0],
                   v=(affine[:d] + t * vn / s)[:, None], c=np.array([affine[d] + t * (cn - vn @ mu / s)]))


def _polish(net: ShallowNet, X: np.ndarray, y: np.ndarray) -> ShallowNet:
    """Restore f(x_i) = y_i after the solve by rescaling each unit's output, a_k → a_k(1 + ε_k) with
    |ε_k| ≤ ½, and changing the free affine part (v, c); the hidden units stay, and so does every sign
    of a_k. The units are rebalanced afterwards (|a_k| = ‖w_k‖, f unchanged).

    Why relative changes with a bound, and not the least-norm change of a. With no sign change the
    cost Σ_k |a_k|‖w_k‖ moves by exactly Σ_k |a_k|‖w_k‖ε_k, which at an optimum is λᵀr (λ the dual
    certificate, sign(a_k) = λᵀσ(Xw_k − b_k)/‖w_k‖, λ ⟂ the affine functions; r the residual
    removed): first order in r, however large ε is. A sign change adds 2|a_k + δ_k|‖w_k‖ more. And
    the solve routinely hands over hidden layers on which the least-norm change of a makes sign
    changes: the optimum is not unique when a data point lies on the hyperplane of an optimal unit
    (the unit fits the patterns with and without that point, or the complementary pattern plus an
    affine function), and the interior-point solution, at the centre of the optimal face, splits the
    unit into copies whose hyperplanes agree only to the solver's accuracy. Their outputs on the data
    are linearly dependent up to ~1e-12; the least-norm change divides the residual (~1e-11) by that
    singular value, moves the copies' a by O(1) in opposite directions and may flip one (the cost grew
    by 3.7e-4 on the regression test's data, by a few per cent on some small integer grids).

    So: the columns are the units' outputs a_kσ(w_kᵀx_i − b_k) (coefficients ε) and the centred affine
    functions at the same scale; r is expanded in the SVD, largest singular value first, and the
    expansion stops before ‖(ε, affine)‖ would exceed ½. What is left is r's part along near-null
    directions of the hidden layer, which no small change of the output weights can remove: the
    solver's own accuracy, ~1e-12 to 1e-9 relative.
    """
    k, d = len(net.b), X.shape[1]
    a = net.a[:, 0]
    out = a * np.maximum(X @ net.w.T - net.b, 0.0)                      # (m, k): the units' outputs
    r = y - net(X)[:, 0]
    mu = X.mean(axis=0)
    s = max(float(np.max(np.linalg.norm(X - mu, axis=1))), np.finfo(float).tiny)
    tau = max(float(np.linalg.norm(out, axis=0).max(initial=0.0)), float(np.linalg.norm(y - y.mean())),
              np.finfo(float).tiny)                                      # affine columns at that scale
    F = np.column_stack([out, tau * (X - mu) / s, np.full(len(X), tau)])
    U, sv, Vt = np.linalg.svd(F, full_matrices=False)
    rank = int(np.sum(sv > sv.max(initial=0.0) * max(F.shape) * np.finfo(float).eps))
    coef = (U[:, :rank].T @ r) / sv[:rank]                               # along the rows of Vt
    use = np.cumsum(coef**2) <= 0.25                                     # a prefix, ‖z‖ ≤ ½
    z = Vt[:rank][use].T @ coef[use]
    dv, dc = tau * z[k:k + d] / s, tau * z[-1]
    a = a * (1.0 + z[:k])                                                # |ε_k| ≤ ‖z‖ ≤ ½: signs kept
    f = np.sqrt(np.abs(a) / np.linalg.norm(net.w, axis=1))
    return ShallowNet(a=(a / f)[:, None], w=net.w * f[:, None], b=net.b * f,
                   v=net.v + dv[:, None], c=net.c + dc - dv @ mu)
