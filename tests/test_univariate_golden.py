"""The one-task solvers give the same answers as before their speed-up (issue 14, items 1–2).

``tests/data/univariate_golden.npz`` holds the outputs of ``interpolate`` on a fixed set of random
cases (bias free: knots, jumps, affine, cost, uniqueness, the solution-set triangles and the two
extremes; biases penalised: the function, its cost and certificate), written by the code on main of
2026-12-03 before issue 14's speed work. Every number must still agree to 1e-12 of its array's scale
(the duality gap, a bound near rounding, may not grow). Regenerate (only when an answer is meant to
change) with `python -m tests.test_univariate_golden --write`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from engine import interpolate
from engine.univariate.validation import as_points
from engine.validation import DataError

GOLDEN = Path(__file__).parent / "data" / "univariate_golden.npz"


def cases():
    """(name, x, y, bias_penalty, lam): random data of several shapes, with ties and convex runs."""
    out = []
    for seed in range(4):
        rng = np.random.default_rng(100 + seed)
        for n in (3, 5, 20, 200):
            x = np.sort(rng.uniform(-4, 4, n))
            out.append((f"normal-{n}-{seed}", x, rng.normal(size=n)))
            out.append((f"sin-{n}-{seed}", x, np.sin(2 * x) + 0.1 * rng.normal(size=n)))
        grid = np.arange(12.0) - 5
        out.append((f"ints-{seed}", grid, rng.integers(-2, 3, 12).astype(float)))   # ties and collinear runs
        out.append((f"convex-{seed}", np.sort(rng.uniform(-3, 3, 15)), None))       # one convex run
        out.append((f"tasks-{seed}", np.sort(rng.uniform(-2, 2, 30)), rng.normal(size=(3, 30))))
    full = []
    for name, x, y in out:
        y = x ** 2 if y is None else y
        for pen in (False, True):
            if pen and y.ndim == 2:
                continue   # several tasks with the bias penalised: the multitask programs (not ours)
            full.append((f"{name}-{'pen' if pen else 'free'}", x, y, pen, 0.0))
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-2, 2, 40))
    y = np.sin(2 * x) + 0.1 * rng.normal(size=40)
    full += [(f"fit-{lam}-pen", x, y, True, lam) for lam in (0.01, 0.3)]
    return full


def record(sol) -> dict:
    out = {"knots": sol.knots, "jumps": sol.jumps, "affine": sol.affine, "cost": np.array(sol.cost),
           "unique": np.array(bool(sol.unique))}
    if not sol.bias_penalty:
        out["regions"] = np.array([r.polygon for r in sol.regions]).reshape(-1, 3, 2)
        out["region_keys"] = np.array([(r.task, *r.interval) for r in sol.regions]).reshape(-1, 3)
        for j, other in enumerate(sol.extremes):
            out[f"extreme{j}_knots"], out[f"extreme{j}_jumps"] = other.knots, other.jumps
        out["extremes"] = np.array(len(sol.extremes))
    for key in ("primal_objective", "dual_objective", "duality_gap"):
        out[key] = np.array(sol.certificate[key])
    return out


def _close(a, b, rel):
    scale = max(np.abs(b).max(initial=0.0), 1.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=rel * scale)


@pytest.fixture(scope="module")
def golden():
    return np.load(GOLDEN)


def without_zero_jumps(record: dict) -> dict:
    """A regularised fit's knots whose jump is zero to rounding (|J| ≤ 1e-12 of the largest) carry no neuron:
    the iterative fit may leave them or not depending on the machine's arithmetic (seen: 29 vs 27 knots, the
    same function to 1e-14)."""
    keep = np.abs(record["jumps"]).max(axis=1, initial=0) > 1e-12 * max(np.abs(record["jumps"]).max(initial=0), 1e-300)
    return {**record, "knots": record["knots"][keep], "jumps": record["jumps"][keep]}


@pytest.mark.parametrize("name, x, y, pen, lam", cases(), ids=[c[0] for c in cases()])
def test_same_answer_as_before(golden, name, x, y, pen, lam):
    now = record(interpolate(x, y, bias_penalty=pen, lam=lam))
    if lam > 0:
        now = without_zero_jumps(now)
        golden = {**{k: golden[k] for k in golden.files},
                  **{f"{name}/{k}": v for k, v in without_zero_jumps(
                      {k: golden[f"{name}/{k}"] for k in ("knots", "jumps")}).items()}}
    files = golden.files if hasattr(golden, "files") else list(golden)
    keys = {k.split("/", 1)[1] for k in files if k.startswith(name + "/")}
    assert keys == set(now), f"{name}: fields {sorted(keys ^ set(now))} differ"
    for key, value in now.items():
        then = golden[f"{name}/{key}"]
        assert value.shape == then.shape, f"{name}/{key}: shape {value.shape} vs {then.shape}"
        if key in ("unique", "extremes") or key == "region_keys":
            assert (value == then).all(), f"{name}/{key}"
        elif key == "duality_gap":   # a gap near rounding: only its size matters
            assert value <= max(then * 10, 1e-12), f"{name}: gap {value} vs {then}"
        else:
            _close(value, then, 1e-12)


@pytest.mark.parametrize("x, y, message", [
    ([0, 1, 2], [np.nan, 1, 2], "NaN"), ([0, 1, np.inf], [0, 1, 2], "NaN"), ([np.nan, 1, 2], [0, 1, 2], "NaN"),
    ([0, 1, 2], [[0, 1, 2], [0, -np.inf, 1]], "NaN"), ([0, 1, 2], [0, 2e6, 1], "within"),
    ([0, 1, 1], [0, 1, 2], "conflicting"), ([0, 1e-14, 1], [0, 1, 2], "closer"), ([2, 1, 0], [0, 1, np.nan], "NaN")])
def test_validation_in_one_pass_refuses_as_before(x, y, message):
    # sorted distinct data skip the sort and the separate finite check: the refusals must not change
    with pytest.raises(DataError, match=message):
        as_points(x, y)


def test_validation_returns_new_sorted_arrays():
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.0, 1.0])
    xs, Y, notes = as_points(x, y)
    assert xs is not x and not np.shares_memory(Y, y) and notes == []
    xs, Y, notes = as_points([2, 0, 1, 1], [1, 1, 0, 0])
    assert xs.tolist() == [0, 1, 2] and Y.tolist() == [[1, 0, 1]] and notes == ["merged 1 duplicate point(s)"]


def write():
    arrays = {}
    for name, x, y, pen, lam in cases():
        for key, value in record(interpolate(x, y, bias_penalty=pen, lam=lam)).items():
            arrays[f"{name}/{key}"] = value
    GOLDEN.parent.mkdir(exist_ok=True)
    np.savez_compressed(GOLDEN, **arrays)
    print(f"wrote {len(arrays)} arrays to {GOLDEN}")


if __name__ == "__main__" and "--write" in sys.argv:
    write()
