""""Copy link" and "Save view" for every page, and "Open a saved view".

The view is the address: each page keeps its whole state in the URL (``ui.url_params``). "Copy link" copies
``location.href`` in the browser (the clipboard API where the page is a secure context, a selected text
field otherwise, e.g. on plain http in a lecture hall), so it is the address as it is now, after clicks
that reran only a fragment. "Save view" downloads the same as a small JSON file
``{"app": "relu-atlas", "v": 1, "page": "/univariate", "query": {...}}``; ``open_view`` reads it back.
"""
from __future__ import annotations

import json

import streamlit as st

from engine.validation import DataError
from ui.url_params import MAX_TEXT, VERSION

MAX_FILE = 1_000_000

_JS = """
export default function ({ parentElement, data }) {
  // Start loading plotly.js now, while the page's script still runs (ui/click_plot.js uses the same load).
  if (!window.Plotly && !window.__reluAtlasPlotly && data?.plotly_url) {
    window.__reluAtlasPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = data.plotly_url;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__reluAtlasPlotly = null; reject(new Error("could not load plotly.js")); };
      document.head.appendChild(script);
    });
  }
  const [copy, save] = parentElement.querySelectorAll("button");
  const status = parentElement.querySelector(".view-link-status");
  const say = (text) => { status.textContent = text; setTimeout(() => { status.textContent = ""; }, 2500); };
  copy.onclick = async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      say("Link copied");
    } catch {
      const field = document.createElement("textarea");
      field.value = url;
      document.body.appendChild(field);
      field.select();
      const ok = document.execCommand("copy");
      field.remove();
      say(ok ? "Link copied" : url);
    }
    copy.dataset.copied = url;
  };
  save.onclick = () => {
    const query = Object.fromEntries(new URLSearchParams(window.location.search));
    const view = { app: "relu-atlas", v: %(version)d, page: window.location.pathname, query };
    const blob = new Blob([JSON.stringify(view, null, 1)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `relu-atlas-view${window.location.pathname.replace(/\\W+/g, "-")}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
}
""" % {"version": VERSION}

_HTML = """<div class="view-link">
<button type="button" title="Copy this view's address">Copy link</button>
<button type="button" title="Download this view as a JSON file">Save view</button>
<span class="view-link-status" role="status"></span></div>"""

_CSS = """.view-link { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
.view-link button { font: inherit; padding: 0.3rem 0.7rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid rgba(128,128,128,0.4); background: transparent; color: inherit; }
.view-link button:hover { border-color: #d62728; color: #d62728; }
.view-link-status { font-size: 0.85em; opacity: 0.8; word-break: break-all; }"""

_component = st.components.v2.component("relu_atlas.view_link", html=_HTML, js=_JS, css=_CSS)


def view_link_buttons() -> None:
    from ui.click_plot import plotly_url

    _component(key="view_link", data={"plotly_url": plotly_url()})


def parse_view(raw: bytes, pages: dict[str, object]):
    """(page, query) from a saved view file; ``pages`` maps url paths ("/univariate") to pages."""
    if len(raw) > MAX_FILE:
        raise DataError(f"the file is larger than {MAX_FILE // 1000} kB")
    try:
        view = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DataError("the file is not a saved view (not JSON)") from None
    if not isinstance(view, dict) or view.get("app") != "relu-atlas":
        raise DataError("the file is not a saved ReLU Atlas view")
    if not isinstance(view.get("v"), int) or view["v"] > VERSION:
        raise DataError("the view was saved by a newer version of the app")
    page = str(view.get("page", "")).rstrip("/").rsplit("/", 1)[-1]
    if page not in pages:
        raise DataError(f"the view's page {view.get('page')!r} is not one of this app's pages")
    query = view.get("query", {})
    if not isinstance(query, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
        raise DataError("the view's parameters must be text")
    if sum(len(k) + len(v) for k, v in query.items()) > MAX_TEXT:
        raise DataError("the view's parameters are too long")
    return pages[page], query


def open_view(pages: dict[str, object]) -> None:
    """An uploader for a saved view: opens its page with its parameters (or says why not)."""
    upload = st.file_uploader("Open a saved view (JSON)", type=["json"], key="view_file")
    if upload is None or st.session_state.get("view_file_done") == upload.file_id:
        return
    st.session_state["view_file_done"] = upload.file_id
    try:
        page, query = parse_view(upload.getvalue(), pages)
    except DataError as err:
        st.error(f"Could not open the view: {err}.")
        return
    st.switch_page(page, query_params=query)
