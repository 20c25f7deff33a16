"""One Streamlit session spoken over the websocket, as the browser frontend speaks it.

The frontend opens ``ws://HOST/_stcore/stream`` (subprotocol ``streamlit``) and sends a ``BackMsg``
whose ``rerun_script`` is a ``ClientState``: the URL's query string, the page (``page_name`` = the
URL path on the first run, ``page_script_hash`` afterwards), the widget values and, for a rerun
started inside an ``st.fragment``, that fragment's id. The server answers with ``ForwardMsg``s
(``new_session``, ``navigation``, ``page_info_changed`` when the script writes ``st.query_params``,
``delta``s carrying elements, ``script_finished``). A run that calls ``st.rerun()`` ends with
``FINISHED_EARLY_FOR_RERUN`` and is followed by another run; the interaction is over at the first
other ``script_finished``.

Components v2 (``st.components.v2``) report events through one *trigger aggregator* widget per
instance, id ``$$STREAMLIT_INTERNAL_KEY_<element id>__events``, whose ``json_trigger_value`` is a
JSON list ``[{"event": name, "value": payload}]`` (streamlit/components/v2/bidi_component/main.py,
``_make_trigger_id`` and ``deserialize_trigger_list``).
"""
from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

_FINISHED = ForwardMsg.ScriptFinishedStatus
_EARLY = _FINISHED.Value("FINISHED_EARLY_FOR_RERUN")
_COMPILE_ERROR = _FINISHED.Value("FINISHED_WITH_COMPILE_ERROR")


class ProtocolError(RuntimeError):
    """The server closed the session, or a run did not finish in time."""


@dataclass
class Element:
    """The latest delta of one widget-like element: its kind, proto and fragment."""

    kind: str
    proto: Any
    fragment_id: str


@dataclass
class RunResult:
    """One interaction: seconds from send to the run's end, what went wrong in it."""

    seconds: float
    runs: int = 0
    exceptions: list[str] = field(default_factory=list)
    error_alerts: int = 0
    compile_error: bool = False


def trigger_state(element_id: str, event: str, value: Any) -> WidgetState:
    """The widget state a components-v2 instance sends when its JS calls setTriggerValue(event, value)."""
    state = WidgetState(id=f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element_id}__events")
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return state


def text_state(element_id: str, value: str) -> WidgetState:
    """The widget state of an ``st.text_input`` holding ``value``."""
    return WidgetState(id=element_id, string_value=value)


def plotly_array(value: Any) -> np.ndarray:
    """A Plotly JSON array: a list, or plotly.py's typed array ``{"dtype", "bdata"[, "shape"]}``."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return arr.reshape([int(s) for s in str(value["shape"]).split(",")]) if "shape" in value else arr
    return np.asarray(value if value is not None else [], dtype=float)


class Session:
    """A browser tab's session: ``await open()``, then ``await rerun(states)`` per interaction."""

    def __init__(self, ws_url: str, page: str, query: str = "", *, timeout: float = 120.0):
        self.ws_url, self.page, self.query, self.timeout = ws_url, page, query, timeout
        self.page_hash = ""
        self.elements: dict[str, Element] = {}
        self._ws = None

    async def open(self) -> RunResult:
        start = time.perf_counter()
        try:
            self._ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                     open_timeout=self.timeout, ping_interval=None)
        except (OSError, WebSocketException) as err:   # refused, timed out, or a proxy's 503
            raise ProtocolError(f"cannot connect: {type(err).__name__}: {err}") from err
        return await self._run(BackMsg(), start)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def find(self, kind: str, suffix: str = "", component: str = "") -> list[Element]:
        """Elements of ``kind`` whose id ends with ``suffix`` (a widget key) or that are ``component``."""
        return [e for i, e in self.elements.items() if e.kind == kind and i.endswith(suffix)
                and (not component or e.proto.component_name.endswith(component))]

    async def rerun(self, states: list[WidgetState], fragment_id: str = "") -> RunResult:
        """Send the widget states (what the frontend sends on a widget change); wait for the run."""
        msg = BackMsg()
        msg.rerun_script.widget_states.widgets.extend(states)
        msg.rerun_script.fragment_id = fragment_id
        return await self._run(msg, time.perf_counter())

    async def _run(self, msg: BackMsg, start: float) -> RunResult:
        client = msg.rerun_script
        client.query_string = self.query
        client.page_script_hash = self.page_hash
        client.page_name = "" if self.page_hash else self.page
        if not client.fragment_id:
            self.elements.clear()   # a full run redraws the page: what it does not send is gone
        result = RunResult(0.0)
        deadline = start + self.timeout
        try:
            await self._ws.send(msg.SerializeToString())
        except WebSocketException as err:
            raise ProtocolError(f"{type(err).__name__}: {err}") from err
        while True:
            try:
                raw = await _recv(self._ws, deadline)
            except (OSError, WebSocketException) as err:   # closed, reset or timed out: the session is lost
                raise ProtocolError(f"{type(err).__name__}: {err}") from err
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._delta(fwd.delta, result)
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_not_found":
                raise ProtocolError(f"page not found: {self.page!r}")
            elif kind == "session_event" and fwd.session_event.HasField("script_compilation_exception"):
                result.exceptions.append(fwd.session_event.script_compilation_exception.message)
            elif kind == "script_finished":
                result.runs += 1
                if fwd.script_finished != _EARLY:
                    result.compile_error = fwd.script_finished == _COMPILE_ERROR
                    result.seconds = time.perf_counter() - start
                    return result

    def _delta(self, delta, result: RunResult) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            result.error_alerts += 1
        elif kind in ("bidi_component", "text_input"):
            proto = getattr(element, kind)
            self.elements[proto.id] = Element(kind, proto, delta.fragment_id)


async def _recv(ws, deadline: float) -> bytes:
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise TimeoutError("no script_finished before the run timeout")
    return await asyncio.wait_for(ws.recv(), remaining)
