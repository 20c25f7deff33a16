"""The app as ``make run`` and ``make serve`` start it: Streamlit's ``app.py`` plus the live-figure route
(``ui/live.py``), which redraws a clicked or dragged plot without a rerun.

    streamlit run asgi.py          # what `make run` does
    streamlit run app.py           # also works; clicks then always go through a rerun
"""
import streamlit as st

from ui.live import routes

app = st.App("app.py", routes=routes())
