"""Live figures: a click or drag on a click plot redrawn without a Streamlit rerun.

A Streamlit rerun costs a round trip through the script, the websocket and React before the plot sees
new data (~150 ms on 2 cores for /univariate, of which the engine is a few ms). For the figure itself the
browser asks this route instead: ``POST /live/<page>`` with the plot's points, the edit and the options
the page sent with its last figure; the answer is the new figure (the same function and caches the page's
script uses) and the edited points. ``ui/click_plot.js`` draws it at once and only then tells Streamlit
the new points (an event of type "set"), so the rerun that updates the rest of the page finds the
solutions cached and sends the same figure, which the browser does not draw twice. During a drag only
this route is asked; Streamlit hears of the drop.

The route keeps no state (any replica behind the load balancer answers) and trusts nothing: the body is
bounded and read by ``engine.validation.load_json``, the points are checked as an upload's are, the options
by the page's ``from_json``; a refusal is ``400 {"error": one line}``, after which the browser falls back
to the rerun, which shows the message and keeps the points. At most ``MAX_CONCURRENT`` answers are computed
at once (``429`` beyond, and the browser reruns), so the route adds no unbounded work to the server. The route exists only where the app is served
by ``asgi.py`` (``make run``, ``make serve``); under a plain ``streamlit run app.py`` the browser finds no
route and always reruns.
"""
from __future__ import annotations

import threading
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine import DataError
from engine.validation import load_json
from ui.click_plot import figure_json
from ui.points import checked_points, edited

MAX_BODY = 256 * 1024   # bytes: 2000 points (the engine's limit) at full precision, with room for the options
MAX_CONCURRENT = 4      # live figures computed at once per process; beyond, 429 and the browser reruns instead
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)

# page name → (options parser, answer (x, y, options) → {plot key: (figure dict, that plot's options JSON)})
PAGES: dict[str, tuple[Callable, Callable]] = {}


def register(name: str, parse_options: Callable, live: Callable) -> None:
    PAGES[name] = (parse_options, live)


def answer(name: str, body: bytes) -> dict:
    """The live figures for request ``body`` to page ``name``: {"figures": {plot key: JSON text}, "options":
    {plot key: options}, "x": [...], "y": [...]} (x, y: the edited plot's points; a page may redraw several
    plots, as /multitask's task-1 edits change both). DataError on anything refused."""
    if name not in PAGES:
        raise DataError(f"no live figure for {name!r}")
    parse_options, live = PAGES[name]
    request = load_json(body, "the request", max_bytes=MAX_BODY)
    if not isinstance(request, dict) or not isinstance(request.get("event"), dict):
        raise DataError("the request is malformed")
    points = request.get("points")
    if not (isinstance(points, list) and len(points) == 2 and all(isinstance(p, list) for p in points)):
        raise DataError("the request's points are malformed (two lists, x and y)")
    try:
        new = edited(points[0], points[1], request["event"])
    except (KeyError, TypeError, ValueError, IndexError):
        raise DataError("the request's points or edit are malformed") from None
    if new is None:
        raise DataError("the edit does not apply to these points")
    x, y, _ = checked_points(*new, allow_few=True)
    plots = live(x, y, parse_options(request.get("options", {})))
    return {"figures": {k: figure_json(f) for k, (f, _) in plots.items()},
            "options": {k: o for k, (_, o) in plots.items()}, "x": x, "y": y}


async def _endpoint(request: Request) -> JSONResponse:
    body = b""
    async for chunk in request.stream():   # read no more than the limit, whatever the header says
        body += chunk
        if len(body) > MAX_BODY:
            return JSONResponse({"error": f"the request is larger than {MAX_BODY:,} bytes"}, status_code=413)
    if not _SLOTS.acquire(blocking=False):   # bounded work: the route is not a way around the sessions' queue
        return JSONResponse({"error": "busy: the figure comes with the page's rerun"}, status_code=429)
    try:
        return JSONResponse(await run_in_threadpool(answer, request.path_params["page"], body))
    except DataError as err:
        return JSONResponse({"error": str(err)}, status_code=400)
    finally:
        _SLOTS.release()


def routes() -> list[Route]:
    """The live-figure route for ``st.App`` (``asgi.py``); the pages register themselves on import."""
    import ui.multitask_curves as multitask
    import ui.univariate_curves as univariate

    register("univariate", univariate.Options.from_json, univariate.live)
    register("multitask", multitask.Options.from_json, multitask.live)
    return [Route("/live/{page}", _endpoint, methods=["POST"])]
