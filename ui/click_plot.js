// ui/click_plot.py's component: a plotly.js figure that reports clicks anywhere and drags of its points.
//
// Events sent to Python as the trigger value "click":
//   {type: "add", x, y}              a click on empty space (or on a curve) inside the axes;
//   {type: "remove", index}          a click on a marker of the "points" trace (within REMOVE_PX);
//   {type: "move", index, x, y, drag, final}   a drag of such a marker: sent while dragging (one in
//                                    flight at a time, so the server never queues stale positions)
//                                    and once more on release with final = true;
//   {type: "undo"}                   Ctrl+Z (⌘Z) over the plot (Delete over a point removes it).
// Every event carries a fresh nonce, so two identical clicks are both seen.
let nonces = 0;
const REMOVE_PX = 12;      // a press this close to a data point grabs it
const MOVE_PX = 3;         // ... and moving it further than this makes the press a drag
const STALE_MS = 1500;     // a drag update unanswered this long is given up on

// One load per page (shared with ui/view_link.py, which starts it while the page script still runs).
function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  window.__reluAtlasPlotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => { window.__reluAtlasPlotly = null; reject(new Error(`could not load ${url}`)); };
    document.head.appendChild(script);
  });
  return window.__reluAtlasPlotly;
}

const isPoints = (trace) => trace.meta === "points" || trace.name === "points";
const send = (gd, event) => gd._send("click", { ...event, nonce: `${Date.now()}-${++nonces}` });

// Pixel position of a mouse or touch event inside the axes (plotly's d2p/p2d frame).
function axesPixels(gd, ev) {
  const p = ev.touches?.[0] ?? ev.changedTouches?.[0] ?? ev;
  const rect = gd.getBoundingClientRect();
  const { xaxis, yaxis } = gd._fullLayout;
  return [p.clientX - rect.left - xaxis._offset, p.clientY - rect.top - yaxis._offset];
}

// Index of the "points" marker nearest the pixel (px, py), if within REMOVE_PX; else -1.
function nearestPoint(gd, px, py, limit = REMOVE_PX) {
  const k = gd.data.findIndex(isPoints);
  if (k < 0) return [-1, -1];
  const { xaxis, yaxis } = gd._fullLayout;
  const trace = gd.data[k];
  let best = -1, bestDist = limit;
  (trace.x || []).forEach((x, i) => {
    const d = Math.hypot(xaxis.d2p(x) - px, yaxis.d2p(trace.y[i]) - py);
    if (d <= bestDist) [best, bestDist] = [i, d];
  });
  return [k, best];
}

function clickEvent(gd, ev) {
  const first = (ev.points || [])[0];
  const cx = ev.xvals?.length ? ev.xvals[0] : first?.x;
  const cy = ev.yvals?.length ? ev.yvals[0] : first?.y;
  if (cx === undefined || cy === undefined) return null;
  const { xaxis, yaxis } = gd._fullLayout;
  const [, best] = nearestPoint(gd, xaxis.d2p(cx), yaxis.d2p(cy));
  if (best >= 0) return { type: "remove", index: best };
  return { type: "add", x: cx, y: cy };
}

// A press on a data point: a click removes it, a drag moves it. The press is taken before plotly
// sees it (capture phase), so plotly neither pans nor reports a click for it.
function onPress(gd, ev) {
  if (!gd._fullLayout?.xaxis || (ev.button ?? 0) !== 0 || !gd._movable) return;
  const [px, py] = axesPixels(gd, ev);
  const [trace, index] = nearestPoint(gd, px, py);
  if (index < 0) return;
  ev.stopPropagation();
  ev.preventDefault();
  const drag = { trace, index, id: `${Date.now()}-${++nonces}`, start: [px, py], moved: false,
                 at: null, sent: null, sentAt: 0 };
  gd._drag = drag;
  const move = (e) => {
    const [qx, qy] = axesPixels(gd, e);
    if (!drag.moved && Math.hypot(qx - drag.start[0], qy - drag.start[1]) < MOVE_PX) return;
    e.preventDefault();
    drag.moved = true;
    const { xaxis, yaxis } = gd._fullLayout;
    drag.at = [xaxis.p2d(qx), yaxis.p2d(qy)];
    showDragged(gd);
    pushDrag(gd, false);
  };
  const release = (e) => {
    window.removeEventListener("mousemove", move, true);
    window.removeEventListener("touchmove", move, true);
    window.removeEventListener("mouseup", release, true);
    window.removeEventListener("touchend", release, true);
    gd._drag = null;
    if (drag.moved) { pushDrag(gd, true, drag); e.preventDefault(); }
    else edit(gd, { type: "remove", index: drag.index });
  };
  window.addEventListener("mousemove", move, true);
  window.addEventListener("touchmove", move, { capture: true, passive: false });
  window.addEventListener("mouseup", release, true);
  window.addEventListener("touchend", release, true);
}

// Draw the dragged marker where the pointer is, at once (no round trip).
function showDragged(gd) {
  const drag = gd._drag;
  if (!drag?.at) return;
  const trace = gd.data[drag.trace];
  const x = [...trace.x], y = [...trace.y];
  [x[drag.index], y[drag.index]] = drag.at;
  window.Plotly.restyle(gd, { x: [x], y: [y] }, [drag.trace]);
}

// Send the pointer's position unless an update is still in flight (then the next drawn figure sends it).
function pushDrag(gd, final, drag = gd._drag) {
  if (!drag?.at) return;
  const same = drag.sent && drag.sent[0] === drag.at[0] && drag.sent[1] === drag.at[1];
  if (same && !final) return;
  if (!final && drag.sentAt && Date.now() - drag.sentAt < STALE_MS) return;
  drag.sent = drag.at;
  drag.sentAt = Date.now();
  edit(gd, { type: "move", index: drag.index, x: drag.at[0], y: drag.at[1], drag: drag.id, final });
}

// After the server's figure is drawn: the dragged point may have a new index (points stay sorted by
// x); find it by the position last sent, show the pointer's newer position and send that.
function continueDrag(gd) {
  const drag = gd._drag;
  if (!drag?.sent) return;
  const k = gd.data.findIndex(isPoints);
  if (k < 0) return;
  const { xaxis, yaxis } = gd._fullLayout;
  const [, index] = nearestPoint(gd, xaxis.d2p(drag.sent[0]), yaxis.d2p(drag.sent[1]), Infinity);
  if (index >= 0) [drag.trace, drag.index] = [k, index];
  drag.sentAt = 0;
  showDragged(gd);
  pushDrag(gd, false);
}

// Live figures (ui/live.py): an edit goes to the server's live route first and is drawn from its answer;
// Streamlit then hears the new points ("set"; during a drag only on the drop), and its rerun's figure,
// the same text, is not drawn again. Without the route (a plain `streamlit run app.py`), or when the
// route refuses the edit, the event goes to Streamlit as before (its rerun shows why).
let liveMissing = false;
const RECENT = 8;   // live figures remembered, so that a rerun's older figure is not drawn over a newer one

async function askLive(gd, event) {
  if (!gd._live || liveMissing || !gd._points) return null;
  try {
    const res = await fetch(gd._live.url, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ points: gd._points, event, options: gd._live.options }),
    });
    if (res.status === 404 || res.status === 405) liveMissing = true;
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

// Steps on one plot (draws, live edits, an undo after them) run one after another, in order; a step that
// fails is logged and does not stop the ones after it.
const enqueue = (gd, step) => {
  gd._queue = (gd._queue || Promise.resolve()).then(step).catch((err) => console.error(err));
  return gd._queue;
};

function edit(gd, event) {
  if (!gd._live || liveMissing) { send(gd, event); return; }
  enqueue(gd, async () => {
    const answer = await askLive(gd, event);
    if (!answer) { send(gd, event); return; }
    gd._points = [answer.x, answer.y];
    // The edited plot first (where the user looks), then the page's other plots the edit changed.
    const keys = Object.keys(answer.figures).sort((a, b) => (b === gd.dataset.key) - (a === gd.dataset.key));
    for (const key of keys) {
      const target = key === gd.dataset.key ? gd : document.querySelector(`.click-plot[data-key="${key}"]`);
      if (!target || !target._style) continue;
      const text = answer.figures[key];
      const parsed = JSON.parse(text);
      if (target !== gd) target._points = pointsOf(parsed);
      if (target._live && answer.options?.[key]) target._live = { ...target._live, options: answer.options[key] };
      const sig = signature(text, target._style);
      target._recent = [...(target._recent || []).slice(1 - RECENT), sig];
      target._drawn = sig;
      await draw(window.Plotly, target, styled(parsed, target._style, target._width));
    }
    if (event.type !== "move" || event.final) {
      send(gd, { type: "set", x: answer.x, y: answer.y, ...(event.drag ? { drag: event.drag } : {}) });
    }
  });
}

// What a drawing shows: the figure's text and the style applied to it.
const signature = (text, style) => `${JSON.stringify(style)}\n${text}`;

function pointsOf(figure) {
  const points = (figure.data || []).find(isPoints);
  return points ? [points.x || [], points.y || []] : null;
}

// Presentation mode and narrow screens (ui/presentation.py's plot_style): larger text, thicker lines,
// the legend beside the plot; below NARROW_PX the legend is hidden (the plot keeps the width).
const NARROW_PX = 520;
const scaled = (v, k) => (Array.isArray(v) ? v.map((u) => u * k) : v * k);

function styled(figure, style, width) {
  if (!style) return figure;
  const data = figure.data.map((t) => ({
    ...t,
    ...(t.line?.width ? { line: { ...t.line, width: t.line.width * style.line_scale } } : {}),
    ...(t.marker?.size ? { marker: { ...t.marker, size: scaled(t.marker.size, style.marker_scale) } } : {}),
  }));
  const layout = { ...figure.layout, font: { ...(figure.layout.font || {}), size: style.font } };
  layout.legend = { ...(layout.legend || {}), font: { size: style.legend_font } };
  if (style.present) {
    layout.legend = { ...layout.legend, orientation: "v", x: 1.02, y: 1, xanchor: "left", yanchor: "top" };
    layout.margin = { ...(layout.margin || {}), r: 10, b: 60 };
  }
  if (width && width < NARROW_PX) layout.showlegend = false;
  return { ...figure, data, layout };
}

// Ctrl+Z (⌘Z) undoes the last edit of the plot under the pointer (or the page's first editable plot);
// Delete or Backspace removes the point under the pointer.
function onKey(ev) {
  const target = ev.target;
  if (target?.closest?.("input, textarea, [contenteditable=true]")) return;
  const plots = [...document.querySelectorAll(".click-plot")].filter((gd) => gd._movable && gd._send);
  const hovered = plots.find((gd) => gd._pointer);
  if ((ev.ctrlKey || ev.metaKey) && !ev.shiftKey && ev.key.toLowerCase() === "z") {
    const gd = hovered ?? plots[0];
    if (!gd) return;
    ev.preventDefault();
    // after any live edit still on its way (its "set" must reach Streamlit before the undo)
    enqueue(gd, () => send(gd, { type: "undo" }));
  } else if ((ev.key === "Delete" || ev.key === "Backspace") && hovered) {
    const [, index] = nearestPoint(hovered, ...hovered._pointer);
    if (index < 0) return;
    ev.preventDefault();
    edit(hovered, { type: "remove", index });
  }
}

// Built once: Plotly.react replots from scratch (losing the zoom) when the config changes.
let config;

async function draw(Plotly, gd, figure) {
  config ??= {
    displaylogo: false,
    displayModeBar: true,     // always shown: "reset axes" is the visible reset-view control
    responsive: true,
    doubleClick: "reset",
    modeBarButtonsToRemove: ["sendChartToCloud", "zoom2d", "select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { filename: "plot" },
    modeBarButtonsToAdd: [{
      name: "downloadSvg",
      title: "Download plot as SVG",
      icon: Plotly.Icons["camera-retro"],
      click: (g) => Plotly.downloadImage(g, { format: "svg", filename: "plot" }),
    }],
  };
  const { data = [], layout = {}, frames } = figure;
  // A drag pans (never box-zooms); "uirevision" keeps the user's pan and zoom across reruns until
  // the page changes it (a preset, clear, upload or "reset view").
  await Plotly.react(gd, {
    data,
    layout: { uirevision: true, dragmode: "pan", ...layout, clickmode: "event", clickanywhere: true },
    frames,
    config,
  });
  if (!gd._clickBound) {
    gd._clickBound = true;
    gd.on("plotly_click", (ev) => {
      if (!gd._clickable) return;
      const event = clickEvent(gd, ev);
      if (event) edit(gd, event);
    });
    gd.addEventListener("mousedown", (ev) => onPress(gd, ev), true);
    gd.addEventListener("mousemove", (ev) => { if (gd._fullLayout?.xaxis) gd._pointer = axesPixels(gd, ev); });
    gd.addEventListener("mouseleave", () => { gd._pointer = null; });
    if (!window.__clickPlotKeys) {
      window.__clickPlotKeys = true;
      document.addEventListener("keydown", onKey);
    }
    gd.addEventListener("touchstart", (ev) => onPress(gd, ev), { capture: true, passive: false });
  }
  gd.dataset.drawn = String(Number(gd.dataset.drawn || 0) + 1);   // for tests and benchmarks
  continueDrag(gd);
}

// Streamlit calls this again, with the same parentElement, whenever `data` changes; draws are
// chained so that a slow one never overtakes a newer figure.
export default function ({ data, parentElement, setTriggerValue }) {
  const gd = parentElement.querySelector(".click-plot");
  gd.style.height = `${data.height}px`;
  gd._send = setTriggerValue;
  gd._movable = data.movable;
  gd._clickable = data.clickable ?? true;
  gd._live = data.live;
  gd.dataset.key = data.key;
  gd._style = data.style;
  gd._width = parentElement.clientWidth;
  // Streamlit calls this on every rerun (``data.run`` differs), so that a rerun whose figure equals one it
  // sent before (an undo after a live edit) still reaches here. Skip what is drawn already, and figures of
  // edits older than the live drawing on screen.
  const sig = signature(data.figure, data.style);
  const recent = gd._recent || [];
  const cleanup = () => { if (!gd.isConnected) window.Plotly?.purge(gd); };
  if (sig === gd._drawn) { gd._recent = []; return cleanup; }
  if (recent.includes(sig)) return cleanup;
  gd._recent = [];
  gd._drawn = sig;
  const parsed = JSON.parse(data.figure);
  gd._points = pointsOf(parsed);
  const figure = styled(parsed, data.style, parentElement.clientWidth);
  enqueue(gd, () => loadPlotly(data.plotly_url).then((Plotly) => draw(Plotly, gd, figure))
    .catch((err) => { gd.textContent = err.message; }));
  return cleanup;
}
