"""Figures of the 2-D kernel-regime page: task-1 surfaces as heatmaps with the data on top, and the
distance to kernel interpolation against the number of tasks."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.log_axis import log_ticks


def surfaces(panels, axes, X, y, *, rows: int, height_per_row: int = 260):
    """panels: [(title, values (G,) or None: the data only)] laid out row by row (``rows`` rows); one shared
    colour scale."""
    xs, ys = axes
    cols = max(1, int(np.ceil(len(panels) / rows)))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _ in panels],
                        horizontal_spacing=0.04, vertical_spacing=0.12)
    shown = [v for _, v in panels if v is not None] or [np.zeros(1)]
    lo, hi = min(float(np.min(v)) for v in shown), max(float(np.max(v)) for v in shown)
    first = next((i for i, (_, v) in enumerate(panels) if v is not None), None)
    for i, (title, values) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        if values is not None:
            fig.add_trace(go.Heatmap(x=xs, y=ys, z=np.asarray(values).reshape(len(ys), len(xs)), zmin=lo, zmax=hi,
                                     colorscale="Viridis", showscale=i == first, colorbar=dict(title="f₁", len=0.8),
                                     hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>f₁=%{z:.3f}<extra>" + title + "</extra>"),
                          row=r, col=c)
        fig.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker=dict(size=9, color=np.where(np.asarray(y) > 0.5, "white", "black"),
                                             line=dict(width=1.5, color="red"))), row=r, col=c)
        fig.update_xaxes(scaleanchor=f"y{'' if i == 0 else i + 1}", constrain="domain", range=[xs[0], xs[-1]],
                         row=r, col=c)
        fig.update_yaxes(range=[ys[0], ys[-1]], row=r, col=c)
    fig.update_layout(height=rows * height_per_row + 40, margin=dict(l=10, r=10, t=40, b=10), template="plotly_white")
    return fig


def distance_plot(counts, distance_all, distance_others):
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=counts, y=distance_all, mode="lines+markers", name="kernel of all tasks"))
    fig.add_trace(go.Scatter(x=counts[1:], y=distance_others[1:], mode="lines+markers",
                             name="kernel of the other tasks only"))
    fig.update_layout(height=340, margin=dict(l=50, r=10, t=20, b=10), template="plotly_white",
                      xaxis=dict(title="number of tasks T", **log_ticks(counts)),
                      yaxis=dict(title="relative RMS distance of task 1 to kernel interpolation",
                                 **log_ticks(list(distance_all) + list(distance_others[1:]))),
                      legend=dict(orientation="h", x=0, y=-0.25, yanchor="top"))
    return fig
