"""Figures of the R-norm explorer: f (heatmap or surface, with a picked neuron's hyperplane), the Radon
transform and the measure μ(θ, b) (with a finite net's neurons), the radial curve over d, the fit's cost."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MAX_CELLS = 160   # heatmap cells per axis shown for f (the computation keeps its full grid)


def heatmap(z, x, y, title, *, signed=False, xtitle="x", ytitle="y", height=380):
    lim = float(np.nanmax(np.abs(z))) if np.size(z) else 1.0
    lim = lim or 1.0
    fig = go.Figure(go.Heatmap(z=np.asarray(z, np.float32), x=x, y=y, colorscale="RdBu_r" if signed else "Viridis",
                               zmid=0 if signed else None, zmin=-lim if signed else None, zmax=lim if signed else None))
    fig.update_layout(title=title, height=height, margin=dict(l=50, r=10, t=40, b=40), template="none",
                      xaxis_title=xtitle, yaxis_title=ytitle)
    return fig


def f_figure(values, xs, extent, neuron=None):
    step = max(1, int(np.ceil(len(xs) / MAX_CELLS)))
    fig = heatmap(values[::step, ::step], xs[::step], xs[::step], "f(x, y)")
    if neuron is not None:
        lx, ly = neuron.line(extent)
        fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", name="the picked neuron's hyperplane",
                                 line=dict(color="white", width=3, dash="dash"), hoverinfo="skip"))
        foot, tip = neuron.active_arrow(extent)
        fig.add_annotation(x=tip[0], y=tip[1], ax=foot[0], ay=foot[1], xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowcolor="white", arrowwidth=2)
        fig.update_layout(xaxis_range=[-extent, extent], yaxis_range=[-extent, extent], showlegend=False)
    return fig


def surface_figure(values, xs):
    step = max(1, len(xs) // 96)   # a lighter mesh for the 3-D view
    fig = go.Figure(go.Surface(z=np.asarray(values[::step, ::step], np.float32), x=xs[::step], y=xs[::step],
                               colorscale="Viridis"))
    fig.update_layout(title="f(x, y)", height=380, margin=dict(l=0, r=0, t=40, b=0))
    return fig


def radon_figure(thetas_deg, bs, sino):
    return heatmap(sino, thetas_deg, bs, "Radon transform Rf(θ, b)", xtitle="angle θ (degrees)", ytitle="offset b")


def measure_figure(thetas_deg, bs, mu, extent, atoms=None):
    """μ(θ, b) (signed), with the neurons of a finite net (θ°, b, a, mass) as markers sized by mass."""
    fig = heatmap(mu, thetas_deg, bs, "measure μ(θ, b) = γ₂R{(−Δ)<sup>3/2</sup>f}: where the neurons are", signed=True,
                  xtitle="angle θ (degrees)", ytitle="offset b", height=420)
    if atoms is not None:
        th, b, a, mass = atoms
        fig.add_trace(go.Scatter(x=th, y=b, mode="markers", name="neurons of the finite net",
                                 marker=dict(size=10 + 25 * mass / mass.max(), color=np.sign(a),
                                             colorscale=[[0, "#2166ac"], [1, "#b2182b"]],
                                             line=dict(width=1, color="black")),
                                 customdata=np.c_[a, mass],
                                 hovertemplate="θ=%{x:.1f}°, b=%{y:.3f}<br>a=%{customdata[0]:.3g}, "
                                               "mass %{customdata[1]:.3g}<extra>neuron</extra>"))
        fig.update_layout(xaxis_range=[0, 180], yaxis_range=[-extent, extent])
    return fig


def radial_figure(dims, summary, name):
    fig = go.Figure(go.Scatter(x=dims, y=summary["values"], mode="lines+markers", name=name))
    values = np.asarray(summary["values"], float)
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    if summary["infinite"]:
        fig.add_trace(go.Scatter(x=summary["infinite"], y=[top] * len(summary["infinite"]), mode="markers",
                                 name="infinite", marker=dict(symbol="x", size=12, color="crimson")))
    fig.update_layout(height=340, template="plotly_white", xaxis_title="dimension d", yaxis_title="‖f‖_R",
                      yaxis_type="log", margin=dict(l=50, r=10, t=20, b=40))
    return fig


def fit_figure(history, target):
    steps, costs = zip(*history) if history else ((), ())
    fig = go.Figure(go.Scatter(x=steps, y=costs, mode="lines", name="Σ‖a_k‖‖w_k‖ of the network"))
    if target is not None:
        fig.add_hline(y=target, line=dict(dash="dot", color="crimson"), annotation_text="‖f‖_R")
    fig.update_layout(height=300, template="plotly_white", xaxis_title="step", yaxis_title="cost",
                      margin=dict(l=50, r=10, t=20, b=40))
    return fig
