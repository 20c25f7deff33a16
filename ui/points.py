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
        self.key, self.hist, self.msg, self.ver = (f"{prefix}_{s}" for s in ("pts", "hist", "msg", "ver"))
        self.default = tuple(map(list, default))
        if self.hist not in st.session_state:
            st.session_state[self.hist] = []
            st.session_state[self.msg] = None
            st.session_state[self.ver] = 0

    def url_param(self, name: str = "pts") -> Param:
        """The points as a URL parameter ``name`` (x,y pairs separated by ';', exact floats)."""
        return Param(name, self.default, self.parse_link, lambda pts: encode_points(*pts), state=self.key)

    @classmethod
    def parse_link(cls, text: str):
        x, y = decode_points(text)
        return tuple(cls._checked(x, y, allow_few=True)[:2])

    @property
    def points(self):
        """(x, y) as two lists, sorted by x."""
        return tuple(st.session_state.setdefault(self.key, self.default))

    @property
    def version(self) -> int:
        """Changes whenever the points change (for widgets that must reset with them)."""
        return st.session_state[self.ver]

    @staticmethod
    def _checked(x, y, *, allow_few: bool):
        """Sorted, validated (x, y, notes); fewer than 2 points pass only with ``allow_few``."""
        if allow_few and len(x) < 2:
            if not all(math.isfinite(v) and abs(v) <= MAX_ABS for v in [*x, *y]):
                raise DataError(f"values must be finite and within ±{MAX_ABS:g}")
            return list(x), list(y), []
        xs, Y, notes = as_points(x, y)
        return xs.tolist(), Y[0].tolist(), notes

    def set(self, x, y, *, allow_few: bool = False, notes=()) -> bool:
        """Replace the points after validation; False (and a message) if they are rejected."""
        try:
            x, y, found = self._checked(x, y, allow_few=allow_few)
            st.session_state[self.msg] = "; ".join([*notes, *found]) or None
        except DataError as err:
            st.session_state[self.msg] = f"{err}. Your previous points are kept."
            return False
        if (list(x), list(y)) != tuple(self.points):
            st.session_state[self.hist] = (st.session_state[self.hist] + [self.points])[-HISTORY:]
            st.session_state[self.key] = (list(x), list(y))
            st.session_state[self.ver] += 1
        return True

    def add(self, px: float, py: float) -> bool:
        x, y = self.points
        return self.set(x + [px], y + [py], allow_few=True)

    def remove(self, index: int) -> bool:
        x, y = self.points
        if not 0 <= index < len(x):
            return False
        return self.set(x[:index] + x[index + 1:], y[:index] + y[index + 1:], allow_few=True)

    def apply(self, event: dict) -> bool:
        """Apply a click event of ``ui.click_plot``: add a point, or remove the clicked one."""
        return self.add(event["x"], event["y"]) if event["type"] == "add" else self.remove(event["index"])

    def edit_buttons(self, undo_col, clear_col, undo_label: str = "Undo", clear_label: str = "Clear") -> None:
        """Undo and Clear buttons in the given columns (each reruns the page)."""
        if undo_col.button(undo_label, disabled=not self.can_undo, width="stretch"):
            self.undo()
            st.rerun()
        if clear_col.button(clear_label, width="stretch"):
            self.set([], [], allow_few=True)
            st.rerun()

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
    from engine.univariate.presets import GENERATED, PRESETS, preset_points

    preset = st.selectbox("Preset", [*PRESETS, *GENERATED])
    seed = st.number_input("Seed (generated presets)", 0, 10_000, 0) if preset in GENERATED else 0
    if st.button("Load preset", width="stretch"):
        store.set(*preset_points(preset, seed=int(seed)))
