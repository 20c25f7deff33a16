"""Presentation mode (for a projector) and the light or dark plot theme.

The toggle lives in the sidebar of every page (app.py) and in the URL (``present=1``). When it is on:
the page's base font grows (Streamlit sizes text in rem), captions are full-contrast, and every figure
gets ``PRESENT``: plot text ≥ 16 px, lines and markers thicker, the legend beside the plot in one column.
Plot templates follow Streamlit's theme (``st.context.theme.type``): ``plotly_white`` or ``plotly_dark``,
with transparent backgrounds so that the page's colour shows through.
"""
from __future__ import annotations

from functools import cache

import streamlit as st

KEY = "present"
PRESENT = {"font": 18, "line_scale": 1.6, "marker_scale": 1.3, "legend_font": 17}
NORMAL = {"font": 13, "line_scale": 1.0, "marker_scale": 1.0, "legend_font": 12}
CSS = """<style>
html { font-size: 20px; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: inherit !important;
  font-size: 0.95rem !important; }
[data-testid="stSidebar"] { font-size: 0.85rem; }
</style>"""


def on() -> bool:
    return bool(st.session_state.get(KEY, False))


def restore_and_toggle() -> None:
    """The sidebar toggle, read from the URL on a session's first run and written back to it."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(KEY) == "1"
    st.sidebar.toggle("Presentation mode", key=KEY, help="Large text and lines for a projector; the legend "
                      "beside the plot. Also in the link (present=1).")
    if on():
        st.query_params[KEY] = "1"
        st.html(CSS)
    elif KEY in st.query_params:
        del st.query_params[KEY]


def plot_style() -> dict:
    """What ``ui/click_plot.js`` applies to a figure: font sizes, line and marker scales, legend place."""
    return {**(PRESENT if on() else NORMAL), "present": on(), "dark": dark()}


def dark() -> bool:
    try:
        return st.context.theme.type == "dark"
    except (AttributeError, RuntimeError):
        return False


@cache
def _template(name: str) -> dict:
    import plotly.io as pio

    template = pio.templates[name].to_plotly_json()
    template["layout"] |= {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"} if name == "plotly_dark" \
        else {}
    return template


def template_name(dark_theme: bool | None = None) -> str:
    """The name under which the theme's template is registered with plotly.io: a ``go.Figure`` given a name
    looks its template up (~20 ms) instead of validating a 7 kB dict (~0.4 s per figure)."""
    import plotly.io as pio

    name = "atlas_dark" if (dark() if dark_theme is None else dark_theme) else "atlas_light"
    if name not in pio.templates:
        pio.templates[name] = _template("plotly_dark" if name == "atlas_dark" else "plotly_white")
    return name


def template(dark_theme: bool | None = None) -> dict:
    """The Plotly template matching Streamlit's theme (or ``dark_theme`` where there is no session)."""
    return _template("plotly_dark" if (dark() if dark_theme is None else dark_theme) else "plotly_white")


def chart(fig, where=None, **kwargs):
    """``st.plotly_chart`` of ``style_figure(fig)`` in ``where`` (a column; the page if None), full width.

    ``theme=None``: the figure keeps the template chosen here. Streamlit's own Plotly theme would merge its
    font sizes over the figure's (ticks at 0.75 rem whatever the figure says), which presentation mode must
    override; the click plots (``ui/click_plot.js``) draw with the same templates."""
    return (where or st).plotly_chart(style_figure(fig), theme=None, width="stretch", **kwargs)


def style_figure(fig):
    """Presentation mode and the theme's template applied to a ``go.Figure`` drawn with st.plotly_chart.

    In presentation mode every axis's tick labels and title, every colour bar's ticks, subplot titles and
    the legend get explicit sizes (≥ 16 px), so that a figure's own smaller sizes do not stay small."""
    s = plot_style()
    fig.update_layout(template=template_name(), font=dict(size=s["font"]))
    if s["present"]:
        size = s["font"]
        fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top",
                                      font=dict(size=s["legend_font"])))
        fig.update_xaxes(tickfont_size=size, title_font_size=size)
        fig.update_yaxes(tickfont_size=size, title_font_size=size)
        axis = dict(tickfont_size=size, title_font_size=size)
        fig.update_scenes(xaxis=axis, yaxis=axis, zaxis=axis)
        if fig.layout.title.text:
            fig.update_layout(title_font_size=size + 2)
        fig.update_annotations(font_size=size)   # subplot titles
        for trace in fig.data:   # only colour bars that are drawn: a colorbar set on a marker shows it
            for holder, drawn in ((trace, getattr(trace, "showscale", False) is not False),
                                  (getattr(trace, "marker", None), bool(getattr(trace.marker, "showscale", False))
                                   if "marker" in trace else False)):
                if drawn and "colorbar" in holder:
                    holder.colorbar.tickfont.size = size
                    holder.colorbar.title.font.size = size
        fig.update_coloraxes(colorbar_tickfont_size=size, colorbar_title_font_size=size)
        fig.update_traces(selector=dict(type="scatter"), line_width=3)
    return fig
