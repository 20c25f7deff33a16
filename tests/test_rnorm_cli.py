"""``python -m engine rnorm``: the contract of issue 4 on the docs/design.md §5 R-norm cases, and bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def cli(payload: str):
    return subprocess.run([sys.executable, "-m", "engine", "rnorm", "-"], input=payload, text=True,
                          capture_output=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("payload, expected", [
    ({"network": {"w": [[3, 4]], "b": [1], "a": [2]}}, 10.0),                   # |a|‖w‖
    ({"network": {"w": [[3, 4], [-3, -4]], "b": [0, 0], "a": [1, 1]}}, 10.0),   # |wᵀx| → 2‖w‖
    ({"network": {"w": [[3, 4], [-3, -4]], "b": [0, 0], "a": [1, -1]}}, 0.0),   # wᵀx → 0
    ({"radial": "exp(-r^2/2)", "dim": 1}, 2.426123),
    ({"radial": "exp(-r^2/2)", "dim": 3}, 7.020064),
    ({"radial": "relu(1-r^2)^2", "dim": 3}, 46.310835),
])
def test_design_cases(payload, expected):
    out = cli(json.dumps(payload))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rnorm"] == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_grid_estimate_and_divergence():
    gauss = json.loads(cli(json.dumps({"function": "exp(-(x^2+y^2)/2)", "resolution": 128})).stdout)
    assert gauss["converged"] is True
    assert gauss["rnorm"] == pytest.approx(4.768562043993, rel=5e-3)   # closed form, tests/test_rnorm_grid.py
    pyramid = json.loads(cli(json.dumps({"function": "relu(1-max(abs(x),abs(y)))", "extent": 2,
                                         "resolution": 128})).stdout)
    assert pyramid == {**pyramid, "rnorm": None, "converged": False}
    cone = json.loads(cli(json.dumps({"radial": "relu(1-r)", "dim": 2})).stdout)
    assert cone["rnorm"] is None and cone["finite"] is False


@pytest.mark.parametrize("payload, message", [
    ('{"radial": "exp(-r^2/2)", "function": "x"}', "exactly one"),
    ('{"radial": "__import__(1)"}', "unexpected character"),
    ('{"radial": "r", "dim": 99}', "dim"),
    ('{"function": "x*y", "resolution": 5}', "resolution"),
    ('{"function": "exp(x", "extent": 4}', "column"),
    ('{"network": {"w": [[1, 0]], "b": [0]}}', "keys"),
    ('{"network": {"w": [[1, 0]], "b": [0], "a": [1, 2]}}', ""),
    ('{"radial": "r", "wat": 1}', "unknown key"),
])
def test_bad_input_exits_2_with_one_line(payload, message):
    out = cli(payload)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr
