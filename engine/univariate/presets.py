"""Example data sets for the univariate explorer (docs/design.md §5 cases and teaching examples)."""
from __future__ import annotations

import numpy as np

PRESETS = {
    "Not unique: x = 0..3, y = 0, 0, 1, 3": ([0, 1, 2, 3], [0, 0, 1, 3]),
    "Tent: 1 − |x|": ([-1, 0, 1], [0, 1, 0]),
    "Knot off the data: 3 points": ([-3, -2.5, 0.5], [0, 0, 1]),
    "Convex run": ([-2, -1, 0, 1, 2, 3], [3.0, 1.2, 0.3, 0.1, 0.6, 1.8]),
    "Alternating": ([-2, -1, 0, 1, 2], [0, 1, 0, 1, 0]),
}
GENERATED = ("Noisy sine", "Random")


def preset_points(name: str, seed: int = 0, n: int = 12):
    """The points of a named preset; the generated ones depend on ``seed``.

    Parameters
    ----------
    name : str
        A key of ``PRESETS`` or one of ``GENERATED``.
    seed : int, optional
    n : int, optional
        Number of generated points.

    Returns
    -------
    x, y : list of float
    """
    if name in PRESETS:
        x, y = PRESETS[name]
        return list(map(float, x)), list(map(float, y))
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    if name == "Noisy sine":
        y = np.sin(1.3 * x) + 0.15 * rng.normal(size=n)
    elif name == "Random":
        y = rng.normal(size=n)
    else:
        raise KeyError(name)
    return np.round(x, 3).tolist(), np.round(y, 3).tolist()
