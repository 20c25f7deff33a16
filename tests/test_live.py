"""The live-figure route (ui/live.py): the same figure the page draws, and nothing but DataError for junk."""
import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from engine import DataError
from engine.univariate.validation import MAX_POINTS
from ui import live
from ui.click_plot import figure_json
from ui.points import checked_points
from ui.univariate_curves import Options, draw

live.routes()   # registers the pages
X, Y = [0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 1.0, 3.0]
OPTS = Options(kernels=("h1", "gaussian"), bw=0.7, lam=0.0, view=3)


def body(event, points=(X, Y), options=OPTS.to_json()) -> bytes:
    return json.dumps({"points": [list(points[0]), list(points[1])], "event": event, "options": options}).encode()


@pytest.mark.parametrize("event, expect", [
    ({"type": "add", "x": 1.5, "y": 2.0}, ([0, 1, 1.5, 2, 3], [0, 0, 2, 1, 3])),
    ({"type": "remove", "index": 1}, ([0, 2, 3], [0, 1, 3])),
    ({"type": "move", "index": 0, "x": 2.5, "y": -1.0, "drag": "d1", "final": False}, ([1, 2, 2.5, 3], [0, 1, -1, 3])),
])
def test_the_answer_is_the_figure_the_page_draws_for_the_edited_points(event, expect):
    answer = live.answer("univariate", body(event))
    assert (answer["x"], answer["y"]) == tuple(map(lambda v: [float(a) for a in v], expect))
    # byte for byte what the page's script sends for the same points and options (so it is not drawn twice)
    assert answer["figures"] == {"uv_plot": figure_json(draw(answer["x"], answer["y"], OPTS))}
    assert answer["options"] == {"uv_plot": OPTS.to_json()}
    points = next(t for t in json.loads(answer["figures"]["uv_plot"])["data"] if t.get("meta") == "points")
    assert points["x"] == answer["x"]


def test_options_change_the_figure():
    plain = live.answer("univariate", body({"type": "add", "x": 4, "y": 0}, options=Options(kernels=()).to_json()))
    names = [t["name"] for t in json.loads(plain["figures"]["uv_plot"])["data"]]
    assert not any("RKHS" in n or "spline" in n.lower() for n in names if "neurons" not in n), names
    with_kernels = live.answer("univariate", body({"type": "add", "x": 4, "y": 0}))
    assert len(json.loads(with_kernels["figures"]["uv_plot"])["data"]) == len(names) + 2


@pytest.mark.parametrize("request_body, message", [
    (b"{", "not valid JSON"),
    (b"[" * 100 + b"]" * 100, "nested too deeply"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 1, "y": 5}}', "conflicting"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": NaN, "y": 5}}', "finite"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 1e400, "y": 5}}', "finite"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "remove", "index": 7}}', "does not apply"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "eval"}}', "does not apply"),
    (b'{"points": "abc", "event": {"type": "add", "x": 1, "y": 5}}', "malformed"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 3, "y": 5}, "options": {"kernels": ["__import__"]}}',
     "unknown or repeated kernel"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 3, "y": 5}, "options": {"kernels": ["h1", "h1"]}}',
     "unknown or repeated kernel"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 3, "y": 5}, "options": {"lam": 0.5}}', "out of range"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 3, "y": 5}, "options": {"bw": 1e9}}', "out of range"),
    (b'{"points": [[0, 1], [0, 1]], "event": {"type": "add", "x": 3, "y": 5}, "options": {"path": "/etc"}}',
     "malformed"),
])
def test_junk_is_refused_with_one_line(request_body, message):
    with pytest.raises(DataError, match=message) as err:
        live.answer("univariate", request_body)
    assert "\n" not in str(err.value)


def test_too_many_points_and_unknown_pages_are_refused():
    many = np.arange(MAX_POINTS + 1, dtype=float)
    with pytest.raises(DataError, match="points"):
        live.answer("univariate", body({"type": "add", "x": -1, "y": 0}, points=(many, many)))
    with pytest.raises(DataError, match="no live figure"):
        live.answer("rnorm", body({"type": "add", "x": 1, "y": 0}))
    with pytest.raises(DataError, match="malformed"):
        live.answer("multitask", body({"type": "add", "x": 1, "y": 0}, options={"task1": "x"}))
    with pytest.raises(DataError, match="out of range"):
        live.answer("multitask", body({"type": "add", "x": 1, "y": 0}, options={"random": 10**6}))


def call(path: str, data: bytes):
    """The route's endpoint as the ASGI server calls it: (status, JSON body)."""
    scope = {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b"",
             "path_params": {"page": path.rsplit("/", 1)[1]}}
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return messages.pop(0)

    # in a thread of its own: a test that ran before may have left this thread's event loop running (Playwright)
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, live._endpoint(Request(scope, receive))).result()
    return response.status_code, json.loads(response.body)


def test_the_endpoint_answers_400_with_the_message_and_caps_the_body():
    status, answer = call("/live/univariate", body({"type": "add", "x": 1.5, "y": 2.0}))
    assert status == 200 and len(answer["x"]) == 5
    status, answer = call("/live/univariate", b'{"points": [[0], [0]], "event": {"type": "add", "x": 0, "y": 1}}')
    assert status == 400 and "conflicting" in answer["error"]
    status, answer = call("/live/univariate", b" " * (live.MAX_BODY + 1))
    assert status == 413 and "larger than" in answer["error"]


def test_the_route_answers_429_when_its_slots_are_taken():
    taken = [live._SLOTS.acquire(blocking=False) for _ in range(live.MAX_CONCURRENT)]
    try:
        assert all(taken)
        status, answer = call("/live/univariate", body({"type": "add", "x": 1.5, "y": 2.0}))
        assert status == 429 and "busy" in answer["error"]
    finally:
        for _ in taken:
            live._SLOTS.release()
    assert call("/live/univariate", body({"type": "add", "x": 1.5, "y": 2.0}))[0] == 200


def test_the_route_is_mounted_by_asgi_py():
    import asgi

    assert any(getattr(r, "path", None) == "/live/{page}" for r in asgi.app._user_routes)


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20),
       st.sampled_from(["add", "remove", "move", "set", "undo", "x"]))
def test_fuzzed_requests_give_a_figure_or_a_data_error(junk, kind):
    for request in ({"points": junk, "event": {"type": kind, "x": 1, "y": 1, "index": 0}},
                    {"points": [X, Y], "event": junk if isinstance(junk, dict) else {"type": kind, "x": junk},
                     "options": junk},
                    {"points": [X, Y], "event": {"type": kind, "x": junk, "y": 1, "index": junk}}):
        try:
            answer = live.answer("univariate", json.dumps(request).encode())
        except DataError:
            continue
        x, y, _ = checked_points(answer["x"], answer["y"], allow_few=True)
        assert x == answer["x"]


def test_a_task_1_edit_on_multitask_redraws_both_plots_as_the_page_would():
    from ui import multitask_curves as mt

    opts = mt.Options(task1=(tuple(X), tuple(Y)), placed=(((0.5, 2.5), (1.0, -1.0)),), random=2, seed=3, active=1)
    left = mt.plot_options(opts)["mt_alone"]
    answer = live.answer("multitask", body({"type": "add", "x": 1.5, "y": 2.0}, options=left))
    new = opts.with_task(0, answer["x"], answer["y"])
    assert answer["x"] == [0.0, 1.0, 1.5, 2.0, 3.0]
    assert answer["figures"] == {k: figure_json(f) for k, f in mt.figures(new).items()}
    assert answer["options"] == mt.plot_options(new)
    # the right plot edits the active task (placed task 2): its points change, task 1's stay
    right = answer["options"]["mt_multi"]
    answer = live.answer("multitask", body({"type": "remove", "index": 0}, points=new.placed[0], options=right))
    assert answer["x"] == [2.5] and mt.Options.from_json(answer["options"]["mt_multi"]).task1 == new.task1


def test_plotly_js_is_served_immutable_only_with_its_version():
    import asgi

    def run(path, query):
        sent = []

        async def inner(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"etag", b"x")]})
            await send({"type": "http.response.body", "body": b""})

        async def send(message):
            sent.append(message)

        with ThreadPoolExecutor(1) as pool:   # see call()
            pool.submit(asyncio.run, asgi.CachePlotly(inner)({"type": "http", "path": path, "query_string": query},
                                                             None, send)).result()
        return dict(sent[0]["headers"])

    assert run("/app/static/plotly.min.js", b"v=6.1.0")[b"cache-control"] == asgi.CACHED
    assert b"cache-control" not in run("/app/static/plotly.min.js", b"")
    assert b"cache-control" not in run("/univariate", b"v=1")
