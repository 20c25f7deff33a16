"""The univariate explorer's figure: data points, network solutions, their neurons, the solution set
where minimisers differ, and kernel overlays (legend toggles).

Figures are plain dicts for plotly.js (``ui.click_plot`` draws them): a network is piecewise linear, so
its curve is drawn exactly through its knots and the window's ends (a few dozen numbers, not 801);
smooth kernel curves use ``SMOOTH`` samples, 1.5 px apart on a full-width plot.
"""
from __future__ import annotations

import numpy as np

from ui.presentation import template

COLORS = {"free": "#1f77b4", "penalised": "#d62728", "set": "rgba(31,119,180,0.30)"}
KERNEL_COLORS = {"h1": "#2ca02c", "h2": "#9467bd", "gaussian": "#8c564b", "laplace": "#e377c2",
                 "relu": "#7f7f7f"}
SMOOTH = 401


def window(x, y):
    """Axis ranges: the data padded by a fifth, never smaller than [−3, 3] × [−2, 2]."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lo, hi = (min(x.min(initial=-3), -3), max(x.max(initial=3), 3)) if len(x) else (-3, 3)
    pad = 0.2 * (hi - lo)
    ylo, yhi = (min(y.min(initial=-2), -2), max(y.max(initial=2), 2)) if len(y) else (-2, 2)
    ypad = 0.2 * (yhi - ylo)
    return (lo - pad, hi + pad), (ylo - ypad, yhi + ypad)


def breakpoints(f, xr) -> np.ndarray:
    """The window's ends and the knots of the piecewise-linear ``f`` inside it: plotting f's values
    there draws it exactly."""
    knots = np.asarray(f.knots, float)
    return np.unique(np.r_[xr[0], knots[(knots > xr[0]) & (knots < xr[1])], xr[1]])


def line(x, y, name, *, color, width=2.0, dash=None, **extra) -> dict:
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": name,
            "line": {"color": color, "width": width, **({"dash": dash} if dash else {})}, **extra}


def neurons(sol, values, shares, label, color, group) -> dict:
    """Diamonds at the knots, sized by each neuron's share of the cost."""
    return {"type": "scatter", "x": sol.knots, "y": values, "mode": "markers", "legendgroup": group,
            "name": f"neurons ({label})", "customdata": np.c_[sol.jumps[:, 0], shares] if sol.tasks == 1 else shares,
            "marker": {"symbol": "diamond", "size": 8 + 22 * np.sqrt(shares / max(shares.max(), 1e-300)),
                       "color": color, "opacity": 0.55, "line": {"width": 1, "color": "white"}},
            "hovertemplate": ("knot t = %{x:.6g}<br>jump J = %{customdata[0]:.4g}<br>cost share = %{customdata[1]:.4g}"
                              if sol.tasks == 1 else "knot t = %{x:.6g}<br>‖J‖ = %{customdata:.4g}")
                             + "<extra>neuron</extra>"}


def solution_set(sol, task: int, fill: str, color: str, name: str, xr) -> list[dict]:
    """The shaded region where minimisers differ (task ``task``), and the extreme minimisers dotted."""
    traces = []
    regions = [r for r in sol.regions if r.task == task]
    if regions:   # one trace: the triangles separated by gaps (fewer traces, a faster redraw)
        gap = np.full((1, 2), np.nan)
        poly = np.vstack([np.vstack([r.polygon, r.polygon[:1], gap]) for r in regions])[:-1]
        traces.append({"type": "scatter", "x": poly[:, 0], "y": poly[:, 1], "fill": "toself", "fillcolor": fill,
                       "line": {"width": 0}, "mode": "lines", "hoverinfo": "skip",
                       "name": f"{name}all minimisers (solution set)", "legendgroup": "set"})
    for j, other in enumerate(sol.extremes):
        xs = breakpoints(other, xr)
        traces.append(line(xs, np.atleast_2d(other(xs))[task], f"{name}extreme minimisers", color=color, width=1.5,
                           dash="dot", legendgroup="set", showlegend=j == 0, hoverinfo="skip"))
    return traces


def points_trace(x, y, name="data (drag to move, click to remove)", **marker) -> dict:
    """The editable data: ``ui.click_plot`` moves and removes the markers of the trace with meta "points"."""
    return {"type": "scatter", "x": list(map(float, x)), "y": list(map(float, y)), "mode": "markers", "name": name,
            "meta": "points", "marker": {"size": 12, "color": "black", "line": {"width": 2, "color": "white"}, **marker},
            "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>drag to move, click to remove</extra>"}


def figure(points, networks, kernels, *, shade_set: bool, xr, yr, height: int = 520, view=0, dark=None) -> dict:
    """networks: {key: (label, Interpolant)} with key "free" or "penalised";
    kernels: {name: (label, KernelInterpolant)}; ``view``: the view revision (a new one
    resets pan and zoom); ``dark``: the theme (None: the session's)."""
    data = []
    free = networks.get("free")
    if free and shade_set:
        data += solution_set(free[1], 0, COLORS["set"], COLORS["free"], "", xr)
    xs = np.linspace(*xr, SMOOTH)
    for name, (label, ker) in kernels.items():
        data.append(line(xs, ker(xs), label, color=KERNEL_COLORS.get(name), width=1.5, dash="dash"))
    for key, (label, sol) in networks.items():
        bx = breakpoints(sol, xr)
        data.append(line(bx, sol(bx), label, color=COLORS[key], width=3 if key == "free" else 2.5, legendgroup=key))
        if len(sol.knots):
            data.append(neurons(sol, sol(sol.knots), sol.neuron_costs(), label, COLORS[key], key))
    data.append(points_trace(*points))
    return {"data": data, "layout": axes_layout(xr, yr, height, view, dark=dark, groupclick="toggleitem")}


def axes_layout(xr, yr, height, view=0, legend_y=-0.14, *, dark=None, **legend) -> dict:
    """The layout of every f(x) plot: fixed ranges, zero lines, legend below, the view kept on reruns
    until ``view`` changes."""
    return {"height": height, "margin": {"l": 50, "r": 10, "t": 20, "b": 10}, "uirevision": f"view-{view}",
            "xaxis": {"range": list(xr), "title": {"text": "x"}, "zeroline": True},
            "yaxis": {"range": list(yr), "title": {"text": "f(x)"}, "zeroline": True},
            "legend": {"orientation": "h", "x": 0, "y": legend_y, "yanchor": "top", "font": {"size": 11}, **legend},
            "template": template(dark), "hovermode": "closest"}
