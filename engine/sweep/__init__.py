"""Sweeps of the papers' experiments over grids of parameters and many seeds, on Dask distributed
(docs/sweeps.md).

    from engine.sweep import load_spec, run_sweep
    spec = load_spec({"experiment": "uniqueness", "grid": {"tasks": [1, 2, 5]}, "seeds": 100})
    report = run_sweep(spec, "uniqueness.parquet", workers=2)      # or scheduler="tcp://host:8786"

One row per grid point × seed (``spec``), computed as one Dask task each (``runner``) and stored in
Parquet, resumably (``store``). Experiments: ``uniqueness``, ``kernel_regime``, ``compress``
(``experiments.EXPERIMENTS``). Importing this package loads neither dask nor torch.
"""
from __future__ import annotations

import json

from engine.sweep.experiments import EXPERIMENTS
from engine.sweep.spec import Spec, check_within, parse_spec, row_key
from engine.sweep.summary import over_seeds, plottable, varying
from engine.validation import DataError

__all__ = ["EXPERIMENTS", "Spec", "load_spec", "row_key", "check_within", "run_sweep", "read_results", "over_seeds",
           "plottable", "varying"]


def load_spec(source) -> Spec:
    """A validated spec from a dict, or from the path of a JSON file; DataError says what is wrong."""
    if isinstance(source, dict):
        return parse_spec(source, EXPERIMENTS)
    try:
        text = open(source, encoding="utf-8").read()
    except OSError as err:
        raise DataError(f"cannot read {source}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"{source} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    return parse_spec(data, EXPERIMENTS)


def run_sweep(spec, out, **options):
    """``runner.run_sweep`` (imported on first use: it loads dask)."""
    from engine.sweep.runner import run_sweep as run

    return run(spec, out, **options)


def read_results(source):
    """``store.read_results``: (rows, metadata) of a sweep's Parquet file."""
    from engine.sweep.store import read_results as read

    return read(source)
