"""Links, saved views and "copy as code": the URL table's parsers, the saved-view file, and that the
Python and CLI text a page shows reproduce its numbers."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from engine import interpolate
from engine.validation import DataError
from ui import reproduce
from ui.url_params import MAX_TEXT, clamped_float, clamped_int, flag, nearest, subset
from ui.view_link import parse_view

ROOT = Path(__file__).resolve().parents[1]


@given(st.text(max_size=50))
def test_parsers_refuse_junk_with_a_value_error(text):
    for parse in (flag, clamped_int(0, 5), clamped_float(0.1, 5.0, 0.1), nearest([0.0, 1.0]), subset(["h1", "h2"])):
        try:
            value = parse(text)
        except ValueError:
            continue
        if parse is flag:
            assert value in (True, False)


def test_parsers_bound_values():
    assert clamped_int(0, 50)("99999999999") == 50
    with pytest.raises(ValueError):
        clamped_int(0, 50)("9" * 40)
    with pytest.raises(ValueError):
        clamped_float(0.1, 5.0)("nan")
    with pytest.raises(ValueError):
        clamped_float(0.1, 5.0, 0.1)("1e400")
    assert nearest([0.0, 0.1, 1.0])("0.09") == 0.1
    assert subset(["h1", "h2"])(",".join(["h1"] * 5000)) == ["h1"]
    with pytest.raises(ValueError):
        subset(["h1"])("h1,__import__")


PAGES = {"": "home", "univariate": "uv", "multitask": "mt"}


def test_saved_view_round_trip_and_refusals():
    view = {"app": "relu-atlas", "v": 1, "page": "/univariate", "query": {"pts": "0,0;1,1", "lam": "0"}}
    assert parse_view(json.dumps(view).encode(), PAGES) == ("uv", view["query"])
    bad = [b"\xff", b"[" * 100_000, json.dumps({**view, "app": "x"}).encode(),
           json.dumps({**view, "v": 99}).encode(), json.dumps({**view, "page": "/nope"}).encode(),
           json.dumps({**view, "query": {"a": 1}}).encode(),
           json.dumps({**view, "query": {"a": "x" * (MAX_TEXT + 1)}}).encode()]
    for raw in bad:
        with pytest.raises(DataError):
            parse_view(raw, PAGES)


@pytest.mark.parametrize("pen, lam", [(False, 0.0), (True, 0.0), (False, 0.1)])
def test_copied_python_and_cli_reproduce_the_cost(pen, lam, tmp_path):
    x, y = [0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 1.0, 3.0]
    want = interpolate(x, y, bias_penalty=pen, lam=lam).cost
    scope = {}
    exec(reproduce.interpolate_call(x, y, bias_penalty=pen, lam=lam).replace("print(", "_ = ("), scope)
    assert scope["sol"].cost == want
    shell = reproduce.interpolate_cli(x, y, bias_penalty=pen, lam=lam)
    problem = shell.split("<<'EOF'\n")[1].split("\nEOF")[0]
    (tmp_path / "problem.json").write_text(problem)
    out = subprocess.run([sys.executable, "-m", "engine", "interpolate", str(tmp_path / "problem.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["cost"] == pytest.approx(want, rel=1e-12)


def _heredoc(shell):
    """(file written, JSON text, command run) of a page's command-line text."""
    head, rest = shell.split(" <<'EOF'\n")
    text, command = rest.split("\nEOF\n")
    return head.removeprefix("cat > "), text, command


def test_kernel_regime_cli_text_runs_and_gives_the_engine_numbers(tmp_path):
    from engine.kernel_regime.cli import run_kernel_regime

    settings = {"width": 8, "steps": 30, "lam": 1e-3, "seeds": [0, 1]}   # the page has 2 to 5 seeds
    file, text, command = _heredoc(reproduce.kernel_regime_cli(settings))
    assert command == f"python -m engine kernel-regime {file}"
    (tmp_path / file).write_text(text)
    out = subprocess.run([sys.executable, "-m", "engine", "kernel-regime", str(tmp_path / file)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got, want = json.loads(out.stdout), run_kernel_regime(json.loads(text))
    assert got["settings"] == want["settings"]
    assert [r["tasks"] for r in got["runs"]] == [r["tasks"] for r in want["runs"]]
    for key in ("objective", "cost"):
        assert [r[key] for r in got["runs"]] == pytest.approx([r[key] for r in want["runs"]], rel=1e-6)


def test_compress_cli_texts_name_the_file_they_write_and_only_keys_the_cli_reads():
    from engine.compress.cli import CNN_KEYS

    o = {"method": "dkm", "k": 8, "rate": None, "per_layer": None, "seed": 0, "base_epochs": 20,
         "run": {"lam": 1e-2, "epochs": 5, "refresh": 2, "basis": "svd", "finetune_epochs": 3, "seed": 0}}
    for shell in (reproduce.compress_cli(o), reproduce.sweep_cli(o, [4, 8])):
        file, text, command = _heredoc(shell)
        assert command == f"python -m engine compress {file}"
        assert set(json.loads(text)) <= CNN_KEYS
