"""Example functions of the R-norm explorer, each with what is known exactly about its norm.

Formulas are in the safe language of ``engine.rnorm.formula`` (variables x, y, r = ‖(x, y)‖). Radial
entries carry their profile g(r), so the exact value comes from the one-dimensional reduction
(``radial``); the finite net carries its weights (``finite``: Σ‖a‖‖w‖ after merging hyperplanes); the
pyramid is a compactly supported piecewise-linear function, whose norm is infinite in d ≥ 2 (Ongie et
al. 2020: a depth separation); sums of ridge functions g(wᵀx) are not decaying, so the square grid
cannot see them — their exact norm is Σ‖w_i‖∫|g_i''| (distinct directions, free affine part).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NET = {"w": [[1.0, 0.0], [0.6, 0.8], [-0.8, 0.6], [0.0, -1.0]], "b": [0.5, -0.3, 0.2, 0.8],
       "a": [1.0, -1.5, 0.8, 0.6]}


@dataclass(frozen=True)
class Example:
    formula: str
    extent: float = 8.0                           # the page's default half-width E and grid for this entry
    resolution: int = 256
    radial: str | None = None                     # profile in r, when f is radial
    network: dict | None = None                   # weights, when f is a finite net
    ridges: tuple = ()                            # (g formula in t, w) pairs, when f is a sum of ridges
    note: str = ""
    closed_form: float | None = None
    tags: dict = field(default_factory=dict)


def _net_formula(net) -> str:
    terms = [f"{a:g}*relu({w[0]:g}*x {w[1]:+g}*y {-b:+g})" for w, b, a in zip(net["w"], net["b"], net["a"])]
    return " + ".join(terms).replace("+ -", "- ")


GALLERY = {
    "Gaussian exp(−‖x‖²/2)": Example("exp(-(x^2+y^2)/2)", radial="exp(-r^2/2)"),
    "Anisotropic Gaussian": Example("exp(-((x/1.5)^2 + (y/0.7)^2)/2)", extent=10.0, closed_form=5.162194,
                                    note="closed form by a linear change of variables (tests/test_rnorm_grid.py)"),
    "Radial bump (1 − r²)₊²": Example("relu(1 - x^2 - y^2)^2", extent=2.0, radial="relu(1 - r^2)^2"),
    "Radial bump (1 − r²)₊³": Example("relu(1 - x^2 - y^2)^3", extent=2.0, radial="relu(1 - r^2)^3"),
    "Cone (1 − r)₊": Example("relu(1 - sqrt(x^2 + y^2))", extent=2.0, resolution=128, radial="relu(1 - r)",
                             note="piecewise linear with compact support: infinite in d ≥ 2"),
    "Pyramid (1 − max(|x|, |y|))₊": Example("relu(1 - max(abs(x), abs(y)))", extent=2.0, resolution=128,
                                            note="piecewise linear with compact support: infinite in d ≥ 2"),
    "A finite ReLU net (4 units)": Example(_net_formula(NET), extent=3.0, resolution=128, network=NET),
    "Sum of ridge functions": Example("tanh(x) + tanh((x + y)/sqrt(2))", extent=4.0, resolution=128,
                                      ridges=(("tanh(t)", (1.0, 0.0)), ("tanh(t)", (2 ** -0.5, 2 ** -0.5)))),
}


def ridge_rnorm(ridges) -> float:
    """Σ_i ‖w_i‖ ∫|g_i''(t)| dt for f = Σ g_i(w_iᵀx) with distinct directions: each ridge is an
    infinitely wide net whose neurons all share the direction w_i (the 1-D cost ∫|g''|, scaled)."""
    from engine.rnorm.formula import parse

    total = 0.0
    t = np.linspace(-60, 60, 400_001)
    for text, w in ridges:
        g = parse(text, variables=("t",))(t=t)
        slopes = np.diff(g) / np.diff(t)
        total += float(np.linalg.norm(w)) * float(np.abs(np.diff(slopes)).sum())
    return total
