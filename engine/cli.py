"""Command line: ``python -m engine interpolate FILE.json`` prints the solution as JSON
(``python -m engine rnorm FILE.json``: see engine.rnorm.cli; ``python -m engine compress FILE.json``:
engine.compress.cli; ``python -m engine sweep SPEC.json --out FILE.parquet``: engine.sweep.cli).

Input: {"x": [...], "y": [...] or [[...], ...], "bias_penalty": false, "lam": 0, "eval_x": [...]};
x may also be one list per task (tasks observed at their own inputs), with y one list per task.
(only x and y required; "-" reads standard input). Bad input: exit code 2 and one line on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from engine.univariate.conic import SolverError
from engine.univariate.interpolate import interpolate
from engine.univariate.validation import DataError, numbers

KEYS = {"x", "y", "bias_penalty", "lam", "eval_x"}


def _load(path: str) -> dict:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"{path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    if not isinstance(data, dict):
        raise DataError("the JSON input must be an object (see --help for its keys)")
    return data


def eval_points(values) -> np.ndarray:
    """Finite numbers to evaluate at (a flat list of at most 100000, |x| ≤ 1e12)."""
    try:
        xs = np.asarray(numbers(values, "eval_x"), dtype=float)
    except OverflowError:
        raise DataError("eval_x values must fit in double precision") from None
    if len(xs) > 100_000 or not np.isfinite(xs).all() or np.abs(xs).max(initial=0) > 1e12:
        raise DataError("eval_x must be at most 100000 finite numbers with |x| ≤ 1e12")
    return xs


def run_interpolate(data: dict) -> dict:
    missing = {"x", "y"} - data.keys()
    if missing:
        raise DataError(f"missing key(s): {', '.join(sorted(missing))}")
    unknown = data.keys() - KEYS
    if unknown:
        raise DataError(f"unknown key(s): {', '.join(sorted(unknown))}")
    if not isinstance(data.get("bias_penalty", False), bool):
        raise DataError("bias_penalty must be true or false")
    lam = data.get("lam", 0)
    if isinstance(lam, bool) or not isinstance(lam, (int, float)):
        raise DataError("lam must be a number")
    sol = interpolate(numbers(data["x"], "x", nested=True), numbers(data["y"], "y", nested=True),
                      bias_penalty=data.get("bias_penalty", False), lam=lam)
    out = sol.to_dict()
    if "eval_x" in data:
        out["eval_y"] = sol(eval_points(data["eval_x"])).tolist()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("interpolate", help="minimum-norm ReLU interpolant of 1-D data")
    p.add_argument("file", help="JSON input file, or - for standard input")
    p = sub.add_parser("rnorm", help="R-norm of a 2-D formula, a radial profile or a finite network")
    p.add_argument("file", help="JSON input file, or - for standard input")
    p = sub.add_parser("compress", help="k-means weight sharing of scalars or rows (centres, labels, ratio)")
    p.add_argument("file", help="JSON input file, or - for standard input")
    p = sub.add_parser("sweep", help="run a sweep spec on Dask into a resumable Parquet file (docs/sweeps.md)")
    p.add_argument("spec", help="JSON spec {experiment, grid, seeds}")
    p.add_argument("--out", required=True, help="results file (.parquet); rerun to resume")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    p.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per CPU)")
    args = parser.parse_args(argv)
    if args.command == "sweep":
        from engine.sweep.cli import run_cli

        return run_cli(args)
    try:
        if args.command == "rnorm":
            from engine.rnorm.cli import run_rnorm

            out = run_rnorm(_load(args.file))
        elif args.command == "compress":
            from engine.compress.cli import run_compress

            out = run_compress(_load(args.file))
        else:
            out = run_interpolate(_load(args.file))
    except (DataError, SolverError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        text = json.dumps(out, allow_nan=False)
    except ValueError:
        print("error: the result is not finite (the data or eval_x are too badly scaled)", file=sys.stderr)
        return 2
    print(text)
    return 0
