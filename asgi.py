"""The app as ``make run`` and ``make serve`` start it: Streamlit's ``app.py`` plus the live-figure route
(``ui/live.py``), which redraws a clicked or dragged plot without a rerun, a warm-up of the pages' imports
at start (``ui/warm_up.py``), and a year's browser caching of
plotly.js, whose URL carries its version (``ui.click_plot.plotly_url``), so that a page open neither fetches
nor revalidates its 4.8 MB.

    streamlit run asgi.py          # what `make run` does
    streamlit run app.py           # also works; clicks then always go through a rerun
"""
import streamlit as st
from starlette.middleware import Middleware

from ui import warm_up
from ui.live import routes

CACHED = b"public, max-age=31536000, immutable"


class CachePlotly:
    """ASGI middleware: ``Cache-Control: immutable`` on ``/app/static/plotly.min.js?v=…``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].endswith("/app/static/plotly.min.js") \
                or not scope.get("query_string", b"").startswith(b"v="):
            return await self.app(scope, receive, send)

        async def cached(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", CACHED)]}
            await send(message)

        await self.app(scope, receive, cached)


app = st.App("app.py", routes=routes(), middleware=[Middleware(CachePlotly)])
warm_up.start()   # the pages' imports and /compress's data, in the background (ui/warm_up.py)
