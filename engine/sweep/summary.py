"""Reading a sweep's rows: which columns vary, which can be plotted, and means with error bars over
seeds (docs/sweeps.md)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from engine.sweep.spec import Experiment
from engine.validation import DataError

SPREAD = "spread of task 1 across seeds"
"""A derived column of ``kernel_regime``: one value per grid point (``kernel_regime.seed_spread``)."""


def varying(table: pd.DataFrame, exp: Experiment) -> list[str]:
    """The parameters (``seed`` excluded) that take more than one value in ``table``."""
    return [p for p in exp.params if p in table and table[p].nunique() > 1]


def plottable(exp: Experiment) -> list[str]:
    """Result columns with one number per row (bools count as 0/1), ``seconds``, and derived columns."""
    cols = [c for c, kind in exp.results.items() if kind in ("float", "int", "bool")] + ["seconds"]
    return cols + ([SPREAD] if exp.name == "kernel_regime" else [])


def over_seeds(table: pd.DataFrame, exp: Experiment, x: str, y: str, by: str | None = None,
               fixed: dict | None = None) -> pd.DataFrame:
    """Mean, standard deviation, standard error (std/√n) and count n of ``y`` over the seeds, per
    value of ``x`` (and of ``by``), on the rows where the parameters in ``fixed`` take the given
    values; rows with an error or a missing/non-finite ``y`` are left out. For a derived column the
    value per point is the column itself (std and sem NaN, n = seeds)."""
    rows = table[table["error"].isna()] if "error" in table else table
    for name, value in (fixed or {}).items():
        rows = rows[rows[name] == value]
    keys = [x] + ([by] if by else [])
    if y == SPREAD:
        from engine.sweep.kernel_regime import seed_spread

        points = seed_spread(rows)
        return points.groupby(keys, sort=True).agg(mean=("spread", "mean"), n=("seeds", "sum")).reset_index() \
            .assign(std=np.nan, sem=np.nan)[keys + ["mean", "std", "sem", "n"]]
    if y not in rows:
        raise DataError(f"the results have no column {y!r}")
    values = pd.to_numeric(rows[y].astype("float64"), errors="coerce")
    frame = rows[keys].assign(value=values).dropna(subset=["value"])
    frame = frame[np.isfinite(frame["value"])]
    out = frame.groupby(keys, sort=True)["value"].agg(mean="mean", std="std", n="count").reset_index()
    out["sem"] = out["std"] / np.sqrt(out["n"])
    return out[keys + ["mean", "std", "sem", "n"]]
