"""A sweep spec: ``{"experiment": NAME, "grid": {PARAM: [values…], …}, "seeds": INT or [ints]}``.

An experiment declares its parameters (``Param``: a default, a type and bounds that keep one row's
work bounded) and its result columns. The spec's grid lists values for some of the parameters; the
others keep their defaults. The rows are the Cartesian product of the grid (in the order the grid
lists its parameters, the last one varying fastest) times the seeds, and every row carries all the
experiment's parameters and ``seed``. A row is identified by ``row_key``: a hash of the experiment's
name and the row's parameters, so the same point is the same row in any spec (what resuming relies on).
Everything the spec gets wrong is a ``DataError`` naming what and where.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.validation import DataError

MAX_ROWS = 1_000_000
MAX_SEEDS = 100_000
KEYS = {"experiment", "grid", "seeds"}
RESULT_TYPES = ("float", "int", "bool", "str", "floats")   # "floats": a list of floats per row


@dataclass(frozen=True)
class Param:
    """One parameter: ``kind`` "int", "float", "bool" or "choice"; numbers must lie in [lo, hi]."""

    default: Any
    kind: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    help: str = ""

    def check(self, name: str, value):
        """The value in canonical form (ints as int, floats as float), or DataError."""
        where = f"grid.{name}"
        if self.kind == "choice":
            if value not in self.choices:
                raise DataError(f"{where}: {value!r} is not one of {', '.join(map(str, self.choices))}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise DataError(f"{where}: {value!r} must be true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DataError(f"{where}: {value!r} must be a finite number")
        if self.kind == "int":
            if value != int(value):
                raise DataError(f"{where}: {value!r} must be a whole number")
            value = int(value)
        else:
            value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise DataError(f"{where}: {value!r} must lie between {self.lo:g} and {self.hi:g}")
        return value


@dataclass(frozen=True)
class Experiment:
    """``run(params, seed, device) -> dict`` of the result columns (``results``: name → one of
    RESULT_TYPES). ``torch``: the experiment trains with torch and can use a GPU worker. ``batch``:
    rows per Dask task (several for rows of milliseconds, so that they share the scheduler's cost
    per task)."""

    name: str
    summary: str
    params: dict[str, Param]
    results: dict[str, str]
    run: Callable[[dict, int, str], dict]
    torch: bool = False
    batch: int = 1


@dataclass(frozen=True)
class Spec:
    experiment: Experiment
    grid: dict[str, list]
    seeds: tuple[int, ...]
    raw: dict = field(compare=False)

    def __len__(self) -> int:
        return len(self.seeds) * math.prod(len(v) for v in self.grid.values())

    def rows(self) -> list[dict]:
        """Every row: all parameters (grid values or defaults) then ``seed``."""
        names = list(self.grid)
        fixed = {k: p.default for k, p in self.experiment.params.items()}
        out = []
        for values in itertools.product(*(self.grid[n] for n in names)):
            point = fixed | dict(zip(names, values))
            for seed in self.seeds:
                out.append({k: point[k] for k in self.experiment.params} | {"seed": seed})
        return out

    def to_json(self) -> str:
        return json.dumps(self.raw, sort_keys=True)


def row_key(experiment: str, row: dict) -> str:
    """Stable identity of a row: sha1 of the experiment name and the row's parameters, 16 hex digits."""
    text = json.dumps({"experiment": experiment, **row}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def parse_spec(data, experiments: dict[str, Experiment]) -> Spec:
    """Validate a spec (a dict, as read from JSON) against the registered experiments."""
    if not isinstance(data, dict):
        raise DataError('the spec must be a JSON object {"experiment": …, "grid": {…}, "seeds": …}')
    unknown = data.keys() - KEYS
    if unknown:
        raise DataError(f"unknown key(s) in the spec: {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(KEYS))})")
    if "experiment" not in data:
        raise DataError('the spec needs "experiment" (one of ' + ", ".join(experiments) + ")")
    name = data["experiment"]
    if not isinstance(name, str) or name not in experiments:
        raise DataError(f"unknown experiment {name!r}; choose one of {', '.join(experiments)}")
    exp = experiments[name]
    grid_in = data.get("grid", {})
    if not isinstance(grid_in, dict):
        raise DataError('"grid" must be an object {PARAM: [values…], …}')
    grid = {}
    for param, values in grid_in.items():
        if param == "seed":
            raise DataError('seeds go in "seeds", not in the grid')
        if param not in exp.params:
            raise DataError(f"{name} has no parameter {param!r}; its parameters: {', '.join(exp.params)}")
        if not isinstance(values, list) or not values:
            raise DataError(f"grid.{param} must be a non-empty list of values")
        checked = [exp.params[param].check(param, v) for v in values]
        if len(set(map(repr, checked))) != len(checked):
            raise DataError(f"grid.{param} lists a value twice")
        grid[param] = checked
    seeds = _seeds(data.get("seeds", 1))
    spec = Spec(exp, grid, seeds, {"experiment": name, "grid": grid, "seeds": list(seeds)})
    if len(spec) > MAX_ROWS:
        raise DataError(f"the spec has {len(spec)} rows; at most {MAX_ROWS} per sweep")
    return spec


def _seeds(value) -> tuple[int, ...]:
    def whole(v):
        return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and v == int(v)

    if whole(value):
        if not 1 <= value <= MAX_SEEDS:
            raise DataError(f'"seeds" as a count must lie between 1 and {MAX_SEEDS}')
        return tuple(range(int(value)))
    if not isinstance(value, list) or not value or not all(whole(v) and 0 <= v < 2**32 for v in value):
        raise DataError('"seeds" must be a count or a non-empty list of whole numbers in [0, 2³²)')
    seeds = tuple(int(v) for v in value)
    if len(set(seeds)) != len(seeds):
        raise DataError('"seeds" lists a seed twice')
    if len(seeds) > MAX_SEEDS:
        raise DataError(f"at most {MAX_SEEDS} seeds")
    return seeds


def check_within(spec: Spec, max_rows: int, limits: dict[str, float]) -> None:
    """DataError unless the spec has at most ``max_rows`` rows and every grid value of a parameter in
    ``limits`` (and its default, when the grid does not set it) is at most its limit: a bound on the
    work of a sweep started from the app."""
    if len(spec) > max_rows:
        raise DataError(f"this spec has {len(spec)} rows; here at most {max_rows} (run larger sweeps with "
                        "python -m engine sweep)")
    for name, limit in limits.items():
        values = spec.grid.get(name, [spec.experiment.params[name].default])
        if max(values) > limit:
            raise DataError(f"{name} = {max(values):g} is above this page's limit {limit:g} (run it with python -m engine sweep)")
