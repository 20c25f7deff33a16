"""A finite shallow ReLU network with a free skip, as numpy arrays (DESIGN.md §2).

    f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c,   σ(z) = max(z, 0),  a_k ∈ ℝᵀ, w_k ∈ ℝᵈ

Training penalty ½Σ_k(‖a_k‖² + ‖w_k‖² [+ b_k²]); by the AM–GM inequality and the positive homogeneity
σ(sz) = sσ(z) (s > 0) its minimum over rescalings of each unit is Σ_k‖a_k‖‖w_k‖ (resp. ‖a_k‖‖(w_k, b_k)‖).
The representation cost of the *function* (Savarese et al. 2019 for d = 1 bias free; Ongie et al. 2020,
‖f‖_R = Σ‖a_k‖‖w_k‖ for d ≥ 1 with distinct hyperplanes; Nakhleh et al. 2024 for T tasks, ℓ2 over tasks;
Boursier & Flammarion 2023, weight √(1+β²) when biases are penalised) needs units on the same hyperplane
merged first: a unit is a‖w‖σ(nᵀx − β) with n = w/‖w‖, β = b/‖w‖, and σ(−z) = σ(z) − z, so units with
(n, β) equal up to sign add up to one coefficient A = Σ a_k‖w_k‖ (the affine rest goes to the skip).
The hyperplane costs ‖A‖ (bias free) or ‖A‖√(1+β²) (biases penalised); units with w = 0 are constants.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.rnorm.finite import merge_hyperplanes
from engine.validation import DataError

HYPERPLANE_RTOL = 1e-12   # two units lie on the same hyperplane when (n, β) agree to this (relative)


@dataclass
class ShallowNet:
    """Weights a (K, T), w (K, d), b (K,), skip v (d, T), c (T,)."""

    a: np.ndarray
    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray

    def __post_init__(self):
        self.b = np.asarray(self.b, float).reshape(-1)
        self.a, self.w = (np.asarray(m, float) for m in (self.a, self.w))
        self.a, self.w = (m.reshape(-1, 1) if m.ndim == 1 else m for m in (self.a, self.w))
        if not len(self.a) == len(self.w) == len(self.b):
            raise DataError("a, w and b must have one row per unit")
        self.v = np.asarray(self.v, float).reshape(self.dim, self.tasks)
        self.c = np.asarray(self.c, float).reshape(self.tasks)

    @property
    def width(self) -> int:
        return len(self.b)

    @property
    def dim(self) -> int:
        return self.w.shape[1]

    @property
    def tasks(self) -> int:
        return self.a.shape[1]

    def __call__(self, X) -> np.ndarray:
        """Values (M, T) at inputs X of shape (M, d), or (M,) when d = 1."""
        X = np.asarray(X, float)
        X = X.reshape(-1, 1) if X.ndim == 1 and self.dim == 1 else X
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise DataError(f"inputs must have shape (M, {self.dim}), got {np.shape(X)}")
        return np.maximum(X @ self.w.T - self.b, 0.0) @ self.a + X @ self.v + self.c

    def weight_norm(self, penalise_bias: bool = False) -> float:
        """½Σ_k(‖a_k‖² + ‖w_k‖² [+ b_k²]): the training penalty without λ."""
        total = (self.a**2).sum() + (self.w**2).sum() + (penalise_bias * (self.b**2).sum())
        return float(0.5 * total)

    def unit_costs(self, penalise_bias: bool = False) -> np.ndarray:
        """‖a_k‖·‖w_k‖, or ‖a_k‖·‖(w_k, b_k)‖ when biases are penalised: (K,)."""
        inner = np.hstack([self.w, self.b[:, None]]) if penalise_bias else self.w
        return np.linalg.norm(self.a, axis=1) * np.linalg.norm(inner, axis=1)

    def hyperplanes(self):
        """Units merged by hyperplane (``engine.rnorm.finite.merge_hyperplanes``): normals (m, d) with
        their first clearly nonzero component positive, offsets (m,), coefficients (m, T); units with
        w = 0 are left out."""
        return merge_hyperplanes(self.w, self.b, self.a, tol=HYPERPLANE_RTOL)

    def representation_cost(self, penalise_bias: bool = False) -> float:
        """Exact representation cost of the function the net computes (merged hyperplanes, see above)."""
        _, beta, coef = self.hyperplanes()
        size = np.linalg.norm(coef, axis=1)
        return float((size * np.hypot(1.0, beta)).sum() if penalise_bias else size.sum())

    def copy(self) -> "ShallowNet":
        return ShallowNet(self.a.copy(), self.w.copy(), self.b.copy(), self.v.copy(), self.c.copy())

    def to_dict(self) -> dict:
        """JSON-ready nested lists."""
        return {name: getattr(self, name).tolist() for name in ("a", "w", "b", "v", "c")}

    @classmethod
    def from_dict(cls, data: dict) -> "ShallowNet":
        return cls(*(np.asarray(data[name], float) for name in ("a", "w", "b", "v", "c")))
