"""Uploads, exports and the command line: readable errors, never a traceback."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import interpolate
from engine.univariate.io import parse_points, points_csv, points_json, solution_csv, solution_json
from engine.univariate.validation import DataError

ROOT = Path(__file__).resolve().parents[1]


def test_csv_and_json_round_trip():
    x, y = [0.5, -1.0, 2.25], [1.0, 0.0, -3.5]
    for text, name in ((points_csv(x, y), "p.csv"), (points_json(x, y), "p.json")):
        xs, ys, _ = parse_points(text.encode(), name)
        np.testing.assert_array_equal(xs, sorted(x))
        np.testing.assert_array_equal(ys, [0.0, 1.0, -3.5])
    xs, _, _ = parse_points(b"1,2\n3,4\n", "no_header.csv")
    np.testing.assert_array_equal(xs, [1, 3])
    xs, _, _ = parse_points(b"[[1, 2], [3, 4]]", "pairs.json")
    np.testing.assert_array_equal(xs, [1, 3])
    _, _, notes = parse_points(b"x,y\n1,2\n1,2\n3,4\n", "dup.csv")
    assert notes == ["merged 1 duplicate point(s)"]


@pytest.mark.parametrize("raw, name, message", [
    (b"", "a.csv", "empty"),
    (b"1,abc\n2,3\n3,4\n", "a.csv", "line 1"),
    (b'{"x": [1, 2, 3], "y": [0, true, 1]}', "a.json", "numbers"),
    (b'{"x": [1, 2], "y": [0, 1' + b"0" * 400 + b']}', "a.json", "double"),
    (b"x,y\n1,2\n1,3\n", "a.csv", "conflicting"),
    (b"x,y\n1,2\nfoo,3\n", "a.csv", "line 3"),
    (b"x,y\n1,2\n", "a.csv", "at least 2"),
    (b"x,y\n1,nan\n2,3\n", "a.csv", "line 2"),
    (b"x,y\n1,2\n2,1e300\n", "a.csv", "within"),
    (b'{"x": [1, 2]', "a.json", "not valid JSON"),
    (b'{"a": 1}', "a.json", "JSON must be"),
    (b"\xff\xfe\x00", "a.csv", "UTF-8"),
    (b"x,y\n" + b"".join(b"%d,1\n" % i for i in range(2001)), "a.csv", "at most 2000"),
])
def test_bad_uploads(raw, name, message):
    with pytest.raises(DataError, match=message):
        parse_points(raw, name)


def test_solution_exports():
    sol = interpolate([0, 1, 2, 3], [0, 0, 1, 3], bias_penalty=True)
    data = json.loads(solution_json({"pen": sol}))
    assert data["pen"]["cost"] == pytest.approx(13 ** 0.5)
    lines = solution_csv({"pen": sol}, [0, 2, 3]).splitlines()
    assert lines[0] == "x,pen" and len(lines) == 4


def cli(stdin):
    return subprocess.run([sys.executable, "-m", "engine", "interpolate", "-"], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_cli_contract():
    out = cli(json.dumps({"x": [0, 1, 2, 3], "y": [0, 0, 1, 3], "bias_penalty": True, "eval_x": [0, 3]}))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cost"] == pytest.approx(13 ** 0.5, rel=1e-9)
    assert data["knots"] == pytest.approx([1.5])
    assert data["unique"] is True
    assert data["eval_y"] == pytest.approx([0, 3])
    multi = json.loads(cli(json.dumps({"x": [0, 1, 2, 3], "y": [[0, 0, 1, 3], [0, 1, 0, 0]]})).stdout)
    assert multi["cost"] == pytest.approx(5 ** 0.5 + 2 ** 0.5)
    assert np.shape(multi["jumps"]) == (2, 2)
    pen = json.loads(cli(json.dumps({"x": [0, 1, 2, 3], "y": [[0, 0, 1, 3], [0, 0, 2, 6]],
                                     "bias_penalty": True})).stdout)
    assert pen["cost"] == pytest.approx(65 ** 0.5, rel=1e-8) and pen["knots"] == pytest.approx([1.5])
    own = json.loads(cli(json.dumps({"x": [[0, 1, 2, 3], [0, 3]], "y": [[0, 0, 1, 3], [0, 0]],
                                     "eval_x": [1.5]})).stdout)
    assert own["cost"] == pytest.approx(2) and own["unique"] is False
    assert np.allclose(own["eval_y"], [[0.5], [0.0]], atol=1e-9)


@pytest.mark.parametrize("stdin, message", [
    ('{"x": [0, 1', "not valid JSON"),
    ('{"x": [0, 1]}', "missing key"),
    ('{"x": [0, 0], "y": [1, 2]}', "conflicting"),
    ('{"x": [0, 1], "y": [1, 2], "lam": -1}', "lam"),
    ('{"x": [0, 1], "y": [1, 2], "eval_x": ["a"]}', "eval_x"),
    ('{"x": [0, 1], "y": [1, 2], "wat": 1}', "unknown key"),
    ('[1, 2]', "object"),
    ('{"x": [0, 1, 2], "y": [0, 1, "1"]}', "numbers"),
    ('{"x": [true, false], "y": [0, 1]}', "numbers"),
    ('{"x": [1e-300, 2e-300, 3e-300], "y": [0, 1, 0], "bias_penalty": true}', "closer than"),
    ('{"x": [0, 1], "y": [1, 2], "eval_x": [1e308]}', "eval_x"),
    ('{"x": [0, 1], "y": [1, 2], "eval_x": [1' + "0" * 400 + ']}', "eval_x"),
    ('{"x": [0, 1' + "0" * 400 + '], "y": [1, 2]}', "double"),
    ('{"x": [0, 1, 2], "y": [0, 1, 0], "lam": 1' + "0" * 400 + '}', "lam"),
    ('{"x": [[0, 1], [0, 2]], "y": [[0, 1]]}', "one list of numbers per task"),
    ('{"x": [[0, 1], [0, 0]], "y": [[0, 1], [1, 2]]}', "task 2: conflicting"),
    ('{"x": [[0, 1], [0, 2]], "y": [[0, 1], [1, "a"]]}', "numbers"),
])
def test_cli_bad_input_exits_2_with_one_line(stdin, message):
    out = cli(stdin)
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr
