""""Copy link" and "Save view" for every page, and "Open a saved view".

The view is the address: each page keeps its whole state in the URL (``ui.url_params``). "Copy link" copies
``location.href`` in the browser (the clipboard API where the page is a secure context, a selected text
field otherwise, e.g. on plain http in a lecture hall), so it is the address as it is now, after clicks
that reran only a fragment. "Save view" downloads the same as a small JSON file
``{"app": "relu-atlas", "v": 1, "page": "/univariate", "query": {...}}``; ``open_view`` reads it back.

Pages whose finished results are slow to recompute (training, compression) also put those in the file:
the page calls ``offer_results(build)`` during its run (``build()`` → a JSON-ready dict, in the page's own
versioned format), and "Save view" becomes a server-side download of ``{..., "results": build()}`` (built
when clicked). app.py draws that button after the page has run (such a page must not ``st.stop()``).
Opening such a file checks the results with the page's loader (``RESULTS``: an engine function that raises
``DataError``) before anything changes: a malformed file gives one message and the session keeps its view;
a good one is handed to the page once (``restored``), which shows it without recomputing.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import streamlit as st

from engine.validation import DataError
from ui.url_params import MAX_TEXT, VERSION

MAX_FILE = 8_000_000   # a saved view with results: five wide kernel-regime nets of 101 tasks are ~4 MB of JSON
_OFFER, _RESTORED = "_view_results_offer", "_view_results_restored"


def _compress_results(data):
    from engine.compress.session import load

    return load(data)


def _kernel_results(data):
    from engine.kernel_regime.saved import load

    return load(data)


RESULTS: dict[str, Callable[[Any], Any]] = {"compress": _compress_results, "kernel-regime": _kernel_results}
"""Url path of a page with results → its loader (raises DataError on a malformed ``results`` entry)."""

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
  save.hidden = Boolean(data?.results);   // the page's results come with a server-side "Save view"
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

# Styled as Streamlit's own secondary buttons (the theme's colours, 0.875rem text, 2.5rem high), so that
# "Copy link" matches the server-side "Save view" (an st.download_button) of pages with results.
_CSS = """.view-link { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin-right: 0.5rem; }
.view-link button { font-family: inherit; font-size: 0.875rem; line-height: 1.6; min-height: 2.5rem;
  padding: 0.25rem 0.75rem; border-radius: 0.5rem; cursor: pointer; color: inherit;
  border: 1px solid var(--st-border-color, rgba(128,128,128,0.4)); background: var(--st-background-color, transparent); }
.view-link button:hover { border-color: var(--st-primary-color, #d62728); color: var(--st-primary-color, #d62728); }
.view-link-status { font-size: 0.85em; opacity: 0.8; word-break: break-all; }
.view-link-status:empty { display: none; }"""

_component = st.components.v2.component("relu_atlas.view_link", html=_HTML, js=_JS, css=_CSS)


def offer_results(build: Callable[[], dict]) -> None:
    """Put this page's finished results in its saved view: ``build()`` returns them (called on "Save view")."""
    st.session_state[_OFFER] = build


def saved_view(page: str, query: dict, results: dict | None = None) -> str:
    """The text of a saved-view file."""
    view = {"app": "relu-atlas", "v": VERSION, "page": page, "query": dict(query)}
    if results is not None:
        view["results"] = results
    return json.dumps(view, allow_nan=False)


def view_link_buttons(page: str) -> None:
    """"Copy link" and "Save view" (``page``: the url path, "compress"); on a page with results (``RESULTS``)
    "Save view" is ``save_with_results``'s instead."""
    from ui.click_plot import plotly_url

    _component(key="view_link", data={"plotly_url": plotly_url(), "results": page in RESULTS}, width="content")


def save_with_results(page: str) -> None:
    """A page with results (``RESULTS``), after it has run: "Save view" with the results it offered (if any)."""
    if page not in RESULTS:
        return
    build = st.session_state.pop(_OFFER, None)
    query = {k: st.query_params[k] for k in st.query_params}
    st.download_button("Save view", lambda: saved_view(f"/{page}", query, build() if build else None),
                       f"relu-atlas-view-{page}.json", "application/json", on_click="ignore", key="view_save_results",
                       help="This view's link" + (" and its finished results" if build else "") +
                            " as a JSON file: open it again under “Open a saved view”.")


def restored(page: str):
    """The checked results of a saved view just opened for ``page`` (its loader's value), once; else None."""
    held = st.session_state.get(_RESTORED)
    if held is None or held[0] != page:
        return None
    del st.session_state[_RESTORED]
    return held[1]


def parse_view(raw: bytes, pages: dict[str, object]):
    """(page, query) from a saved view file, or (page, query, results) when it holds results (checked by
    the page's loader in ``RESULTS``); ``pages`` maps url paths ("univariate") to pages."""
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
    if "results" not in view:
        return pages[page], query
    if page not in RESULTS:
        raise DataError(f"the page {view.get('page')!r} keeps no results in a saved view")
    try:
        return pages[page], query, RESULTS[page](view["results"])
    except DataError as err:
        raise DataError(f"its results cannot be used: {err}") from None


def open_view(pages: dict[str, object]) -> None:
    """An uploader for a saved view: opens its page with its parameters (or says why not)."""
    upload = st.file_uploader("Open a saved view (JSON)", type=["json"], key="view_file")
    if upload is None or st.session_state.get("view_file_done") == upload.file_id:
        return
    st.session_state["view_file_done"] = upload.file_id
    try:
        page, query, *results = parse_view(upload.getvalue(), pages)
    except DataError as err:
        st.error(f"Could not open the view: {err}. Nothing was changed.")
        return
    if results:
        st.session_state[_RESTORED] = (next(k for k, v in pages.items() if v is page), results[0])
    st.switch_page(page, query_params=query)
