"""The "train a network" panel of the multi-task page: a real ReLU network (engine.train) trains on
task 1 and its companions in the shared worker pool (ui.long_run), streaming its task-1 curve and its
cost into the figures, with progress, a stop button and the gap to the exact minimiser of the same
objective."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.univariate import assemble_tasks, interpolate, objective
from ui import long_run
from ui.click_plot import click_plot
from ui.multitask_figure import cost_figure, training_figure
from ui.presentation import chart

WIDTHS = [50, 100, 200, 500, 1000, 2000]
LAMS = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
STEPS = [500, 1000, 2000, 3000, 5000, 10000]


@st.cache_data(max_entries=64, show_spinner=False)
def exact_fit(x, Y, lam, bias_penalty):
    return interpolate(list(x), [list(r) for r in Y], bias_penalty=bias_penalty, lam=lam)


@st.cache_resource(max_entries=64, show_spinner=False)
def speed(width, tasks):
    """Measured optimiser steps per second on this machine (for the time estimate)."""
    from engine.train import steps_per_second

    return steps_per_second(width=width, n=20, tasks=tasks, steps=50)


def training_job(x, Y, grid, width, lam, bias_penalty, steps, seed):
    """The job for ``long_run``: trains and reports {steps, objective, cost, values, last} as it goes."""
    def run(job):
        from engine.train import train

        state = {"steps": [], "objective": [], "cost": [], "values": None, "last": None}
        for snap in train(x, Y, width=width, lam=lam, bias_penalty=bias_penalty, steps=steps, seed=seed,
                          snapshot_every=max(steps // 60, 10), grid=grid, grid_tasks=[0], stop=lambda: job.stopping):
            state = {"steps": [*state["steps"], snap.step], "objective": [*state["objective"], snap.loss],
                     "cost": [*state["cost"], snap.cost], "values": snap.values[0], "last": snap}
            job.report(snap.step / steps, f"step {snap.step}/{steps} on {snap.device} · {snap.elapsed:.1f} s", state)
        return state
    return run


def training_panel(tasks, bias_penalty: bool, xr, yr) -> None:
    st.subheader("Train a network")
    x1 = tasks[0][0]
    shared = [t for t in tasks if sorted(t[0]) == sorted(x1)]
    if len(x1) < 2:
        return
    if len(shared) < len(tasks):
        st.caption(f"Training uses the {len(shared)} task(s) observed at task 1's inputs (placed tasks with other "
                   "inputs are left out: the trainer fits every task at every input).")
    x, Y = assemble_tasks(shared[0][:2], [t[:2] for t in shared[1:]])   # shared inputs: x (N,), Y (T, N)
    x, Y = np.asarray(x, float), np.asarray(Y, float)
    c1, c2, c3, c4, c5 = st.columns(5)
    width = c1.selectbox("Width (neurons)", WIDTHS, index=2, key="tr_width", help=f"{WIDTHS[0]} … {WIDTHS[-1]} neurons.")
    lam = c2.selectbox("Weight decay λ", LAMS, index=2, key="tr_lam", format_func=lambda v: f"{v:g}")
    steps = c3.selectbox("Steps (Adam)", STEPS, index=4, key="tr_steps", help=f"{STEPS[0]} … {STEPS[-1]} full-batch steps.")
    seed = int(c4.number_input("Seed", 0, 10_000, 0, key="tr_seed"))
    c5.markdown("&nbsp;")
    go = c5.button("Train a network", type="primary", width="stretch", help=long_run.budget_help())
    st.latex(r"\min_{a,w,b,v,c}\ \tfrac12\sum_i \|f(x_i)-y_i\|^2 + \tfrac{\lambda}{2}\sum_k \big(\|a_k\|^2 + w_k^2"
             + (r" + b_k^2" if bias_penalty else "")
             + r"\big)\quad\text{(global minimum = exact fit with cost } R(f)\text{)}")
    exact = exact_fit(tuple(x), tuple(map(tuple, Y)), lam, bias_penalty)
    grid = np.linspace(*xr, 301)
    exact_curve = np.atleast_2d(exact(grid))[0]
    from engine.train import gaps

    best = objective(exact, x, Y, lam)
    key = (tuple(x), Y.tobytes(), width, lam, steps, seed, bias_penalty)
    estimate = steps / speed(width, len(Y))
    st.caption(f"{len(Y)} task(s), {len(x)} inputs. Estimated training time on this machine: {estimate:.1f} s"
               + (" — a long run: try fewer steps or a narrower network." if estimate > 10 else "."))

    def draw(state):
        plot_col, cost_col = st.columns(2)
        with plot_col:
            click_plot(training_figure(x, Y[0], grid, state and state["values"], exact_curve, xr, yr), key="tr_plot",
                       height=360, clickable=False)
        if state:
            chart(cost_figure(state["steps"], state["objective"], state["cost"], best, exact.cost), cost_col)

    if go:
        long_run.start("tr", key, training_job(x, Y, grid, width, lam, bias_penalty, steps, seed), "Training")
    finished = long_run.take("tr")
    if finished is not None and finished.result["last"] is not None:   # also read by the compression page
        st.session_state["tr_run"] = {"key": finished.key, **finished.result}
    if long_run.follow("tr", draw):
        return
    state = st.session_state.get("tr_run")
    if state is None or state["key"] != key:
        draw(None)
        st.info("Press **Train a network** to watch gradient training approach the exact minimiser (dotted).")
        return
    draw(state)
    last = state["last"]
    g = gaps(last, exact, x, Y, lam)
    ended = "finished" if last.done and not last.stopped and last.step == steps else f"stopped at step {last.step}"
    st.success(f"Training {ended} ({last.elapsed:.1f} s on {last.device}). Gap to the exact minimiser: objective "
               f"{g.objective_gap:+.2e} (relative), cost {g.cost_gap:+.2e}, task 1 curve max "
               f"{g.function_gap:.2e} of the data range.")
