"""The limits are stated where they apply, from the constants that enforce them (issue 12):

- docs/limits.md: every constant its table names exists, and each numeric one (or each number of a
  tuple or dict) is among the numbers its row states (10⁶, 5·10¹⁰, 50 MB, 1 GiB … read as numbers);
- ``python -m engine <cmd> --help`` of every command states its limits, formatted from the constants;
- the size widgets of the pages carry a help text stating their range (AppTest, see test_pages_limits).
"""
import ast
import fnmatch
import importlib
import math
import re
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parents[1]
SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
UNITS = {"GiB": 2**30, "MiB": 2**20, "MB": 10**6, "kB": 10**3}
NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?:·10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?(?:\s?(GiB|MiB|MB|kB))?")


def table_rows() -> list[tuple[str, list[str]]]:
    """(limit text, [constant names as written]) per row of the Limits table."""
    text = (ROOT / "docs/limits.md").read_text()
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Where")]
    out = []
    for line in rows:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 3, line
        out.append((cells[1], re.findall(r"`([^`]+)`", cells[2])))
    return out


def numbers_in(text: str) -> set[float]:
    """Every number the text states: 2000, 0.1, 10⁶ (= 10**6), 5·10¹⁰, 50 MB (also 50), 1 GiB (also 1)."""
    found = set()
    for digits, sup, times_ten, unit in NUMBER.findall(text):
        v = float(digits.replace(",", ""))
        found.add(v)
        if sup:
            found.add(v ** int(sup.translate(SUPER)))
        if times_ten:
            found.add(v * 10 ** int(times_ten.translate(SUPER)))
        if unit:
            found.add(v * UNITS[unit])
    return found


def page_constants(module: str) -> dict:
    """Top-level literal assignments of a page script (importing it would run the page)."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                out[node.targets[0].id] = node.value   # computed: exists, no literal to compare
    return out


def resolve(names: list[str]) -> list[tuple[str, object]]:
    """(full name, value) of each named constant; a bare name belongs to the module named before it."""
    module, out = None, []
    for name in names:
        if name.split(".")[0] in ("engine", "ui", "views"):
            module, attr = name.rsplit(".", 1)
        else:
            assert module is not None and "." not in name, f"{name}: no module named before it"
            attr = name
        space = page_constants(module) if module.startswith("views.") else vars(importlib.import_module(module))
        matches = fnmatch.filter(space, attr) if "*" in attr else [attr] if attr in space else []
        assert matches, f"{module}.{attr} named in docs/limits.md does not exist"
        out += [(f"{module}.{m}", space[m]) for m in matches]
    return out


def numeric_values(value) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in numeric_values(item)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in numeric_values(item)]
    return []


ROWS = table_rows()


def test_the_table_is_found_and_names_constants():
    assert len(ROWS) >= 15 and all(names for _, names in ROWS)


@pytest.mark.parametrize("limit,names", ROWS, ids=[r[0][:40] for r in ROWS])
def test_each_named_constant_exists_and_matches_the_stated_number(limit, names):
    stated = numbers_in(limit)
    for full, value in resolve(names):
        if isinstance(value, re.Pattern):
            assert value.pattern in limit, f"{full}: pattern {value.pattern} not the one stated"
        for v in numeric_values(value):
            assert any(math.isclose(v, s, rel_tol=1e-9) for s in stated), \
                f"{full} = {v:g}, but its row states {sorted(stated)}"


def test_numbers_are_read_as_stated():
    assert {1e6, 5e10, 50e6, 2**30, 0.1, 1000.0, 65536.0} <= numbers_in("10⁶, 5·10¹⁰, 50 MB, 1 GiB, 0.1–1000, 65536")


def test_a_wrong_number_would_be_caught(tmp_path):
    assert not any(math.isclose(2001.0, s) for s in numbers_in("grid ≤ 2000 per axis"))


def test_cli_epoch_limit_agrees_with_the_engine():
    from engine.compress.cli import MAX_CNN_EPOCHS
    from engine.compress.deep_kmeans import MAX_EPOCHS

    assert MAX_CNN_EPOCHS == MAX_EPOCHS


def cli_help(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_every_command_states_its_limits_in_its_help(capsys):
    from engine.cli import MAX_EVAL, MAX_EVAL_OUT
    from engine.compress import cli as compress
    from engine.kernel_regime import cli as kr
    from engine.rnorm import cli as rnorm
    from engine.sweep import EXPERIMENTS
    from engine.sweep import cli as sweep
    from engine.sweep.spec import MAX_ROWS, MAX_SEEDS
    from engine.univariate.validation import MAX_OWN_CELLS, MAX_POINTS, MAX_SHARED_CELLS, MAX_TASKS
    from engine.validation import MAX_JSON_DEPTH

    wanted = {
        (): [MAX_POINTS, MAX_TASKS, MAX_SHARED_CELLS, MAX_OWN_CELLS, MAX_EVAL, MAX_EVAL_OUT, MAX_JSON_DEPTH],
        ("interpolate",): [MAX_POINTS, MAX_TASKS, MAX_SHARED_CELLS, MAX_OWN_CELLS, MAX_EVAL, MAX_JSON_DEPTH],
        ("rnorm",): [f"{rnorm.EXTENT[1]:g}", *rnorm.RESOLUTION, *rnorm.ANGLES, rnorm.MAX_UNITS, rnorm.MAX_DIM,
                     f"dim 1..{rnorm.MAX_RADIAL_DIM}", f"{rnorm.MAX_LENGTH} characters"],
        ("compress",): [f"{compress.MAX_VALUES:,}", compress.MAX_K, f"≤ {compress.MAX_CNN_EPOCHS}",
                        f"{compress.MAX_SWEEP_K} K values", f"0..{compress.MAX_SEED}"],
        ("kernel-regime",): [f"width ≤ {kr.MAX_WIDTH}", f"{kr.MAX_STEPS:,}", f"{kr.MAX_SEEDS} seeds"],
        ("sweep",): [f"{MAX_ROWS:,}", f"{MAX_SEEDS:,}", f"1..{sweep.MAX_WORKERS}",
                     *(f"{k} {p.lo:g}..{p.hi:g}" for e in EXPERIMENTS.values() for k, p in e.params.items()
                       if p.kind in ("int", "float"))],
    }
    for argv, parts in wanted.items():
        text = cli_help(capsys, *argv)
        assert "Limits:" in text, argv
        missing = [str(p) for p in parts if str(p) not in text]
        assert not missing, f"python -m engine {' '.join(argv)} --help does not state {missing}"
