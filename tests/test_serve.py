"""Class mode (deploy/serve.py): the HAProxy configuration for n replicas, and two replicas behind HAProxy
serving websocket sessions with a sticky cookie until Ctrl-C stops everything."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.app_process import free_port, healthy
import deploy.serve
from deploy.serve import TEMPLATE, haproxy_config

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")


def require_haproxy() -> str:
    """Skip without HAProxy, except on CI (``CI=true``, where .ci/run installs it), where that is a failure."""
    if HAPROXY is None:
        reason = "haproxy not installed (apt-get install -y haproxy)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return HAPROXY


def test_config_has_one_sticky_server_per_replica() -> None:
    text = haproxy_config("0.0.0.0:8501", ["app1:8501", "app2:8501", "app3:8501"])
    assert re.findall(r"(?m)^\s*server (\S+) (\S+) cookie (\S+)$", text) == [
        (f"app{i}", f"app{i}:8501", f"app{i}") for i in (1, 2, 3)]
    assert re.search(r"(?m)^\s*bind 0\.0\.0\.0:8501$", text)
    for line in ("timeout tunnel", "cookie ATLAS_REPLICA insert", "option httpchk GET /_stcore/health"):
        assert line in text
    # the committed file is the WORKERS=2 configuration
    assert TEMPLATE.read_text() == haproxy_config("127.0.0.1:8501", ["127.0.0.1:8511", "127.0.0.1:8512"])


def test_without_haproxy_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    assert deploy.serve.main(["--workers", "1", "--port", "1", "--backend-port", "2"]) == 2
    assert "apt-get install -y haproxy" in capsys.readouterr().err


def test_haproxy_accepts_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config("127.0.0.1:8501", [f"127.0.0.1:{8511 + i}" for i in range(4)]))
    check = subprocess.run([require_haproxy(), "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _consecutive_free_ports(n: int) -> int:
    for _ in range(50):
        base = free_port()
        try:
            socks = [socket.create_server(("127.0.0.1", base + i)) for i in range(n)]
        except OSError:
            continue
        for s in socks:
            s.close()
        return base
    raise RuntimeError("no consecutive free ports")


def test_two_replicas_behind_haproxy(tmp_path: Path) -> None:
    require_haproxy()
    port, backend, pidfile = free_port(), _consecutive_free_ports(2), tmp_path / "pids"
    serve = subprocess.Popen([sys.executable, "-m", "deploy.serve", "--workers", "2", "--port", str(port),
                              "--backend-port", str(backend), "--pidfile", str(pidfile)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
    url, pids = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 180
        while not (pidfile.exists() and healthy(url)):
            assert serve.poll() is None and time.monotonic() < deadline, serve.stdout.read()
            time.sleep(0.5)
        pids = [int(p) for p in pidfile.read_text().split(",")]
        assert len(pids) == 2
        with urllib.request.urlopen(url + "/") as r:
            assert re.match(r"ATLAS_REPLICA=app[12];", r.headers["Set-Cookie"])
        load = subprocess.run([sys.executable, "-m", "bench.load", "--url", url, "--pid", ",".join(map(str, pids)),
                               "--sessions", "2", "--duration", "4", "--pages", "univariate"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert load.returncode == 0, load.stdout + load.stderr
        assert "errors 0" in load.stdout
    finally:
        serve.send_signal(signal.SIGINT)   # what Ctrl-C sends
        rc = serve.wait(timeout=60)
    assert rc == 130
    assert not pidfile.exists()
    assert not any(_alive(p) for p in pids)
    assert not healthy(url)
