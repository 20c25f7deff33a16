"""Figures of the multi-task page: task 1 within the multi-task problem (with the H¹ interpolant and
the other tasks), and the live training views (the network's task-1 curve, cost against step)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.univariate_figure import plot_layout

TASK_COLORS = ["#111111", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]
MULTI, H1, NET = "#d62728", "#2ca02c", "#1f77b4"


def multitask_figure(tasks, solved, sol, active: int, *, h1=None, random_shown: int = 3, xr, yr, height=480):
    """tasks: [(x, y, label, kind)] with kind "task1" | "placed" | "random"; sol: the multi-task
    Interpolant, whose row r is task solved[r]; ``active``: index of the task whose points clicks edit."""
    fig = go.Figure()
    xs = np.linspace(*xr, 801)
    values = np.atleast_2d(sol(xs)) if sol is not None else None
    shown_random = 0
    for row, k in enumerate(solved):
        x, y, label, kind = tasks[k]
        if values is None or k == 0:
            continue
        if kind == "random":
            shown_random += 1
            if shown_random > random_shown:
                continue
        color = TASK_COLORS[k % len(TASK_COLORS)] if kind == "placed" else "rgba(120,120,120,0.45)"
        fig.add_trace(go.Scatter(x=xs, y=values[row], mode="lines", name=f"{label} (multi-task)",
                                 line=dict(color=color, width=1.2), legendgroup=f"t{k}",
                                 visible=True if kind == "placed" else "legendonly"))
    if sol is not None:   # other minimisers: task 1's solution set and the extremes
        for region in (r for r in sol.regions if r.task == 0):
            poly = region.polygon
            fig.add_trace(go.Scatter(x=poly[:, 0], y=poly[:, 1], fill="toself", fillcolor="rgba(214,39,40,0.25)",
                                     line=dict(width=0), mode="lines", hoverinfo="skip", legendgroup="set",
                                     name="task 1: all minimisers", showlegend=region is sol.regions[0]))
        for j, other in enumerate(sol.extremes):
            fig.add_trace(go.Scatter(x=xs, y=np.atleast_2d(other(xs))[0], mode="lines", hoverinfo="skip",
                                     line=dict(color=MULTI, dash="dot", width=1.5), legendgroup="set",
                                     name="task 1: extreme minimisers", showlegend=j == 0))
    if h1 is not None:
        fig.add_trace(go.Scatter(x=xs, y=h1(xs), mode="lines", name="H¹ interpolant of task 1",
                                 line=dict(color=H1, width=4, dash="dot")))
    if values is not None:
        fig.add_trace(go.Scatter(x=xs, y=values[0], mode="lines", name="task 1 within the multi-task problem",
                                 line=dict(color=MULTI, width=2.5)))
        shares = np.linalg.norm(sol.jumps, axis=1)
        if len(sol.knots):
            fig.add_trace(go.Scatter(
                x=sol.knots, y=np.atleast_2d(sol(sol.knots))[0], mode="markers", name="neurons (shared by all tasks)",
                marker=dict(symbol="diamond", size=8 + 22 * np.sqrt(shares / max(shares.max(), 1e-300)), color=MULTI,
                            opacity=0.5, line=dict(width=1, color="white")),
                customdata=shares, hovertemplate="knot t = %{x:.6g}<br>‖J‖ = %{customdata:.4g}<extra>neuron</extra>"))
    for k, (x, y, label, kind) in enumerate(tasks):
        if kind == "random":
            continue
        is_active = k == active
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="markers", name=f"{label} data" + (" (click to remove)" if is_active else ""),
            meta="points" if is_active else None,
            marker=dict(size=12 if is_active else 9, color=TASK_COLORS[k % len(TASK_COLORS)],
                        symbol="circle" if kind == "task1" else "square", line=dict(width=2, color="white")),
            hovertemplate="(%{x:.4g}, %{y:.4g})<extra>" + label + "</extra>"))
    return plot_layout(fig, xr, yr, height)


def training_figure(x, y, grid, net_values, exact_values, xr, yr, height=360):
    """The network's task-1 curve as it trains, with the exact minimiser it should reach."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=exact_values, mode="lines", name="exact minimiser (same λ)",
                             line=dict(color=MULTI, width=4, dash="dot")))
    if net_values is not None:
        fig.add_trace(go.Scatter(x=grid, y=net_values, mode="lines", name="trained network, task 1",
                                 line=dict(color=NET, width=2.5)))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="task 1 data",
                             marker=dict(size=10, color="black", line=dict(width=2, color="white"))))
    return plot_layout(fig, xr, yr, height, legend_y=-0.22)


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
