"""Fixtures for browser tests: Streamlit servers and a headless Chromium page.

Every test under tests/e2e is marked ``e2e``. Without /usr/bin/chromium the
tests are skipped, except on CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.latency import CHROMIUM_ARGS
from deploy.app_process import app_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
STARTUP_TIMEOUT_S = 60
# A first visit loads plotly.js (4.6 MB) and runs the page: on a busy 2-core CI machine that can take
# longer than Playwright's 5 s default.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@contextmanager
def serve(script: str | Path) -> Iterator[str]:
    """Run ``streamlit run script`` from the repository root; yield its base URL."""
    try:
        with app_process(script=str(script), timeout=STARTUP_TIMEOUT_S) as (url, _proc):
            yield url
    except RuntimeError as err:   # it did not come up: the message holds its output
        pytest.fail(str(err))


def require_chromium() -> None:
    """Skip the test without /usr/bin/chromium, except on CI (``CI=true``), where that is a failure."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def serve_script() -> Iterator[Callable[[str | Path], str]]:
    """Return ``serve_script(path) -> base URL``; one server per script, kept for the session."""
    urls: dict[Path, str] = {}
    with ExitStack() as stack:

        def start(script: str | Path) -> str:
            path = (ROOT / script).resolve()
            if path not in urls:
                urls[path] = stack.enter_context(serve(path))
            return urls[path]

        yield start


@pytest.fixture(scope="session")
def app_server(serve_script: Callable[[str | Path], str]) -> str:
    """Base URL of the running app (asgi.py: app.py with the live-figure route, as `make run` starts it)."""
    return serve_script("asgi.py")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
