"""Point sets in Streamlit session state: validated edits, undo, and a URL parameter.

Every change goes through ``PointStore.set``: the engine validates it (``as_points``), and on a
``DataError`` the message is kept for display and the previous points stay. ``PointStore.url_param``
is the points' row in the page's ``ui.url_params`` table, so that a copied link reproduces them.
"""
from __future__ import annotations

import math

import streamlit as st

from ui.url_params import Param

from engine.univariate.validation import MAX_ABS, DataError, as_points

HISTORY = 50


def encode_points(x, y) -> str:
    return ";".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y))   # repr: exact round trip


def checked_points(x, y, *, allow_few: bool):
    """Sorted, validated (x, y, notes); fewer than 2 points pass only with ``allow_few``."""
    if allow_few and len(x) < 2:
        if not all(isinstance(v, (int, float)) and math.isfinite(v) and abs(v) <= MAX_ABS for v in [*x, *y]):
            raise DataError(f"values must be finite and within ±{MAX_ABS:g}")
        return [float(v) for v in x], [float(v) for v in y], []
    xs, Y, notes = as_points(x, y)
    return xs.tolist(), Y[0].tolist(), notes


def edited(x, y, event: dict):
    """The points (x, y) after an edit of ``ui.click_plot`` (unchecked): "add" a point, "remove" or "move"
    point ``index``, or "set" them all (a browser's live edit, ``ui/live.py``); None if ``event`` is no
    edit of ours. Raises KeyError, TypeError or ValueError on a malformed event."""
    kind = event["type"]
    if kind == "add":
        return [*x, float(event["x"])], [*y, float(event["y"])]
    if kind == "set":
        nx, ny = event["x"], event["y"]
        if not (isinstance(nx, list) and isinstance(ny, list) and len(nx) == len(ny)):
            raise ValueError("malformed point list")
        return [float(v) for v in nx], [float(v) for v in ny]
    if kind in ("remove", "move"):
        i = int(event["index"])
        if not 0 <= i < len(x):
            return None
        if kind == "remove":
            return [*x[:i], *x[i + 1:]], [*y[:i], *y[i + 1:]]
        return [*x[:i], float(event["x"]), *x[i + 1:]], [*y[:i], float(event["y"]), *y[i + 1:]]
    return None


def decode_points(text: str):
    try:
        pairs = [p.split(",") for p in text.split(";") if p]
        x, y = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    except ValueError:
        raise DataError("the link's point list is malformed") from None
    return x, y


class PointStore:
    """Points (sorted, validated) under ``prefix`` in session state, with an undo history."""

    def __init__(self, prefix: str, default):
        self.key, self.hist, self.msg, self.ver, self.view_key, self.drag = (
            f"{prefix}_{s}" for s in ("pts", "hist", "msg", "ver", "view", "drag"))
        self.default = tuple(map(list, default))
        if self.hist not in st.session_state:
            st.session_state[self.hist] = []
            st.session_state[self.msg] = None
            st.session_state[self.ver] = 0
            st.session_state[self.view_key] = 0
            st.session_state[self.drag] = None

    def url_param(self, name: str = "pts") -> Param:
        """The points as a URL parameter ``name`` (x,y pairs separated by ';', exact floats)."""
        return Param(name, self.default, self.parse_link, lambda pts: encode_points(*pts), state=self.key)

    @classmethod
    def parse_link(cls, text: str):
        x, y = decode_points(text)
        return tuple(checked_points(x, y, allow_few=True)[:2])

    @property
    def points(self):
        """(x, y) as two lists, sorted by x."""
        return tuple(st.session_state.setdefault(self.key, self.default))

    @property
    def version(self) -> int:
        """Changes whenever the points change (for widgets that must reset with them)."""
        return st.session_state[self.ver]

    @property
    def view(self) -> int:
        """The plot's view revision (``layout.uirevision``): a new value resets pan and zoom."""
        return st.session_state[self.view_key]

    def reset_view(self) -> None:
        st.session_state[self.view_key] += 1

    def set(self, x, y, *, allow_few: bool = False, notes=(), record: bool = True, new_view: bool = False) -> bool:
        """Replace the points after validation; False (and a message) if they are rejected. ``record``:
        the old points go on the undo history; ``new_view``: the plot's view resets to the new data."""
        try:
            x, y, found = checked_points(x, y, allow_few=allow_few)
            st.session_state[self.msg] = "; ".join([*notes, *found]) or None
        except DataError as err:
            st.session_state[self.msg] = f"{err}. Your previous points are kept."
            return False
        if new_view:
            self.reset_view()
        if (list(x), list(y)) != tuple(self.points):
            if record:
                st.session_state[self.hist] = (st.session_state[self.hist] + [self.points])[-HISTORY:]
            st.session_state[self.key] = (list(x), list(y))
            st.session_state[self.ver] += 1
        return True

    def apply(self, event: dict) -> bool:
        """Apply an event of ``ui.click_plot`` (see ``edited``; "undo" too). The steps of one drag (events
        with the same ``drag`` id) are one undo step."""
        try:
            if event["type"] == "undo":
                self.undo()
                return True
            new = edited(*self.points, event)
            if new is None:
                return False
            drag = event.get("drag")
            first = drag is None or str(drag) != st.session_state[self.drag]
            ok = self.set(*new, allow_few=True, record=first)
            if ok and drag is not None:
                st.session_state[self.drag] = str(drag)
            return ok
        except (KeyError, TypeError, ValueError):
            return False   # not an event of ours: ignored

    def edit_buttons(self, undo_col, clear_col, undo_label: str = "Undo", clear_label: str = "Clear") -> None:
        """Undo and Clear buttons in the given columns (their callbacks edit the points before the rerun)."""
        undo_col.button(undo_label, disabled=not self.can_undo, width="stretch", on_click=self.undo,
                        key=f"{self.key}_undo")
        clear_col.button(clear_label, width="stretch", key=f"{self.key}_clear",
                         on_click=lambda: self.set([], [], allow_few=True, new_view=True))

    def refresh(self) -> None:
        """Make widgets keyed on ``version`` start again from the stored points."""
        st.session_state[self.ver] += 1

    def undo(self) -> None:
        if st.session_state[self.hist]:
            st.session_state[self.key] = st.session_state[self.hist].pop()
            st.session_state[self.ver] += 1
            st.session_state[self.msg] = None

    @property
    def can_undo(self) -> bool:
        return bool(st.session_state[self.hist])

    @property
    def message(self):
        return st.session_state[self.msg]


def preset_picker(store: PointStore) -> None:
    """Preset selector (with a seed for generated sets) and a button that loads it into ``store``."""
    from engine.univariate import GENERATED, PRESETS, preset_points

    preset = st.selectbox("Preset", [*PRESETS, *GENERATED], key=f"{store.key}_preset")
    seed = st.number_input("Seed (generated presets)", 0, 10_000, 0, key=f"{store.key}_seed") \
        if preset in GENERATED else 0
    st.button("Load preset", width="stretch", key=f"{store.key}_load",
              on_click=lambda: store.set(*preset_points(preset, seed=int(seed)), new_view=True))
