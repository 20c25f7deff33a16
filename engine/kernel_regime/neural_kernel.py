"""The neural kernel of a trained shallow ReLU network, and minimum-norm interpolation with it.

Nakhleh, Shenouda & Nowak (NeurIPS 2024, "A New Neural Kernel Regime: The Inductive Bias of Multi-Task
Learning", §4): a net f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c with a_k ∈ ℝᵀ trained with weight decay
on many tasks learns, for each single task, approximately the minimum-norm interpolant in the RKHS of

    K(x, x') = Σ_k ‖a_k‖ σ(w_kᵀx − b_k) σ(w_kᵀx' − b_k).

Here the neurons are normalised to ‖w_k‖ = 1 (the usual convention of this literature, in which the
cost is Σ_k ‖a_k‖). Why: write a unit as c_k φ_k with φ_k = σ(ŵ_kᵀx − b̂_k), ŵ_k = w_k/‖w_k‖,
b̂_k = b_k/‖w_k‖, c_k = a_k‖w_k‖ ∈ ℝᵀ, so the cost (after rescaling) is Σ_k ‖c_k‖. With the neurons
fixed by the many other tasks, changing task t's weights c_kt changes the cost by
Σ_k (√(s_k² + c_kt²) − s_k) ≈ Σ_k c_kt²/(2 s_k), s_k = ‖c_{k,−t}‖ (Taylor); minimising
Σ_k c_kt²/(2 m_k) subject to Σ_k c_kt φ_k(x_i) + affine = y_i is kernel interpolation with
K = Σ_k m_k φ_k φ_kᵀ, m_k = ‖c_k‖ (task=None, the paper's kernel) or ‖c_{k,−t}‖ (task=t: the kernel
the other tasks impose on task t).

In a net's own parametrisation this kernel is Σ_k (‖a_k‖/‖w_k‖) σ(w_kᵀx − b_k) σ(w_kᵀx' − b_k): it is
invariant under the rescalings a_k → a_k/s, (w_k, b_k) → s(w_k, b_k) that leave f unchanged, and it is
the formula above when ‖w_k‖ = 1. Note that plugging a trained net's raw (w_k, b_k) into Σ‖a_k‖σσ
would be a different kernel: trained units are *balanced*, ‖a_k‖ = ‖w_k‖ (with free biases the
penalty ½(‖a_k‖²/s² + s²‖w_k‖²) is stationary at s = 1 only then), where the weights above are all 1
(task=None): the kernel of ridge regression ½Σ_k a_kt² on the trained features, which is what fixing
(w_k, b_k) in the training cost gives for one task. Units with w_k = 0
are constants, absorbed by the affine part: weight 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import ShallowNet
from engine.validation import DataError, at_most, memory


def neural_kernel(net, task: int | None = None):
    """K(X1, X2) → Gram matrix (M1, M2) of the neural kernel of ``net`` (see the module docstring).

    K(x, x') = Σ_k (‖a_k‖/‖w_k‖) σ(w_kᵀx − b_k) σ(w_kᵀx' − b_k), ‖a_k‖ over all tasks (task=None) or
    over all tasks but ``task`` (task=t); for unit-norm neurons ‖w_k‖ = 1 this is the paper's
    Σ_k ‖a_k‖ σ(·)σ(·). The returned callable also carries ``weights`` (the per-unit factors).
    """
    net = ShallowNet.of(net)
    a, w, b = net.a, net.w, net.b
    if task is not None:
        if not 0 <= int(task) < a.shape[1] or a.shape[1] < 2:
            raise DataError(f"task must index one of T ≥ 2 tasks, got task={task} with T={a.shape[1]}")
        a = np.delete(a, int(task), axis=1)
    wn = np.linalg.norm(w, axis=1)
    weights = np.divide(np.linalg.norm(a, axis=1), wn, out=np.zeros_like(wn), where=wn > 0)

    def K(X1, X2) -> np.ndarray:
        F1, F2 = (np.maximum(np.asarray(Z, float).reshape(-1, w.shape[1]) @ w.T - b, 0.0) for Z in (X1, X2))
        return (F1 * weights) @ F2.T

    K.weights = weights
    return K


@dataclass(frozen=True)
class KernelFit:
    """f(x) = Σ_i alpha_i K(x, x_i) + beta_0 + beta[1:]ᵀx at ``X_eval``: ``values`` (M,), ``alpha``
    (N,), ``beta`` (d+1,) (zeros if affine=False), ``norm`` = √(αᵀGα) (the RKHS norm of the kernel
    part), ``residual`` = max_i |f(x_i) − y_i| (0 up to rounding when the data can be interpolated)."""

    values: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    norm: float
    residual: float


MAX_KERNEL_POINTS = 5000


def kernel_interpolate(K, X, y, X_eval, affine: bool = True, rcond: float = 1e-12) -> KernelFit:
    """Minimum-norm interpolant of (X, y) in the RKHS of K, plus a free affine part if ``affine``.

    Solves [[G, P], [Pᵀ, 0]] [α; β] = [y; 0] with G = K(X, X), P = [1, X] (affine) — the optimality
    system of min ‖h‖_K² s.t. h(x_i) + p(x_i) = y_i, p affine — or Gα = y (affine=False), by a
    least-squares solve (scipy.linalg.lstsq, singular values below rcond·max cut off). A singular G
    (fewer active units than points, e.g. one unit: rank 1) is fine: if y lies in range(G) + range(P)
    the solution interpolates, otherwise it is the least-squares fit; ``residual`` tells which.
    """
    import scipy.linalg as sla

    X = np.asarray(X, float)
    X = X.reshape(len(X), -1)
    y = np.asarray(y, float).reshape(-1)
    if len(y) != len(X):
        raise DataError(f"X has {len(X)} points but y has {len(y)} values")
    n, d = X.shape
    Xe = np.asarray(X_eval, float).reshape(-1, d)
    at_most(n, MAX_KERNEL_POINTS, "kernel interpolation: data points (the least-squares solve is O(N³))")
    units = len(getattr(K, "weights", ()))
    memory(8.0 * (len(Xe) + n) * max(units, n) + 8.0 * (n + d + 1) ** 2 * 3,
           f"kernel interpolation at {len(Xe):,} points with {units:,} units")
    G = K(X, X)
    P = np.column_stack([np.ones(n), X]) if affine else np.zeros((n, 0))
    A = np.block([[G, P], [P.T, np.zeros((P.shape[1], P.shape[1]))]])
    sol = sla.lstsq(A, np.r_[y, np.zeros(P.shape[1])], cond=rcond)[0]
    alpha, beta = sol[:n], np.zeros(d + 1)
    beta[:P.shape[1]] = sol[n:]
    values = K(Xe, X) @ alpha + beta[0] + Xe @ beta[1:]
    residual = float(np.max(np.abs(G @ alpha + beta[0] + X @ beta[1:] - y)))
    return KernelFit(values, alpha, beta, float(np.sqrt(max(alpha @ G @ alpha, 0.0))), residual)


def function_distance(f_values, g_values) -> float:
    """Relative RMS distance √(mean (f − g)²) / √(mean f²) of two functions sampled on the same grid
    (0 for identical values; inf if f ≡ 0 and g ≢ 0, 0 if both vanish)."""
    f, g = np.asarray(f_values, float).ravel(), np.asarray(g_values, float).ravel()
    if f.shape != g.shape:
        raise DataError(f"the value arrays differ in size: {f.size} and {g.size}")
    num, den = np.sqrt(np.mean((f - g) ** 2)), np.sqrt(np.mean(f**2))
    return float(num / den) if den > 0 else (0.0 if num == 0 else float("inf"))
