"""Figures of the multi-task page: task 1 within the multi-task problem (with the H¹ interpolant and
the other tasks), and the live training views (the network's task-1 curve, cost against step)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.univariate_figure import SMOOTH, axes_layout, breakpoints, line, neurons, points_trace, solution_set

TASK_COLORS = ["#111111", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]
MULTI, H1, NET = "#d62728", "#2ca02c", "#1f77b4"


def multitask_figure(tasks, solved, sol, active: int, *, h1=None, random_shown: int = 3, xr, yr, height=480,
                     view=0, dark=None) -> dict:
    """tasks: [(x, y, label, kind)] with kind "task1" | "placed" | "random"; sol: the multi-task
    Interpolant, whose row r is task solved[r]; ``active``: index of the task whose points clicks edit."""
    data = []
    bx = breakpoints(sol, xr) if sol is not None else None
    values = np.atleast_2d(sol(bx)) if sol is not None else None
    shown_random = 0
    for row, k in enumerate(solved):
        x, y, label, kind = tasks[k]
        if values is None or k == 0:
            continue
        if kind == "random":
            shown_random += 1
            if shown_random > random_shown:
                continue
        color = TASK_COLORS[k % len(TASK_COLORS)] if kind == "placed" else "rgba(120,120,120,0.6)"
        data.append(line(bx, values[row], f"{label} (multi-task)", color=color, width=1.2, legendgroup=f"t{k}"))
        if kind == "random":   # its data, so that one sees what the companion asks for
            data.append({"type": "scatter", "x": list(x), "y": list(y), "mode": "markers", "name": f"{label} data",
                         "legendgroup": f"t{k}", "showlegend": False,
                         "marker": {"size": 7, "color": color, "symbol": "x"},
                         "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>" + label + "</extra>"})
    if sol is not None:   # other minimisers: task 1's solution set and the extremes
        data += solution_set(sol, 0, "rgba(214,39,40,0.25)", MULTI, "task 1: ", xr)
    if h1 is not None:
        xs = np.linspace(*xr, SMOOTH)
        data.append(line(xs, h1(xs), "H¹ interpolant of task 1", color=H1, width=4, dash="dot"))
    if values is not None:
        data.append(line(bx, values[0], "task 1 within the multi-task problem", color=MULTI, width=2.5))
        if len(sol.knots):
            shares = np.linalg.norm(sol.jumps, axis=1)
            trace = neurons(sol, np.atleast_2d(sol(sol.knots))[0], shares, "shared by all tasks", MULTI, "neurons")
            data.append({**trace, "name": "neurons (shared by all tasks)"})
    for k, (x, y, label, kind) in enumerate(tasks):
        if kind == "random":
            continue
        marker = {"size": 12 if k == active else 9, "color": TASK_COLORS[k % len(TASK_COLORS)],
                  "symbol": "circle" if kind == "task1" else "square"}
        if k == active:
            data.append(points_trace(x, y, f"{label} data (drag to move, click to remove)", **marker))
        else:
            data.append({"type": "scatter", "x": list(x), "y": list(y), "mode": "markers", "name": f"{label} data",
                         "marker": {**marker, "line": {"width": 2, "color": "white"}},
                         "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra>" + label + "</extra>"})
    return {"data": data, "layout": axes_layout(xr, yr, height, view, dark=dark)}


def training_figure(x, y, grid, net_values, exact_values, xr, yr, height=360) -> dict:
    """The network's task-1 curve as it trains, with the exact minimiser it should reach (a plain dict for
    ``ui.click_plot``: it is redrawn on every click of the page, and a go.Figure's validation costs more than
    the rest of the rerun)."""
    data = [line(grid, exact_values, "exact minimiser (same λ)", color=MULTI, width=4, dash="dot")]
    if net_values is not None:
        data.append(line(grid, net_values, "trained network, task 1", color=NET, width=2.5))
    data.append({"type": "scatter", "x": list(map(float, x)), "y": list(map(float, y)), "mode": "markers",
                 "name": "task 1 data", "marker": {"size": 10, "color": "black", "line": {"width": 2, "color": "white"}}})
    return {"data": data, "layout": axes_layout(xr, yr, height, legend_y=-0.22)}


def cost_figure(steps, objective, cost, exact_objective, exact_cost, height=360):
    """Training objective and representation cost against step, with the exact optimum's values."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=objective, mode="lines", name="objective ½Σ‖f−y‖² + λ/2Σ(‖a‖²+‖w‖²)",
                             line=dict(color=NET, width=2)))
    fig.add_trace(go.Scatter(x=steps, y=cost, mode="lines", name="representation cost of the net",
                             line=dict(color="#ff7f0e", width=2)))
    for value, name, color in ((exact_objective, "exact optimal objective", NET),
                               (exact_cost, "exact minimiser's cost", "#ff7f0e")):
        fig.add_hline(y=value, line=dict(color=color, dash="dot"), annotation_text=name,
                      annotation_position="top right")
    top = max([exact_objective, exact_cost, *objective[-50:], *cost[-50:]] or [1.0])
    fig.update_layout(height=height, margin=dict(l=50, r=10, t=20, b=10), template="plotly_white",
                      xaxis=dict(title="step"), yaxis=dict(title="value", type="log", dtick=1,
                                                           range=[np.log10(max(min(exact_cost, exact_objective) / 3, 1e-6)),
                                                                  np.log10(max(top, 1e-6) * 3)]),
                      legend=dict(orientation="h", x=0, y=-0.2, yanchor="top", font=dict(size=11)))
    return fig
