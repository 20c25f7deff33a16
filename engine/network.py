"""The finite shallow ReLU network with a free skip, and its geometry (docs/design.md §2).

    f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c,   σ(z) = max(z, 0),  a_k ∈ ℝᵀ, w_k ∈ ℝᵈ

This is the ground floor of the engine: ``train`` produces such nets, ``rnorm`` measures them,
``kernel_regime`` builds kernels from them and solves for them, ``compress`` shares their neurons; this
module imports none of them.

Training penalty ½Σ_k(‖a_k‖² + ‖w_k‖² [+ b_k²]); by the AM–GM inequality and the positive homogeneity
σ(sz) = sσ(z) (s > 0) its minimum over rescalings of each unit is Σ_k‖a_k‖‖w_k‖ (resp. ‖a_k‖‖(w_k, b_k)‖).
The representation cost of the *function* (Savarese et al. 2019 for d = 1 bias free; Ongie et al. 2020,
‖f‖_R = Σ‖a_k‖‖w_k‖ for d ≥ 1 with distinct hyperplanes; Nakhleh et al. 2024 for T tasks, ℓ2 over tasks;
Boursier & Flammarion 2023, weight √(1+β²) when biases are penalised) needs units on the same hyperplane
merged first: a unit is a‖w‖σ(nᵀx − β) with n = w/‖w‖, β = b/‖w‖ (its *canonical unit*), and
σ(−z) = σ(z) − z, so units with (n, β) equal up to sign add up to one coefficient A = Σ ±a_k‖w_k‖ (the
affine rest goes to the skip). The hyperplane costs ‖A‖ (bias free) or ‖A‖√(1+β²) (biases penalised);
units with w = 0 are constants.

References
----------
Savarese, Evron, Soudry & Srebro, "How do infinite width bounded norm networks look in function space?",
COLT 2019. Ongie, Willett, Soudry & Srebro, "A function space view of bounded norm infinite width ReLU
nets: the multivariate case", ICLR 2020. Boursier & Flammarion, "Penalising the biases in norm
regularisation enforces sparsity", NeurIPS 2023. Nakhleh, Shenouda & Nowak, "A new neural kernel regime:
the inductive bias of multi-task learning", NeurIPS 2024.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.validation import DataError

__all__ = ["ShallowNet", "canonical_units", "merge_hyperplanes", "row_norms", "HYPERPLANE_RTOL"]

HYPERPLANE_RTOL = 1e-12
"""Two units lie on the same hyperplane when their canonical (n, β) agree to this (relative)."""

FIELDS = ("a", "w", "b", "v", "c")


@dataclass(frozen=True, eq=False)
class ShallowNet:
    """f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c as float arrays (the fields are never rebound).

    Parameters
    ----------
    a : array_like, shape (K, T) or (K,)
        Output weights (one row per unit; (K,) means T = 1).
    w : array_like, shape (K, d) or (K,)
        Input weights ((K,) means d = 1).
    b : array_like, shape (K,)
        Offsets: unit k is active where w_kᵀx > b_k.
    v : array_like, shape (d, T)
        Linear part of the free skip connection.
    c : array_like, shape (T,)
        Constant part of the skip.

    Raises
    ------
    DataError
        When the shapes do not fit together.
    """

    a: np.ndarray
    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray

    def __post_init__(self):
        a, w = (np.asarray(m, float) for m in (self.a, self.w))
        a, w = (m.reshape(-1, 1) if m.ndim == 1 else m for m in (a, w))
        b = np.asarray(self.b, float).reshape(-1)
        v, c = np.asarray(self.v, float), np.asarray(self.c, float)
        if a.ndim != 2 or w.ndim != 2 or not len(a) == len(w) == len(b):
            raise DataError(f"a, w and b must have one row per unit; got a {a.shape}, w {w.shape}, b {b.shape}")
        if v.size != w.shape[1] * a.shape[1] or c.size != a.shape[1]:
            raise DataError(f"inconsistent network shapes: a {a.shape}, w {w.shape}, v {v.shape}, c {c.shape} "
                            f"(v must be ({w.shape[1]}, {a.shape[1]}), c ({a.shape[1]},))")
        for name, value in zip(FIELDS, (a, w, b, v.reshape(w.shape[1], a.shape[1]), c.reshape(a.shape[1]))):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, net) -> "ShallowNet":
        """The net itself, or a ``ShallowNet`` of any object with attributes a, w, b, v, c.

        Parameters
        ----------
        net : ShallowNet or object
            Anything with the five weight attributes (duck typing, e.g. a ``SimpleNamespace``).

        Returns
        -------
        ShallowNet
        """
        return net if isinstance(net, cls) else cls(*(getattr(net, name) for name in FIELDS))

    @property
    def width(self) -> int:
        """Number of units K."""
        return len(self.b)

    @property
    def dim(self) -> int:
        """Input dimension d."""
        return self.w.shape[1]

    @property
    def tasks(self) -> int:
        """Number of outputs T."""
        return self.a.shape[1]

    def __call__(self, X) -> np.ndarray:
        """Values f(X).

        Parameters
        ----------
        X : array_like, shape (M, d), or (M,) when d = 1

        Returns
        -------
        ndarray, shape (M, T)
            σ(X wᵀ − b) a + X v + c.
        """
        X = np.asarray(X, float)
        X = X.reshape(-1, 1) if X.ndim == 1 and self.dim == 1 else X
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise DataError(f"inputs must have shape (M, {self.dim}), got {np.shape(X)}")
        return np.maximum(X @ self.w.T - self.b, 0.0) @ self.a + X @ self.v + self.c

    def weight_norm(self, *, bias_penalty: bool = False) -> float:
        """½Σ_k(‖a_k‖² + ‖w_k‖² [+ b_k²]): the training penalty without λ (b_k² when ``bias_penalty``)."""
        total = (self.a**2).sum() + (self.w**2).sum() + (bias_penalty * (self.b**2).sum())
        return float(0.5 * total)

    def unit_costs(self, *, bias_penalty: bool = False) -> np.ndarray:
        """‖a_k‖·‖w_k‖, or ‖a_k‖·‖(w_k, b_k)‖ when biases are penalised: shape (K,), unmerged."""
        inner = np.hstack([self.w, self.b[:, None]]) if bias_penalty else self.w
        return np.linalg.norm(self.a, axis=1) * np.linalg.norm(inner, axis=1)

    @property
    def cost(self) -> float:
        """Σ_k ‖a_k‖‖w_k‖: the minimum of ½Σ_k(‖a_k‖² + ‖w_k‖²) over rescalings of the units (unmerged,
        so ≥ ``representation_cost()``, with equality when no two units share a hyperplane)."""
        return float(self.unit_costs().sum())

    def canonical_units(self, *, tol: float = HYPERPLANE_RTOL):
        """``canonical_units`` of this net's units: (n, β, A, sign, keep)."""
        return canonical_units(self.w, self.b, self.a, tol=tol)

    def hyperplanes(self):
        """Units merged by hyperplane (``merge_hyperplanes``): normals (m, d) with their first clearly
        nonzero component positive, offsets (m,), coefficients (m, T); units with w = 0 are left out."""
        return merge_hyperplanes(self.w, self.b, self.a, tol=HYPERPLANE_RTOL)

    def representation_cost(self, *, bias_penalty: bool = False) -> float:
        """Exact representation cost of the function the net computes: Σ‖A‖ (bias free) or
        Σ‖A‖√(1+β²) (biases penalised) over merged hyperplanes (module docstring)."""
        _, beta, coef = self.hyperplanes()
        size = np.linalg.norm(coef, axis=1)
        return float((size * np.hypot(1.0, beta)).sum() if bias_penalty else size.sum())

    def copy(self) -> "ShallowNet":
        """A net with copies of the arrays."""
        return ShallowNet(*(getattr(self, name).copy() for name in FIELDS))

    def to_dict(self) -> dict:
        """JSON-ready nested lists {"a", "w", "b", "v", "c"}."""
        return {name: getattr(self, name).tolist() for name in FIELDS}

    @classmethod
    def from_dict(cls, data: dict) -> "ShallowNet":
        """Inverse of ``to_dict``."""
        return cls(*(np.asarray(data[name], float) for name in FIELDS))


def row_norms(m) -> np.ndarray:
    """Euclidean norm of each row, scaled by the row's largest entry so that no square overflows.

    Parameters
    ----------
    m : array_like, shape (K, ...)

    Returns
    -------
    ndarray, shape (K,)
    """
    m = np.asarray(m, dtype=float)
    m = m.reshape(len(m), -1) if m.ndim != 2 else m
    top = np.abs(m).max(axis=1, initial=0.0)
    safe = np.where(top > 0, top, 1.0)
    return top * np.sqrt(((m / safe[:, None]) ** 2).sum(axis=1))


def canonical_units(w, b, a, *, tol: float = HYPERPLANE_RTOL):
    """Each unit of f(x) = Σ a_k σ(w_kᵀx − b_k) as A σ(nᵀx − β) up to an affine term.

    n = ±w/‖w‖ in canonical orientation (first coordinate with |n_i| > tol positive), β = ±b/‖w‖,
    A = a‖w‖. A flipped unit equals Aσ(nᵀx − β) − A(nᵀx − β) (σ(−z) = σ(z) − z; a is unchanged).

    Parameters
    ----------
    w : ndarray, shape (K, d)
    b : ndarray, shape (K,)
    a : ndarray, shape (K,) or (K, T)
    tol : float, optional
        Components of n below this count as zero when choosing the orientation.

    Returns
    -------
    n : ndarray, shape (m, d)
        Unit normals of the units with w ≠ 0.
    beta : ndarray, shape (m,)
    A : ndarray, shape (m, T)
    sign : ndarray, shape (m,)
        −1 for flipped units, +1 otherwise.
    keep : ndarray of bool, shape (K,)
        The units with w ≠ 0 (the others are constants a σ(−b), left out of n, β, A).
    """
    K, d = w.shape
    A = a.reshape(K, -1)
    nrm = row_norms(w)
    keep = nrm > 0
    W = w[keep] / nrm[keep, None]
    B = b[keep] / nrm[keep]
    A = A[keep] * nrm[keep, None]
    first = np.argmax(np.abs(W) > tol, axis=1) if len(W) else np.zeros(0, int)
    sgn = np.where(W[np.arange(len(W)), first] < 0, -1.0, 1.0)
    return W * sgn[:, None], B * sgn, A, sgn, keep


def merge_hyperplanes(w, b, a, *, tol: float = HYPERPLANE_RTOL):
    """Units of f(x) = Σ a_k σ(w_kᵀx − b_k) merged by hyperplane, vectorised.

    Each unit is normalised and oriented by ``canonical_units``; after a lexicographic sort, neighbours
    whose (n, β) agree to ``tol`` relative (to max(1, |·|)) are summed. Units with w = 0 are left out.

    Parameters
    ----------
    w : ndarray, shape (K, d)
    b : ndarray, shape (K,)
    a : ndarray, shape (K,) or (K, T)
    tol : float, optional

    Returns
    -------
    normals : ndarray, shape (m, d)
        Unit normals in canonical orientation.
    offsets : ndarray, shape (m,)
    weights : ndarray, shape (m, T)
        Summed A of each hyperplane.
    """
    d = w.shape[1]
    W, B, A, _, _ = canonical_units(w, b, a, tol=tol)
    if not len(W):
        return np.zeros((0, d)), np.zeros(0), np.zeros((0, A.shape[1]))
    keys = np.c_[W, B]
    order = np.lexsort(keys.T[::-1])
    keys, A = keys[order], A[order]
    gaps = np.abs(np.diff(keys, axis=0)) > tol * np.maximum(1.0, np.abs(keys[:-1]))
    starts = np.r_[0, 1 + np.flatnonzero(gaps.any(axis=1))]
    return keys[starts, :d], keys[starts, d], np.add.reduceat(A, starts, axis=0)
