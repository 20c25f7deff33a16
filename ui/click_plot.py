"""A Plotly chart that reports clicks, including clicks on empty plot space, and drags of its points.

``st.plotly_chart`` only reports selections of existing points, so it cannot be
used to place new points by clicking. ``click_plot`` is a small
``st.components.v2`` component (ui/click_plot.js) that draws the figure with
plotly.js, with ``clickanywhere`` on, and returns each gesture to Python as a
trigger value:

* a click within 12 px of a marker of the trace whose ``meta`` or ``name`` is
  ``"points"`` (even where other traces overlap it) gives
  ``{"type": "remove", "index": <point index>, "nonce": ...}``;
* a drag of such a marker (``movable=True``) gives, while the pointer moves,
  ``{"type": "move", "index": i, "x": ..., "y": ..., "drag": <id>, "final": bool}``;
  the marker follows the pointer at once, and one update at a time is in flight,
  so the curves follow as fast as the server answers;
* any other click inside the axes, on empty space or near another trace,
  gives ``{"type": "add", "x": ..., "y": ..., "nonce": ...}`` in data
  coordinates (floats on linear axes);
* Ctrl+Z (⌘Z) over the plot gives ``{"type": "undo"}``, Delete over a point
  its ``remove``.

Presentation mode and the theme (``ui.presentation.plot_style``) are applied
in the browser: larger text, thicker lines, the legend beside the plot.

The nonce differs on every event, so two identical clicks are both seen. Pass
``on_event``: it is called with the event in the widget's callback, before the
script (or fragment) reruns, so that one run draws the edited points. A drag on
empty space pans, never box-zooms; the mode bar (always shown) has zoom in/out
and "reset axes", a double click resets too, and a new ``layout.uirevision``
from the page resets the view (on a preset, clear or upload).

The figure may be a ``go.Figure`` or a plain dict of lists and NumPy arrays
(``figure_json`` writes the arrays with 7 significant digits of their largest
value: curves need no more, and the payload of a 50-point page is a fifth of
plotly's); building plain dicts skips plotly's validation, ~30 ms a figure.

plotly.js is never fetched from a CDN: it is copied from the installed plotly
package into ``static/`` beside the app's main script, which Streamlit serves
at ``/app/static/`` when ``server.enableStaticServing`` is on, and loaded once
per page. The component runs in the app's document (components v2 use no
iframe) and without a shadow root, because plotly.js puts its CSS into
``document.head``.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.presentation import plot_style

_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

_JS = (Path(__file__).parent / "click_plot.js").read_text()

_component = st.components.v2.component(
    "relu_atlas.click_plot",
    html='<div class="click-plot"></div>',
    js=_JS,
    isolate_styles=False,
)


def _install_plotly_js() -> None:
    """Copy plotly.min.js into the static folder of the app being run, if stale."""
    ctx = get_script_run_ctx(suppress_warning=True)
    app_dir = Path(ctx.main_script_path).parent if ctx else Path(__file__).parents[1]
    target = app_dir / "static" / "plotly.min.js"
    if target.exists() and filecmp.cmp(_PLOTLY_JS, target):
        return
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    shutil.copy2(_PLOTLY_JS, tmp)
    os.replace(tmp, target)


_install_plotly_js()


def _plain(value):
    if isinstance(value, np.ndarray):
        a = np.asarray(value, float)
        scale = float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0))
        digits = 7 - int(np.floor(np.log10(scale))) if scale > 0 else 7
        rounded = np.round(a, max(digits, 0))
        finite = np.isfinite(rounded)
        if finite.all():
            return rounded.tolist()
        out = rounded.astype(object)
        out[~finite] = None   # plotly.js draws a gap
        return out.tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def figure_json(figure: dict[str, Any] | go.Figure) -> str:
    """JSON text of a figure for plotly.js (see the module docstring on precision)."""
    if isinstance(figure, go.Figure):
        return pio.to_json(figure, validate=False)
    return json.dumps(figure, default=_plain, separators=(",", ":"), allow_nan=False)


def _base() -> str:
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}" if base else ""


def plotly_url() -> str:
    """Where the app serves plotly.js (see the module docstring), with its version, so that browsers may keep
    it (asgi.py serves it as immutable)."""
    return f"{_base()}/app/static/plotly.min.js?v={plotly.__version__}"


def click_plot(
    figure: dict[str, Any] | go.Figure,
    *,
    key: str,
    height: int = 480,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    movable: bool | None = None,
    live: tuple[str, dict] | None = None,
    clickable: bool = True,
) -> dict[str, Any] | None:
    """Draw ``figure`` and return this rerun's click event, or None.

    Returns ``{"type": "add", "x": float, "y": float, "nonce": str}`` for a
    click anywhere in the axes except on a marker of the ``"points"`` trace,
    ``{"type": "remove", "index": int, "nonce": str}`` for a click on such a
    marker, and ``{"type": "move", ...}`` while one is dragged (``movable``,
    on by default when ``on_event`` is given). ``live=(page, options)``: the browser
    redraws edits from ``ui/live.py``'s route for ``page`` (the options as JSON, which
    that page's route reads back) and reports them as ``{"type": "set", "x": [...],
    "y": [...]}``. ``clickable=False``: a plain figure (no click events, no reruns).
    ``on_event(event)`` runs before
    the rerun, so the run that follows draws its effect. Reruns redraw the
    figure in place (Plotly.react) and keep the user's view unless the figure's
    ``layout.uirevision`` changes. Clicks inside ``st.form`` are not reported
    (Streamlit ignores trigger values in forms).
    """
    if not st.get_option("server.enableStaticServing"):
        raise RuntimeError(
            "click_plot needs server.enableStaticServing = true "
            "(see .streamlit/config.toml; run streamlit from the repository root)"
        )
    def changed() -> None:
        event = (st.session_state.get(key) or {}).get("click")
        if on_event is not None and event:
            on_event(event)

    result = _component(
        key=key,
        data={
            "figure": figure_json(figure),
            "height": height,
            "movable": on_event is not None if movable is None else movable,
            "style": plot_style(),
            "plotly_url": plotly_url(),
            "live": {"url": f"{_base()}/live/{live[0]}", "options": live[1]} if live else None,
            "key": key,
            "clickable": clickable,
        },
        on_click_change=changed,
    )
    return result.click
