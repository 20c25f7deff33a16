"""A page's URL parameters as one declarative table: a copied link restores the view.

Each page lists its parameters once, ``URL = UrlParams(Param("lam", 0.0, nearest(LAMS)), ...)``; the same
table reads the link (``URL.restore()``) and keeps the address bar equal to the session's state
(``URL.write()``). A value is kept in ``st.session_state[param.state]`` (the widget key, by default the
parameter's name), so widgets keyed on it show the restored value. A link is read on a session's first
run, and again whenever the address holds this page's parameters other than those the session last wrote
(a gallery entry or a pasted link opened in the same session): a link is a whole view, so parameters it
leaves out take their defaults. An address without any of them (the sidebar's navigation) keeps the
session's view.

Parsers never evaluate text: each turns one string into a checked value or raises ``ValueError`` (which
``DataError`` is); the raw text is capped at ``MAX_TEXT`` characters before it is parsed, so no link makes
the server do unbounded work. A rejected value falls back to its default and is named in the message
``restore`` returns. Links carry ``v=VERSION``; a link from a newer version is read as far as it can be.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import streamlit as st

VERSION = 1
MAX_TEXT = 200_000   # characters of one parameter: about 8000 points at full float precision


@dataclass(frozen=True)
class Param:
    """One URL parameter: ``name`` in the link, ``parse`` (str → value, ValueError on junk), ``dump``
    (value → str), stored in ``st.session_state[state or name]``."""
    name: str
    default: Any
    parse: Callable[[str], Any]
    dump: Callable[[Any], str] = str
    state: str | None = None

    @property
    def key(self) -> str:
        return self.state or self.name


class UrlParams:
    """The table of a page's URL parameters (see the module docstring)."""

    def __init__(self, *params: Param):
        self.params = params

    @property
    def _memo(self) -> str:
        return "_url_written:" + ",".join(p.name for p in self.params)

    def restore(self) -> list[str]:
        """Set the parameters from the link where it is new (see the module docstring); returns one
        message per rejected value."""
        problems = []
        query = st.query_params
        present = {p.name: query[p.name] for p in self.params if p.name in query}
        new_link = bool(present) and present != st.session_state.get(self._memo)
        for p in self.params:
            if p.key in st.session_state and not new_link:
                continue
            value = p.default
            if p.name in present:
                raw = present[p.name]
                try:
                    if len(raw) > MAX_TEXT:
                        raise ValueError(f"longer than {MAX_TEXT} characters")
                    value = p.parse(raw)
                except (ValueError, TypeError, OverflowError) as err:
                    problems.append(f"The link's `{p.name}` was not used: {err}.")
            st.session_state[p.key] = value
        if "v" in query and not _newer_ok(query["v"]):
            problems.append("This link was made by a newer version of the app; parts of it may be ignored.")
        st.session_state[self._memo] = present
        return problems

    def values(self) -> dict[str, str]:
        """The URL text of every parameter, from the session's current values."""
        return {"v": str(VERSION), **{p.name: p.dump(st.session_state[p.key]) for p in self.params}}

    def write(self) -> None:
        """Make the address bar show the session's values (touching only those that changed)."""
        values = self.values()
        for name, text in values.items():
            if st.query_params.get(name) != text:
                st.query_params[name] = text
        st.session_state[self._memo] = {k: v for k, v in values.items() if k != "v"}


def _newer_ok(text: str) -> bool:
    try:
        return int(text) <= VERSION
    except ValueError:
        return True


# ---- parsers: each str → value, ValueError on anything else ----

def flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError("expected 0 or 1")
    return text == "1"


def dump_flag(value: bool) -> str:
    return "1" if value else "0"


def finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"expected one of {', '.join(map(str, options))}")
        return text
    return parse


def nearest(values: Sequence[float]) -> Callable[[str], float]:
    """The allowed value nearest the link's number (a slider's steps)."""
    def parse(text: str) -> float:
        v = min(max(finite(text), min(values)), max(values))   # clamped first: huge distances all round alike
        return min(values, key=lambda w: abs(w - v))
    return parse


def clamped_float(lo: float, hi: float, step: float | None = None) -> Callable[[str], float]:
    def parse(text: str) -> float:
        v = min(max(finite(text), lo), hi)
        return round(round((v - lo) / step) * step + lo, 10) if step else v
    return parse


def clamped_int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if len(text.strip()) > 12:
            raise ValueError("not a small integer")
        return min(max(int(text), lo), hi)
    return parse


def subset(options: Sequence[str]) -> Callable[[str], list[str]]:
    """A comma-separated list of known names, de-duplicated, in the link's order."""
    def parse(text: str) -> list[str]:
        names = [k for k in text.split(",") if k]
        unknown = [k for k in names if k not in options]
        if unknown:
            raise ValueError(f"unknown {', '.join(sorted(set(unknown))[:3])}")
        return list(dict.fromkeys(names))
    return parse


def dump_list(values: Sequence[str]) -> str:
    return ",".join(values)


def text(max_len: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_len:
            raise ValueError(f"longer than {max_len} characters")
        return value
    return parse
