"""Multi-task interpolation: a second task makes task 1's min-norm interpolant unique (= H¹ spline),
and a real network trains on screen towards the exact answer.

Clicks and drags on either plot are redrawn by ui/live.py's route (both plots, from ui/multitask_curves.py,
the functions this script uses too), then reported to the explorer fragment as the edited task's points.
"""
import pandas as pd
import streamlit as st

from engine.univariate import PRESETS, assemble_tasks, distance_to_linear_spline, preset_points, solution_json
from ui import presentation, reproduce
from ui.click_plot import click_plot
from ui.multitask_curves import (HEIGHT, MAX_PLACED, MAX_RANDOM, MAX_SEED, Options, axes_window, figures,
                                 plot_options, solutions)
from ui.url_params import Param, UrlParams, clamped_int, dump_flag, flag
from ui.points import PointStore, preset_picker
from ui.training_panel import training_panel

def show_uniqueness(sol, label):
    if sol is None:
        return
    if sol.unique:
        st.success(f"**{label}: unique.**", icon=":material/check_circle:")
    elif sol.unique is None:
        st.warning(f"**{label}: uniqueness undetermined.**")
    else:
        st.warning(f"**{label}: not unique** — other minimisers are shaded or dotted.", icon=":material/warning:")


def url_table(task1: PointStore, placed: list[PointStore]) -> UrlParams:
    return UrlParams(
        task1.url_param("pts"), *(store.url_param(f"pts{k}") for k, store in enumerate(placed, start=2)),
        Param("random", 0, clamped_int(0, MAX_RANDOM)),
        Param("seed", 0, clamped_int(0, MAX_SEED)),
        Param("placed", 0, clamped_int(0, MAX_PLACED)),
        Param("pen", False, flag, dump_flag),
        Param("h1", True, flag, dump_flag),
    )


def sidebar(task1: PointStore) -> None:
    with st.sidebar:
        st.subheader("Task 1")
        preset_picker(task1)
        st.subheader("Companion tasks")
        st.number_input("Random tasks (Gaussian labels at task 1's inputs)", 0, MAX_RANDOM, key="random",
                        help=f"0 … {MAX_RANDOM}.")
        st.button("Add a random task", width="stretch", disabled=st.session_state["random"] >= MAX_RANDOM,
                  on_click=lambda: st.session_state.update(random=st.session_state["random"] + 1))
        st.number_input("Seed of the random tasks", 0, MAX_SEED, key="seed", help=f"0 … {MAX_SEED}.")
        st.number_input("Placed tasks (click their points)", 0, MAX_PLACED, key="placed", help=f"0 … {MAX_PLACED}.")
        st.subheader("Options")
        st.checkbox("Penalise the biases too", key="pen",
                    help="Cost Σ√(1+t²)‖J‖ (Boursier & Flammarion); the exact multi-task solver is a semidefinite program")
        st.checkbox("Show the H¹ interpolant of task 1", key="h1")


def options(task1: PointStore, placed: list[PointStore], active: int) -> Options:
    state = st.session_state
    return Options(task1=tuple(map(tuple, task1.points)), placed=tuple(tuple(map(tuple, p.points)) for p in placed),
                   random=int(state["random"]), seed=int(state["seed"]), pen=bool(state["pen"]), h1=bool(state["h1"]),
                   active=active, view=task1.view, dark=presentation.dark())


@st.fragment
def explorer(task1: PointStore, placed: list[PointStore], url: UrlParams) -> None:
    n_placed = st.session_state["placed"]
    placed = placed[:n_placed]
    for store in [task1, *placed]:
        if store.message:
            st.warning(store.message)
    if st.session_state.get("mt_active", 0) > n_placed:
        st.session_state["mt_active"] = 0
    active = st.session_state.get("mt_active", 0)
    opts = options(task1, placed, active)
    found = solutions(opts)
    tasks, solved, alone, multi = found.tasks, found.solved, found.alone, found.multi
    for error in found.errors:
        st.error(error)
    x1, y1 = task1.points
    labels = [t[2] for t in tasks[:1 + n_placed]]
    heading = f"Task 1 within {len(solved)} tasks" if len(solved) > 1 else "Task 1 with its companions"
    bias_penalty = opts.pen
    xr, yr = axes_window(tasks)
    figs, live = figures(opts, found), plot_options(opts)
    edited = task1 if active == 0 else placed[active - 1]

    def edit_active(event):   # read at the click: the radio may have changed since this run
        k = st.session_state.get("mt_active", 0) if st.session_state["placed"] else 0
        ([task1, *placed][k] if k <= len(placed) else task1).apply(event)

    left, right = st.columns(2)
    with left:
        st.markdown("#### Task 1 alone")
        show_uniqueness(alone, "Task 1 alone")
        click_plot(figs["mt_alone"], key="mt_alone", height=HEIGHT, on_event=task1.apply,
                   live=("multitask", live["mt_alone"]))
    with right:
        st.markdown(f"#### {heading}")
        show_uniqueness(multi, heading)
        if n_placed:
            st.radio("Clicks on this plot place points of", range(1 + n_placed), horizontal=True,
                     format_func=lambda k: labels[k], key="mt_active")
        if multi is None and len(x1) >= 2:
            st.info("Add a companion task (sidebar: **Add a random task**, or place one) to see the multi-task solution.")
        click_plot(figs["mt_multi"], key="mt_multi", height=HEIGHT, on_event=edit_active,
                   live=("multitask", live["mt_multi"]))
    url.write()   # right after the figures: the address follows the click at once

    b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1, 2])
    task1.edit_buttons(b1, b2, "Undo (task 1)", "Clear task 1")
    b3.button("Reset view", width="stretch", on_click=task1.reset_view, key="mt_reset_view")
    if n_placed and active:
        b4.button(f"Clear {labels[active]}", width="stretch", key="mt_clear_active",
                  on_click=lambda: edited.set([], [], allow_few=True))
    if len(x1) < 2:
        st.info("Click on the plot to place at least two points of task 1.")
    else:
        st.caption(f"Click empty space to add a point, click a point to remove it, drag a point to move it. "
                   f"{len(x1)} points in task 1 · {len(solved)} tasks · solve time {1000 * found.seconds:.1f} ms")
    if alone is not None:
        results(x1, y1, alone, multi, solved, bias_penalty)
        mx, my = assemble_tasks((x1, y1), [s.points for s in placed], found.random_labels)
        reproduce.show([("Task 1 alone", reproduce.interpolate_call(x1, y1, bias_penalty=bias_penalty),
                         reproduce.interpolate_cli(x1, y1, bias_penalty=bias_penalty))] +
                       ([(f"All {len(solved)} tasks", reproduce.interpolate_call(mx, my, bias_penalty=bias_penalty),
                          reproduce.interpolate_cli(mx, my, bias_penalty=bias_penalty))] if multi is not None else []))
        training_panel(tasks, bias_penalty, xr, yr)


def results(x1, y1, alone, multi, solved, bias_penalty) -> None:
    st.subheader("Costs")
    kind = "Σ√(1+t²)‖J_k‖" if bias_penalty else "Σ‖J_k‖"
    gap = "max |task 1 − H¹ interpolant| on [x₁, x_N]"
    rows = [{"solution": "task 1 alone", "cost": alone.cost, "unique": alone.unique,
             gap: distance_to_linear_spline(alone, x1, y1)}]
    for j, other in enumerate(alone.extremes):
        rows.append({"solution": f"task 1 alone, extreme minimiser {j + 1}", "cost": other.cost, "unique": False,
                     gap: distance_to_linear_spline(other, x1, y1)})
    if multi is not None:
        h1_gap = distance_to_linear_spline(multi, x1, y1)
        rows.append({"solution": f"all {len(solved)} tasks together", "cost": multi.cost, "unique": multi.unique,
                     gap: h1_gap})
    table = pd.DataFrame(rows).set_index("solution")
    table["unique"] = table["unique"].map({True: "yes", False: "no", None: "undetermined"})
    st.dataframe(table, width="stretch", column_config={
        "cost": st.column_config.NumberColumn(f"cost {kind}", format="%.6g"),
        gap: st.column_config.NumberColumn(format="%.2e")})
    note = ("Alone, task 1's interpolant is **not unique** wherever two neighbouring slope changes have the same "
            "sign: the kinks can slide together (shaded)." if not alone.unique else "Task 1 alone is already unique.")
    if multi is not None:
        note += (" Within the multi-task problem its slope changes become vectors δ_i ∈ ℝᵀ; generic companion "
                 "tasks make neighbouring ones point in different directions, so no kink can slide: the solution "
                 "is **unique**" if multi.unique else " Within the multi-task problem it is still **not unique** "
                 "(some neighbouring slope-change vectors are positively collinear")
        note += (", and task 1 is exactly the H¹ interpolant (connect-the-dots)." if
                 h1_gap < 1e-9 * (1 + max(map(abs, y1))) else ".")
        if bias_penalty:
            note += " With penalised biases kinks may leave the data points."
    st.info("**What you are seeing.** " + note)
    if multi is not None:
        st.download_button("Solution (JSON)", lambda: solution_json({"task 1 alone": alone, "multi-task": multi}),
                           "multitask_solution.json", "application/json", on_click="ignore")


def formulas() -> None:
    bias_penalty = st.session_state["pen"]
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Multi-task cost** (one network, T outputs, shared neurons)")
        st.latex(r"\min_f \sum_k \sqrt{1+t_k^2}\,\|J_k\|_2" if bias_penalty else
                 r"\min_f \sum_k \|J_k\|_2,\quad J_k\in\mathbb{R}^T")
    with c2:
        st.markdown("**Uniqueness** (bias free)")
        st.latex(r"\text{not unique} \iff \exists i:\ \delta_i,\ \delta_{i+1}\ \text{positively collinear}")


def main() -> None:
    st.title("Multi-task interpolation")
    st.caption("Nakhleh, Shenouda & Nowak (NeurIPS 2024): with two or more tasks sharing the hidden neurons, the "
               "minimum-norm interpolant is almost always unique, and each task is the H¹ (connect-the-dots) "
               "interpolant.")
    task1 = PointStore("mt1", preset_points(next(iter(PRESETS))))
    placed = [PointStore(f"mt{k}", ([], [])) for k in range(2, 2 + MAX_PLACED)]
    url = url_table(task1, placed)
    problems = url.restore()
    sidebar(task1)
    for problem in problems:
        st.warning(problem)
    explorer(task1, placed, url)
    with st.expander("The objectives", expanded=True):
        formulas()


main()
