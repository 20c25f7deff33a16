"""Deep links that work on a fresh server.

Streamlit treats a ``pages/`` folder beside the main script as a version-1 multipage app until the
main script calls ``st.navigation``: the first visit to a fresh server through a deep link such as
``/univariate`` would run the page file on its own (no app.py: no navigation titles, no wide layout),
and every later visit too, until someone opens the root. Each page calls ``ensure_app_navigation``
first: it switches that mode off and reruns, so app.py's ``st.navigation`` takes over and resolves
the same URL. (Relies on ``PagesManager.uses_pages_directory``; streamlit is pinned.)
"""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
