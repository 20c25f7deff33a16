"""ReLU Atlas numerical engine: exact function-space computations for shallow ReLU networks.

Import light: numpy and scipy only at import time; cvxpy, clarabel and torch load where used.

Packages, each with its public face in ``__all__`` (docs/design.md §3): ``engine.network`` (the finite
shallow net, the ground floor), ``engine.univariate`` (exact 1-D solvers, kernels), ``engine.rnorm``,
``engine.train`` (torch), ``engine.kernel_regime``, ``engine.compress``, ``engine.sweep``. The package
import graph is acyclic (tests/test_structure.py).

    >>> from engine import interpolate
    >>> sol = interpolate([0, 1, 2, 3], [0, 0, 1, 3], bias_penalty=True)
    >>> round(sol.cost, 6), sol.knots
    (3.605551, array([1.5]))
"""
from engine.network import ShallowNet
from engine.univariate.interpolant import Interpolant
from engine.univariate.interpolate import interpolate, objective
from engine.univariate.kernels import KERNELS, rkhs_interpolate
from engine.validation import DataError

__all__ = ["interpolate", "Interpolant", "objective", "rkhs_interpolate", "KERNELS", "ShallowNet", "DataError"]
