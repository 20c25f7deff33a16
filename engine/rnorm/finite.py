"""Exact R-norm of a finite shallow ReLU network (docs/design.md §2, Ongie et al., ICLR 2020).

For f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c, the measure γ_d R{(−Δ)^{(d+1)/2} f} on S^{d−1} × ℝ is a
sum of atoms a_k‖w_k‖ at (w_k/‖w_k‖, b_k/‖w_k‖) (σ is positively homogeneous), and ‖f‖_R is the total
variation of that measure *after* atoms on the same hyperplane are merged.  Since
σ(z) − σ(−z) = z, a unit (w, b, a) equals (−w, −b, a) up to an affine term (note: a keeps its sign) (which costs 0 with the free
skip connection), so each hyperplane is brought to a canonical orientation (first nonzero coordinate of
the unit normal positive) before merging (``engine.network.merge_hyperplanes``).  Units with w = 0 are
constants and cost 0.
For T tasks (a_k ∈ ℝᵀ) the cost of a merged atom is its Euclidean norm ‖Σ a‖₂.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import HYPERPLANE_RTOL as _TOL, merge_hyperplanes, row_norms
from engine.validation import DataError

__all__ = ["network_rnorm", "network_measure", "Measure"]


@dataclass(frozen=True)
class Measure:
    """Merged atoms of the Radon-domain measure of a finite net.

    ``w`` (M, d): unit normals in canonical orientation; ``b`` (M,): offsets (hyperplane wᵀx = b);
    ``a`` (M,) or (M, T): merged weights; ``mass`` (M,): ‖a‖ (the atom's contribution to ‖f‖_R);
    ``theta`` (M,) for d = 2 only: angle of w in [0, 2π) — with the canonical orientation used here
    (first nonzero coordinate positive) θ ∈ [−π/2, π/2) mod 2π, i.e. θ ∈ [0, π/2) ∪ [3π/2, 2π);
    each atom also stands for its mirror (θ + π, −b, a), which represents the same function modulo an
    affine term — plot one of the two (the measure is defined modulo that symmetry).
    """

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    mass: np.ndarray
    theta: np.ndarray | None

    @property
    def total(self) -> float:
        return float(self.mass.sum())


def _validate(w, b, a):
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    a = np.asarray(a, dtype=float)
    if w.ndim != 2:
        raise DataError(f"w must have shape (K, d); got shape {w.shape}")
    K = w.shape[0]
    if b.shape != (K,):
        raise DataError(f"b must have shape ({K},) to match w {w.shape}; got {b.shape}")
    if a.ndim not in (1, 2) or a.shape[0] != K:
        raise DataError(f"a must have shape ({K},) or ({K}, T) to match w {w.shape}; got {a.shape}")
    for name, arr in (("w", w), ("b", b), ("a", a)):
        if not np.all(np.isfinite(arr)):
            raise DataError(f"{name} contains non-finite values (nan, inf, or beyond ±1.8e308)")
    # The atoms are a_k‖w_k‖ at offset b_k/‖w_k‖ (and their sums): refuse weights whose atoms leave
    # double precision instead of letting inf/inf = nan drop them silently (‖w‖ computed without
    # squaring, so ‖(1e308, 1e308)‖ is representable).
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        nrm = row_norms(w)
        mass = np.abs(a.reshape(K, -1)).max(axis=1, initial=0.0) * nrm * max(1, a.size // max(K, 1)) * max(K, 1)
        offset = np.where(nrm > 0, np.abs(b) / np.where(nrm > 0, nrm, 1.0), 0.0)
    if not (np.isfinite(nrm).all() and np.isfinite(mass).all() and np.isfinite(offset).all()):
        raise DataError("the network's weights are too large: a_k·‖w_k‖ or b_k/‖w_k‖ (or their sum) exceeds "
                        "double precision; rescale the network")
    return w, b, a


def network_measure(w, b, a, *, tol: float = _TOL) -> Measure:
    """Merged atoms (unit normal, offset, weight) of f(x) = Σ a_k σ(w_kᵀx − b_k) (``merge_hyperplanes``).

    Parameters
    ----------
    w : array_like, shape (K, d)
    b : array_like, shape (K,)
    a : array_like, shape (K,) or (K, T)
    tol : float, optional
        Atoms with ‖a‖ ≤ tol·max‖a‖ are dropped.

    Returns
    -------
    Measure
        Its ``total`` is ``network_rnorm``.

    References
    ----------
    Ongie et al., ICLR 2020.
    """
    w, b, a = _validate(w, b, a)
    Wm, Bm, Am = merge_hyperplanes(w, b, a, tol=tol)
    mass = row_norms(Am)
    big = mass > tol * max(1.0, float(mass.max(initial=0.0)))
    Wm, Bm, Am, mass = Wm[big], Bm[big], Am[big], mass[big]
    theta = np.mod(np.arctan2(Wm[:, 1], Wm[:, 0]), 2 * np.pi) if w.shape[1] == 2 else None
    return Measure(Wm, Bm, Am if a.ndim == 2 else Am[:, 0], mass, theta)


def network_rnorm(w, b, a, *, tol: float = _TOL) -> float:
    """Exact ‖f‖_R for f(x) = Σ_k a_k σ(w_kᵀx − b_k) (+ any affine part, cost 0).

    ‖f‖_R = Σ_groups ‖Σ_{k∈group} ±a_k‖w_k‖‖₂ over hyperplanes {x: wᵀx = b} (both orientations
    merged, see module docstring).  Examples (docs/design.md §5): a·σ(wᵀx − b) → |a|‖w‖;
    |wᵀx| = σ(wᵀx) + σ(−wᵀx) → 2‖w‖; wᵀx = σ(wᵀx) − σ(−wᵀx) → 0.

    Parameters
    ----------
    w : array_like, shape (K, d)
    b : array_like, shape (K,)
    a : array_like, shape (K,) or (K, T)
    tol : float, optional
        Relative tolerance for two units to share a hyperplane, and for an atom to count as zero.

    Returns
    -------
    float

    Raises
    ------
    DataError
        Shapes that do not fit, non-finite weights, or atoms beyond double precision.

    References
    ----------
    Ongie, Willett, Soudry & Srebro, ICLR 2020; docs/design.md §2.
    """
    return network_measure(w, b, a, tol=tol).total
