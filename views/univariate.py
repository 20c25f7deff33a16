"""Univariate explorer: click or drag points, see the minimum-norm ReLU interpolants and kernel methods.

Only the explorer (``st.fragment``) reruns on a click or a drag: points → solutions (cached across
sessions) → figure, then the table and notes below it. The sidebar's options and the formulas, which do
not depend on the points, run only when an option changes.
"""
import numpy as np
import pandas as pd
import streamlit as st

from engine import DataError
from engine.univariate import (KERNELS, PRESETS, cost_table, parse_points, points_csv, points_json, preset_points,
                               solution_csv, solution_json)
from engine.univariate.io import MAX_UPLOAD_BYTES
from engine.univariate.validation import MAX_ABS, MAX_POINTS
from ui import presentation, reproduce
from ui.click_plot import click_plot
from ui.kernel_text import KERNEL_TEXT
from ui.points import PointStore, preset_picker
from ui.tables import markdown_table
from ui.univariate_curves import BANDWIDTHS, HEIGHT, LAMS, Options, curves, draw
from ui.univariate_figure import window
from ui.url_params import Param, UrlParams, clamped_float, dump_flag, dump_list, flag, nearest, subset

COST_COLUMNS = {"curve": "curve", "bias-free cost": "bias-free cost", "biases-penalised cost": "penalised cost",
                "H¹ seminorm on data range": "H¹ seminorm", "own norm": "own norm", "exact": "measured",
                "= H¹ solution": "= H¹ solution"}


def url_table(store: PointStore) -> UrlParams:
    return UrlParams(
        store.url_param("pts"),
        Param("free", True, flag, dump_flag),
        Param("pen", True, flag, dump_flag),
        Param("set", True, flag, dump_flag),
        Param("kernels", ["h1", "h2"], subset(list(KERNELS)), dump_list),
        Param("bw", 1.0, clamped_float(*BANDWIDTHS, 0.1)),
        Param("lam", 0.0, nearest(list(LAMS)), lambda v: f"{v:g}"),
    )


def upload_points(store: PointStore) -> None:
    """Points from a file (outside the explorer fragment: an upload reruns the page, which is rare)."""
    upload = st.file_uploader("Load points (CSV x,y or JSON)", type=["csv", "json"],
                              help=f"At most {MAX_UPLOAD_BYTES / 1e6:g} MB, {MAX_POINTS} distinct points, "
                                   f"|values| ≤ {MAX_ABS:g}.")
    if upload is not None and st.session_state.get("uv_upload") != upload.file_id:
        st.session_state["uv_upload"] = upload.file_id
        try:
            px, py, notes = parse_points(upload.getvalue(), upload.name)
            store.set(px, py, notes=[f"upload: {n}" for n in notes], new_view=True)
        except DataError as err:
            st.session_state[store.msg] = f"Upload rejected: {err}. Your previous points are kept."


def sidebar(store: PointStore) -> None:
    with st.sidebar:
        st.subheader("Data")
        preset_picker(store)
        upload_points(store)
        st.subheader("Curves")
        st.checkbox("Bias-free min-norm network", key="free")
        st.checkbox("Biases-penalised min-norm network", key="pen")
        st.checkbox("Shade the solution set", key="set", help="Where bias-free minimisers are not unique")
        st.multiselect("Kernel and spline interpolants", list(KERNELS), key="kernels",
                       format_func=lambda k: KERNEL_TEXT[k].label)
        st.slider("Kernel bandwidth ℓ", *BANDWIDTHS, key="bw", step=0.1)
        st.select_slider("λ (0 = interpolate; > 0 = regularised fit)", LAMS, key="lam",
                         format_func=lambda v: "0" if v == 0 else f"{v:g}")


def options(store: PointStore) -> Options:
    state = st.session_state
    return Options(free=state["free"], pen=state["pen"], set=state["set"], kernels=tuple(state["kernels"]),
                   bw=float(state["bw"]), lam=float(state["lam"]), view=store.view, dark=presentation.dark())


@st.fragment
def explorer(store: PointStore, url: UrlParams) -> None:
    x, y = store.points
    opts = options(store)
    found = curves(x, y, opts)
    networks, engine_time = found.networks, found.seconds
    xr, _ = window(x, y)
    left, right = st.columns([3.6, 1] if presentation.on() else [3, 1.3])
    with left:
        # Clicks and drags are redrawn by ui/live.py's route (the same figure), then reported here as "set".
        click_plot(draw(x, y, opts, found), key="uv_plot", height=HEIGHT, on_event=store.apply,
                   live=("univariate", opts.to_json()))
        url.write()   # right after the figure: the address follows the click at once
        if len(x) < 2:
            st.info("Click on the plot to place at least two points.")
        else:
            st.caption(f"Click empty space to add a point, click a point to remove it, drag a point to move it; "
                       f"drag empty space to pan. {len(x)} points · solve time {1000 * engine_time:.1f} ms")
    for message in [store.message, *found.errors]:
        if message:
            st.warning(message)
    with right:
        if presentation.on() and len(x) >= 2:   # the explanation beside the figure
            st.info("**What you are seeing.** " + " ".join(notes(networks)))
        point_controls(store, x, y)
    if len(x) >= 2:
        shown = {label: sol for label, sol in networks.values()} | dict(found.kernels.values())
        results(x, y, xr, networks, shown)


def point_controls(store: PointStore, x, y) -> None:
    """Undo, clear, reset view and the points as an editable table."""
    store.edit_buttons(*st.columns(2))
    st.button("Reset view", width="stretch", on_click=store.reset_view, help="Back to the data's window "
              "(also: double-click the plot, or the mode bar's home button)")
    # Built only while open (on_change="rerun" gives the expander an .open state): a table costs ~10 ms of
    # server time and a grid redraw in the browser on every click.
    with st.expander("Edit the points as a table", key="uv_table_open", on_change="rerun") as table:
        if table.open:
            edited = st.data_editor(pd.DataFrame({"x": x, "y": y}, dtype=float), num_rows="dynamic",
                                    key=f"uv_editor_{store.version}", width="stretch", height=260)
            rows = edited.dropna(how="any")
            if (rows["x"].tolist(), rows["y"].tolist()) != (list(x), list(y)) and len(rows) == len(edited):
                store.set(rows["x"].tolist(), rows["y"].tolist(), allow_few=True)
                store.refresh()   # the editor restarts from the stored points, accepted or not: no rerun loop
                st.rerun(scope="fragment")


def results(x, y, xr, networks, shown) -> None:
    """The cost table, what the figure shows, and downloads."""
    if not shown:
        st.info("No curve is shown: tick a network or choose a kernel interpolant in the sidebar.")
        return
    st.subheader("Costs of every curve")
    rows, best_h1 = cost_table(shown, x, y, xr)
    st.markdown(markdown_table(rows, COST_COLUMNS, "{:.10g}"))
    st.caption(f"H¹ seminorm: (∫ f'² dx)^½ over the data range [x₁, x_N]; its minimum over interpolants, reached only "
               f"by the linear spline, is {best_h1:.6g}. \"own norm\": each curve's own objective, its representation "
               "cost or its RKHS norm.")
    if not presentation.on():
        st.info("**What you are seeing.** " + " ".join(notes(networks)))
    # The buttons are sent only while the popover is open (on_change="rerun"): four fewer elements per click.
    with st.popover("Download: points, solution, curves", key="uv_downloads_open", on_change="rerun") as box:
        if box.open:
            nets = {label: sol for label, sol in networks.values()}
            for label, data, name, mime in (
                    ("Points (CSV)", lambda: points_csv(x, y), "points.csv", "text/csv"),
                    ("Points (JSON)", lambda: points_json(x, y), "points.json", "application/json"),
                    ("Solution (JSON)", lambda: solution_json(nets), "solution.json", "application/json"),
                    ("Curves (CSV)", lambda: solution_csv(shown, np.linspace(*xr, 401)), "curves.csv", "text/csv")):
                st.download_button(label, data, name, mime, width="stretch", on_click="ignore",
                                   disabled=label == "Solution (JSON)" and not nets)
    lam = st.session_state["lam"]
    reproduce.show([(label, reproduce.interpolate_call(x, y, bias_penalty=sol.bias_penalty, lam=lam),
                     reproduce.interpolate_cli(x, y, bias_penalty=sol.bias_penalty, lam=lam))
                    for label, sol in networks.values()], key="uv_code_open")


def notes(networks) -> list[str]:
    out = []
    if "free" in networks:
        sol = networks["free"][1]
        out.append("The bias-free solution is **unique**." if sol.unique else
                   f"The bias-free solution is **not unique**: the shaded triangles ({len(sol.regions)}) are "
                   "filled by other minimisers of the same cost. Wherever two neighbouring slope changes "
                   "have the same sign, the two kinks can slide together into one.")
    if "penalised" in networks:
        sol = networks["penalised"][1]
        cert = sol.certificate
        out.append(f"Penalising the biases makes the solution unique and sparse ({len(sol.knots)} kinks): "
                   "a kink at t costs √(1+t²), so merging same-sign kinks is cheaper (Jensen) and kinks drift "
                   "towards x = 0. Shift the data and it changes. "
                   f"Optimality certificate: max violation {cert['max_violation']:.1e}, "
                   f"duality gap {cert['duality_gap']:.1e}.")
    out.append("Diamonds are neurons: one per kink, sized by its share of the cost.")
    return out


def formulas() -> None:
    """The objectives of the curves shown (they change with the options, not with the points)."""
    f1, f2 = st.columns(2)
    with f1:
        st.markdown("**Bias-free** (Savarese et al. 2019): cost of a network with free skip connection")
        st.latex(r"\min_f \int |f''(x)|\,dx = \sum_i |\delta_i|, \quad \delta_i = s_i - s_{i-1}")
        st.markdown("**Biases penalised** (Boursier & Flammarion 2023)")
        st.latex(r"\min_f \int \sqrt{1+x^2}\,|f''(x)|\,dx = \sum_k \sqrt{1+t_k^2}\,|J_k|")
        if st.session_state["lam"]:
            st.latex(rf"\min_f \tfrac12\sum_i (f(x_i)-y_i)^2 + {st.session_state['lam']:g}\cdot\mathrm{{cost}}(f)")
    with f2:
        for name in st.session_state["kernels"]:
            st.markdown(f"**{KERNEL_TEXT[name].label}**")
            st.latex(KERNEL_TEXT[name].formula)
            st.latex(KERNEL_TEXT[name].norm)


def main() -> None:
    st.title("Univariate interpolation")
    store = PointStore("uv", preset_points(next(iter(PRESETS))))
    url = url_table(store)
    problems = url.restore()
    sidebar(store)
    for problem in problems:
        st.warning(problem)
    explorer(store, url)
    with st.expander("The objectives", expanded=True):
        formulas()


main()
