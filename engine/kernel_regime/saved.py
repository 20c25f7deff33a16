"""Finished runs of the 2-D kernel-regime experiment as versioned JSON: the page's session files ("Save view"
with results) and the committed runs of the page's default settings, so that the default view shows its
results at once on a fresh server.

Format (``FORMAT``, version ``VERSION``)::

    {"format": "relu-atlas/kernel-regime-runs", "v": 1,
     "settings": {"width", "steps", "lam", "seeds": [...]},
     "runs": [{"tasks", "seed", "loss", "cost", "seconds", "device",
               "net": {"a": (K, T), "w": (K, 2), "b": (K,), "v": (2, T), "c": (T,)}}, ...],
     "sweep": null or [[T, distance (all tasks' kernel), distance (other tasks' kernel) or null], ...]}

Numbers are JSON floats (Python writes the shortest text that reads back to the same double), so a loaded
run gives the page's numbers to the last digit. ``load`` checks every field (``DataError`` naming the first
bad one); task-1 values on the grid are recomputed from the nets (cheap), not stored.

``python -m engine.kernel_regime.saved`` trains the default settings (``DEFAULT``) on the CPU and writes
``PATH`` (gzip); tests/test_kernel_regime_saved.py checks that retraining reproduces a stored run.
"""
from __future__ import annotations

import gzip
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from engine.network import ShallowNet
from engine.kernel_regime.runs import Run
from engine.validation import DataError, count, finite_array, lam as check_lam, number

FORMAT, VERSION = "relu-atlas/kernel-regime-runs", 1
PATH = Path(__file__).with_name("data") / "default_runs.json.gz"
DEFAULT = {"width": 100, "steps": 6000, "lam": 1e-3, "seeds": [0, 1, 2]}
TASK_COUNTS = (1, 101)
MAX_RUNS = 20
MAX_SEEDS = 10
MAX_WIDTH, MAX_TASKS, MAX_STEPS = 20000, 1000, 1_000_000   # engine.train.trainer's limits (that module loads torch)


def dump(settings: dict, runs, sweep=None) -> dict:
    """The JSON-ready dict of ``runs`` (``runs.Run``) trained with ``settings`` {"width", "steps", "lam",
    "seeds"} and, if given, the task sweep's rows [(T, d_all, d_others)]."""
    return {"format": FORMAT, "v": VERSION,
            "settings": {"width": int(settings["width"]), "steps": int(settings["steps"]),
                         "lam": float(settings["lam"]), "seeds": [int(s) for s in settings["seeds"]]},
            "runs": [{"tasks": r.tasks, "seed": r.seed, "loss": r.loss, "cost": r.cost, "seconds": r.seconds,
                      "device": r.device, "net": {k: np.asarray(getattr(r.net, k), float).tolist() for k in "awbvc"}}
                     for r in runs],
            "sweep": None if sweep is None else
            [[int(t), float(a), None if not math.isfinite(b) else float(b)] for t, a, b in sweep]}


def _field(data, key, what):
    if not isinstance(data, dict) or key not in data:
        raise DataError(f"{what} lacks {key!r}")
    return data[key]


def _net(raw, where: str) -> ShallowNet:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: the net must be an object")
    parts = {k: finite_array(_field(raw, k, where), f"{where}: net {k}", max_abs=1e12) for k in "awbvc"}
    a, w, b, v, c = (parts[k] for k in "awbvc")
    if a.ndim != 2 or w.ndim != 2 or w.shape[1] != 2 or b.shape != (len(w),) or len(a) != len(w):
        raise DataError(f"{where}: the net needs a (K, T), w (K, 2) and b (K,) with one row per unit")
    if not 1 <= len(w) <= MAX_WIDTH or not 1 <= a.shape[1] <= MAX_TASKS:
        raise DataError(f"{where}: 1 to {MAX_WIDTH} units and 1 to {MAX_TASKS} tasks")
    if v.shape != (2, a.shape[1]) or c.shape != (a.shape[1],):
        raise DataError(f"{where}: the net's skip needs v (2, T) and c (T,)")
    return ShallowNet(a, w, b, v, c)


def load(data, grid_points=None) -> tuple[dict, list[Run], list | None]:
    """(settings, runs, sweep rows or None) from a ``dump`` dict; each run's task-1 values on ``grid_points``
    (None without them: ``with_values`` adds them)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError("these are not kernel-regime runs")
    if not isinstance(data.get("v"), int) or isinstance(data.get("v"), bool) or not 1 <= data["v"] <= VERSION:
        raise DataError(f"kernel-regime runs of version {data.get('v')!r}: this app reads version {VERSION}")
    raw = _field(data, "settings", "the runs")
    seeds = _field(raw, "seeds", "settings")
    if not isinstance(seeds, list) or not 1 <= len(seeds) <= MAX_SEEDS:
        raise DataError(f"settings: seeds must be a list of 1 to {MAX_SEEDS} seeds")
    settings = {"width": count(_field(raw, "width", "settings"), "settings: width", 1, MAX_WIDTH),
                "steps": count(_field(raw, "steps", "settings"), "settings: steps", 1, MAX_STEPS),
                "lam": check_lam(_field(raw, "lam", "settings"), "settings: lam"),
                "seeds": [count(s, "settings: a seed", 0, 2**31 - 1) for s in seeds]}
    items = _field(data, "runs", "the runs")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_RUNS:
        raise DataError(f"runs must be a list of 1 to {MAX_RUNS} runs")
    runs = []
    for i, item in enumerate(items, 1):
        where = f"run {i}"
        tasks = count(_field(item, "tasks", where), f"{where}: tasks", 1, MAX_TASKS)
        net = _net(_field(item, "net", where), where)
        if net.a.shape != (settings["width"], tasks):
            raise DataError(f"{where}: its net has {len(net.b)} units and {net.a.shape[1]} tasks, not "
                            f"{settings['width']} and {tasks}")
        device = _field(item, "device", where)
        if device not in ("cpu", "cuda"):
            raise DataError(f"{where}: device must be cpu or cuda")
        runs.append(Run(tasks, count(_field(item, "seed", where), f"{where}: seed", 0, 2**31 - 1), net,
                        None if grid_points is None else net(grid_points)[:, 0], number(_field(item, "loss", where), f"{where}: loss", 0),
                        number(_field(item, "cost", where), f"{where}: cost", 0),
                        number(_field(item, "seconds", where), f"{where}: seconds", 0), device))
    sweep = data.get("sweep")
    if sweep is not None:
        if not isinstance(sweep, list) or not all(isinstance(r, list) and len(r) == 3 for r in sweep) or not sweep:
            raise DataError("sweep must be null or a list of [T, distance, distance or null] rows")
        sweep = [(count(t, "sweep: T", 1, MAX_TASKS), number(a, "sweep: a distance", 0),
                  math.nan if b is None else number(b, "sweep: a distance", 0)) for t, a, b in sweep]
    return settings, runs, sweep


def with_values(runs, grid_points) -> list[Run]:
    """The runs with their task-1 values on ``grid_points``."""
    return [replace(r, values=r.net(grid_points)[:, 0]) for r in runs]


def stored(settings: dict, path: Path = PATH) -> bool:
    """Whether the committed file holds the runs of ``settings``."""
    return {**settings, "seeds": list(settings["seeds"])} == DEFAULT and path.exists()


def read(grid_points, path: Path = PATH):
    """``load`` of the committed file."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return load(json.load(fh), grid_points)


def make_default(path: Path = PATH) -> dict:
    """Train the default settings on the CPU (``runs.train_runs``) and write them to ``path``."""
    from engine.kernel_regime.data import grid, square_data
    from engine.kernel_regime.runs import train_runs

    X, y = square_data()
    points, _ = grid(1.5, 11)
    runs = [payload[0] for kind, *payload in train_runs(
        X, y, points, seeds=DEFAULT["seeds"], task_counts=TASK_COUNTS, width=DEFAULT["width"], lam=DEFAULT["lam"],
        steps=DEFAULT["steps"], device="cpu") if kind == "run"]
    out = dump(DEFAULT, runs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(json.dumps(out).encode())
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PATH
    made = make_default(target)
    print(f"wrote {target}: {len(made['runs'])} runs, {sum(r['seconds'] for r in made['runs']):.1f} s of training")
