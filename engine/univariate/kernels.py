"""Minimum-norm interpolation in reproducing-kernel Hilbert spaces on ℝ: the kernel baselines that a
min-norm ReLU network is compared with (docs/design.md §1, paper 3: with T ≥ 2 tasks the network picks
the H¹ interpolant).

Five kernels (``KERNELS``), each with the formula of its kernel and of the norm it minimises:

- ``"h1"``: Green's function G(x,x') = −|x−x'|/2 of the seminorm ∫f'², conditionally positive
  definite of order 1 (null space: constants); G'' = −δ, so ∫f'² = αᵀGα when Σα_i = 0. The minimiser
  is the linear spline through the data, constant outside it (Wahba 1990, *Spline Models for
  Observational Data*, ch. 1).
- ``"h2"``: G(x,x') = |x−x'|³/12 for ∫f''², conditionally positive definite of order 2 (null space:
  affine functions); G'''' = δ, so ∫f''² = αᵀGα when Σα_i = Σα_i x_i = 0. The minimiser is the
  natural cubic spline, affine outside the data (Wahba 1990, ch. 1).
- ``"gaussian"``: k = exp(−(x−x')²/(2ℓ²)); its Fourier transform is k̂(ω) = √(2π) ℓ e^{−ℓ²ω²/2}, so
  ‖f‖² = (1/2π)∫|f̂(ω)|²/k̂(ω) dω = (1/2π)∫|f̂(ω)|² e^{ℓ²ω²/2} / (√(2π) ℓ) dω (Wendland 2005,
  *Scattered Data Approximation*, Thm 10.12).
- ``"laplace"``: k = exp(−|x−x'|/ℓ), k̂(ω) = 2ℓ/(1+ℓ²ω²); the same formula and Plancherel give
  ‖f‖² = (1/2)∫(ℓ f'(x)² + f(x)²/ℓ) dx: the RKHS is H¹(ℝ) with that norm (Berlinet & Thomas-Agnan
  2004, *RKHS in Probability and Statistics*).
- ``"relu"``: the arc-cosine kernel of order 1 (Cho & Saul 2009) on x̃ = (x, 1),
  k = (1/π)‖x̃‖‖x̃'‖(sin θ + (π−θ) cos θ) = 2 E_{w∼N(0,I₂)}[σ(wᵀx̃) σ(wᵀx̃')]: an infinitely wide
  one-hidden-layer ReLU net with a random Gaussian first layer (weights and biases) of which only
  the output layer is trained. As ‖x̃‖‖x̃'‖ sin θ = |x−x'| and ‖x̃‖‖x̃'‖ cos θ = xx'+1,
  k = (|x−x'| + (π−θ)(xx'+1))/π with θ = atan2(|x−x'|, xx'+1). Its RKHS norm is
  ‖f‖² = min{½ E_w[c(w)²] : f(x) = E_w[c(w) σ(wᵀx̃)]}. Near the diagonal k = xx'+1 +
  |x−x'|³/(3π(xx'+1)²) + …, so its Gram matrices are as ill-conditioned as a cubic spline's.

``norm`` is √(αᵀKα) for f = Σα_i k(·, x_i) (+ a null-space polynomial for h1/h2): the RKHS norm, or
the seminorm for h1/h2.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import warnings

import numpy as np
import scipy.linalg as sla
from scipy.interpolate import CubicHermiteSpline

from engine.validation import DataError, at_most, finite_array

JITTER = 1e-10
"""Relative diagonal jitter of the last-resort ridge solve: K + JITTER·(trace K / N)·I."""
REFINE_STEPS = 3
"""Steps of iterative refinement α ← α + F⁻¹(y − Kα) after each factorisation F of K."""


@dataclass(frozen=True)
class KernelSpec:
    """What the solver needs to know of a kernel: whether the bandwidth ℓ matters, and the dimension of
    the polynomial null space (0: positive definite). Display names and LaTeX live in ``ui.kernel_text``."""

    needs_bandwidth: bool
    null_space: int = 0


KERNELS = {
    "h1": KernelSpec(False, 1),
    "h2": KernelSpec(False, 2),
    "gaussian": KernelSpec(True),
    "laplace": KernelSpec(True),
    "relu": KernelSpec(False),
}
"""The kernels of the module docstring, by name."""


MAX_POINTS = 2000   # data points of one interpolant (a dense N × N solve)


def _check_kernel(kernel: str, bandwidth: float) -> float:
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise DataError(f"unknown kernel {str(kernel)[:40]!r}; choose one of {sorted(KERNELS)}")
    try:
        bandwidth = float(bandwidth)
    except (TypeError, ValueError, OverflowError):
        bandwidth = float("nan")
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise DataError(f"bandwidth must be a positive finite number, got {bandwidth!r}")
    return bandwidth


def _gram(kernel: str, x1: np.ndarray, x2: np.ndarray, bandwidth: float) -> np.ndarray:
    d = np.abs(x1[:, None] - x2[None, :])
    if kernel == "h1":
        return -d / 2
    if kernel == "h2":
        return d**3 / 12
    if kernel == "gaussian":
        return np.exp(-0.5 * (d / bandwidth) ** 2)
    if kernel == "laplace":
        return np.exp(-d / bandwidth)
    dot = x1[:, None] * x2[None, :] + 1.0                    # relu: x̃ᵀx̃'
    return (d + (np.pi - np.arctan2(d, dot)) * dot) / np.pi


def gram(kernel: str, x1, x2, bandwidth: float = 1.0) -> np.ndarray:
    """Kernel matrix K[i, j] = k(x1[i], x2[j]) of 1-D point sets (Green's function for h1/h2).

    Parameters
    ----------
    kernel : str
        A key of ``KERNELS``.
    x1 : array_like, shape (M1,)
    x2 : array_like, shape (M2,)
    bandwidth : float, optional
        ℓ of "gaussian" and "laplace" (validated for all kernels).

    Returns
    -------
    ndarray, shape (M1, M2)
    """
    bandwidth = _check_kernel(kernel, bandwidth)
    x1, x2 = (np.asarray(v, float).reshape(-1) for v in (x1, x2))
    return _gram(kernel, x1, x2, bandwidth)


class KernelInterpolant:
    """f(x) = Σ_i coef[i]·k(x, x[i]) + Σ_j poly[j]·x**j, the minimum-(semi)norm interpolant.

    Attributes: ``kernel`` (name), ``bandwidth``, ``x`` (sorted nodes), ``coef`` (α),
    ``poly`` (null-space coefficients in ascending powers of x; empty for positive definite
    kernels), ``norm`` = √(αᵀKα), ``residual`` = max_i |f(x_i) − y_i| and ``solver`` (the
    factorisation that produced α: "cholesky", "lu", "ridge (…)" or, for h1/h2, "null-space (banded)"). h1/h2 are evaluated
    through their piecewise-polynomial form: the Green's-function sum cancels catastrophically when
    nodes cluster (α_i ~ y/Δx³ for h2).
    """

    def __init__(self, kernel, bandwidth, x, y, coef, poly, norm, piecewise=None, solver="null-space (banded)"):
        self.kernel, self.bandwidth, self.solver = kernel, bandwidth, solver
        self.x, self.coef, self.poly, self.norm = x, coef, poly, norm
        self._piecewise = piecewise
        self.residual = float(np.max(np.abs(self(x) - y)))

    def __call__(self, xs):
        """Values at ``xs`` (any shape); the result has the shape of ``xs``."""
        xs = np.asarray(xs, float)
        flat = xs.reshape(-1)
        if self._piecewise is not None:
            return self._piecewise(flat).reshape(xs.shape)
        return (_gram(self.kernel, flat, self.x, self.bandwidth) @ self.coef).reshape(xs.shape)

    def __repr__(self) -> str:
        return f"KernelInterpolant(kernel={self.kernel!r}, n={len(self.x)}, norm={self.norm:.6g})"


def _validate(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = finite_array(x, "x"), finite_array(y, "y")
    if x.ndim != 1 or y.ndim != 1:
        raise DataError(f"x and y must be 1-D (one task), got shapes {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise DataError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if len(x) < 2:
        raise DataError(f"need at least 2 data points, got {len(x)}")
    at_most(len(x), MAX_POINTS, "kernel interpolation: data points")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataError("x and y must be finite (no NaN or inf)")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    if np.any(np.diff(x) == 0):
        raise DataError("x values must be distinct")
    return x, y


def rkhs_interpolate(x, y, kernel: str, bandwidth: float = 1.0) -> KernelInterpolant:
    """Minimum-(semi)norm interpolant of (x, y) in the RKHS of ``kernel`` (see ``KERNELS``).

    ``x`` is sorted together with ``y``; ``bandwidth`` is ℓ for "gaussian" and "laplace" (ignored
    otherwise, but still validated).

    Positive definite kernels: Kα = y is solved directly, each factorisation F followed by
    REFINE_STEPS steps of iterative refinement α ← α + F⁻¹(y − Kα): the Cholesky factor of K itself
    (no jitter); where K is not numerically positive definite, or the residual stays above
    1e-10·(1 + max|y|), an LU factorisation (partial pivoting) is tried, and last the Cholesky factor
    of K + εI, ε = JITTER·trace(K)/N (a ridge regression: bounded coefficients, but it may miss the
    data). The candidate with the smallest max_i |(Kα)_i − y_i| is kept; ``solver`` names it and
    ``residual`` reports how far f misses the data, honestly (evaluated as the user evaluates f).
    A numerically singular K (Gaussian at large ℓ or dense nodes, ReLU on clustered nodes, condition
    ~1e12 and above) has huge coefficients of both signs: the interpolant then misses the data by
    ~ machine ε · Σ|α_i| · max k however it is solved.

    h1/h2: the saddle-point system [[G, P], [Pᵀ, 0]] [α; c] = [y; 0] (P = [1] resp. [1, x]) is
    solved by the null-space method: α = Dᵀβ with D the first (h1) resp. second (h2) divided
    differences, which span {α : Pᵀα = 0}; then DGDᵀ is diagonal, diag(1/Δx) (h1), resp. the
    tridiagonal natural-spline matrix [Δx_j/6, (Δx_j+Δx_{j+1})/3, Δx_{j+1}/6] (h2), and
    DGDᵀβ = Dy is solved in O(N) (banded Cholesky for h2); the seminorm² is βᵀDGDᵀβ. The dense
    saddle-point system has reciprocal condition ~1e-20 for a few hundred random nodes; this one
    stays accurate for thousands.
    """
    bandwidth = _check_kernel(kernel, bandwidth)
    x, y = _validate(x, y)
    if KERNELS[kernel].null_space:
        return _spline(kernel, bandwidth, x, y)
    K = _gram(kernel, x, x, bandwidth)
    coef, solver = _solve_gram(K, y)
    norm = float(np.sqrt(max(coef @ K @ coef, 0.0)))
    return KernelInterpolant(kernel, bandwidth, x, y, coef, np.empty(0), norm, solver=solver)


def _refined(K, y, solve):
    coef = solve(y)
    for _ in range(REFINE_STEPS):
        coef = coef + solve(y - K @ coef)
    return coef


def _solve_gram(K: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, str]:
    """α with Kα ≈ y for a symmetric positive definite Gram matrix and the name of the factorisation
    used (see ``rkhs_interpolate``): exact Cholesky, else LU, else the jittered (ridge) Cholesky."""
    good = 1e-10 * (1.0 + np.abs(y).max())
    best, best_res = None, np.inf

    def consider(make, name):
        nonlocal best, best_res
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sla.LinAlgWarning)
                coef = _refined(K, y, make())
        except (np.linalg.LinAlgError, ValueError):
            return
        res = float(np.max(np.abs(K @ coef - y)))
        if np.all(np.isfinite(coef)) and res < best_res:
            best, best_res = (coef, name), res

    consider(lambda: partial(sla.cho_solve, sla.cho_factor(K, lower=True)), "cholesky")
    if best_res > good:
        consider(lambda: partial(sla.lu_solve, sla.lu_factor(K)), "lu")
    if best_res > good:
        ridge = K + JITTER * np.trace(K) / len(y) * np.eye(len(y))
        consider(lambda: partial(sla.cho_solve, sla.cho_factor(ridge, lower=True)), f"ridge (jitter {JITTER:g})")
    if best is None:
        raise np.linalg.LinAlgError("the Gram matrix could not be factorised")
    return best


def _diff_adjoint(v: np.ndarray) -> np.ndarray:
    """Transpose of np.diff: ℝ^{n−1} → ℝ^n."""
    return -np.diff(v, prepend=0.0, append=0.0)


def _spline(kernel: str, bandwidth: float, x: np.ndarray, y: np.ndarray) -> KernelInterpolant:
    h = np.diff(x)
    s = np.diff(y) / h                                       # chord slopes
    if kernel == "h1":                                       # D = diff(·)/h
        beta = np.diff(y)                                    # DGDᵀ = diag(1/h)
        coef = _diff_adjoint(s)                              # minus the slope changes
        seminorm2 = np.sum(s * beta)                         # Σ Δy²/Δx
        piecewise = partial(np.interp, xp=x, fp=y)           # constant outside the data
    else:                                                    # D = diff(diff(·)/h)
        band = np.zeros((2, len(x) - 2))                     # upper banded storage of DGDᵀ
        band[0, 1:], band[1] = h[1:-1] / 6, (h[:-1] + h[1:]) / 3
        beta = sla.cho_solve_banded((sla.cholesky_banded(band), False), np.diff(s))
        coef = _diff_adjoint(_diff_adjoint(beta) / h)
        seminorm2 = beta @ np.diff(s)                        # βᵀ(DGDᵀ)β = βᵀDy
        M = np.r_[0.0, beta, 0.0]                            # f'' at the nodes
        slope = np.r_[s - h * (2 * M[:-1] + M[1:]) / 6, s[-1] + h[-1] * (M[-2] + 2 * M[-1]) / 6]
        pad = x[-1] - x[0]                                   # affine pieces outside the data
        piecewise = CubicHermiteSpline(np.r_[x[0] - pad, x, x[-1] + pad],
                                       np.r_[y[0] - slope[0] * pad, y, y[-1] + slope[-1] * pad],
                                       np.r_[slope[0], slope, slope[-1]])
    # Null-space polynomial: P c = y − Gα on the first (and last) node.
    rows = [0] if kernel == "h1" else [0, len(x) - 1]
    rhs = y[rows] - _gram(kernel, x[rows], x, bandwidth) @ coef
    poly = np.linalg.solve(np.vander(x[rows], len(rows), increasing=True), rhs)
    return KernelInterpolant(kernel, bandwidth, x, y, coef, poly,
                             float(np.sqrt(max(seminorm2, 0.0))), piecewise)
