"""``python -m engine rnorm FILE.json``: the R-norm of a 2-D formula, a radial profile or a network.

Input, exactly one of (Ongie et al. 2020; DESIGN.md §2):
  {"function": "exp(-(x^2+y^2)/2)", "extent": 8, "resolution": 256}   grid estimate on [−extent, extent]²
  {"radial": "exp(-r^2/2)", "dim": 3}                                   radial profile g(r) in ℝ^dim
  {"network": {"w": [[...], ...], "b": [...], "a": [...]}}              exact, finite network
Output: {"rnorm": value or null, ...}; grid estimates add "status" ("converged", "unresolved", or
"diverging" with rnorm null: the norm is infinite), "reason", "estimate_error" with "error_is_bound"
(a bound when converged) and its "error_parts"; radial ones "finite" and "point_mass".
"""
from __future__ import annotations

import numpy as np

from engine.univariate.validation import DataError, numbers

KINDS = ("function", "radial", "network")
KEYS = {"function": {"extent", "resolution", "angles"}, "radial": {"dim", "support"}, "network": set()}


def _number(data, key, default, lo, hi, integer=False):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise DataError(f"{key} must be a number")
    if integer and value != int(value):
        raise DataError(f"{key} must be a whole number")
    if not lo <= value <= hi:
        raise DataError(f"{key} must lie between {lo:g} and {hi:g}")
    return int(value) if integer else float(value)


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
        try:
            value = network_rnorm(np.asarray(numbers(net["w"], "w", nested=True), float),
                                  np.asarray(numbers(net["b"], "b"), float),
                                  np.asarray(numbers(net["a"], "a", nested=True), float))
        except ValueError as err:
            raise DataError(str(err)) from None
        return {"rnorm": value}
    if kind == "radial":
        from engine.rnorm.radial import formula_rnorm

        formula = _formula(data["radial"], ("r",))
        dim = _number(data, "dim", 2, 1, 15, integer=True)

        support = _number(data, "support", 0, 0, 1e3) if "support" in data else "detect"
        result, support = formula_rnorm(formula, dim, support=support)
        finite = bool(result.finite and np.isfinite(result.value))
        return {"rnorm": result.value if finite else None, "finite": finite,
                "point_mass": result.point_mass if finite and np.isfinite(result.point_mass) else None,
                "dim": dim, "support": support, "reason": result.reason}
    from engine.rnorm.grid import rnorm_grid

    formula = _formula(data["function"], ("x", "y", "r"))
    extent = _number(data, "extent", 8.0, 0.1, 1e3)
    resolution = _number(data, "resolution", 256, 16, 1024, integer=True)
    angles = _number(data, "angles", resolution, 8, 2048, integer=True)
    result = rnorm_grid(lambda x, y: formula(x=x, y=y), extent=extent, resolution=resolution, angles=angles)
    finite = result.status != "diverging"
    return {"rnorm": result.value if finite else None, "converged": bool(result.converged and finite),
            "status": result.status, "reason": result.reason,
            "estimate_error": result.estimate_error if np.isfinite(result.estimate_error) else None,
            "error_is_bound": result.error_is_bound,
            "error_parts": {k: (v if np.isfinite(v) else None) for k, v in result.error_parts.items()}}
