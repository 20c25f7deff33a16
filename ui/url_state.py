"""Page options in the URL: a copied link restores them on first load (points: ``ui.points``)."""
from __future__ import annotations

import streamlit as st


def url_option(key: str, default, parse) -> None:
    """Give the widget ``key`` its value from the URL on first load (``parse`` may raise on junk:
    then ``default``)."""
    if key not in st.session_state:
        try:
            st.session_state[key] = parse(st.query_params[key]) if key in st.query_params else default
        except (ValueError, KeyError, OverflowError):
            st.session_state[key] = default


def write_url(**values) -> None:
    """Keep the URL's query parameters equal to ``values`` (as strings), touching only changes."""
    for k, v in values.items():
        if st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)
