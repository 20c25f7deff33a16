"""Readable tick labels for Plotly's log axes: 1, 2, 5, 10, 20, 50 … over a few decades, 10⁰ 10¹ 10² … over
many (Plotly's own minor labels read "2 3 4 … 10 2 3 4" on a short log axis)."""
from __future__ import annotations

import math

import numpy as np

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_125_DECADES = 3   # up to this many decades: 1-2-5 ticks; beyond, powers of ten only


def _label(value: float) -> str:
    return f"{value:g}" if 1e-3 <= value < 1e5 else f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")


def log_ticks(values) -> dict:
    """Axis settings (``tickvals``, ``ticktext``, ``range`` in log10 units) for positive ``values``."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0], float)
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (1.0, 10.0)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    b = max(b, a + 1)
    if b - a <= MAX_125_DECADES:
        ticks = [m * 10.0**e for e in range(a, b + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if lo / 1.5 <= t <= hi * 1.5] or [10.0**a, 10.0**b]
        text = [_label(t) for t in ticks]
    else:
        step = max(1, math.ceil((b - a) / 8))   # at most ~8 labels
        ticks = [10.0**e for e in range(a, b + 1, step)]
        text = ["10" + str(e).translate(SUPERSCRIPT) for e in range(a, b + 1, step)]
    pad = 0.05 * max(math.log10(hi) - math.log10(lo), 0.3)
    return dict(type="log", tickvals=ticks, ticktext=text,
                range=[math.log10(lo) - pad, math.log10(hi) + pad])
