"""Univariate ReLU-network function spaces: costs, exact min-norm solvers, solution sets, references.

The public face (what pages, the CLI and notebooks import; the modules behind it stay importable):

    from engine.univariate import interpolate, Interpolant, objective
    sol = interpolate([0, 1, 2, 3], [0, 0, 1, 3], bias_penalty=True)

``interpolate`` (the front door: exact minimum-norm interpolation and fitting, one or many tasks),
``Interpolant`` (its result), ``objective`` (½Σ(f(x_i) − y_i)² + λ·R(f)), ``representation_cost`` and
the other costs, ``solve_on_grid`` (the grid reference), ``rkhs_interpolate`` (kernel baselines),
``cost_table`` (networks and kernels on one footing), data sets (``PRESETS``, ``assemble_tasks``) and
file formats (``parse_points``, ``solution_json``). Formulas and sources: docs/design.md §2,
docs/univariate.md.
"""
from engine.univariate.compare import cost_table
from engine.univariate.conic import SolverError
from engine.univariate.costs import PENALTIES, h1_seminorm, representation_cost, sampled_cost
from engine.univariate.interpolant import Interpolant, SolutionRegion
from engine.univariate.interpolate import interpolate, objective
from engine.univariate.io import parse_points, points_csv, points_json, solution_csv, solution_json
from engine.univariate.kernels import KERNELS, KernelInterpolant, gram, rkhs_interpolate
from engine.univariate.presets import GENERATED, PRESETS, preset_points
from engine.univariate.reference import solve_on_grid
from engine.univariate.task_sets import assemble_tasks, distance_to_linear_spline, gaussian_tasks

__all__ = ["interpolate", "Interpolant", "SolutionRegion", "objective", "SolverError",
           "representation_cost", "sampled_cost", "h1_seminorm", "PENALTIES", "solve_on_grid",
           "rkhs_interpolate", "KernelInterpolant", "KERNELS", "gram", "cost_table",
           "parse_points", "points_csv", "points_json", "solution_csv", "solution_json",
           "PRESETS", "GENERATED", "preset_points", "assemble_tasks", "gaussian_tasks", "distance_to_linear_spline"]
