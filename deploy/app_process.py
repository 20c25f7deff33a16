"""One ``streamlit run asgi.py`` process (app.py with the live-figure route) on a loopback port, started and stopped by a context manager.

Used by ``deploy/serve.py`` (the replicas behind HAProxy) and by the benchmarks (``bench.load --start``,
``bench.latency``).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether ``url/_stcore/health`` answers 200 (what HAProxy's health check asks too)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def app_process(port: int | None = None, *, script: str = "asgi.py", log: IO[bytes] | None = None,
                timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run script`` headless on 127.0.0.1:port (a free one if None) from the repository
    root, wait until healthy, yield (base URL, process); terminate it on exit. Output goes to ``log``
    (a temporary file if None; give a readable one, opened "w+b"); RuntimeError with its tail if the app does not come up.
    The app runs in its own session, so a Ctrl-C reaches only the caller, which stops it here."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    with ExitStack() as stack:
        out = log or stack.enter_context(tempfile.TemporaryFile())
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    tail = out.read().decode(errors="replace")[-4000:]
                    raise RuntimeError(f"streamlit on port {port} did not start:\n{tail}")
                time.sleep(0.2)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
