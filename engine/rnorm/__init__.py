"""The R-norm ‖f‖_R of functions on ℝᵈ (Ongie, Willett, Soudry & Srebro, ICLR 2020; docs/design.md §2):
the representation cost of f as an infinitely wide shallow ReLU network with a free skip.

The public face (pages, the CLI and notebooks import from here; the modules behind it stay importable):

- target functions in a safe formula language: ``parse``, ``evaluate``, ``Formula``, ``FormulaError``;
- exact values: ``network_rnorm`` / ``network_measure`` of a finite net (merged hyperplanes,
  ``engine.network``), ``radial_rnorm`` and ``formula_rnorm`` for radial functions in any dimension;
- the grid estimate of a sampled 2-D function with its error budget: ``rnorm_grid`` (``GridResult``),
  ``grid_points``, ``radon``;
- the page's helpers: ``GALLERY`` of examples, ``exact_value``, ``grid_summary``, ``export``,
  ``measure_csv``, ``fit_samples`` (a trained net against ‖f‖_R; loads torch when called).
"""
from engine.rnorm.explore import (Exact, GridSummary, Neuron, edge_is_small, exact_value, export, folded_atoms,
                                  grid_summary, measure_csv, measure_view, radial_summary, reference, sample)
from engine.rnorm.finite import Measure, network_measure, network_rnorm
from engine.rnorm.fit import fit_samples, sample_points
from engine.rnorm.formula import Formula, FormulaError, evaluate, parse
from engine.rnorm.gallery import GALLERY, Example
from engine.rnorm.grid import GridResult, grid_points, radon, rnorm_grid
from engine.rnorm.radial import RadialResult, formula_rnorm, formula_rnorm_curve, radial_rnorm, radial_rnorm_curve

__all__ = ["parse", "evaluate", "Formula", "FormulaError",
           "network_rnorm", "network_measure", "Measure",
           "radial_rnorm", "radial_rnorm_curve", "formula_rnorm", "formula_rnorm_curve", "RadialResult",
           "rnorm_grid", "GridResult", "grid_points", "radon",
           "GALLERY", "Example", "Exact", "exact_value", "reference", "sample", "edge_is_small", "Neuron",
           "folded_atoms", "grid_summary", "GridSummary", "export", "measure_csv", "measure_view", "radial_summary",
           "fit_samples", "sample_points"]
