"""Figures of the compression page: live training curves, cluster usage, weight histograms with the
shared centres, accuracy against compression ratio, energy by component, and shallow nets before/after."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.log_axis import log_ticks

METHOD_COLORS = {"kmeans": "#7f7f7f", "scalar": "#1f77b4", "dkm": "#d62728"}
LAYOUT = dict(template="plotly_white", margin=dict(l=55, r=15, t=45, b=40))


def progress_figure(history: list[dict], height=360):
    """history: per epoch {"stage", "step", "loss", "accuracy", "regulariser": {layer: value}}, plus
    {"stage": "refresh", "step", "regulariser"} entries right after each F refresh (a sawtooth: with the
    SVD F and K ≥ s those values are exactly 0)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training loss and test accuracy",
                                                        "regulariser (λ/2)‖W − WFFᵀ‖² per layer"),
                        specs=[[{"secondary_y": True}, {}]])
    epochs = [h for h in history if "loss" in h]
    steps = [h["step"] for h in epochs]
    fig.add_trace(go.Scatter(x=steps, y=[h["loss"] for h in epochs], name="loss", mode="lines+markers",
                             line=dict(color="#444")), 1, 1)
    fig.add_trace(go.Scatter(x=steps, y=[100 * h["accuracy"] for h in epochs], name="test accuracy (%)",
                             mode="lines+markers", line=dict(color="#2ca02c")), 1, 1, secondary_y=True)
    layers = sorted({k for h in history for k in h.get("regulariser", {})})
    for layer in layers:
        pts = [(h["step"], h["regulariser"][layer]) for h in history if layer in h.get("regulariser", {})]
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], name=f"{layer}", mode="lines+markers"),
                      1, 2)
    fig.update_xaxes(title_text="epoch (all stages)")
    fig.update_yaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="accuracy (%)", secondary_y=True, row=1, col=1)
    fig.update_yaxes(title_text="value", row=1, col=2)
    fig.update_layout(height=height, legend=dict(orientation="h", y=-0.25), **LAYOUT)
    return fig


def usage_figure(usage: dict[str, list[int]], height=230):
    """Cluster sizes per shared layer, largest first."""
    names = list(usage)
    fig = make_subplots(rows=1, cols=max(1, len(names)), subplot_titles=[f"{n}: K = {len(usage[n])}" for n in names])
    for i, name in enumerate(names, 1):
        sizes = sorted(usage[name], reverse=True)
        fig.add_trace(go.Bar(y=sizes, x=list(range(1, len(sizes) + 1)), marker_color="#9467bd", showlegend=False,
                             hovertemplate="cluster %{x}: %{y} members<extra></extra>"), 1, i)
    fig.update_layout(height=height, title="cluster usage (members per centre)", **LAYOUT)
    return fig


def histogram_figure(original: np.ndarray, shared: np.ndarray | None, centres: np.ndarray | None, layer: str,
                     height=330):
    """Weights of one layer before sharing, the shared weights' values, and the centres (scalar centres,
    or every entry of the row centres) as vertical lines."""
    fig = go.Figure(go.Histogram(x=original.ravel(), nbinsx=120, name="trained weights", marker_color="#1f77b4",
                                 opacity=0.75))
    if shared is not None:
        fig.add_trace(go.Histogram(x=shared.ravel(), nbinsx=240, name="after sharing", marker_color="#d62728",
                                   opacity=0.55))
    for c in (np.unique(np.round(np.ravel(centres), 12)) if centres is not None else []):
        fig.add_vline(x=float(c), line=dict(color="#d62728", width=1, dash="dot"))
    fig.update_layout(barmode="overlay", height=height, title=f"{layer}: weight values and shared centres (dotted)",
                      xaxis_title="weight value", yaxis_title="count", legend=dict(orientation="h", y=-0.25), **LAYOUT)
    return fig


def tradeoff_figure(results: list[dict], baseline: float, labels: dict[str, str], height=380):
    """Test accuracy against compression ratio (fixed-length indexes), one line per method."""
    fig = go.Figure()
    for method, label in labels.items():
        pts = sorted((r["ratio"], 100 * r["accuracy"], r["ks"], r["ratio_entropy"]) for r in results
                     if r["method"] == method)
        if not pts:
            continue
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=label,
                                 line=dict(color=METHOD_COLORS.get(method)),
                                 customdata=[[min(p[2].values()), max(p[2].values()), p[3]] for p in pts],
                                 hovertemplate="ratio %{x:.1f}× (entropy-coded %{customdata[2]:.1f}×)<br>"
                                               "accuracy %{y:.1f}%<br>K %{customdata[0]}–%{customdata[1]}<extra></extra>"))
    fig.add_hline(y=100 * baseline, line=dict(color="#2ca02c", dash="dash"),
                  annotation_text=f"uncompressed {100 * baseline:.1f}%", annotation_position="bottom right")
    fig.add_hline(y=100 * baseline - 1, line=dict(color="#2ca02c", dash="dot", width=1),
                  annotation_text="−1 point", annotation_position="bottom left")
    fig.add_vline(x=8, line=dict(color="#999", dash="dot", width=1), annotation_text="8×")
    fig.update_xaxes(**log_ticks([r["ratio"] for r in results] + [1.0, 30.0]))
    fig.update_layout(height=height, title="accuracy against compression ratio",
                      xaxis_title="compression ratio (×, fixed-length indexes)", yaxis_title="test accuracy (%)",
                      legend=dict(orientation="h", y=-0.25), **LAYOUT)
    return fig


COMPONENTS = {"compute": "compute (full adders)", "weights": "weight reads (bits)",
              "activations": "activation reads (bits)"}


def energy_figure(original: list[dict], compressed: list[dict] | None, height=330):
    """Energy proxies per image, summed over layers, by component; log scale (different units)."""
    fig, shown = go.Figure(), []
    for name, rows, color in (("uncompressed", original, "#1f77b4"), ("compressed", compressed, "#d62728")):
        if rows is None:
            continue
        totals = [sum(r[c] for r in rows) for c in COMPONENTS]
        shown += totals
        fig.add_trace(go.Bar(x=list(COMPONENTS.values()), y=totals, name=name, marker_color=color,
                             text=[f"{t:.3g}" for t in totals], textposition="outside"))
    axis = log_ticks(shown)
    axis["range"][1] += 0.3   # room for the bars' labels
    fig.update_yaxes(**axis)
    fig.update_layout(barmode="group", height=height, yaxis_title="per image",
                      title="energy proxies (Deep k-means §4)", legend=dict(orientation="h", y=-0.25), **LAYOUT)
    return fig


def shallow_figure(x, y, grid, before, after, knots, masses, centres, k: int, height=400):
    """A shallow net's function before and after neuron sharing, its knots (size = cost share) and the
    K shared knots."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=before, mode="lines", name="trained net", line=dict(color="#1f77b4", width=3)))
    fig.add_trace(go.Scatter(x=grid, y=after, mode="lines", name=f"after sharing (K = {k})",
                             line=dict(color="#d62728", width=2, dash="dash")))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="data", marker=dict(color="black", size=9)))
    lo = float(np.min(before)) - 0.08 * (np.ptp(before) or 1.0)
    if len(knots):
        size = 5 + 20 * np.sqrt(masses / max(masses.max(), 1e-300))
        fig.add_trace(go.Scatter(x=knots, y=np.full(len(knots), lo), mode="markers", name="neurons' knots (size = cost)",
                                 marker=dict(symbol="line-ns-open", size=size, color="#1f77b4", line=dict(width=2)),
                                 customdata=masses, hovertemplate="knot %{x:.4g}<br>‖a‖‖w‖ = %{customdata:.3g}<extra></extra>"))
    if len(centres):
        fig.add_trace(go.Scatter(x=centres, y=np.full(len(centres), lo), mode="markers", name="shared knots",
                                 marker=dict(symbol="diamond", size=12, color="#d62728")))
    fig.update_layout(height=height, title="the function before and after neuron sharing", xaxis_title="x",
                      yaxis_title="f(x)", legend=dict(orientation="h", y=-0.2), **LAYOUT)
    return fig


def error_vs_k_figure(ks, curves: dict[str, list[float]], exact_k: int, height=330):
    fig, shown = go.Figure(), []
    for (name, errors), color in zip(curves.items(), ("#d62728", "#7f7f7f")):
        shown += list(np.maximum(errors, 1e-16))
        fig.add_trace(go.Scatter(x=ks, y=np.maximum(errors, 1e-16), mode="lines+markers", name=name,
                                 line=dict(color=color)))
    fig.update_yaxes(**log_ticks(shown))
    fig.add_vline(x=exact_k, line=dict(color="#2ca02c", dash="dash"),
                  annotation_text=f"knots of the exact minimiser: {exact_k}")
    fig.update_layout(height=height, title="error at the data after sharing K neurons",
                      xaxis_title="K (shared neurons)", yaxis_title="max |f_K(x_i) − f(x_i)|",
                      legend=dict(orientation="h", y=-0.25), **LAYOUT)
    return fig
