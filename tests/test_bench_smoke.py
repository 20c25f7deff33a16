"""bench.load runs against a fresh app and reports no errors (no timing is asserted), and refuses bad targets."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bench.load

ROOT = Path(__file__).resolve().parents[1]


def load(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.load", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_three_sessions_interact_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = load("--start", "--sessions", "3", "--duration", "8", "--min-interactions", "1", "--json", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert result["errors"] == 0 and result["sessions"] == 3
    assert result["open_s"]["n"] == 3
    assert result["reruns"] >= 3 and result["script_runs"] > result["reruns"]   # opens are runs too
    assert set(result["per_page_s"]) == {"univariate", "multitask", "rnorm"}
    assert result["server"]["samples"] and all(rss > 0 for _, rss, _ in result["server"]["samples"])
    assert "reruns/s" in run.stdout and "server RSS" in run.stdout


@pytest.mark.parametrize("args, message", [
    (["--url", "http://example.com:8501"], "refusing"),
    (["--url", "http://10.0.0.1:8501"], "refusing"),
    (["--start", "--sessions", "201"], "--sessions"),
    (["--start", "--duration", "601"], "--duration"),
    (["--start", "--pages", "univariate,nowhere"], "--pages"),
    (["--start", "--min-interactions", "11"], "--min-interactions"),
])
def test_refuses_remote_targets_and_unbounded_runs(args: list[str], message: str) -> None:
    run = load(*args, timeout=60)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_proc_fallback_reads_what_psutil_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    psutil = pytest.importorskip("psutil")
    rss, cpu = psutil.Process().memory_info().rss, sum(psutil.Process().cpu_times()[:2])
    monkeypatch.setattr(bench.load, "psutil", None)
    proc_rss, proc_cpu = bench.load.usage(os.getpid())
    assert abs(proc_rss - rss) < 0.05 * rss and abs(proc_cpu - cpu) < 0.5
