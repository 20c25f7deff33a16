"""Univariate explorer: click points, see the minimum-norm ReLU interpolants and kernel methods."""
import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from engine import KERNELS, interpolate, rkhs_interpolate
from engine.univariate.compare import curve_row, h1_minimum
from engine.univariate.conic import SolverError
from engine.univariate.io import parse_points, points_csv, points_json, solution_csv, solution_json
from engine.univariate.presets import PRESETS, preset_points
from engine.univariate.validation import DataError
from ui.click_plot import click_plot
from ui.navigation import ensure_app_navigation
from ui.url_params import Param, UrlParams, dump_flag, dump_list, flag, clamped_float, nearest, subset
from ui.points import PointStore, preset_picker
from ui.univariate_figure import figure, window

LAMS = [0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]


@st.cache_data(max_entries=512, show_spinner=False)
def solve(x, y, bias_penalty, lam):
    start = time.perf_counter()
    sol = interpolate(list(x), list(y), bias_penalty=bias_penalty, lam=lam)
    return sol, time.perf_counter() - start


@st.cache_data(max_entries=512, show_spinner=False)
def kernel_fit(x, y, name, bandwidth):
    return rkhs_interpolate(list(x), list(y), name, bandwidth=bandwidth if KERNELS[name].needs_bandwidth else 1.0)


ensure_app_navigation()
st.title("Univariate interpolation")
store = PointStore("uv", preset_points(next(iter(PRESETS))))

URL = UrlParams(
    store.url_param("pts"),
    Param("free", True, flag, dump_flag),
    Param("pen", True, flag, dump_flag),
    Param("set", True, flag, dump_flag),
    Param("kernels", ["h1", "h2"], subset(list(KERNELS)), dump_list),
    Param("bw", 1.0, clamped_float(0.1, 5.0, 0.1)),
    Param("lam", 0.0, nearest(LAMS), lambda v: f"{v:g}"),
)
link_problems = URL.restore()

with st.sidebar:
    st.subheader("Data")
    preset_picker(store)
    st.subheader("Curves")
    st.checkbox("Bias-free min-norm network", key="free")
    st.checkbox("Biases-penalised min-norm network", key="pen")
    st.checkbox("Shade the solution set", key="set", help="Where bias-free minimisers are not unique")
    st.multiselect("Kernel and spline interpolants", list(KERNELS), key="kernels",
                   format_func=lambda k: KERNELS[k].label)
    st.slider("Kernel bandwidth ℓ", 0.1, 5.0, key="bw", step=0.1)
    st.select_slider("λ (0 = interpolate; > 0 = regularised fit)", LAMS, key="lam",
                     format_func=lambda v: "0" if v == 0 else f"{v:g}")

lam = st.session_state["lam"]
URL.write()
(x, y) = store.points
for problem in link_problems:
    st.warning(problem)
if store.message:
    st.warning(store.message)

networks, errors, engine_time = {}, [], 0.0
with st.spinner("Solving…", show_time=True):
    for key, bias_penalty, label in (("free", False, "bias-free"), ("pen", True, "biases-penalised")):
        if st.session_state[key] and len(x) >= 2:
            try:
                sol, seconds = solve(tuple(x), tuple(y), bias_penalty, lam)
                engine_time += seconds
                networks["free" if key == "free" else "penalised"] = (
                    f"{label} {'fit' if lam else 'interpolant'}", sol)
            except (DataError, SolverError) as err:
                errors.append(f"{label}: {err}")
for err in errors:
    st.error(f"The solver failed ({err}); your points are kept.")

kernels = {}
if len(x) >= 2:
    for name in KERNELS:
        try:
            kernels[name] = (KERNELS[name].label, kernel_fit(tuple(x), tuple(y), name, st.session_state["bw"]),
                             name in st.session_state["kernels"])
        except ValueError as err:
            st.error(f"{KERNELS[name].label}: {err}")
for name, (label, ker, shown) in kernels.items():
    if shown and ker.residual > 1e-6 * (1 + max(map(abs, y))):
        st.warning(f"The {label} misses the data by up to {ker.residual:.2g}: its Gram matrix is numerically "
                   "singular for these points (try another bandwidth).")

xr, yr = window(x, y)
left, right = st.columns([3, 1.3])
with left:
    event = click_plot(figure((x, y), networks, kernels, shade_set=st.session_state["set"], xr=xr, yr=yr, height=600),
                       key="uv_plot", height=600)
    if event:   # rerun even when the click is rejected, so its message shows at once
        store.apply(event)
        st.rerun()
    if len(x) < 2:
        st.info("Click on the plot to place at least two points.")
    else:
        st.caption(f"Click empty space to add a point, a point to remove it. {len(x)} points · solve time "
                   f"{1000 * engine_time:.1f} ms")

with right:
    store.edit_buttons(*st.columns(2))
    edited = st.data_editor(pd.DataFrame({"x": x, "y": y}, dtype=float), num_rows="dynamic",
                            key=f"uv_editor_{store.version}", width="stretch", height=300)
    rows = edited.dropna(how="any")
    if (rows["x"].tolist(), rows["y"].tolist()) != (x, y) and len(rows) == len(edited):
        store.set(rows["x"].tolist(), rows["y"].tolist(), allow_few=True)
        store.refresh()   # the editor restarts from the stored points, accepted or not: no rerun loop
        st.rerun()
    upload = st.file_uploader("Load points (CSV x,y or JSON)", type=["csv", "json"])
    if upload is not None and st.session_state.get("uv_upload") != upload.file_id:
        st.session_state["uv_upload"] = upload.file_id
        try:
            px, py, notes = parse_points(upload.getvalue(), upload.name)
            store.set(px, py, notes=[f"upload: {n}" for n in notes])
        except DataError as err:
            st.session_state[store.msg] = f"Upload rejected: {err}. Your previous points are kept."
        st.rerun()

if networks or kernels:
    st.subheader("Costs of every curve")
    curves = {label: sol for label, sol in networks.values()}
    curves |= {label: ker for label, ker, shown in kernels.values() if shown}
    table = pd.DataFrame([curve_row(name, f, np.asarray(x), xr) for name, f in curves.items()])
    best_h1 = h1_minimum(x, y)
    table["= H¹ solution"] = np.where(
        np.isclose(table["H¹ seminorm on data range"], best_h1, rtol=1e-6), "✓ yes", "✗ no")
    table["exact"] = table["exact"].map({True: "exact", False: "grid over the window"})
    table = table.rename(columns={"biases-penalised cost": "penalised cost", "H¹ seminorm on data range": "H¹ seminorm",
                                  "exact": "measured"})
    st.dataframe(table.set_index("curve"), width="stretch", column_config={
        c: st.column_config.NumberColumn(format="%.6g") for c in table.columns if c not in ("curve", "exact")})
    st.caption(f"H¹ seminorm: (∫ f'² dx)^½ over the data range [x₁, x_N]; its minimum over interpolants, reached only by the linear "
               f"spline, is {best_h1:.6g}. \"own norm\": each curve's own objective, its representation cost or its "
               "RKHS norm.")

    f1, f2 = st.columns(2)
    with f1:
        st.markdown("**Bias-free** (Savarese et al. 2019): cost of a network with free skip connection")
        st.latex(r"\min_f \int |f''(x)|\,dx = \sum_i |\delta_i|, \quad \delta_i = s_i - s_{i-1}")
        st.markdown("**Biases penalised** (Boursier & Flammarion 2023)")
        st.latex(r"\min_f \int \sqrt{1+x^2}\,|f''(x)|\,dx = \sum_k \sqrt{1+t_k^2}\,|J_k|")
        if lam:
            st.latex(rf"\min_f \tfrac12\sum_i (f(x_i)-y_i)^2 + {lam:g}\cdot\mathrm{{cost}}(f)")
    with f2:
        for name in st.session_state["kernels"]:
            st.markdown(f"**{KERNELS[name].label}**")
            st.latex(KERNELS[name].formula)
            st.latex(KERNELS[name].norm)

    notes = []
    if "free" in networks:
        sol = networks["free"][1]
        notes.append("The bias-free solution is **unique**." if sol.unique else
                     f"The bias-free solution is **not unique**: the shaded triangles ({len(sol.regions)}) are "
                     "filled by other minimisers of the same cost. Wherever two neighbouring slope changes "
                     "have the same sign, the two kinks can slide together into one.")
    if "penalised" in networks:
        sol = networks["penalised"][1]
        cert = sol.certificate
        notes.append(f"Penalising the biases makes the solution unique and sparse ({len(sol.knots)} kinks): "
                     "a kink at t costs √(1+t²), so merging same-sign kinks is cheaper (Jensen) and kinks drift "
                     "towards x = 0. Shift the data and it changes. "
                     f"Optimality certificate: max violation {cert['max_violation']:.1e}, "
                     f"duality gap {cert['duality_gap']:.1e}.")
    notes.append("Diamonds are neurons: one per kink, sized by its share of the cost.")
    st.info("**What you are seeing.** " + " ".join(notes))

    d1, d2, d3, d4 = st.columns(4)
    d1.download_button("Points (CSV)", points_csv(x, y), "points.csv", "text/csv", width="stretch")
    d2.download_button("Points (JSON)", points_json(x, y), "points.json", "application/json",
                       width="stretch")
    nets = {label: sol for label, sol in networks.values()}
    d3.download_button("Solution (JSON)", solution_json(nets), "solution.json", "application/json",
                       width="stretch", disabled=not nets)
    d4.download_button("Curves (CSV)", solution_csv(curves, np.linspace(*xr, 401)), "curves.csv", "text/csv",
                       width="stretch")
