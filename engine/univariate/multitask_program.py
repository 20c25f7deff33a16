r"""The conic programs behind ``multitask`` (see its docstring for the mathematics).

Variables, per task τ and input u_i: values z_τi (and, biases penalised, slopes σ_τi), plus one cone
per interior input (bias free: (t_i, δ_i(z)) ∈ SOC, δ_i the slope change) or per interval (biases
penalised: a PSD block of size T + 2). Observed values are pinned (z = y) or, when fitting, priced by
½(z − y)². ``solve(tilt=...)`` instead minimises a linear functional of z over the optimal face
(cost ≤ bound): ``face_probes`` tells from such solves whether the unobserved values are determined.
``certificate`` checks a solution against the multipliers of the data (the dual).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.univariate.conic import ConicRows, SolverError, solve_conic
from engine.univariate.costs import weight
from engine.univariate.regularised import second_differences

TOL = 1e-12   # interior-point tolerance: the face probes need it (at 1e-10 their spread has a noise floor)
MOVE = 1e-6   # face probes closer than MOVE × the data scale agree (solver noise)
PROBE_SLACKS = ((1e-9, 1e-10), (1e-6, 1e-7))   # small and large relative slacks of the face probes


@dataclass
class Solution:
    Z: np.ndarray                  # (T, n) values at the inputs
    sigma: np.ndarray | None       # (T, n) slopes (biases penalised)
    A_local: np.ndarray | None     # (n − 1, 3) local moment matrices (biases penalised)
    multipliers: np.ndarray        # (T, n) multipliers λ of z = y (0 where unobserved or fitting)
    value: float                   # optimal value of the (scaled) program


class Program:
    """Build once for (u, Ys, observed, bias_penalty, lam); ``solve`` as often as needed."""

    def __init__(self, u, Ys, observed, bias_penalty: bool, lam: float):
        self.u, self.Ys, self.observed, self.lam = u, Ys, observed, lam
        self.T, self.n = Ys.shape
        self.bias_penalty = bias_penalty
        build = self._penalised if bias_penalty else self._bias_free
        self.rows, self.cost_q = build()
        self.A, self.b = self.rows.matrices()

    # -- builders -------------------------------------------------------------------------------
    def _data(self, rows, z_cols):
        import clarabel

        self.pinned = np.flatnonzero(self.observed.ravel()) if self.lam == 0 else np.zeros(0, int)
        self.pin_rows = np.arange(len(self.pinned))
        rows.add(clarabel.ZeroConeT(len(self.pinned)), len(self.pinned),
                 [(self.pin_rows, z_cols.ravel()[self.pinned], -1.0)], b=self.Ys.ravel()[self.pinned])

    def _bias_free(self):
        import clarabel

        T, n = self.T, self.n
        D = second_differences(self.u).tocoo()
        m = D.shape[0]
        self.z_cols = np.arange(T * n).reshape(T, n)
        rows = ConicRows(T * n + m)
        self._data(rows, self.z_cols)
        # (t_i, δ_i(z_1), …, δ_i(z_T)) ∈ SOC: D has three entries per row, at columns i, i + 1, i + 2
        order = np.lexsort((D.col, D.row))
        dc, dv = D.col[order].reshape(m, 3), D.data[order].reshape(m, 3)
        task = np.arange(T)[None, :, None]
        r = np.concatenate([np.zeros((m, 1)), np.broadcast_to(1 + task, (m, T, 3)).reshape(m, -1)], axis=1)
        c = np.concatenate([(T * n + np.arange(m))[:, None], (task * n + dc[:, None, :]).reshape(m, -1)], axis=1)
        v = np.concatenate([np.ones((m, 1)), np.broadcast_to(dv[:, None, :], (m, T, 3)).reshape(m, -1)], axis=1)
        rows.add_blocks(lambda: clarabel.SecondOrderConeT(T + 1), m, T + 1, r.astype(int), c, v)
        return rows, np.r_[np.zeros(T * n), np.ones(m)]

    def _penalised(self):
        """Blocks in the local coordinate s = (t − mid)/h ∈ [−½, ½] of each interval (conditioning:
        short intervals make (1, a), (1, b) nearly parallel): rows J = σ_{k+1} − σ_k and
        P' = (P − mid·J)/h = (σ_k + σ_{k+1})/2 − (z_{k+1} − z_k)/h; tr A = ⟨W, A'⟩ with
        W = [[1 + mid², mid·h], [mid·h, h²]]; A' completely positive on cone{(1, ±½)} ⟺ A' ⪰ 0 and
        A'₁₁/4 − A'₂₂ ≥ 0 (∝ Z₁₂ of A' = BZBᵀ). The (T + 2)-block [[A, M], [Mᵀ, C]] with ½ tr C is split
        into T blocks [[A, m_τ], [m_τᵀ, s_τ]] sharing A (m_τ the column of task τ): min tr C =
        tr(MᵀA⁺M) = Σ_τ m_τᵀA⁺m_τ = Σ_τ min s_τ, exactly, and 3×3 cones are far cheaper. Each block is scaled by the congruence
        diag(ω, ω, 1, …, 1), ω = √(1 + mid²): the variables are Ã = ω²A' and the rows ωJ, ωP', so that
        at the optimum (A' ~ ‖J‖/ω, C ~ ω‖J‖) the block's entries are of one size. Clarabel cannot
        rescale inside a PSD cone, and without this it stalled (AlmostSolved, gaps up to 1e-2) for
        data far from 0."""
        import clarabel

        T, n, u = self.T, self.n, self.u
        m = n - 1
        self.s_cols = np.arange(T * n).reshape(T, n)
        self.z_cols = T * n + np.arange(T * n).reshape(T, n)
        self.blk = 2 * T * n + np.arange(m) * (3 + T)      # Ã₁₁, Ã₁₂, Ã₂₂, then s_1 … s_T per interval
        rows = ConicRows(2 * T * n + m * (3 + T))
        self._data(rows, self.z_cols)
        rows.add(clarabel.NonnegativeConeT(m), m, [(np.arange(m), self.blk, 0.25), (np.arange(m), self.blk + 2, -1.0)])
        cost_q = np.zeros(rows.n)
        mid, h = (u[:-1] + u[1:]) / 2, np.diff(u)
        sc, zc = self.s_cols, self.z_cols
        r2 = np.sqrt(2)
        self.omega = np.hypot(1.0, mid)
        # svec of the 3×3 block [[Ã₁₁, Ã₁₂, ωJ_τ], [Ã₁₂, Ã₂₂, ωP'_τ], [·, ·, s_τ]]: (0,0) (0,1) (1,1) (0,2) (1,2) (2,2)
        # svec of [[Ã₁₁, Ã₁₂, ωJ_τ], [Ã₁₂, Ã₂₂, ωP'_τ], [·, ·, s_τ]] per (interval k, task τ), k major
        b0 = np.repeat(self.blk, T)[:, None]
        om, hk = np.repeat(self.omega, T)[:, None], np.repeat(h, T)[:, None]
        kk, tt = np.repeat(np.arange(m), T), np.tile(np.arange(T), m)
        left, right = sc[tt, kk][:, None], sc[tt, kk + 1][:, None]
        zl, zr = zc[tt, kk][:, None], zc[tt, kk + 1][:, None]
        r = np.array([0, 1, 2, 5, 3, 3, 4, 4, 4, 4])[None, :]
        c = np.hstack([b0, b0 + 1, b0 + 2, b0 + 3 + tt[:, None], right, left, left, right, zr, zl])
        one = np.ones_like(om)
        v = np.hstack([one, r2 * one, one, one, r2 * om, -r2 * om, r2 * om / 2, r2 * om / 2, -r2 * om / hk, r2 * om / hk])
        rows.add_blocks(lambda: clarabel.PSDTriangleConeT(3), m * T, 6, r, c, v)
        cost_q[self.blk[:, None] + 3 + np.arange(T)[None, :]] = 0.5
        cost_q[self.blk[:, None] + np.arange(3)[None, :]] = 0.5 * np.column_stack([1 + mid ** 2, 2 * mid * h, h ** 2]) \
            / self.omega[:, None] ** 2
        return rows, cost_q

    # -- solving --------------------------------------------------------------------------------
    def solve(self, tilt=None, bound=None) -> Solution:
        """Optimum of lam·cost (+ ½‖z − y‖² on observed entries when lam > 0; cost alone when
        lam = 0); or, with ``tilt`` (T, n) and ``bound``, min ⟨tilt, z⟩ s.t. cost ≤ bound."""
        import clarabel

        A, b, cones = self.A, self.b, list(self.rows.cones)
        z_flat = self.z_cols.ravel()
        P, q = None, self.cost_q.copy()
        if tilt is not None:
            A = sp.vstack([A, sp.csr_matrix(self.cost_q[None, :])]).tocsc()
            b = np.r_[b, bound]
            cones.append(clarabel.NonnegativeConeT(1))
            q = np.zeros(A.shape[1])
            q[z_flat] = tilt.ravel()
        elif self.lam > 0:
            obs = self.observed.ravel()
            diag = np.zeros(A.shape[1])
            diag[z_flat[obs]] = 1.0
            P = sp.diags(diag).tocsc()
            q = self.lam * q
            q[z_flat[obs]] -= self.Ys.ravel()[obs]
        x, duals = solve_conic(P, q, A, b, cones, tol=TOL)
        lam_dual = np.zeros(self.T * self.n)
        lam_dual[self.pinned] = -duals[self.pin_rows]
        Z = x[self.z_cols]
        if self.bias_penalty:
            A_local = x[self.blk[:, None] + np.arange(3)] / self.omega[:, None] ** 2
            return Solution(Z, x[self.s_cols], A_local, lam_dual.reshape(Z.shape),
                            float(self.cost_q @ x))
        return Solution(Z, None, None, lam_dual.reshape(Z.shape), float(self.cost_q @ x))


def face_probes(face: Program, observed, value=None):
    """Minimise and maximise a random functional of the unobserved values over the optimal face
    relaxed by a relative slack s. Along a curved direction the two solutions move apart like √s (or
    faster), along a flat one (values not determined) by a width that stays as s → 0: so compare the
    spreads at a small and a large slack (ratio e = √(s₂/s₁) if curved, ~1 if flat). Returns the two
    solutions at the small slack if the face is flat, [] if it is curved or the spread is at the noise
    level, None if the solver cannot tell (ratio in between, or no solve converged). ``value``: the
    optimal cost if known."""
    seen = observed.sum(axis=1) >= 2   # a task seen once has a free slope: unbounded, see free_slopes
    free = ~observed & seen[:, None]
    tilt = np.where(free, np.random.default_rng(0).normal(size=observed.shape), 0.0)
    if not tilt.any():
        return []
    try:
        value = face.solve().value if value is None else value
    except SolverError:
        return None

    def probe(slack):
        try:
            pair = [face.solve(tilt=sign * tilt, bound=value * (1 + slack) + 1e-14) for sign in (1.0, -1.0)]
        except SolverError:
            return None
        return pair, np.abs(pair[0].Z - pair[1].Z)[free].max()

    small = next((p + (s,) for s in PROBE_SLACKS[0] if (p := probe(s)) is not None), None)
    if small is None:
        return None
    if small[1] <= MOVE * max(np.abs(face.Ys).max(), 1e-300):
        return []
    large = next((p + (s,) for s in PROBE_SLACKS[1] if (p := probe(s)) is not None), None)
    if large is None:
        return None
    ratio, e = large[1] / small[1], np.sqrt(large[2] / small[2])
    if ratio >= e ** 0.7:
        return []
    if ratio > e ** 0.3:
        return None
    for solution in small[0]:   # the pinned values exactly
        solution.Z[observed] = face.Ys[observed]
    return small[0]


# -- certificate -------------------------------------------------------------------------------
def _cost_scale(u, Y) -> float:
    """A size that no kink of the data exceeds much (max|y| / shortest spacing, × the largest weight):
    the gap is relative to it when the cost itself is ~0."""
    return float(np.abs(Y).max()) / float(np.diff(u).min()) * float(weight(np.abs(u).max()))



def certificate(u, Y, observed, sol, multipliers, lam, *, nodes=None, dual=None) -> dict:
    """Dual check of optimality from a *feasible* dual point (docs/univariate.md §4): η(t) = Σ_i λ_i (u_i − t)₊
    with ρ = max_t ‖η(t)‖/ω(t) (ω ≡ 1 bias free: the larger end of each interval, ‖η‖ being convex;
    √(1+t²) biases penalised: ``multitask_active.interval_gauge``, in closed form); λ/max(1, ρ)
    is feasible, so its dual objective Σ⟨λ_i, y_i⟩/max(1, ρ) (fits: ⟨r, y⟩ − ½‖r‖² for the residuals
    r scaled alike) bounds the optimum from below, and the gap bounds the returned function's
    sub-optimality. λ: the multipliers (lam = 0) or (y − f(u))/lam. ``nodes`` (T, n) and ``dual``
    (interpolation only): η at the inputs and Σ⟨λ_i, y_i⟩ when known more accurately than from λ."""
    from engine.univariate.multitask_active import interval_gauge

    resid = np.where(observed, Y - sol.fitted, 0.0)
    lam_dual = resid / lam if lam > 0 else multipliers   # (a cost linear in y: λ needs no rescaling)
    # η at the inputs from the right, η(u_k) = η(u_{k+1}) + h_k·Σ_{l>k} λ_l: sums of O(1) terms (the
    # moments Σλ_l u_l − u_k Σλ_l cancel badly on short intervals far from 0)
    tail = np.cumsum(lam_dual[:, ::-1], axis=1)[:, ::-1][:, 1:]            # Σ_{l>k} λ_l, k = 0 … n − 2
    if nodes is None or lam > 0:
        nodes = np.concatenate([np.cumsum((np.diff(u) * tail)[:, ::-1], axis=1)[:, ::-1],
                                np.zeros((lam_dual.shape[0], 1))], axis=1)
    if sol.bias_penalty:
        rho = float(interval_gauge(nodes[:, :-1], nodes[:, 1:], u[:-1], u[1:])[0].max(initial=0.0))
    else:
        rho = float(np.linalg.norm(nodes, axis=0).max(initial=0.0))   # ‖η‖ convex: the inputs
    shrink = 1.0 / max(rho, 1.0)
    if lam > 0:   # dual of ½‖f − y‖² + lam·cost: ⟨r, y⟩ − ½‖r‖² with r = lam·λ the residuals
        dual = shrink * float((resid * Y).sum()) - 0.5 * shrink ** 2 * float((resid ** 2).sum())
    else:
        dual = shrink * (float((lam_dual * Y).sum()) if dual is None else dual)
    primal = 0.5 * float((resid ** 2).sum()) + lam * sol.cost if lam > 0 else sol.cost
    return {"max_violation": max(rho - 1.0, 0.0), "dual_objective": dual,
            "duality_gap": abs(primal - dual) / max(abs(primal), abs(dual), 1e-12 * _cost_scale(u, Y), 1e-300),
            "interpolation_residual": float(np.abs(resid).max()) if lam == 0 else 0.0}
