"""Fit a 2-D ReLU network to samples of f and compare its Σ‖a_k‖‖w_k‖ with ‖f‖_R (Ongie et al. 2020).

f itself interpolates its samples, so the minimum-norm interpolant of the samples costs at most ‖f‖_R;
a network trained with small weight decay λ on them (``engine.train``: ½Σ(f(x_i) − y_i)² +
(λ/2)Σ(‖a‖² + ‖w‖²), biases free) therefore ends with a representation cost near or below ‖f‖_R, and
approaches it as the samples get denser and λ smaller.
"""
from __future__ import annotations

import numpy as np

from engine.validation import DataError, count, number

MAX_PER_SIDE = 100   # sample grid of at most 100 × 100 points


def sample_points(extent: float, per_side: int) -> np.ndarray:
    """A per_side × per_side grid of inputs on [−extent/2, extent/2]² (where a decaying f lives).

    Parameters
    ----------
    extent : float
    per_side : int

    Returns
    -------
    ndarray, shape (per_side², 2)
    """
    t = np.linspace(-extent / 2, extent / 2, per_side)
    gx, gy = np.meshgrid(t, t)
    return np.column_stack([gx.ravel(), gy.ravel()])


def fit_samples(formula, extent: float, *, per_side: int = 15, width: int = 200, lam: float = 1e-3,
                steps: int = 3000, seed: int = 0, snapshot_every: int = 100):
    """Train a net on samples of f = ``formula`` at ``sample_points`` (loads torch).

    Parameters
    ----------
    formula : Formula
        In x, y.
    extent : float
    per_side : int, optional
        Samples per side, at most ``MAX_PER_SIDE``.
    width, lam, steps, seed, snapshot_every
        As for ``engine.train.train`` (biases free).

    Yields
    ------
    Snapshot
        ``snapshot.cost`` is the net's exact Σ‖a_k‖‖w_k‖ after merging hyperplanes.

    References
    ----------
    Ongie et al., ICLR 2020 (module docstring: why the cost ends near or below ‖f‖_R).
    """
    from engine.train import train

    X = sample_points(number(extent, "extent", 1e-6, 1e6), count(per_side, "samples per side", 2, MAX_PER_SIDE))
    y = np.asarray(formula(x=X[:, 0], y=X[:, 1]), float) * np.ones(len(X))
    if not np.isfinite(y).all():
        raise DataError("f is not finite at the sample points")
    yield from train(X, y, width=width, lam=lam, steps=steps, seed=seed, snapshot_every=snapshot_every)
