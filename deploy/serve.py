"""Class mode: n app processes behind HAProxy, one command (``make serve WORKERS=n``); Ctrl-C stops all.

Starts replicas ``streamlit run asgi.py`` on 127.0.0.1 ports BACKEND_PORT … BACKEND_PORT+n−1 (default
8511 …), waits until each answers ``/_stcore/health``, then runs HAProxy in the foreground with
``deploy/haproxy.cfg`` rewritten for those n servers, listening on HOST:PORT (default 127.0.0.1:8501;
``HOST=0.0.0.0`` lets a classroom's laptops in). The app keeps its state in the session and the URL, so
replicas share nothing; HAProxy's cookie keeps each browser on one replica. If any process exits, the
others are stopped too. ``--print-config`` only prints the configuration, e.g. for containers:

    python -m deploy.serve --print-config --bind :8501 --server app1:8501 --server app2:8501
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from deploy.app_process import app_process

TEMPLATE = Path(__file__).with_name("haproxy.cfg")
INSTALL = "apt-get install -y haproxy"


def haproxy_config(bind: str, servers: list[str]) -> str:
    """deploy/haproxy.cfg with its bind address and its server block replaced (servers: host:port)."""
    text = TEMPLATE.read_text()
    text, n_bind = re.subn(r"(?m)^(\s*bind )\S+", lambda m: m.group(1) + bind, text, count=1)
    lines = "".join(f"    server app{i} {s} cookie app{i}\n" for i, s in enumerate(servers, 1))
    text, n_block = re.subn(r"(?ms)(^\s*# BEGIN servers[^\n]*\n).*?(^\s*# END servers)",
                            lambda m: m.group(1) + lines + m.group(2), text)
    if (n_bind, n_block) != (1, 1):
        raise ValueError(f"{TEMPLATE} lost its bind line or its BEGIN/END servers block")
    return text


def serve(workers: int, host: str, port: int, backend_port: int, pidfile: str | None) -> int:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")   # sbin: not on users' PATH
    if haproxy is None:
        print(f"serve: haproxy is not installed; install it with: sudo {INSTALL}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even where the shell started us ignoring it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logdir = Path(tempfile.mkdtemp(prefix="relu-atlas-serve-"))
    with ExitStack() as stack:
        procs = {}
        for i in range(workers):
            log = stack.enter_context(open(logdir / f"app{i + 1}.log", "w+b"))
            url, proc = stack.enter_context(app_process(backend_port + i, log=log))
            procs[f"app{i + 1} ({url})"] = proc
        config = logdir / "haproxy.cfg"
        config.write_text(haproxy_config(f"{host}:{port}", [f"127.0.0.1:{backend_port + i}" for i in range(workers)]))
        ha = subprocess.Popen([haproxy, "-db", "-f", str(config)], start_new_session=True)
        stack.callback(_stop, ha)
        procs["haproxy"] = ha
        if pidfile:
            Path(pidfile).write_text(",".join(str(p.pid) for name, p in procs.items() if name != "haproxy") + "\n")
            stack.callback(lambda: Path(pidfile).unlink(missing_ok=True))
        print(f"ReLU Atlas on http://{host}:{port}/ — {workers} replicas on ports {backend_port}…"
              f"{backend_port + workers - 1}, logs and config in {logdir}. Ctrl-C stops everything.", flush=True)
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"serve: {name} exited with status {proc.returncode}; stopping the others",
                          file=sys.stderr)
                    return 1
            time.sleep(1)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--host", default="127.0.0.1", help="address HAProxy listens on")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--backend-port", type=int, default=8511, help="first replica's port")
    parser.add_argument("--pidfile", help="write the replicas' PIDs here, comma-separated (for bench.load --pid)")
    parser.add_argument("--print-config", action="store_true", help="print the HAProxy configuration and exit")
    parser.add_argument("--bind", help="with --print-config: HAProxy's bind address (default HOST:PORT)")
    parser.add_argument("--server", action="append", default=[],
                        help="with --print-config: a replica host:port (repeat; default the local ports)")
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64:
        parser.exit(2, "serve: --workers must be in 1..64\n")
    if args.print_config:
        servers = args.server or [f"127.0.0.1:{args.backend_port + i}" for i in range(args.workers)]
        print(haproxy_config(args.bind or f"{args.host}:{args.port}", servers), end="")
        return 0
    try:
        return serve(args.workers, args.host, args.port, args.backend_port, args.pidfile)
    except KeyboardInterrupt:
        return 130
    except RuntimeError as err:   # a replica did not come up
        print(f"serve: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
