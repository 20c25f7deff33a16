"""A Plotly chart that reports clicks, including clicks on empty plot space.

``st.plotly_chart`` only reports selections of existing points, so it cannot be
used to place new points by clicking. ``click_plot`` is a small
``st.components.v2`` component that draws the figure with plotly.js, with
``clickanywhere`` on, and returns each click to Python as a trigger value:

* a click within 12 px of a marker of the trace whose ``meta`` or ``name`` is
  ``"points"`` (even where other traces overlap it) gives
  ``{"type": "remove", "index": <point index>, "nonce": ...}``;
* any other click inside the axes, on empty space or near another trace,
  gives ``{"type": "add", "x": ..., "y": ..., "nonce": ...}`` in data
  coordinates (floats on linear axes).

The nonce differs on every click, so two identical clicks are both seen. The
event comes back in the rerun that drew the figure it was clicked on: update
the points, then ``st.rerun()`` to draw them (see tests/e2e/click_demo_app.py).
A double click resets the zoom; its clicks may also add or remove a point.

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
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

_JS = """
let plotlyLoading;
let clicks = 0;

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  plotlyLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
  return plotlyLoading;
}

const isPoints = (trace) => trace.meta === "points" || trace.name === "points";
const REMOVE_PX = 12;

// The nearest "points" marker within REMOVE_PX pixels of the click is removed, whatever other
// trace (a curve through the point, a marker on top of it) plotly reports as hovered.
function clickEvent(gd, ev) {
  const first = (ev.points || [])[0];
  const cx = ev.xvals?.length ? ev.xvals[0] : first?.x;
  const cy = ev.yvals?.length ? ev.yvals[0] : first?.y;
  if (cx === undefined || cy === undefined) return null;
  const trace = gd.data.find(isPoints);
  const { xaxis, yaxis } = gd._fullLayout;
  if (trace && xaxis && yaxis) {
    const px = xaxis.d2p(cx), py = yaxis.d2p(cy);
    let best = -1, bestDist = REMOVE_PX;
    (trace.x || []).forEach((x, i) => {
      const d = Math.hypot(xaxis.d2p(x) - px, yaxis.d2p(trace.y[i]) - py);
      if (d <= bestDist) [best, bestDist] = [i, d];
    });
    if (best >= 0) return { type: "remove", index: best };
  }
  const hit = (ev.points || []).find((p) => isPoints(p.data));
  if (hit) return { type: "remove", index: hit.pointIndex };
  return { type: "add", x: cx, y: cy };
}

// Built once: Plotly.react replots from scratch (losing the zoom) when the
// config changes, and a new click function would count as a change.
let config;

async function draw(Plotly, gd, figure, setTriggerValue) {
  config ??= {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["sendChartToCloud"],  // uploads to Plotly Cloud
    toImageButtonOptions: { filename: "plot" },
    modeBarButtonsToAdd: [{
      name: "downloadSvg",
      title: "Download plot as SVG",
      icon: Plotly.Icons["camera-retro"],
      click: (g) => Plotly.downloadImage(g, { format: "svg", filename: "plot" }),
    }],
  };
  const { data = [], layout = {}, frames } = figure;
  await Plotly.react(gd, {
    data,
    layout: { uirevision: true, ...layout, clickmode: "event", clickanywhere: true },
    frames,
    config,
  });
  gd.removeAllListeners("plotly_click");
  gd.on("plotly_click", (ev) => {
    const event = clickEvent(gd, ev);
    if (event) setTriggerValue("click", { ...event, nonce: `${Date.now()}-${++clicks}` });
  });
}

// Streamlit calls this again, with the same parentElement, whenever `data`
// changes. It also calls the returned cleanup when a call is superseded, so
// only purge once the plot has left the page.
export default function ({ data, parentElement, setTriggerValue }) {
  const gd = parentElement.querySelector(".click-plot");
  gd.style.height = `${data.height}px`;
  loadPlotly(data.plotly_url)
    .then((Plotly) => draw(Plotly, gd, data.figure, setTriggerValue))
    .catch((err) => { gd.textContent = err.message; });
  return () => { if (!gd.isConnected) window.Plotly?.purge(gd); };
}
"""

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


def click_plot(
    figure: dict[str, Any] | go.Figure,
    *,
    key: str,
    height: int = 480,
) -> dict[str, Any] | None:
    """Draw ``figure`` and return this rerun's click event, or None.

    Returns ``{"type": "add", "x": float, "y": float, "nonce": str}`` for a
    click anywhere in the axes except on a marker of the ``"points"`` trace, and
    ``{"type": "remove", "index": int, "nonce": str}`` for a click on such a
    marker. Reruns redraw the figure in place and keep the user's zoom unless
    the figure sets its own ``layout.uirevision``. Clicks inside ``st.form`` are
    not reported (Streamlit ignores trigger values in forms).
    """
    if not st.get_option("server.enableStaticServing"):
        raise RuntimeError(
            "click_plot needs server.enableStaticServing = true "
            "(see .streamlit/config.toml; run streamlit from the repository root)"
        )
    base = st.get_option("server.baseUrlPath").strip("/")
    result = _component(
        key=key,
        data={
            "figure": json.loads(pio.to_json(figure, validate=False)),
            "height": height,
            "plotly_url": f"{'/' + base if base else ''}/app/static/plotly.min.js",
        },
        on_click_change=lambda: None,
    )
    return result.click
