"""bench.latency --smoke drives Chromium through every measure and reports no errors (no timing is asserted)."""
import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, require_chromium


def test_latency_smoke_reports_every_measure(tmp_path: Path) -> None:
    require_chromium()
    out = tmp_path / "latency.json"
    run = subprocess.run([sys.executable, "-m", "bench.latency", "--start", "--smoke", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=500)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert result["errors"] == []
    measured = set(result["results"])
    assert {f"open {k} /{p}" for k in ("cold", "warm") for p in ("univariate", "multitask", "rnorm")} <= measured
    assert {"click /univariate", "click /multitask", "formula /rnorm"} <= measured
    assert "drag /univariate" in measured or any(n.startswith("drag /univariate: skipped") for n in result["notes"])
    assert "PASS" in run.stdout or "FAIL" in run.stdout
