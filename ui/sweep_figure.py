"""Figure of a sweep: a result's mean over seeds against a parameter, with error bars."""
import plotly.graph_objects as go


def over_seeds_figure(points, x: str, y: str, by: str | None, error: str | None, log_x: bool = False,
                      log_y: bool = False) -> go.Figure:
    """``points``: engine.sweep.summary.over_seeds's frame; ``error``: "std", "sem" or None."""
    fig = go.Figure()
    groups = points.groupby(by, sort=True) if by else [(None, points)]
    for value, g in groups:
        value = value[0] if isinstance(value, tuple) else value
        bars = None if error is None or g[error].isna().all() else dict(type="data", array=g[error], visible=True)
        fig.add_trace(go.Scatter(x=g[x], y=g["mean"], error_y=bars, mode="lines+markers",
                                 name=f"{by} = {value}" if by else y, customdata=g["n"],
                                 hovertemplate=f"{x} = %{{x}}<br>{y} = %{{y:.6g}}<br>n = %{{customdata}}<extra></extra>"))
    fig.update_layout(xaxis_title=x, yaxis_title=y, height=460, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=1.08), showlegend=bool(by))
    values = sorted(points[x].unique())
    fig.update_xaxes(type="log" if log_x else "linear", tickvals=values if len(values) <= 12 else None)
    fig.update_yaxes(type="log" if log_y else "linear")
    return fig
