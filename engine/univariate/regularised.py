"""Bias-free regularised fit: minimise ½Σ_i‖f(x_i) − y_i‖² + lam·Σ_k‖J_k‖.

For fixed values z_i = f(x_i) the cheapest f is connect-the-dots of z (bias free, DESIGN.md §2), with
cost Σ_i‖δ_i(z)‖, where δ_i(z) = (z_{i+1} − z_i)/h_i − (z_i − z_{i−1})/h_{i−1} is linear in z. So the fit
is the convex program min_z (1/2lam)‖z − y‖² + Σ_i ‖δ_i(z)‖ (for one task: trend filtering of order
one on unequal spacing; for T tasks a group lasso on slope changes), solved exactly by Clarabel.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from engine.univariate.conic import soc_cones, solve_conic


def second_differences(x):
    """Sparse (N−2, N) matrix D with (Dz)_i = slope change of the linear interpolant at x_{i+1}."""
    h = np.diff(x)
    m = len(x) - 2
    return sp.diags([1 / h[:-1], -1 / h[:-1] - 1 / h[1:], 1 / h[1:]], [0, 1, 2], shape=(m, len(x)))


def fit_values(x, Y, lam):
    """Fitted values Z (T, N) of the bias-free regularised problem."""
    T, n = Y.shape
    if n < 3:
        return Y.copy()
    scale = float(np.abs(Y).max()) or 1.0
    lam_s = lam / scale
    D = second_differences(x).tocsr()
    m = D.shape[0]
    # Variables u = [vec(Z) task-major (T·N), t (m)]; cones (t_i, δ_i(z_1), …, δ_i(z_T)).
    rows = []
    for i in range(m):
        row_t = sp.csr_matrix(([-1.0], ([0], [T * n + i])), shape=(1, T * n + m))
        d = D[i]
        blocks = [sp.hstack([sp.csr_matrix((1, task * n)), -d, sp.csr_matrix((1, (T - 1 - task) * n + m))])
                  for task in range(T)]
        rows += [row_t] + blocks
    A = sp.vstack(rows).tocsc()
    P = sp.diags(np.r_[np.full(T * n, 1 / lam_s), np.zeros(m)])
    q = np.r_[-(Y / scale).ravel() / lam_s, np.ones(m)]
    u, _ = solve_conic(P, q, A, np.zeros(A.shape[0]), soc_cones(m, T + 1))
    return u[:T * n].reshape(T, n) * scale
