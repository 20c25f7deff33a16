"""Bias-free regularised fit: minimise ½Σ_i‖f(x_i) − y_i‖² + lam·Σ_k‖J_k‖.

For fixed values z_i = f(x_i) the cheapest f is connect-the-dots of z (bias free, docs/design.md §2), with
cost Σ_i‖δ_i(z)‖, where δ_i(z) = (z_{i+1} − z_i)/h_i − (z_i − z_{i−1})/h_{i−1} is linear in z. So the fit
is the convex program min_z ½‖z − y‖² + lam Σ_i ‖δ_i(z)‖ (for one task: trend filtering of order
one on unequal spacing; for T tasks a group lasso on slope changes), solved exactly by Clarabel.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from engine.univariate.bias_free import solve_bias_free
from engine.univariate.certificate import fit_certificate
from engine.univariate.conic import soc_cones, solve_conic
from engine.univariate.interpolant import Interpolant


def fit_bias_free(x, Y, lam) -> Interpolant:
    """The bias-free regularised fit of T tasks with its true certificate (``certificate``)."""
    sol = replace(solve_bias_free(x, fit_values(x, Y, lam)), lam=lam)
    return replace(sol, certificate=fit_certificate(x, Y, sol, lam, False, sol.cost))


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
    P = sp.diags(np.r_[np.ones(T * n), np.zeros(m)])   # ½‖z − y‖² + lam Σ t
    q = np.r_[-(Y / scale).ravel(), np.full(m, lam_s)]
    u, _ = solve_conic(P, q, A, np.zeros(A.shape[0]), soc_cones(m, T + 1))
    Z = u[:T * n].reshape(T, n)
    norms = np.linalg.norm(D @ Z.T, axis=1)
    data_kinks = np.linalg.norm(D @ (Y / scale).T, axis=1)   # noise is relative to the data, not to itself
    flat_rows = norms <= 1e-7 * max(data_kinks.max(), 1e-300)
    flat = sp.csr_matrix(D[flat_rows])
    candidates = [Z]   # the interior-point values, made exact below where that holds
    if T == 1:   # exact: primal-dual active set on the dual box QP, warm-started from the signs of Dz
        exact = _active_set(D, Y[0] / scale, lam_s, np.where(flat_rows, 0.0, np.sign(D @ Z[0])))
        if exact is not None:
            candidates.append(exact[None, :])
    if flat.shape[0]:   # kinks at the solver's noise level are zeros of the fit: project onto δ_i(z) = 0
        candidates.append(Z - (flat.T @ spla.spsolve((flat @ flat.T).tocsc(), flat @ Z.T)
                               .reshape(flat.shape[0], T)).T)

    def objective(V):
        return 0.5 * float(((V - Y / scale) ** 2).sum()) + lam_s * float(np.linalg.norm(D @ V.T, axis=1).sum())

    best = min(candidates, key=objective)
    return best * scale


def _active_set(D, y, lam, signs, max_iter: int = 40):
    """One task, exactly (docs/univariate.md §5): the dual of min ½‖z − y‖² + lam‖Dz‖₁ is the box QP
    min ½‖y − Dᵀu‖², |u| ≤ lam,
    with z = y − Dᵀu (Q = DDᵀ pentadiagonal). Primal-dual active set (Hintermüller, Ito & Kunisch 2002):
    u = ±lam on the kinks of the current sign pattern, Q_II u_I = (Dy − Q_{IA}u_A)_I on the rest, then
    the pattern {u_i − (Qu − Dy)_i/Q_ii ≷ ±lam}, until it repeats (finite on a fixed pattern: each
    step is one banded solve). Returns the best z met, or None if no pattern was solvable."""
    Q = (D @ D.T).tocsc()
    r = D @ y
    qd = Q.diagonal()
    best, best_val, seen = None, np.inf, set()
    for _ in range(max_iter):
        key = signs.tobytes()
        if key in seen:
            break
        seen.add(key)
        u = lam * signs
        inactive = np.flatnonzero(signs == 0)
        if len(inactive):
            QI = Q[inactive][:, inactive].tocsc()
            rhs = r[inactive] - Q[inactive] @ u
            try:
                u[inactive] = spla.spsolve(QI, rhs)
            except RuntimeError:
                return best
        z = y - D.T @ u
        val = 0.5 * float(((z - y) ** 2).sum()) + lam * float(np.abs(D @ z).sum())
        if val < best_val:
            best, best_val = z, val
        trial = u - (Q @ u - r) / qd
        signs = np.where(trial > lam, 1.0, np.where(trial < -lam, -1.0, 0.0))
    return best


def affine_lambda(x, Y, *, bias_penalty: bool, observed=None) -> float:
    """Smallest lam at which the regularised fit is the least-squares affine function.

    With r the least-squares residuals, the affine fit is optimal iff η(t) = Σ_i r_i (x_i − t)₊ / lam
    lies in the dual ball: ‖η(t)‖ ≤ ω(t) for all t (ω ≡ 1 bias free, √(1+t²) biases penalised). η is
    linear between data points (a_k + b_k t), so ‖η‖² is quadratic there and the maximum of ‖η‖/ω is at
    an end of an interval or, with penalised biases, where (A₀ + A₁t + A₂t²)/(1 + t²) is stationary:
    −A₁t² + 2(A₂ − A₀)t + A₁ = 0 (A₀ = ‖a‖², A₁ = 2⟨a, b⟩, A₂ = ‖b‖²; for one task, t = b/a).
    ``observed`` (T, N): task τ is fitted only where observed[τ] (r = 0 elsewhere).
    """
    affine = affine_fit(x, Y, observed)
    R = Y - (affine[:, :1] + affine[:, 1:] * x)
    if observed is not None:
        R = np.where(observed, R, 0.0)
    a = np.cumsum((R * x)[:, ::-1], axis=1)[:, ::-1][:, 1:]     # η = a_k + b_k t on [x_k, x_{k+1}]
    b = -np.cumsum(R[:, ::-1], axis=1)[:, ::-1][:, 1:]
    ends = [x[:-1], x[1:]]
    if bias_penalty:
        A0, A1, A2 = (a * a).sum(0), 2 * (a * b).sum(0), (b * b).sum(0)
        disc = np.sqrt((A2 - A0) ** 2 + A1 ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            for sign in (1.0, -1.0):
                root = np.where(A1 != 0, ((A2 - A0) + sign * disc) / A1, x[:-1])
                ends.append(np.clip(np.nan_to_num(root, nan=0.0), x[:-1], x[1:]))
    omega = (lambda t: np.hypot(1.0, t)) if bias_penalty else (lambda t: np.ones_like(t))
    return float(max(np.max(np.linalg.norm(a + b * t, axis=0) / omega(t)) for t in ends))


def affine_fit(x, Y, observed=None):
    """The least-squares affine function of each task: (T, 2) rows (c, v). With ``observed`` (T, N)
    each task is fitted at its own points; a task seen at one point gets the constant through it."""
    basis = np.column_stack([np.ones_like(x), x])
    if observed is None:
        coef, *_ = np.linalg.lstsq(basis, Y.T, rcond=None)
        return coef.T
    out = np.zeros((Y.shape[0], 2))
    for task, seen in enumerate(observed):
        if seen.sum() == 1:
            out[task, 0] = Y[task, seen][0]
        else:
            out[task] = np.linalg.lstsq(basis[seen], Y[task, seen], rcond=None)[0]
    return out
