"""Figures of the R-norm explorer: f (heatmap or surface, with a picked neuron's hyperplane), the Radon
transform and the measure μ(θ, b) (with a finite net's neurons), the radial curve over d, the fit's cost."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MAX_CELLS = 160   # heatmap cells per axis shown for f (the computation keeps its full grid)


ROBUST = 99.0     # a signed heatmap's colours saturate at this percentile of |z|


def robust_limit(z, q: float = ROBUST) -> float:
    """The q-th percentile of |z| over its finite values (1.0 when all vanish): a colour scale that a few
    large values (edge artefacts, the spikes of a kink) do not set."""
    a = np.abs(np.asarray(z, float))
    a = a[np.isfinite(a)]
    lim = float(np.percentile(a, q)) if a.size else 0.0
    return lim or (float(a.max()) if a.size and a.max() > 0 else 1.0)


def heatmap(z, x, y, title, *, signed=False, xtitle="x", ytitle="y", height=380):
    """A heatmap; ``signed``: a diverging scale symmetric around 0, saturating at ``robust_limit``."""
    lim = robust_limit(z) if signed else None
    fig = go.Figure(go.Heatmap(z=np.asarray(z, np.float32), x=x, y=y, colorscale="RdBu_r" if signed else "Viridis",
                               zmid=0 if signed else None, zmin=-lim if signed else None, zmax=lim if signed else None))
    fig.update_layout(title=title, height=height, margin=dict(l=50, r=10, t=40, b=40), template="none",
                      xaxis_title=xtitle, yaxis_title=ytitle)
    return fig


def f_figure(values, xs, extent, neuron=None):
    """f on the square, with equal x and y scales (a round f looks round at any width)."""
    step = max(1, int(np.ceil(len(xs) / MAX_CELLS)))
    fig = heatmap(values[::step, ::step], xs[::step], xs[::step], "f(x, y)")
    fig.update_layout(xaxis=dict(range=[-extent, extent], constrain="domain"),
                      yaxis=dict(range=[-extent, extent], scaleanchor="x", scaleratio=1, constrain="domain"))
    if neuron is not None:
        lx, ly = neuron.line(extent)
        fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", name="the picked neuron's hyperplane",
                                 line=dict(color="white", width=3, dash="dash"), hoverinfo="skip"))
        foot, tip = neuron.active_arrow(extent)
        fig.add_annotation(x=tip[0], y=tip[1], ax=foot[0], ay=foot[1], xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowcolor="white", arrowwidth=2)
        fig.update_layout(showlegend=False)
    return fig


def surface_figure(values, xs):
    step = max(1, len(xs) // 96)   # a lighter mesh for the 3-D view
    fig = go.Figure(go.Surface(z=np.asarray(values[::step, ::step], np.float32), x=xs[::step], y=xs[::step],
                               colorscale="Viridis"))
    fig.update_layout(title="f(x, y)", height=380, margin=dict(l=0, r=0, t=40, b=0))
    return fig


def radon_figure(thetas_deg, bs, sino):
    return heatmap(sino, thetas_deg, bs, "Radon transform Rf(θ, b)", xtitle="angle θ (degrees)", ytitle="offset b")


MEASURE_TITLE = "measure μ(θ, b) = γ₂R{(−Δ)<sup>3/2</sup>f}: where the neurons are"


def measure_axes(fig, extent):
    fig.update_layout(xaxis=dict(range=[0, 180], title="angle θ (degrees)"),
                      yaxis=dict(range=[-extent * np.sqrt(2.0), extent * np.sqrt(2.0)], title="offset b"))
    return fig


def measure_figure(thetas_deg, bs, mu, extent, atoms=None):
    """μ(θ, b) (signed; None: only the atoms), with the neurons of a finite net (θ°, b, a, mass) as markers
    sized by mass."""
    if mu is not None:
        fig = heatmap(mu, thetas_deg, bs, MEASURE_TITLE, signed=True, xtitle="angle θ (degrees)", ytitle="offset b",
                      height=420)
    else:
        fig = measure_axes(go.Figure(), extent)
        fig.update_layout(title="measure: the neurons of the net", height=380, template="none", showlegend=False,
                          margin=dict(l=50, r=10, t=40, b=40))
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


def ridge_figure(lines, extent):
    """The measure of a sum of ridges: per direction (θ°, b, density) a line of colour at θ."""
    lim = robust_limit(np.concatenate([d for _, _, d in lines]))
    fig = measure_axes(go.Figure(), extent)
    for k, (theta, b, density) in enumerate(lines):
        fig.add_trace(go.Scatter(x=np.full(len(b), theta), y=b, mode="markers", name=f"θ = {theta:g}°",
                                 marker=dict(symbol="square", size=9, color=density, colorscale="RdBu_r", cmid=0,
                                             cmin=-lim, cmax=lim, showscale=k == 0),
                                 hovertemplate="θ=%{x:.1f}°, b=%{y:.3f}<br>density %{marker.color:.3g}<extra></extra>"))
    fig.update_layout(title="measure: one line per ridge direction", height=380, template="none", showlegend=False,
                      margin=dict(l=50, r=10, t=40, b=40))
    return fig


def radial_figure(dims, summary, name):
    fig = go.Figure(go.Scatter(x=dims, y=summary["values"], mode="lines+markers", name=name))
    values = np.asarray(summary["values"], float)
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    if summary["infinite"]:
        fig.add_trace(go.Scatter(x=summary["infinite"], y=[top] * len(summary["infinite"]), mode="markers",
                                 name="infinite", marker=dict(symbol="x", size=12, color="crimson")))
    fig.update_layout(height=340, template="plotly_white", xaxis_title="dimension d", yaxis_title="‖f‖_R",
                      yaxis=dict(type="log", **log_ticks(values)), margin=dict(l=50, r=10, t=20, b=40))
    return fig


def log_ticks(values) -> dict:
    """Labels 1, 2, 5 × 10ᵏ spanning the positive finite values, written in full (plotly's own log ticks
    label the minor ones with their first digit only: "2 3 4 … 10 2 3")."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {}
    lo, hi = float(v.min()), float(v.max())
    ticks = [m * 10.0 ** k for k in range(int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1)
             for m in (1, 2, 5) if lo / 2.5 <= m * 10.0 ** k <= hi * 2.5]
    return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def fit_figure(history, target):
    steps, costs = zip(*history) if history else ((), ())
    fig = go.Figure(go.Scatter(x=steps, y=costs, mode="lines", name="Σ‖a_k‖‖w_k‖ of the network"))
    if target is not None:
        fig.add_hline(y=target, line=dict(dash="dot", color="crimson"), annotation_text="‖f‖_R")
    fig.update_layout(height=300, template="plotly_white", xaxis_title="step", yaxis_title="cost",
                      margin=dict(l=50, r=10, t=20, b=40))
    return fig
