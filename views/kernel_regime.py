"""Many tasks in 2-D: with 1 + 100 random tasks, network training becomes kernel regression with a
kernel built from the learned neurons (Nakhleh, Shenouda & Nowak, NeurIPS 2024)."""
import json

import pandas as pd
import streamlit as st

from engine.kernel_regime import exact_view, grid, square_data
from engine.kernel_regime import saved
from engine.kernel_regime.cli import MAX_SEEDS as CLI_MAX_SEEDS
from engine.kernel_regime.runs import kernel_distance, seed_spread, single_task_rows, task_sweep, train_runs
from ui import long_run, reproduce, view_link
from ui.bounded_cache import BoundedCache, MiB
from ui.kernel_regime_figure import distance_plot, surfaces
from ui.url_params import Param, UrlParams, choice, clamped_int, nearest
from ui.presentation import chart

PRESETS = {"Quick (width 100, 6000 steps)": (100, 6000), "Wide (width 400, 12000 steps)": (400, 12000),
           "Tiny (width 30, 300 steps: rough, for slow machines)": (30, 300)}
LAMS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
SWEEP = (1, 2, 5, 11, 26, 51, 101)
SEEDS = (2, 5)   # seeds of one run on this page
TASKS = saved.TASK_COUNTS
URL = UrlParams(
    Param("kr_preset", next(iter(PRESETS)), choice(list(PRESETS))),
    Param("kr_lam", 1e-3, nearest(LAMS), lambda v: f"{v:g}"),
    Param("kr_seeds", 3, clamped_int(*SEEDS)),
)


@st.cache_resource(max_entries=16, show_spinner=False)
def calibrated(width, tasks):
    """Steps per second of this machine for the page's problem (a short calibration, once per server)."""
    from engine.train.trainer import steps_per_second

    return steps_per_second(width=width, n=8, tasks=tasks, d=2, steps=200, repeats=2)


@st.cache_resource(show_spinner=False)
def measured() -> dict:
    """Steps per second of the finished runs on this server, by (width, T): better than the calibration."""
    return {}


def finished() -> BoundedCache:
    """Finished batches of runs on this server, by settings key, shared by all sessions (a second visitor
    with the same settings sees them at once); the page's default settings come from the committed file.
    Bounded in entries and bytes (issue 12)."""
    return BoundedCache.named("kernel_regime:finished", max_entries=64, max_bytes=256 * MiB)


@st.cache_data(max_entries=len(LAMS), show_spinner=False)
def exact(lam):
    X, y = square_data()
    points, _ = grid(1.5, 61)
    return exact_view(X, y, points, lam), exact_view(X, y, points, 0.0)["result"]


def sidebar():
    with st.sidebar:
        st.subheader("Training")
        st.radio("Preset", list(PRESETS), key="kr_preset")
        st.select_slider("Weight decay λ", LAMS, key="kr_lam", format_func=lambda v: f"{v:g}")
        st.slider("Seeds", *SEEDS, key="kr_seeds", help=f"{SEEDS[0]} … {SEEDS[1]} seeds here (each trains one net per "
                  f"T); `python -m engine kernel-regime` up to {CLI_MAX_SEEDS}.")
    URL.write()
    width, steps = PRESETS[st.session_state["kr_preset"]]
    return width, steps, st.session_state["kr_lam"], list(range(st.session_state["kr_seeds"]))


def estimate(width, steps, seeds) -> float:
    """Seconds for the batch: steps / (measured or calibrated steps per second), per run."""
    rate = {T: measured().get((width, T)) or calibrated(width, T) for T in TASKS}
    return sum(len(seeds) * steps / rate[T] for T in TASKS)


def runs_job(X, y, points, seeds, width, lam, steps):
    """Trains the batch; reports {"runs": finished runs, "current": (T, seed, values, text)} for a live view."""
    def run(job):
        runs = []
        for kind, *payload in train_runs(X, y, points, seeds=seeds, task_counts=TASKS, width=width, lam=lam,
                                         steps=steps, stop=lambda: job.stopping):
            if kind == "progress":
                fraction, text, values = payload
                job.report(fraction, text, {"runs": list(runs), "current": (text, values)})
            else:
                runs.append(payload[0])
        job.check()   # a stopped batch is incomplete: no result
        for r in runs:
            measured()[(width, r.tasks)] = steps / max(r.seconds, 1e-9)
        return runs
    return run


def sweep_job(X, y, points, width, lam, steps):
    def run(job):
        for kind, *payload in task_sweep(X, y, points, SWEEP, width=width, lam=lam, steps=steps,
                                         stop=lambda: job.stopping):
            if kind == "progress":
                job.report(*payload)
            else:
                return payload[0]
        job.check()
    return run


def live_panels(seeds, axes, X, y):
    """The surfaces while training: finished runs, the run in progress (its latest snapshot), the rest blank."""
    def draw(state):
        done = {(r.tasks, r.seed): r.values for r in state["runs"]}
        text, values = state["current"]
        panels = []
        for T in TASKS:
            for seed in seeds:
                if (T, seed) in done:
                    panels.append((f"T = {T}, seed {seed}", done[(T, seed)]))
                elif text.startswith(f"T = {T}, seed {seed}:"):
                    panels.append((f"{text} (training)", values))
                else:
                    panels.append((f"T = {T}, seed {seed}: waiting", None))
        chart(surfaces(panels, axes, X, y, rows=2))
    return draw


def train_controls(width, steps, lam, seeds, key, X, y, points, axes):
    """The Train button, the estimate, the live job; returns the finished runs for ``key`` (or None)."""
    seconds = estimate(width, steps, seeds)
    c1, c2 = st.columns([1, 3])
    if c1.button("Train the networks", type="primary", width="stretch", help=long_run.budget_help()):
        long_run.start("kr", key, runs_job(X, y, points, seeds, width, lam, steps), "Training the networks")
    source = "measured on this server's earlier runs" if all((width, T) in measured() for T in TASKS) else \
        "from a short calibration on this machine"
    c2.caption(f"{2 * len(seeds)} runs (T = 1 and T = 101 for {len(seeds)} seeds), width {width}, {steps} Adam steps, "
               f"λ = {lam:g}. Estimated time here: {seconds:.0f} s ({source}).")
    if seconds > 60:
        smaller = list(PRESETS)[0 if st.session_state["kr_preset"] != list(PRESETS)[0] else 2]
        st.warning("This takes a while on this machine's CPU (a GPU is used when present).")
        st.button(f"Use the smaller preset: {smaller}", on_click=lambda: st.session_state.update(kr_preset=smaller))
    done = long_run.take("kr")
    if done is not None:
        finished()[done.key] = done.result
        finished().pop(("committed", done.key), None)
        st.session_state["kr_runs"] = {"key": done.key, "runs": done.result}
    if long_run.follow("kr", live_panels(seeds, axes, X, y)):
        return None
    stored_runs = st.session_state.get("kr_runs")
    if stored_runs and stored_runs["key"] == key:
        return stored_runs["runs"]
    if key not in finished() and saved.stored(settings(key)):
        finished()[key] = saved.read(points)[1]
        finished()[("committed", key)] = True
    if finished().get(("committed", key)):
        st.caption("Shown at once: the runs of these settings committed with the app (engine/kernel_regime/data, "
                   "trained once on a CPU by `python -m engine.kernel_regime.saved`). **Train the networks** trains "
                   "them again here.")
    if key in finished():
        st.session_state["kr_runs"] = {"key": key, "runs": finished()[key]}
        return finished()[key]
    return None


def settings(key) -> dict:
    width, steps, lam, seeds = key
    return {"width": width, "steps": steps, "lam": lam, "seeds": list(seeds)}


def restore(points) -> None:
    """A saved view's runs (ui.view_link), installed without retraining."""
    held = view_link.restored("kernel-regime")
    if held is None:
        return
    s, runs, rows = held
    key = (s["width"], s["steps"], s["lam"], tuple(s["seeds"]))
    st.session_state["kr_runs"] = {"key": key, "runs": saved.with_values(runs, points)}
    if rows is not None:
        st.session_state["kr_sweep"] = {"key": key, "rows": rows}
    st.success(f"Opened a saved view: {len(runs)} trained networks, shown as saved (not retrained).")


def seed_panels(runs, axes, X, y):
    by_t = {T: [r for r in runs if r.tasks == T] for T in (1, 101)}
    panels = [(f"T = {r.tasks}, seed {r.seed}", r.values) for T in (1, 101) for r in by_t[T]]
    chart(surfaces(panels, axes, X, y, rows=2))
    m1, m2, m3 = st.columns(3)
    m1.metric("Spread across seeds, T = 1", f"{seed_spread(by_t[1]):.3f}", help="mean pairwise relative RMS distance")
    m2.metric("Spread across seeds, T = 101", f"{seed_spread(by_t[101]):.3f}")
    m3.metric("Trained on", f"{runs[0].device if runs else '—'} · {sum(r.seconds for r in runs):.1f} s")
    return by_t


def gap_sentence(rows, steps) -> str:
    """What the table's objective gaps say (the largest over the seeds), in words that match the numbers."""
    gap = max(r["objective gap"] for r in rows if r["network"].startswith("trained"))
    if gap <= 1e-2:
        return (f"The trained single-task nets reach the exact value to within {gap:.1e} (relative), while their "
                "surfaces differ: the minimiser is not unique.")
    return (f"After {steps} Adam steps the trained single-task nets are still up to {gap:.2f} (relative) above the "
            "exact value: gradient training from a small initialisation has not converged yet (more steps, e.g. the "
            "Quick preset, close the gap), so their surfaces are not minimisers either.")


def exact_section(single, exact_fit, exact_interp, axes, X, y, steps):
    st.subheader("Exact where it can be: one task")
    st.markdown("For one task and few points the activation patterns of the data can all be listed, so the training "
                "problem is an exact convex group lasso (Ergen & Pilanci; biases free, only the w-part penalised):")
    st.latex(r"\begin{gathered}\min \sum_j \|u_j^{w}\| + \|u_j'^{w}\| \ \text{s.t.}\ \sum_j D_j\tilde X(u_j-u_j') + Xv + c = y,"
             r"\\ (2D_j-I)\tilde X u_j \ge 0,\ (2D_j-I)\tilde X u_j' \ge 0\end{gathered}")
    rows = single_task_rows(single, exact_fit["result"])
    table = pd.DataFrame(rows).set_index("network")
    st.dataframe(table, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.6g") for c in table.columns})
    st.caption(f"The exact minimum-cost interpolant (λ = 0) has cost {exact_interp.cost:.6g}. "
               "Objective: ½Σ(f(xᵢ) − yᵢ)² + (λ/2)Σ(a²+‖w‖²). " + gap_sentence(rows, steps) +
               " With T > 1 outputs the analogous exact program is copositive, not a group lasso, so no exact value "
               "is claimed there.")
    chart(surfaces([("exact minimiser, same λ", exact_fit["values"])] +
                   [(f"trained T = 1, seed {r.seed}", r.values) for r in single], axes, X, y, rows=1,
                   height_per_row=300))


def kernel_section(many, key, width, lam, steps, axes, X, y, points):
    st.subheader("The kernel view")
    kv = [(r, kernel_distance(r, X, y, points)) for r in many]
    kpanels = [(f"network, seed {r.seed}", r.values) for r, _ in kv] + \
              [(f"kernel interpolant (other tasks' K), seed {r.seed}", k["kernel_others"]) for r, k in kv]
    chart(surfaces(kpanels, axes, X, y, rows=2))
    st.dataframe(pd.DataFrame([{"seed": r.seed, "distance to kernel interpolant (all tasks' K)": k["distance"],
                                "distance (other tasks' K)": k["distance_others"]} for r, k in kv]).set_index("seed"),
                 width="stretch")
    if st.button("Sweep the number of tasks (seed 0)", help=long_run.budget_help()):
        long_run.start("kr_sweep", key, sweep_job(X, y, points, width, lam, steps), "Sweeping the number of tasks")
    done = long_run.take("kr_sweep")
    if done is not None:
        st.session_state["kr_sweep"] = {"key": done.key, "rows": done.result}
    long_run.follow("kr_sweep")
    sweep = st.session_state.get("kr_sweep")
    if sweep and sweep["key"] == key:
        counts, d_all, d_others = map(list, zip(*sweep["rows"]))
        chart(distance_plot(counts, d_all, d_others))
        st.caption("With one task the trained net is (near) a fixed point of its own kernel; what matters is whether "
                   "the neurons learned from the *other* tasks already determine task 1: that distance falls as T grows.")


st.title("Many tasks in two dimensions")
st.caption("Eight points: the corners of a side-2 square (label 0) and of a side-1 square (label 1). Train a ReLU network "
           "with small weight decay on them alone (T = 1), or together with 100 random Bernoulli(½) tasks (T = 101), for "
           "several seeds. Alone, the learned surface depends on the seed; with many tasks it hardly does, and it is "
           "close to kernel interpolation with a kernel built from the learned neurons.")
st.latex(r"\begin{gathered}K(x,x') = \sum_k \frac{\|a_k\|}{\|w_k\|}\,\sigma(w_k^\top x - b_k)\,\sigma(w_k^\top x' - b_k)"
         r"\\ (\text{= }\textstyle\sum_k \|a_k\|\,\sigma\sigma\text{ for unit-norm } w_k)\end{gathered}")
for problem in URL.restore():
    st.warning(problem)
width, steps, lam, seeds = sidebar()
X, y = square_data()
points, axes = grid(1.5, 61)
key = (width, steps, lam, tuple(seeds))
restore(points)
runs = train_controls(width, steps, lam, seeds, key, X, y, points, axes)
exact_fit, exact_interp = exact(lam)
if runs is None:   # no st.stop(): app.py draws "Save view" after the page
    if not (long_run.job("kr") and long_run.job("kr").active):
        st.info("Press **Train the networks**. Meanwhile, the exact minimum-cost single-task network (below) is "
                "already known.")
    chart(surfaces([("exact single-task minimiser (λ = 0)", exact_interp(points))], axes, X, y, rows=1,
                   height_per_row=380))
else:
    by_t = seed_panels(runs, axes, X, y)
    exact_section(by_t[1], exact_fit, exact_interp, axes, X, y, steps)
    kernel_section(by_t[101], key, width, lam, steps, axes, X, y, points)
    sweep = st.session_state.get("kr_sweep")
    sweep = sweep["rows"] if sweep and sweep["key"] == key else None
    reproduce.show([("These runs (the spread across seeds, the single-task table)",
                     reproduce.kernel_regime_call(settings(key)), reproduce.kernel_regime_cli(settings(key)))])
    st.download_button("Runs and networks (JSON)", json.dumps(saved.dump(settings(key), runs, sweep)),
                       "kernel_regime_runs.json", "application/json")
    view_link.offer_results(lambda: saved.dump(settings(key), runs, sweep))
