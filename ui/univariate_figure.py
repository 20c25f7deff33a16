"""The univariate explorer's Plotly figure: data points, network solutions, their neurons, the
solution set where minimisers differ, and kernel overlays (legend toggles)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

COLORS = {"free": "#1f77b4", "penalised": "#d62728", "set": "rgba(31,119,180,0.30)"}
KERNEL_COLORS = {"h1": "#2ca02c", "h2": "#9467bd", "gaussian": "#8c564b", "laplace": "#e377c2",
                 "relu": "#7f7f7f"}


def window(x, y):
    """Axis ranges: the data padded by a fifth, never smaller than [−3, 3] × [−2, 2]."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lo, hi = (min(x.min(initial=-3), -3), max(x.max(initial=3), 3)) if len(x) else (-3, 3)
    pad = 0.2 * (hi - lo)
    ylo, yhi = (min(y.min(initial=-2), -2), max(y.max(initial=2), 2)) if len(y) else (-2, 2)
    ypad = 0.2 * (yhi - ylo)
    return (lo - pad, hi + pad), (ylo - ypad, yhi + ypad)


def figure(points, networks, kernels, *, shade_set: bool, xr, yr, height: int = 520):
    """networks: {key: (label, Interpolant)} with key "free" or "penalised";
    kernels: {name: (label, KernelInterpolant, visible)}."""
    fig = go.Figure()
    xs = np.linspace(*xr, 801)
    free = networks.get("free")
    if free and shade_set:
        for region in free[1].regions:
            poly = region.polygon
            fig.add_trace(go.Scatter(x=poly[:, 0], y=poly[:, 1], fill="toself", fillcolor=COLORS["set"],
                                     line=dict(width=0), mode="lines", hoverinfo="skip",
                                     name="all minimisers (solution set)", legendgroup="set",
                                     showlegend=region is free[1].regions[0]))
        for j, other in enumerate(free[1].extremes):
            fig.add_trace(go.Scatter(x=xs, y=other(xs), mode="lines", line=dict(color=COLORS["free"], dash="dot",
                                     width=1.5), name="extreme minimisers", legendgroup="set",
                                     showlegend=j == 0, hoverinfo="skip"))
    for name, (label, ker, visible) in kernels.items():
        fig.add_trace(go.Scatter(x=xs, y=ker(xs), mode="lines", name=label, visible=True if visible else "legendonly",
                                 line=dict(color=KERNEL_COLORS.get(name), width=1.5, dash="dash")))
    for key, (label, sol) in networks.items():
        color = COLORS[key]
        fig.add_trace(go.Scatter(x=xs, y=sol(xs), mode="lines", name=label, legendgroup=key,
                                 line=dict(color=color, width=3 if key == "free" else 2.5)))
        shares = sol.neuron_costs()
        if len(sol.knots):
            size = 8 + 22 * np.sqrt(shares / max(shares.max(), 1e-300))
            fig.add_trace(go.Scatter(
                x=sol.knots, y=sol(sol.knots), mode="markers", legendgroup=key, name=f"neurons ({label})",
                marker=dict(symbol="diamond", size=size, color=color, opacity=0.55, line=dict(width=1, color="white")),
                customdata=np.c_[sol.jumps[:, 0], shares],
                hovertemplate="knot t = %{x:.6g}<br>jump J = %{customdata[0]:.4g}<br>cost share = %{customdata[1]:.4g}"
                              "<extra>neuron</extra>"))
    px, py = points
    fig.add_trace(go.Scatter(x=px, y=py, mode="markers", name="data (click to remove)", meta="points",
                             marker=dict(size=12, color="black", line=dict(width=2, color="white")),
                             hovertemplate="(%{x:.4g}, %{y:.4g})<extra>click to remove</extra>"))
    return plot_layout(fig, xr, yr, height, groupclick="toggleitem")


def plot_layout(fig, xr, yr, height, legend_y=-0.14, **legend):
    """The layout of every f(x) plot: fixed ranges, zero lines, legend below, zoom kept on reruns."""
    fig.update_layout(height=height, margin=dict(l=50, r=10, t=20, b=10), uirevision="keep",
                      xaxis=dict(range=list(xr), title="x", zeroline=True),
                      yaxis=dict(range=list(yr), title="f(x)", zeroline=True),
                      legend=dict(orientation="h", x=0, y=legend_y, yanchor="top", font=dict(size=11), **legend),
                      template="plotly_white", hovermode="closest")
    return fig
