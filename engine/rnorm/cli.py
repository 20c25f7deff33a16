"""``python -m engine rnorm FILE.json``: the R-norm of a 2-D formula, a radial profile or a network.

Input, exactly one of (Ongie et al. 2020; docs/design.md §2):
  {"function": "exp(-(x^2+y^2)/2)", "extent": 8, "resolution": 256}   grid estimate on [−extent, extent]²
  {"radial": "exp(-r^2/2)", "dim": 3}                                   radial profile g(r) in ℝ^dim
  {"network": {"w": [[...], ...], "b": [...], "a": [...]}}              exact, finite network
Output: {"rnorm": value or null, ...}; grid estimates add "status" ("converged", "unresolved", or
"diverging" with rnorm null: the norm is infinite), "reason", "estimate_error" with "error_is_bound"
(a bound when converged) and its "error_parts"; radial ones "finite" and "point_mass".
"""
from __future__ import annotations

import numpy as np

from engine.univariate.validation import numbers
from engine.validation import MAX_WORK_BYTES, DataError, count, finite_array, number

KINDS = ("function", "radial", "network")
KEYS = {"function": {"extent", "resolution", "angles"}, "radial": {"dim", "support"}, "network": set()}
from engine.rnorm.formula import MAX_LENGTH
from engine.rnorm.radial import MAX_DIM as MAX_RADIAL_DIM

MAX_UNITS = 100_000   # network units (rows of w)
MAX_DIM = 1_000       # network input dimension
EXTENT = (0.1, 1e3)         # half-width of the grid [−extent, extent]²
RESOLUTION = (16, 1024)     # grid points per axis
ANGLES = (8, 2048)          # directions θ of the Radon transform
MAX_SUPPORT = 1e3           # radial profiles: support radius
LIMITS = (f"Limits: function: extent {EXTENT[0]:g}..{EXTENT[1]:g}, resolution {RESOLUTION[0]}..{RESOLUTION[1]}, "
          f"angles {ANGLES[0]}..{ANGLES[1]}, and the estimated memory (≈ 900·resolution·max(angles, "
          f"3·resolution/4) bytes) at most {MAX_WORK_BYTES >> 30} GiB; radial: dim 1..{MAX_RADIAL_DIM}, support "
          f"0..{MAX_SUPPORT:g}; network: at most {MAX_UNITS} units of input dimension at most {MAX_DIM}, finite "
          f"weights whose atoms a·‖w‖ and offsets b/‖w‖ fit in double precision; formulas: at most {MAX_LENGTH} "
          "characters.")


def _formula(text, variables):
    from engine.rnorm.formula import FormulaError, parse

    if not isinstance(text, str):
        raise DataError("the formula must be a string")
    try:
        return parse(text, variables=variables)
    except FormulaError as err:
        raise DataError(str(err).splitlines()[0]) from None


def run_rnorm(data: dict) -> dict:
    kinds = [k for k in KINDS if k in data]
    if len(kinds) != 1:
        raise DataError('give exactly one of "function", "radial" or "network"')
    kind = kinds[0]
    unknown = data.keys() - {kind} - KEYS[kind]
    if unknown:
        raise DataError(f"unknown key(s) for {kind}: {', '.join(sorted(unknown))}")
    if kind == "network":
        from engine.rnorm.finite import network_rnorm

        net = data["network"]
        if not isinstance(net, dict) or not {"w", "b", "a"} <= net.keys():
            raise DataError('network must be an object with keys "w", "b" and "a"')
        w = finite_array(numbers(net["w"], "w", nested=True), "w")
        if w.ndim != 2 or not 1 <= w.shape[1] <= MAX_DIM or len(w) > MAX_UNITS:
            raise DataError(f"w must be a list of at most {MAX_UNITS} rows of equal length 1..{MAX_DIM}")
        return {"rnorm": network_rnorm(w, finite_array(numbers(net["b"], "b"), "b"),
                                       finite_array(numbers(net["a"], "a", nested=True), "a"))}
    if kind == "radial":
        from engine.rnorm.radial import formula_rnorm

        formula = _formula(data["radial"], ("r",))
        dim = count(data.get("dim", 2), "dim", 1, MAX_RADIAL_DIM)
        support = number(data["support"], "support", 0, MAX_SUPPORT) if "support" in data else "detect"
        result, support = formula_rnorm(formula, dim, support=support)
        finite = bool(result.finite and np.isfinite(result.value))
        return {"rnorm": result.value if finite else None, "finite": finite,
                "point_mass": result.point_mass if finite and np.isfinite(result.point_mass) else None,
                "dim": dim, "support": support, "reason": result.reason}
    from engine.rnorm.explore import grid_summary
    from engine.rnorm.grid import rnorm_grid

    formula = _formula(data["function"], ("x", "y", "r"))
    extent = number(data.get("extent", 8.0), "extent", *EXTENT)
    resolution = count(data.get("resolution", 256), "resolution", *RESOLUTION)
    angles = count(data.get("angles", resolution), "angles", *ANGLES)
    try:
        result = rnorm_grid(lambda x, y: formula(x=x, y=y), extent=extent, resolution=resolution, angles=angles)
    except DataError as err:
        if "finite" in str(err):
            raise DataError(f"the function is not finite everywhere on [−{extent:g}, {extent:g}]² (NaN or inf "
                            "values, e.g. log or 1/x at 0): the grid estimate needs a finite, decaying f") from None
        raise
    return grid_summary(result).to_dict()
