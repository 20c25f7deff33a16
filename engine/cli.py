"""Command line: ``python -m engine interpolate FILE.json`` prints the solution as JSON
(``python -m engine rnorm FILE.json``: see engine.rnorm.cli; ``python -m engine compress FILE.json``:
engine.compress.cli; ``python -m engine kernel-regime FILE.json``: engine.kernel_regime.cli;
``python -m engine sweep SPEC.json --out FILE.parquet``: engine.sweep.cli).

Input: {"x": [...], "y": [...] or [[...], ...], "bias_penalty": false, "lam": 0, "eval_x": [...]};
x may also be one list per task (tasks observed at their own inputs), with y one list per task.
(only x and y required; "-" reads standard input).
Exit status: 0 with the JSON answer on stdout; 2 for input the engine refuses (one line on stderr
naming what was wrong and the limit); 1 for an internal failure (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from engine.univariate import SolverError, interpolate
from engine.univariate.validation import (MAX_ABS, MAX_OWN_CELLS, MAX_POINTS, MAX_SHARED_CELLS, MAX_TASKS,
                                          numbers)
from engine.validation import (MAX_JSON_BYTES, MAX_JSON_DEPTH, DataError, at_most, finite_array, lam as check_lam,
                               load_json)

MAX_EVAL = 100_000       # eval_x values
MAX_EVAL_OUT = 1_000_000  # eval_x values × tasks in the answer
LIMITS = (f"Limits: interpolate: at most {MAX_POINTS} distinct points, {MAX_TASKS} tasks, |values| ≤ {MAX_ABS:g}, "
          f"tasks × inputs ≤ {MAX_SHARED_CELLS} (several tasks, bias penalised) or ≤ {MAX_OWN_CELLS} (tasks at "
          f"their own inputs), {MAX_EVAL} eval_x and {MAX_EVAL_OUT} eval_x × tasks; rnorm, compress, kernel-regime "
          f"and sweep: see their --help. Input files: at most {MAX_JSON_BYTES // 1_000_000} MB of JSON nested at most {MAX_JSON_DEPTH} deep.")

KEYS = {"x", "y", "bias_penalty", "lam", "eval_x"}


def _load(path: str) -> dict:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_JSON_BYTES + 1)
        else:
            if os.path.getsize(path) > MAX_JSON_BYTES:
                raise DataError(f"{path} is too large (limit {MAX_JSON_BYTES:,} bytes)")
            with open(path, "rb") as fh:
                raw = fh.read(MAX_JSON_BYTES + 1)
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror}") from None
    data = load_json(raw, "standard input" if path == "-" else path)
    if not isinstance(data, dict):
        raise DataError("the JSON input must be an object (see --help for its keys)")
    return data


def eval_points(values) -> np.ndarray:
    """Finite numbers to evaluate at (a flat list of at most MAX_EVAL, |x| ≤ 1e12)."""
    at_most(len(numbers(values, "eval_x")), MAX_EVAL, "eval_x values")
    return finite_array(values, "eval_x", max_abs=1e12)


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
    lam = check_lam(lam)
    sol = interpolate(numbers(data["x"], "x", nested=True), numbers(data["y"], "y", nested=True),
                      bias_penalty=data.get("bias_penalty", False), lam=lam)
    out = sol.to_dict()
    if "eval_x" in data:
        xs = eval_points(data["eval_x"])
        at_most(len(xs) * len(sol.affine), MAX_EVAL_OUT, "eval_x values × tasks")
        out["eval_y"] = sol(xs).tolist()
    return out


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # one line, exit 2 (argparse would print the usage too)
        print(f"error: {message} (see python -m engine --help)", file=sys.stderr)
        sys.exit(2)


def _run(args) -> dict:
    if args.command == "rnorm":
        from engine.rnorm.cli import run_rnorm

        return run_rnorm(_load(args.file))
    if args.command == "compress":
        from engine.compress.cli import run_compress

        return run_compress(_load(args.file))
    if args.command == "kernel-regime":
        from engine.kernel_regime.cli import run_kernel_regime

        return run_kernel_regime(_load(args.file))
    return run_interpolate(_load(args.file))


def main(argv=None) -> int:
    """Exit 0 (answer on stdout), 2 (refused input: one line on stderr) or 1 (internal failure: one
    line on stderr). No traceback reaches the user: unexpected exceptions are caught here."""
    parser = _Parser(prog="python -m engine", description=__doc__.splitlines()[0], epilog=LIMITS)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("interpolate", help="minimum-norm ReLU interpolant of 1-D data", epilog=LIMITS)
    p.add_argument("file", help="JSON input file, or - for standard input")
    from engine.compress.cli import LIMITS as COMPRESS_LIMITS
    from engine.rnorm.cli import LIMITS as RNORM_LIMITS

    p = sub.add_parser("rnorm", help="R-norm of a 2-D formula, a radial profile or a finite network",
                       epilog=RNORM_LIMITS)
    p.add_argument("file", help="JSON input file, or - for standard input")
    p = sub.add_parser("compress", help="k-means weight sharing of scalars or rows, or of the digits CNN",
                       epilog=COMPRESS_LIMITS)
    p.add_argument("file", help="JSON input file, or - for standard input")
    from engine.kernel_regime.cli import LIMITS as KERNEL_LIMITS

    p = sub.add_parser("kernel-regime", help="the 2-D multi-task runs of the kernel-regime page (spread, gaps)",
                       epilog=KERNEL_LIMITS)
    p.add_argument("file", help="JSON input file, or - for standard input")
    from engine.sweep.cli import limits as sweep_limits

    p = sub.add_parser("sweep", help="run a sweep spec on Dask into a resumable Parquet file (docs/sweeps.md)",
                       epilog=sweep_limits())
    p.add_argument("spec", help="JSON spec {experiment, grid, seeds}")
    p.add_argument("--out", required=True, help="results file (.parquet); rerun to resume")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: a local cluster)")
    p.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per CPU)")
    args = parser.parse_args(argv)
    if args.command == "sweep":
        from engine.sweep.cli import run_cli

        return run_cli(args)
    try:
        out = _run(args)
        text = json.dumps(out, allow_nan=False)
    except (DataError, SolverError) as err:
        return _fail(2, f"error: {err}")
    except ValueError as err:   # json.dumps(allow_nan=False): a non-finite number in the answer
        if "JSON compliant" in str(err) and args.command == "interpolate":
            return _fail(2, "error: the result is not finite (the data or eval_x are too badly scaled)")
        if "JSON compliant" in str(err):   # the other commands report non-finite values as null themselves
            return _fail(1, f"internal error: the {args.command} answer holds a non-finite number")
        return _fail(1, f"internal error: ValueError: {err}")
    except MemoryError:
        return _fail(1, "internal error: out of memory")
    except KeyboardInterrupt:
        return _fail(130, "interrupted")
    except Exception as err:   # noqa: BLE001 — the CLI's last line of defence: one line, never a traceback
        return _fail(1, f"internal error: {type(err).__name__}: {err}")
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:   # the reader went away (e.g. | head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _fail(code: int, line: str) -> int:
    print(" ".join(line.split())[:500], file=sys.stderr)
    return code
