"""Continuous piecewise-linear functions in the canonical form of DESIGN.md §2.

    f(x) = c + v·x + Σ_k J_k (x − t_k)₊,   knots t_1 < … < t_m,  jumps J_k ∈ ℝᵀ

An ``Interpolant`` is what every univariate solver returns: callable like scipy's interpolants, with
its representation cost, the uniqueness verdict and (where minimisers differ) the solution set. It is
immutable (a frozen dataclass, built once with all its fields): a solver step that adds to a result
builds a new one with ``dataclasses.replace``, and its lists and dicts are never changed in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


@dataclass(frozen=True)
class SolutionRegion:
    """Where bias-free minimisers differ on [x_left, x_right] for one task: the triangle between the
    chord and the two neighbouring chord lines, whose apex is where those lines meet."""

    task: int
    interval: tuple[int, int]            # data indices (i, i + 1)
    polygon: np.ndarray                  # (3, 2) vertices: left point, apex, right point


@dataclass(frozen=True)
class Interpolant:
    """f(x) = c + v·x + Σ J_k (x − t_k)₊ for T tasks (attributes are numpy arrays); frozen: assigning
    an attribute raises ``dataclasses.FrozenInstanceError`` (use ``dataclasses.replace``)."""

    knots: np.ndarray                    # (m,)
    jumps: np.ndarray                    # (m, T)
    affine: np.ndarray                   # (T, 2): (c, v) per task
    cost: float = float("nan")
    unique: bool | None = None
    bias_penalty: bool = False
    lam: float = 0.0
    regions: list[SolutionRegion] = field(default_factory=list)
    extremes: list["Interpolant"] = field(default_factory=list)
    certificate: dict = field(default_factory=dict)
    fitted: np.ndarray | None = None     # (T, N) values at the data (the fit when lam > 0)
    notes: list[str] = field(default_factory=list)   # what was done to the input (merged duplicates)

    def __post_init__(self):
        # the one place the fields are set after __init__: normalising the arrays (frozen, hence object's)
        knots = np.asarray(self.knots, float).reshape(-1)
        affine = np.asarray(self.affine, float).reshape(-1, 2)
        object.__setattr__(self, "knots", knots)
        object.__setattr__(self, "affine", affine)
        object.__setattr__(self, "jumps", np.asarray(self.jumps, float).reshape(len(knots), len(affine)))

    @classmethod
    def line(cls, affine, x, *, bias_penalty: bool = False, lam: float = 0.0, fitted=None,
             certificate: dict | None = None) -> "Interpolant":
        """The affine function (c, v) per task: no knots, cost 0, unique, a zero dual certificate
        (η ≡ 0 is feasible and attains the cost 0); ``fitted`` defaults to its values at ``x``."""
        affine = np.asarray(affine, float).reshape(-1, 2)
        x = np.asarray(x, float)
        return cls([], np.zeros((0, len(affine))), affine, cost=0.0, unique=True, bias_penalty=bias_penalty, lam=lam,
                   fitted=affine[:, :1] + affine[:, 1:] * x if fitted is None else fitted,
                   certificate={"max_violation": 0.0, "dual_objective": 0.0, "duality_gap": 0.0,
                                **(certificate or {})})

    @property
    def tasks(self) -> int:
        return self.affine.shape[0]

    def _pieces(self, xs):
        """For each x: the last knot j with t_j ≤ x (−1: none), the slope B_j after it (T, M) and the
        value F_j at it. F is accumulated knot to knot, F_{j+1} = F_j + B_j (t_{j+1} − t_j): O(m + M log m)
        and far more accurate than summing J_k (x − t_k)₊ when |x| ≫ the spacing."""
        xs = np.asarray(xs, float).reshape(-1)
        c, v = self.affine[:, :1], self.affine[:, 1:]
        if not len(self.knots):
            return xs, np.full(len(xs), -1), np.repeat(v, len(xs), axis=1), c + v * xs
        order = np.argsort(self.knots, kind="stable")
        t, J = self.knots[order], self.jumps[order].T
        B = v + np.cumsum(J, axis=1)
        steps = np.cumsum(B[:, :-1] * np.diff(t), axis=1)
        F = c + v * t[0] + np.concatenate([np.zeros((self.tasks, 1)), steps], axis=1)
        j = np.searchsorted(t, xs, side="right") - 1
        jj = np.maximum(j, 0)
        left = j < 0
        slope = np.where(left, v, B[:, jj])
        value = np.where(left, c + v * xs, F[:, jj] + B[:, jj] * (xs - t[jj]))
        return xs, j, slope, value

    def __call__(self, xs):
        """Values at ``xs``: shape (T, M), or (M,) for one task."""
        out = self._pieces(xs)[3]
        return out[0] if self.tasks == 1 else out

    def slopes(self, xs):
        """Right derivative f'(x⁺) at ``xs``, same shapes as ``__call__``."""
        out = self._pieces(xs)[2]
        return out[0] if self.tasks == 1 else out

    def to_ppoly(self):
        """The same function as a ``scipy.interpolate.PPoly`` (degree 1, extrapolating): derivative,
        antiderivative, integrate, roots and solve come with it.

        Returns
        -------
        scipy.interpolate.PPoly
            Breakpoints t_1 − 1, t_1, …, t_m, t_m + 1 (0 and 1 without knots; the outer pieces extend to
            ±∞); values of shape (M,) for one task, (T, M) for T tasks, as ``__call__``.
        """
        from scipy.interpolate import PPoly

        t = np.unique(self.knots)
        breaks = np.r_[t[0] - 1.0, t, t[-1] + 1.0] if len(t) else np.array([0.0, 1.0])
        left = breaks[:-1]
        coef = np.stack([self.slopes(left), self(left)])          # (2, pieces) or (2, T, pieces)
        if self.tasks == 1:
            return PPoly(coef, breaks, extrapolate=True)
        return PPoly(coef.transpose(1, 0, 2), breaks, extrapolate=True, axis=1)   # c: (T, 2, pieces)

    def neuron_costs(self) -> np.ndarray:
        """Each knot's share of the cost: ‖J_k‖ (bias free) or √(1+t_k²)‖J_k‖ (biases penalised)."""
        norms = np.linalg.norm(self.jumps, axis=1)
        return norms * np.sqrt(1 + self.knots**2) if self.bias_penalty else norms

    def to_dict(self) -> dict:
        """JSON-ready description (the CLI's output contract)."""
        one = self.tasks == 1
        return {
            "cost": float(self.cost),
            "knots": self.knots.tolist(),
            "jumps": (self.jumps[:, 0] if one else self.jumps).tolist(),
            "affine": (self.affine[0] if one else self.affine).tolist(),
            "unique": self.unique,
            "bias_penalty": self.bias_penalty,
            "lam": self.lam,
            "certificate": {k: float(v) for k, v in self.certificate.items()},
            "notes": list(self.notes),
        }
