"""The half-circle symmetry of the Radon-domain measure (Ongie et al., ICLR 2020, §3).

A unit a σ(wᵀx − b) equals a σ(−wᵀx + b) up to the affine term a(wᵀx − b) (σ(z) − σ(−z) = z), which costs
nothing with the free skip connection; so μ(θ + π, −b) = μ(θ, b) and a neuron's weight keeps its sign when
it is moved to the other half of the circle (``engine.rnorm.finite``). Grids cover θ ∈ [0, π) only.
"""
from __future__ import annotations

import numpy as np


def fold(theta, b):
    """(θ mod π, ±b) for θ in radians anywhere on the circle: θ ∈ [π, 2π) maps to (θ − π, −b). Arrays or
    scalars (then floats)."""
    theta, b = np.mod(np.asarray(theta, float), 2 * np.pi), np.asarray(b, float)
    for _ in range(2):   # twice: mod(−1e−200, 2π) rounds to 2π, which one step leaves at π
        back = theta >= np.pi
        theta, b = np.where(back, theta - np.pi, theta), np.where(back, -b, b)
    if np.ndim(theta) == 0:
        return float(theta), float(b)
    return theta, b
