"""What /multitask draws for its tasks and options: task 1 alone and within all tasks, without Streamlit state,
so that the page's script and the live route (``ui/live.py``) build the same two figures from the same caches.

``Options`` hold every task's points (task 1 and the placed tasks; the random tasks are made from task 1's
inputs and the seed), the sidebar's choices, and ``edits``: the task whose points a click edits.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

from engine import DataError
from engine.univariate import SolverError, assemble_tasks, gaussian_tasks, interpolate, rkhs_interpolate
from ui.bounded_cache import MiB, bounded_cache
from ui.multitask_figure import multitask_figure
from ui.points import checked_points
from ui.univariate_figure import figure, window

MAX_PLACED = 3
MAX_RANDOM = 50
MAX_SEED = 10_000
HEIGHT = 480
PLOTS = ("mt_alone", "mt_multi")   # the page's two click plots (their component keys)


@dataclass(frozen=True)
class Options:
    """task1, placed: (x, y) point lists (placed: only the tasks shown); the sidebar's choices; ``edits``:
    the task (0 = task 1, k = placed task k) whose points the click plot's edits change."""
    task1: tuple = ((), ())
    placed: tuple = ()
    random: int = 0
    seed: int = 0
    pen: bool = False
    h1: bool = True
    active: int = 0
    view: int = 0
    dark: bool = False
    edits: int = 0

    def to_json(self) -> dict:
        return {**asdict(self), "task1": [list(v) for v in self.task1],
                "placed": [[list(x), list(y)] for x, y in self.placed]}

    @classmethod
    def from_json(cls, data) -> "Options":
        """Options sent back by a browser, checked: DataError on anything the page could not have sent."""
        if not isinstance(data, dict) or set(data) - set(cls.__dataclass_fields__):
            raise DataError("the figure options are malformed")
        ints = {k: data.get(k, getattr(cls, k)) for k in ("random", "seed", "active", "view", "edits")}
        flags = {k: data.get(k, getattr(cls, k)) for k in ("pen", "h1", "dark")}
        placed = data.get("placed", [])
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints.values()) \
                or not all(isinstance(v, bool) for v in flags.values()) or not isinstance(placed, list) \
                or len(placed) > MAX_PLACED or not 0 <= ints["random"] <= MAX_RANDOM \
                or not 0 <= ints["seed"] <= MAX_SEED or not 0 <= ints["active"] <= len(placed) \
                or not 0 <= ints["edits"] <= len(placed):
            raise DataError("the figure options are out of range")
        return cls(task1=_task(data.get("task1", [[], []])), placed=tuple(_task(t) for t in placed), **ints, **flags)

    def with_task(self, k: int, x, y) -> "Options":
        """These options with task k's points replaced (k = 0: task 1)."""
        if k == 0:
            return replace(self, task1=(tuple(x), tuple(y)))
        placed = list(self.placed)
        placed[k - 1] = (tuple(x), tuple(y))
        return replace(self, placed=tuple(placed))

    def task(self, k: int):
        return self.task1 if k == 0 else self.placed[k - 1]


def _task(points) -> tuple:
    if not (isinstance(points, list) and len(points) == 2 and all(isinstance(p, list) for p in points)):
        raise DataError("a task's points are malformed (two lists, x and y)")
    x, y, _ = checked_points(*points, allow_few=True)
    return tuple(x), tuple(y)


# Results are shared by every session (no copy per hit; bounded in entries and bytes) and never modified.
@bounded_cache(max_entries=1024, max_bytes=128 * MiB)
def solve(x, y, bias_penalty):
    start = time.perf_counter()
    sol = interpolate(x, y, bias_penalty=bias_penalty)
    return sol, time.perf_counter() - start


@bounded_cache(max_entries=1024, max_bytes=64 * MiB)
def h1_fit(x, y):
    return rkhs_interpolate(list(x), list(y), "h1")


def as_key(x, y):
    """Hashable form of an engine input (lists, or lists of lists)."""
    return (tuple(map(tuple, x)) if x and isinstance(x[0], list) else tuple(x),
            tuple(map(tuple, y)) if y and isinstance(y[0], list) else tuple(y))


@dataclass(frozen=True)
class Solved:
    """tasks: [(x, y, label, kind)] (task 1, the placed tasks, the random tasks); solved: indices of the tasks
    in the multi-task solve (its rows); alone, multi: the Interpolants (None where there is nothing to solve);
    h1: task 1's H¹ interpolant or None; seconds: engine time; errors: messages for the page."""
    tasks: list
    solved: list
    alone: object
    multi: object
    h1: object
    random_labels: object
    seconds: float
    errors: list


def solutions(opts: Options) -> Solved:
    x1, y1 = map(list, opts.task1)
    random_labels = gaussian_tasks(x1, opts.random, opts.seed)
    tasks = [(x1, y1, "task 1", "task1")]
    tasks += [(list(x), list(y), f"task {k}", "placed") for k, (x, y) in enumerate(opts.placed, start=2)]
    tasks += [(x1, list(row), f"random task {j + 1}", "random") for j, row in enumerate(random_labels)]
    solved = [k for k, t in enumerate(tasks) if len(t[0])]   # tasks in the solve (rows of its solution), in order
    alone = multi = None
    seconds, errors = 0.0, []
    if len(x1) >= 2:
        try:
            alone, t_alone = solve(*as_key(x1, y1), opts.pen)
            mx, my = assemble_tasks((x1, y1), [tuple(map(list, t)) for t in opts.placed], random_labels)
            multi, t_multi = solve(*as_key(mx, my), opts.pen) if len(solved) > 1 else (None, 0.0)
            seconds = t_alone + t_multi
        except (DataError, SolverError) as err:
            alone = multi = None
            errors.append(f"The solver failed ({err}); your points are kept.")
    h1 = h1_fit(tuple(x1), tuple(y1)) if len(x1) >= 2 and opts.h1 else None
    return Solved(tasks, solved, alone, multi, h1, random_labels, seconds, errors)


def axes_window(tasks):
    """The plots' ranges: task 1's and the placed tasks' data (the random tasks' labels do not widen them)."""
    shown = [t for t in tasks if t[3] != "random"]
    return window([v for t in shown for v in t[0]] or [0.0], [v for t in shown for v in t[1]] or [0.0])


def figures(opts: Options, found: Solved | None = None) -> dict:
    """{plot key: figure}: task 1 alone, and task 1 within all tasks (the active task's points editable)."""
    found = found or solutions(opts)
    x1, y1 = map(list, opts.task1)
    xr, yr = axes_window(found.tasks)
    key = "penalised" if opts.pen else "free"
    networks = {key: ("task 1 alone", found.alone)} if found.alone is not None else {}
    return {"mt_alone": figure((x1, y1), networks, {}, shade_set=True, xr=xr, yr=yr, height=HEIGHT, view=opts.view,
                               dark=opts.dark),
            "mt_multi": multitask_figure(found.tasks, found.solved, found.multi, opts.active, h1=found.h1, xr=xr,
                                         yr=yr, height=HEIGHT, view=opts.view, dark=opts.dark)}


def plot_options(opts: Options) -> dict:
    """{plot key: options JSON}: the left plot edits task 1, the right one the active task."""
    return {"mt_alone": replace(opts, edits=0).to_json(), "mt_multi": replace(opts, edits=opts.active).to_json()}


def live(x, y, opts: Options) -> dict:
    """The live route's answer to an edit of task ``opts.edits``: {plot key: (figure, options JSON)}."""
    new = opts.with_task(opts.edits, x, y)
    figs, options = figures(new), plot_options(new)
    return {k: (figs[k], options[k]) for k in PLOTS}
