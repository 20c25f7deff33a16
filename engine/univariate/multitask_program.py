r"""The conic programs behind ``multitask`` (see its docstring for the mathematics).

Variables, per task τ and input u_i: values z_τi (and, biases penalised, slopes σ_τi), plus one cone
per interior input (bias free: (t_i, δ_i(z)) ∈ SOC, δ_i the slope change) or per interval (biases
penalised: a PSD block of size T + 2). Observed values are pinned (z = y) or, when fitting, priced by
½(z − y)². ``solve(tilt=...)`` instead minimises a linear functional of z over the optimal face
(cost ≤ bound): two such solves tell whether the unobserved values are determined.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.univariate.conic import ConicRows, psd_positions, solve_conic
from engine.univariate.regularised import second_differences


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
        for i in range(m):   # (t_i, δ_i(z_1), …, δ_i(z_T)) ∈ SOC
            sel = D.row == i
            entries = [(0, T * n + i, 1.0)] + [(1 + k, k * n + D.col[sel], D.data[sel]) for k in range(T)]
            rows.add(clarabel.SecondOrderConeT(T + 1), T + 1, entries)
        return rows, np.r_[np.zeros(T * n), np.ones(m)]

    def _penalised(self):
        """Blocks in the local coordinate s = (t − mid)/h ∈ [−½, ½] of each interval (conditioning:
        short intervals make (1, a), (1, b) nearly parallel): rows J = σ_{k+1} − σ_k and
        P' = (P − mid·J)/h = (σ_k + σ_{k+1})/2 − (z_{k+1} − z_k)/h; tr A = ⟨W, A'⟩ with
        W = [[1 + mid², mid·h], [mid·h, h²]]; A' completely positive on cone{(1, ±½)} ⟺ A' ⪰ 0 and
        A'₁₁/4 − A'₂₂ ≥ 0 (∝ Z₁₂ of A' = BZBᵀ)."""
        import clarabel

        T, n, u = self.T, self.n, self.u
        m, nc = n - 1, T * (T + 1) // 2
        self.s_cols = np.arange(T * n).reshape(T, n)
        self.z_cols = T * n + np.arange(T * n).reshape(T, n)
        self.blk = 2 * T * n + np.arange(m) * (3 + nc)     # A'₁₁, A'₁₂, A'₂₂, svec(C) per interval
        rows = ConicRows(2 * T * n + m * (3 + nc))
        self._data(rows, self.z_cols)
        rows.add(clarabel.NonnegativeConeT(m), m, [(np.arange(m), self.blk, 0.25), (np.arange(m), self.blk + 2, -1.0)])
        pos = psd_positions(T + 2)
        c_entries = [(pos[(2 + i, 2 + j)], c) for c, (i, j) in enumerate((i, j) for j in range(T) for i in range(j + 1))]
        cost_q = np.zeros(rows.n)
        mid, h = (u[:-1] + u[1:]) / 2, np.diff(u)
        sc, zc = self.s_cols, self.z_cols
        tasks = np.arange(T)
        jrow = np.array([pos[(0, 2 + k)][0] for k in tasks])
        prow = np.array([pos[(1, 2 + k)][0] for k in tasks])
        r2 = np.sqrt(2)
        for k in range(m):
            b0 = self.blk[k]
            e = [(pos[(0, 0)][0], b0, 1.0), (pos[(0, 1)][0], b0 + 1, r2), (pos[(1, 1)][0], b0 + 2, 1.0),
                 (jrow, sc[:, k + 1], r2), (jrow, sc[:, k], -r2),
                 (prow, sc[:, k], r2 / 2), (prow, sc[:, k + 1], r2 / 2),
                 (prow, zc[:, k + 1], -r2 / h[k]), (prow, zc[:, k], r2 / h[k])]
            e += [(idx, b0 + 3 + c, s) for (idx, s), c in c_entries]
            cost_q[[b0 + 3 + c for (idx, s), c in c_entries if s == 1.0]] = 0.5
            cost_q[b0:b0 + 3] = 0.5 * np.array([1 + mid[k] ** 2, 2 * mid[k] * h[k], h[k] ** 2])
            rows.add(clarabel.PSDTriangleConeT(T + 2), len(pos), e)
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
        x, duals = solve_conic(P, q, A, b, cones, tol=1e-10)
        lam_dual = np.zeros(self.T * self.n)
        lam_dual[self.pinned] = -duals[self.pin_rows]
        Z = x[self.z_cols]
        if self.bias_penalty:
            return Solution(Z, x[self.s_cols], x[self.blk[:, None] + np.arange(3)], lam_dual.reshape(Z.shape),
                            float(self.cost_q @ x))
        return Solution(Z, None, None, lam_dual.reshape(Z.shape), float(self.cost_q @ x))
