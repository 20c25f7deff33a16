"""Hostile input at the engine boundary (issue 12): every decoder and entry point either answers or
raises ``DataError`` with one line; the CLI exits 2 with one stderr line and never a traceback; the
cost of a request is bounded before work starts."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import interpolate
from engine.univariate.io import parse_points
from engine.validation import DataError, count, json_depth, lam, load_json, number

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = ["x", "y", "a", "b", "w", "k", "lam", "eval_x", "weights", "method", "network", "function", "radial", "dim",
        "resolution", "extent"]
JSON_SCALARS = (st.none() | st.booleans() | st.integers(-10**400, 10**400)
                | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=6)
                           | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
                           max_leaves=30)


def one_line(err: Exception) -> bool:
    return bool(str(err)) and "\n" not in str(err) and "Traceback" not in str(err)


# --- uploads ---------------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["p.csv", "p.json", "p.txt"]))
def test_parse_points_random_bytes(raw, name):
    try:
        x, y, notes = parse_points(raw, name)
    except DataError as err:
        assert one_line(err)
    else:
        assert len(x) == len(y) >= 2 and np.isfinite(x).all() and np.isfinite(y).all()


@FUZZ
@given(JSON_VALUES)
def test_parse_points_random_json(value):
    raw = json.dumps(value, allow_nan=True).encode()
    try:
        parse_points(raw, "p.json")
    except DataError as err:
        assert one_line(err)


@FUZZ
@given(st.lists(st.tuples(st.floats(-10, 10) | st.sampled_from(["nan", "1e400", "x", ""]),
                          st.floats(-10, 10) | st.sampled_from(["-inf", "1" * 5000])), max_size=30),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_parse_points_csv_rows_any_line_break(rows, newline):
    raw = newline.join(f"{a},{b}" for a, b in rows).encode()
    try:
        x, _, _ = parse_points(raw, "p.csv")
    except DataError as err:
        assert one_line(err)
    else:
        assert list(x) == sorted(x)


@pytest.mark.parametrize("raw, outcome", [
    (b'{"x": [0, 1, 2], "y": [0, ' + b"9" * 5000 + b', 1]}', "double precision"),   # was: int digits ValueError
    (b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b', "y": [1]}', "nested too deeply"),   # was: RecursionError
    (b"x,y\r0,1\r1,2\r2,0\r", None),                                              # was: _csv.Error; now read
    (b"0,1\n" + b"1" * 200_000 + b",2\n", "cannot be read"),                      # csv field limit
    (b"x,y\n\xe9,1\n", "UTF-8"),
    (b"", "empty"),
    (b"0,1\n" * 300_000, "too large"),
    (b'{"x": [0, 1], "y": [NaN, 1]}', "NaN"),
    (b'{"x": [0, 1], "y": [Infinity, 1]}', "infinite"),
    (b"0,1\n0,1\n1,2\n", None),                                                   # duplicates merged, noted
    (b"0,1\n0,2\n1,2\n", "conflicting"),
    (b"".join(b"%d,1\n" % i for i in range(2500)), "at most 2000"),
])
def test_upload_cases_of_the_issue(raw, outcome):
    if outcome is None:
        x, y, notes = parse_points(raw, "p.csv")
        assert len(x) >= 2
        return
    with pytest.raises(DataError, match=outcome):
        parse_points(raw, "p.csv" if not raw.startswith(b"{") else "p.json")


def test_cr_only_csv_is_read_like_lf():
    assert [list(a) for a in parse_points(b"x,y\r0,1\r1,2\r2,0\r")[:2]] == [[0, 1, 2], [1, 2, 0]]


# --- the shared checks -------------------------------------------------------------------------------

@FUZZ
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_load_json_only_data_errors(text):
    try:
        load_json(text)
    except DataError as err:
        assert one_line(err)


def test_load_json_limits():
    assert load_json('{"a": "[[[[", "b": [[1]]}') == {"a": "[[[[", "b": [[1]]}
    assert json_depth('"\\"[" [[]]') == 2
    assert load_json("[" + "9" * 5000 + "]") == [float("inf")]   # then refused by the finite checks
    assert load_json("[" + "9" * 20 + "]") == [99999999999999999999]
    with pytest.raises(DataError, match="nested too deeply"):
        load_json("[" * 65 + "]" * 65)
    with pytest.raises(DataError, match="too large"):
        load_json("[1]", max_bytes=2)


@FUZZ
@given(JSON_SCALARS)
def test_number_count_lam_accept_or_refuse(value):
    for check in (lambda v: number(v, "v", -1e6, 1e6), lambda v: count(v, "n", 0, 100), lam):
        try:
            out = check(value)
        except DataError as err:
            assert one_line(err)
        else:
            assert np.isfinite(out)


# --- the formula language ------------------------------------------------------------------------------

@FUZZ
@given(st.lists(st.sampled_from(list("xyr0123456789.+-*/^(),e ") + ["exp", "log", "relu", "__import__", "max", "pi",
                                                                 "**", "1e400", "abs("]), max_size=60).map("".join)
       | st.text(max_size=80))
def test_formula_parser_only_data_errors(text):
    from engine.rnorm.formula import parse

    try:
        f = parse(text)
    except DataError as err:
        assert str(err)
    else:
        values = f(x=np.linspace(-1, 1, 5), y=np.zeros(5))
        assert values.shape == (5,)


# --- engine entry points: bounded before the work -------------------------------------------------------

def test_grid_memory_is_estimated_before_allocation():
    from engine.rnorm.grid import rnorm_grid

    with pytest.raises(DataError, match=r"resolution 1024 with 2048 angles would need about 1\.\d GiB"):
        rnorm_grid(lambda x, y: np.exp(-(x * x + y * y)), resolution=1024, angles=2048)
    for bad in (dict(resolution=float("nan")), dict(extent=float("nan")), dict(angles=0)):
        with pytest.raises(DataError):
            rnorm_grid(lambda x, y: x * 0, **{"resolution": 16, **bad})


def test_exact_kmeans_memory_and_kmeans_work_are_bounded():
    from engine.compress.kmeans import kmeans
    from engine.compress.kmeans_1d import kmeans_1d

    x = np.linspace(0, 1, 100_000)
    with pytest.raises(DataError, match="exact 1-D k-means of 100,000 values with k = 65536 would need about"):
        kmeans_1d(x, 65536)
    with pytest.raises(DataError, match="operations"):
        kmeans(x, 65536, device="cpu")
    assert len(kmeans_1d(x[:1000], 4).centers) == 4   # ordinary sizes unaffected


def test_multitask_program_size_is_bounded():
    rng = np.random.default_rng(0)
    xs = [sorted(rng.uniform(-1, 1, 3).tolist()) for _ in range(300)]
    ys = [rng.normal(size=3).tolist() for _ in range(300)]
    with pytest.raises(DataError, match="tasks × distinct inputs: at most 2,000"):
        interpolate(xs, ys)


def test_training_and_compression_runs_are_bounded():
    from engine.compress.deep_kmeans import MAX_EPOCHS, train_baseline
    from engine.train import train

    with pytest.raises(DataError, match="steps"):
        train([0, 1], [0, 1], steps=10**20)
    with pytest.raises(DataError, match="multiply-adds"):
        train(np.linspace(0, 1, 1000), np.zeros(1000), width=20000, steps=1_000_000)
    with pytest.raises(DataError, match="lam"):
        train([0, 1], [0, 1], lam=float("nan"))
    with pytest.raises(DataError, match=f"epochs must lie between 0 and {MAX_EPOCHS}"):
        next(train_baseline(None, epochs=99999999999999999999))


def test_kernel_inputs_are_refused_cleanly():
    from engine import rkhs_interpolate

    for kwargs in (dict(bandwidth=1e400), dict(bandwidth="abc"), dict(bandwidth=-1.0)):
        with pytest.raises(DataError, match="bandwidth"):
            rkhs_interpolate([0, 1, 2], [0, 1, 0], "gaussian", **kwargs)
    with pytest.raises(DataError, match="unknown kernel"):
        rkhs_interpolate([0, 1, 2], [0, 1, 0], "__import__")
    with pytest.raises(DataError, match="lam"):
        interpolate([0, 1, 2], [0, 1, 0], lam=-1e400)


def test_network_rnorm_overflow_is_refused_not_zero():
    from engine.rnorm.finite import network_rnorm

    with pytest.raises(DataError, match="too large"):
        network_rnorm([[1e308, 1e308]], [0], [1e308])
    # ‖(1e308, 1e308)‖ = √2·1e308 is representable: the norm is computed without squaring
    assert network_rnorm([[1e308, 1e308]], [0], [1.0]) == pytest.approx(2 ** 0.5 * 1e308)


# --- the command line -------------------------------------------------------------------------------------

def cli(command, payload):
    return subprocess.run([sys.executable, "-m", "engine", command, "-"], input=payload, text=True,
                          capture_output=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("command, payload, message", [
    ("interpolate", '{"x": [0, 1, 2], "y": [0, ' + "9" * 5000 + ", 1]}", "double precision"),
    ("interpolate", '{"x": ' + "[" * 100_000 + "]" * 100_000 + ', "y": [1]}', "nested too deeply"),
    ("interpolate", json.dumps({"x": [[i, i + 0.5, i + 0.7] for i in range(300)],
                                "y": [[0, 1, 0]] * 300}), "at most 2,000"),
    ("interpolate", '{"x": [0, 1, 2], "y": [0, 1, 0], "lam": -1e400}', "lam"),
    ("rnorm", '{"radial": "1/r", "dim": 3}', "does not decay"),
    ("rnorm", '{"function": "log(x)", "resolution": 64}', "not finite"),
    ("rnorm", '{"network": {"w": [[1, 0]], "b": [1' + "0" * 400 + '], "a": [1]}}', "b contains"),
    ("rnorm", '{"network": {"w": [[1, 0]], "b": [1e400], "a": [1]}}', "b contains"),
    ("rnorm", '{"network": {"w": [[Infinity, 0]], "b": [0], "a": [1]}}', "w contains"),
    ("rnorm", '{"network": {"w": [[1e308, 1e308]], "b": [0], "a": [1e308]}}', "too large"),
    ("rnorm", '{"function": "exp(-(x^2+y^2)/2)", "resolution": 1024, "angles": 2048}', "GiB"),
    ("rnorm", '{"function": "x", "extent": NaN}', "extent"),
    ("compress", json.dumps({"weights": list(np.linspace(0, 1, 100_000)), "k": 65536}), "GiB"),
    ("compress", json.dumps({"weights": list(np.linspace(0, 1, 100_000)), "k": 65536, "method": "k-means++"}),
     "operations"),
    ("compress", '{"weights": [1, 2], "k": ' + "9" * 5000 + "}", "k must"),
])
def test_cli_issue_cases_exit_2_with_one_line(command, payload, message):
    out = cli(command, payload)
    assert out.returncode == 2, out.stderr
    assert out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_cli_usage_errors_are_one_line():
    out = subprocess.run([sys.executable, "-m", "engine", "nonsense"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_cli_internal_failure_is_one_line_exit_1(monkeypatch, capsys):
    from engine import cli as engine_cli

    def broken(data):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(engine_cli, "run_interpolate", broken)
    monkeypatch.setattr(engine_cli, "_load", lambda path: {})
    assert engine_cli.main(["interpolate", "-"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "internal error: RuntimeError: boom second line"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["interpolate", "rnorm", "compress"]), JSON_VALUES)
def test_cli_payloads_in_process_only_data_errors(command, value):
    """The CLI's decoders on random JSON: an answer or a DataError (in process, for speed)."""
    from engine.cli import run_interpolate
    from engine.compress.cli import run_compress
    from engine.rnorm.cli import run_rnorm

    run = {"interpolate": run_interpolate, "rnorm": run_rnorm, "compress": run_compress}[command]
    if not isinstance(value, dict):
        return
    try:
        run(value)
    except DataError as err:
        assert str(err)
