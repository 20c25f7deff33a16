"""The "train a network" panel of the multi-task page: a real ReLU network (engine.train) trains on
task 1 and its companions, streaming its task-1 curve and its cost into Plotly figures in place,
with progress, a stop button and the gap to the exact minimiser of the same objective."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine import interpolate
from engine.univariate.task_sets import assemble_tasks
from ui.multitask_figure import cost_figure, training_figure

WIDTHS = [50, 100, 200, 500, 1000, 2000]
LAMS = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
STEPS = [500, 1000, 2000, 3000, 5000, 10000]


@st.cache_data(max_entries=64, show_spinner=False)
def exact_fit(x, Y, lam, pen):
    return interpolate(list(x), [list(r) for r in Y], bias_penalty=pen, lam=lam)


@st.cache_resource(show_spinner=False)
def speed(width, tasks):
    """Measured optimiser steps per second on this machine (for the time estimate)."""
    from engine.train.trainer import steps_per_second

    return steps_per_second(width=width, n=20, tasks=tasks, steps=50)


def training_panel(tasks, pen: bool, xr, yr) -> None:
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
    width = c1.selectbox("Width (neurons)", WIDTHS, index=2, key="tr_width")
    lam = c2.selectbox("Weight decay λ", LAMS, index=2, key="tr_lam", format_func=lambda v: f"{v:g}")
    steps = c3.selectbox("Steps (Adam)", STEPS, index=4, key="tr_steps")
    seed = c4.number_input("Seed", 0, 10_000, 0, key="tr_seed")
    c5.markdown("&nbsp;")
    go = c5.button("Train a network", type="primary", width="stretch")
    st.latex(r"\min_{a,w,b,v,c}\ \tfrac12\sum_i \|f(x_i)-y_i\|^2 + \tfrac{\lambda}{2}\sum_k \big(\|a_k\|^2 + w_k^2"
             + (r" + b_k^2" if pen else "") + r"\big)\quad\text{(global minimum = exact fit with cost } R(f)\text{)}")
    exact = exact_fit(tuple(x), tuple(map(tuple, Y)), lam, pen)
    grid = np.linspace(*xr, 301)
    exact_curve = np.atleast_2d(exact(grid))[0]
    from engine.train.versus_exact import exact_objective, gaps

    best = exact_objective(exact, x, Y, lam)
    key = (tuple(x), Y.tobytes(), width, lam, steps, seed, pen)
    state = st.session_state.get("tr_run")
    if state is not None and state["key"] != key:
        state = None
    estimate = steps / speed(width, len(Y))
    st.caption(f"{len(Y)} task(s), {len(x)} inputs. Estimated training time on this machine: {estimate:.1f} s"
               + (" — a long run: try fewer steps or a narrower network." if estimate > 10 else "."))
    plot_col, cost_col = st.columns(2)
    fig_slot, cost_slot = plot_col.empty(), cost_col.empty()
    status = st.empty()
    if go:
        from engine.train import train

        stop_slot = st.empty()
        stop_slot.button("Stop training", key="tr_stop")   # a click reruns the page, which ends the loop
        bar = st.progress(0.0, text="Training…")
        state = {"key": key, "steps": [], "objective": [], "cost": [], "values": None, "last": None}
        st.session_state["tr_run"] = state
        for snap in train(x, Y, width=width, lam=lam, penalise_bias=pen, steps=steps, seed=int(seed),
                          snapshot_every=max(steps // 60, 10), grid=grid, grid_tasks=[0]):
            state["steps"].append(snap.step)
            state["objective"].append(snap.loss)
            state["cost"].append(snap.cost)
            state["values"], state["last"] = snap.values[0], snap
            fig_slot.plotly_chart(training_figure(x, Y[0], grid, snap.values[0], exact_curve, xr, yr), width="stretch")
            cost_slot.plotly_chart(cost_figure(state["steps"], state["objective"], state["cost"], best, exact.cost),
                                   width="stretch")
            bar.progress(snap.step / steps, text=f"Step {snap.step}/{steps} on {snap.device} · {snap.elapsed:.1f} s")
        stop_slot.empty()
        bar.empty()
    if state is None:
        fig_slot.plotly_chart(training_figure(x, Y[0], grid, None, exact_curve, xr, yr), width="stretch")
        status.info("Press **Train a network** to watch gradient training approach the exact minimiser (dotted).")
        return
    last = state["last"]
    if not go:
        fig_slot.plotly_chart(training_figure(x, Y[0], grid, state["values"], exact_curve, xr, yr), width="stretch")
        cost_slot.plotly_chart(cost_figure(state["steps"], state["objective"], state["cost"], best, exact.cost),
                               width="stretch")
    g = gaps(last, exact, x, Y, lam)
    ended = "finished" if last.done and not last.stopped and last.step == steps else f"stopped at step {last.step}"
    status.success(f"Training {ended} ({last.elapsed:.1f} s on {last.device}). Gap to the exact minimiser: objective "
                   f"{g['objective_gap']:+.2e} (relative), cost {g['cost_gap']:+.2e}, task 1 curve max "
                   f"{g['function_gap']:.2e} of the data range.")
