"""ReLU Atlas numerical engine: exact function-space computations for shallow ReLU networks.

Import light: numpy and scipy only at import time; cvxpy, clarabel and torch load where used.

    >>> from engine import interpolate
    >>> sol = interpolate([0, 1, 2, 3], [0, 0, 1, 3], bias_penalty=True)
    >>> round(sol.cost, 6), sol.knots
    (3.605551, array([1.5]))
"""
from engine.univariate.interpolant import Interpolant
from engine.univariate.interpolate import interpolate
from engine.univariate.kernels import rkhs_interpolate, KERNELS

__all__ = ["interpolate", "Interpolant", "rkhs_interpolate", "KERNELS"]
