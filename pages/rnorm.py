"""R-norm explorer: a 2-D function, its Radon transform, the measure γ₂R{(−Δ)^{3/2}f} over (angle, offset)
— where an infinitely wide ReLU network puts its neurons — and its R-norm (Ongie et al., ICLR 2020)."""
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from engine.rnorm.finite import network_measure, network_rnorm
from engine.rnorm.formula import FormulaError, parse
from engine.rnorm.gallery import GALLERY, ridge_rnorm
from engine.rnorm.grid import grid_points, rnorm_grid
from engine.rnorm.radial import formula_rnorm, formula_rnorm_curve
from ui.click_plot import click_plot
from ui.navigation import ensure_app_navigation
from ui.url_state import url_option, write_url

CUSTOM = "Custom formula"
RESOLUTIONS = [64, 128, 256, 512]
PROFILES = {"exp(-r^2/2)": "Gaussian", "relu(1 - r^2)^2": "bump (1 − r²)₊²", "relu(1 - r^2)^3": "bump (1 − r²)₊³",
            "relu(1 - r)": "cone (1 − r)₊"}


@st.cache_data(max_entries=64, show_spinner=False)
def grid_norm(text, extent, resolution):
    f = parse(text, variables=("x", "y", "r"))
    return rnorm_grid(lambda x, y: f(x=x, y=y), extent=extent, resolution=resolution, angles=resolution)


def sample(f, extent, resolution):
    """values[i, j] = f(x_j, y_i) on the cell-centred grid of ``rnorm_grid``."""
    gx, gy = np.meshgrid(grid_points(extent, resolution), grid_points(extent, resolution))
    return np.broadcast_to(f(x=gx, y=gy), gx.shape)


@st.cache_data(max_entries=256, show_spinner=False)
def radial_norm(profile_text, dim):
    return formula_rnorm(parse(profile_text, variables=("r",)), dim)[0]


def heatmap(z, x, y, title, colorscale="Viridis", signed=False, xtitle="x", ytitle="y", height=380):
    lim = float(np.nanmax(np.abs(z))) or 1.0
    fig = go.Figure(go.Heatmap(z=z, x=x, y=y, colorscale="RdBu_r" if signed else colorscale,
                               zmid=0 if signed else None, zmin=-lim if signed else None, zmax=lim if signed else None))
    fig.update_layout(title=title, height=height, margin=dict(l=50, r=10, t=40, b=40), template="plotly_white",
                      xaxis_title=xtitle, yaxis_title=ytitle)
    return fig


ensure_app_navigation()
st.title("R-norm explorer")
st.caption("The norm a 2-D function needs as an infinitely wide one-hidden-layer ReLU network (free affine part): "
           "‖f‖_R = γ₂‖R{(−Δ)^{3/2} f}‖₁ with γ₂ = 1/(4π) — the total mass of the measure over (angle, offset) that "
           "tells where the network puts its neurons (Ongie, Willett, Soudry & Srebro, ICLR 2020).")
st.latex(r"\|f\|_{\mathcal R} = \gamma_d \int_{S^{d-1}}\!\int_{\mathbb R}\big|\mathcal R\{(-\Delta)^{\frac{d+1}{2}} f\}(w,b)\big|"
         r"\,db\,dw,\quad \mathcal F_b\,\mathcal R\{(-\Delta)^{\frac{d+1}{2}} f\}(w,\omega) = |\omega|^{d+1}\,"
         r"\mathcal F_b\,\mathcal Rf(w,\omega),\quad \gamma_d = \tfrac{1}{2(2\pi)^{d-1}}")

url_option("rn_item", next(iter(GALLERY)), lambda s: s if s in [*GALLERY, CUSTOM] else next(iter(GALLERY)))
url_option("rn_formula", "exp(-(x^2 + 2*y^2)/2)", lambda s: s[:500])
url_option("rn_extent", GALLERY[st.session_state["rn_item"]].extent if st.session_state["rn_item"] in GALLERY else 8.0,
           lambda s: min(max(float(s), 0.5), 50.0))
url_option("rn_res", 256, lambda s: min(RESOLUTIONS, key=lambda v: abs(v - int(s))))
url_option("rn_profile", "exp(-r^2/2)", lambda s: s[:500])
with st.sidebar:
    st.subheader("Function")
    st.selectbox("Gallery", [*GALLERY, CUSTOM], key="rn_item",
                 on_change=lambda: st.session_state.update(rn_extent=GALLERY[st.session_state["rn_item"]].extent)
                 if st.session_state["rn_item"] in GALLERY else None)
    if st.session_state["rn_item"] == CUSTOM:
        st.text_input("f(x, y) =", key="rn_formula", help="x, y, r = √(x²+y²); + − * / ^, exp log sqrt abs sin cos "
                      "tanh relu max min sign step atan2, pi, e. Make it decay inside the square.")
    st.number_input("Half-width of the square E", 0.5, 50.0, key="rn_extent", step=0.5)
    st.select_slider("Grid resolution (n × n, n angles)", RESOLUTIONS, key="rn_res")
    st.subheader("Radial norms vs dimension")
    st.text_input("Profile g(r)", key="rn_profile", help="f(x) = g(‖x‖) in ℝᵈ, d = 1 … 15")
write_url(**{k: st.session_state[k] for k in ("rn_item", "rn_formula", "rn_extent", "rn_res", "rn_profile")})

item = st.session_state["rn_item"]
example = GALLERY.get(item)
text = example.formula if example else st.session_state["rn_formula"]
extent, resolution = float(st.session_state["rn_extent"]), int(st.session_state["rn_res"])
try:
    formula = parse(text, variables=("x", "y", "r"))
except FormulaError as err:
    st.error(f"The formula cannot be used: {err.message} (column {err.position + 1}).")
    st.code(str(err), language=None)
    st.stop()
st.latex("f(x, y) = " + formula.latex())

exact, exact_note, atoms = None, "", None
if example and example.network:
    net = {k: np.asarray(v, float) for k, v in example.network.items()}
    exact, exact_note = network_rnorm(net["w"], net["b"], net["a"]), "exact: Σ‖a_k‖‖w_k‖ after merging hyperplanes"
    atoms = network_measure(net["w"], net["b"], net["a"])
elif example and example.ridges:
    exact, exact_note = ridge_rnorm(example.ridges), "exact: Σ‖w_i‖∫|g_i''| (sum of ridge functions)"
elif example and example.radial:
    with st.spinner("Exact radial value (one-dimensional reduction)…", show_time=True):
        rad = radial_norm(example.radial, 2)
    if rad.finite and not np.isfinite(rad.value):
        st.caption(f"The exact radial value is not available here ({rad.reason}).")
    else:
        exact = rad.value if rad.finite else float("inf")
        exact_note = "exact: one-dimensional radial reduction" + (f" ({rad.point_mass:.6g} from point masses)"
                                                                 if rad.finite and rad.point_mass else "")
elif example and example.closed_form:
    exact, exact_note = example.closed_form, example.note

grid_ok = not (example and (example.network or example.ridges))
values = sample(formula, extent, resolution)
if not np.isfinite(values).all():
    st.error("f is not finite everywhere on the square (e.g. log or division by zero); change the formula or the square.")
    st.stop()
res = None
if grid_ok:
    with st.spinner("Radon transform and filtering…", show_time=True):
        res = grid_norm(text, extent, resolution)
c1, c2, c3 = st.columns(3)
if grid_ok:
    if res.status == "diverging":
        c1.metric("Grid estimate of ‖f‖_R", "∞ (diverging)", help="refining the grid keeps increasing it")
    else:
        label = {"converged": "converged", "unresolved": "not converged: refine the grid"}[res.status]
        c1.metric("Grid estimate of ‖f‖_R", f"{res.value:.6g}", f"{label}, ± {res.estimate_error:.1e}",
                  delta_color="off")
else:
    c1.metric("Grid estimate of ‖f‖_R", "not applicable", help="f does not decay inside the square")
if exact is not None:
    c2.metric("Exact ‖f‖_R", "∞" if not np.isfinite(exact) else f"{exact:.6g}", exact_note, delta_color="off")
    if grid_ok and np.isfinite(exact) and res.status != "diverging":
        c3.metric("Grid vs exact", f"{(res.value - exact) / exact:+.2e}")
if example and example.note:
    st.caption(example.note)
edge = np.abs(values[[0, -1], :]).max(initial=0) + np.abs(values[:, [0, -1]]).max(initial=0)
if grid_ok and edge > 1e-6 * max(np.abs(values).max(), 1e-300):
    st.warning("f is not small at the edge of the square: the grid sees f·1_square. Enlarge E or pick a decaying f.")

xs = grid_points(extent, resolution)
picked = st.session_state.get("rn_neuron")   # a neuron clicked on the measure below, for this f only
picked = picked if grid_ok and picked and picked["key"] == (text, extent) else None
left, right = st.columns(2)
if left.toggle("Surface view", key="rn_surface"):
    step = max(1, resolution // 96)   # a lighter mesh for the 3-D view
    surf = go.Figure(go.Surface(z=values[::step, ::step], x=xs[::step], y=xs[::step], colorscale="Viridis"))
    surf.update_layout(title="f(x, y)", height=380, margin=dict(l=0, r=0, t=40, b=0))
    left.plotly_chart(surf, width="stretch")
else:
    f_fig = heatmap(values, xs, xs, "f(x, y)")
    if picked:
        th, b = np.radians(picked["theta"]), picked["b"]
        n = np.array([np.cos(th), np.sin(th)])
        t = np.linspace(-3 * extent, 3 * extent, 2)
        line = b * n[:, None] + np.outer([-n[1], n[0]], t)
        f_fig.add_trace(go.Scatter(x=line[0], y=line[1], mode="lines", name="the picked neuron's hyperplane",
                                   line=dict(color="white", width=3, dash="dash"), hoverinfo="skip"))
        tip = b * n + 0.15 * extent * n   # the side where σ(nᵀx − b) > 0
        f_fig.add_annotation(x=tip[0], y=tip[1], ax=b * n[0], ay=b * n[1], xref="x", yref="y", axref="x", ayref="y",
                             showarrow=True, arrowhead=2, arrowcolor="white", arrowwidth=2)
        f_fig.update_layout(xaxis_range=[-extent, extent], yaxis_range=[-extent, extent], showlegend=False)
    left.plotly_chart(f_fig, width="stretch")
if grid_ok:
    thetas = np.degrees(res.thetas)
    right.plotly_chart(heatmap(res.sinogram.T, thetas, res.bs, "Radon transform Rf(θ, b)", xtitle="angle θ (degrees)",
                               ytitle="offset b"), width="stretch")
mu_fig = heatmap(res.mu.T if grid_ok else np.zeros((2, 2)), np.degrees(res.thetas) if grid_ok else [0, 180],
                 res.bs if grid_ok else [-extent, extent], "measure μ(θ, b) = γ₂R{(−Δ)<sup>3/2</sup>f}: where the neurons are",
                 signed=True, xtitle="angle θ (degrees)", ytitle="offset b", height=420)
if atoms is not None:   # fold θ ∈ [π, 2π) onto [0, π) (θ + π, −b, −a is the same unit up to an affine term)
    th = np.where(atoms.theta >= np.pi, atoms.theta - np.pi, atoms.theta)
    bb = np.where(atoms.theta >= np.pi, -atoms.b, atoms.b)
    aa = np.where(atoms.theta >= np.pi, -np.asarray(atoms.a).reshape(-1), np.asarray(atoms.a).reshape(-1))
    mu_fig.add_trace(go.Scatter(x=np.degrees(th), y=bb, mode="markers", name="neurons of the finite net",
                                marker=dict(size=10 + 25 * atoms.mass / atoms.mass.max(), color=np.sign(aa),
                                            colorscale=[[0, "#2166ac"], [1, "#b2182b"]], line=dict(width=1, color="black")),
                                customdata=np.c_[aa, atoms.mass],
                                hovertemplate="θ=%{x:.1f}°, b=%{y:.3f}<br>a=%{customdata[0]:.3g}, mass %{customdata[1]:.3g}"
                                              "<extra>neuron</extra>"))
    mu_fig.update_layout(xaxis_range=[0, 180], yaxis_range=[-extent, extent])
if grid_ok:
    event = click_plot(mu_fig, key="rn_mu_plot", height=420)
    if event and event.get("type") == "add":   # a click at (θ, b): show that neuron's hyperplane on f
        st.session_state["rn_neuron"] = {"key": (text, extent), "theta": float(event["x"]) % 180.0,
                                         "b": float(event["y"])}
        st.rerun()
else:
    st.plotly_chart(mu_fig, width="stretch")
st.caption("Each point (θ, b) is a neuron σ(cos θ·x + sin θ·y − b); the measure's total mass is the R-norm. For a finite "
           "network it is a sum of point masses (marked); for a smooth function it is spread out. **Click the measure** "
           "to draw that neuron's line {cos θ·x + sin θ·y = b} on the heatmap of f (the arrow points to where it is active).")
if picked:
    th = np.radians(picked["theta"])
    st.caption(f"Picked neuron: θ = {picked['theta']:.1f}°, b = {picked['b']:.3f}, i.e. σ({np.cos(th):.3f}·x "
               f"{np.sin(th):+.3f}·y {-picked['b']:+.3f}); the measure's density there is "
               f"μ = {res.density_at(th, picked['b']):+.4g} (its sign is the sign of the neuron's output weight).")

st.subheader("Radial functions: the norm grows with the dimension")
profile_text = st.session_state["rn_profile"]
try:
    parse(profile_text, variables=("r",))   # a bad profile is reported below
    dims = list(range(1, 16))
    if st.session_state.get("rn_curve", (None,))[0] != profile_text:   # one batch over d (≲ 1 s for a Gaussian)
        bar = st.progress(0.0, text="‖f‖_R for d = 1 … 15")
        curve = formula_rnorm_curve(parse(profile_text, variables=("r",)), dims,
                                    progress=lambda frac, msg: bar.progress(frac, text=msg))[0]
        st.session_state["rn_curve"] = (profile_text, curve)
        bar.empty()
    curve = st.session_state["rn_curve"][1]
    vals = [c.value if c.finite else np.nan for c in curve]
    fig = go.Figure(go.Scatter(x=dims, y=vals, mode="lines+markers", name=profile_text))
    infinite = [d for d, c in zip(dims, curve) if not c.finite]
    top = np.nanmax(vals) if np.isfinite(vals).any() else 1.0
    if infinite:
        fig.add_trace(go.Scatter(x=infinite, y=[top] * len(infinite), mode="markers", name="infinite",
                                 marker=dict(symbol="x", size=12, color="crimson")))
    fig.update_layout(height=340, template="plotly_white", xaxis_title="dimension d", yaxis_title="‖f‖_R",
                      yaxis_type="log", margin=dict(l=50, r=10, t=20, b=40))
    st.plotly_chart(fig, width="stretch")
    table = pd.DataFrame({"d": dims, "‖f‖_R": [c.value if c.finite else float("inf") for c in curve],
                          "from point masses": [c.point_mass if c.finite else float("nan") for c in curve]})
    with st.expander("Values"):
        st.dataframe(table.set_index("d").T, width="stretch")
    if infinite:
        st.info(f"Infinite for d = {', '.join(map(str, infinite))}: {curve[infinite[0] - 1].reason}")
    worst = max((c.error_estimate for c in curve if c.finite and np.isfinite(c.value)), default=0.0)
    st.caption(f"f(x) = g(‖x‖) with g(r) = {profile_text}: one-dimensional reduction, all d in one batch "
               f"(largest estimated error {worst:.1e}).")
except FormulaError as err:
    st.error(f"The profile cannot be used: {err.message} (column {err.position + 1}).")
except ValueError as err:
    st.error(f"The profile cannot be used: {err}")

st.subheader("Fit a ReLU network to samples of f")
st.caption("A network with small weight decay fitted to a 15 × 15 grid of samples: f itself interpolates them, so the "
           "minimum-norm fit costs at most ‖f‖_R; its cost Σ‖a_k‖‖w_k‖ (exact, from the weights) approaches the norm "
           "as the samples get denser and λ smaller.")
fc1, fc2, fc3 = st.columns([1, 1, 1])
fit_width = fc1.selectbox("Width", [100, 200, 500], index=1, key="rn_fit_width")
fit_lam = fc2.selectbox("Weight decay λ", [1e-4, 1e-3, 1e-2], index=1, key="rn_fit_lam", format_func=lambda v: f"{v:g}")
target = exact if exact is not None and np.isfinite(exact) else (res.value if res is not None and res.status == "converged" else None)
if fc3.button("Fit a network", type="primary", width="stretch"):
    from engine.rnorm.fit import fit_samples

    stop_slot = st.empty()
    stop_slot.button("Stop", key="rn_fit_stop")   # a click reruns the page and ends the fit
    bar, chart = st.progress(0.0), st.empty()
    history = []
    for snap in fit_samples(formula, extent, width=fit_width, lam=fit_lam, steps=3000):
        history.append((snap.step, snap.cost, snap.data_loss))
        st.session_state["rn_fit"] = {"key": (text, extent, fit_width, fit_lam), "history": history, "last": snap}
        steps_, costs, _ = zip(*history)
        fig = go.Figure(go.Scatter(x=steps_, y=costs, mode="lines", name="Σ‖a_k‖‖w_k‖ of the network"))
        if target is not None:
            fig.add_hline(y=target, line=dict(dash="dot", color="crimson"), annotation_text="‖f‖_R")
        fig.update_layout(height=300, template="plotly_white", xaxis_title="step", yaxis_title="cost",
                          margin=dict(l=50, r=10, t=20, b=40))
        chart.plotly_chart(fig, width="stretch")
        bar.progress(snap.step / 3000, text=f"step {snap.step}/3000 on {snap.device}")
    bar.empty()
    stop_slot.empty()
fit = st.session_state.get("rn_fit")
if fit and fit["key"] == (text, extent, fit_width, fit_lam):
    last = fit["last"]
    msg = (f"Network after {last.step} steps ({last.elapsed:.1f} s on {last.device}): cost Σ‖a_k‖‖w_k‖ = {last.cost:.4g}, "
           f"fit ½Σ(f − y)² = {last.data_loss:.2e}")
    st.success(msg + (f"; ‖f‖_R = {target:.4g} (ratio {last.cost / target:.3f})." if target else "."))

export = {"formula": text, "extent": extent, "resolution": resolution,
          "grid": {"rnorm": res.value if grid_ok and res.status != "diverging" else None,
                   "status": res.status if grid_ok else "not applicable"},
          "exact": exact if exact is not None and np.isfinite(exact) else None}
d1, d2 = st.columns(2)
d1.download_button("Results (JSON)", json.dumps(export), "rnorm.json", "application/json", width="stretch")
if grid_ok:
    mu_table = pd.DataFrame(res.mu, index=pd.Index(res.thetas, name="theta (rad)"), columns=np.round(res.bs, 12))
    d2.download_button("Measure μ(θ, b) (CSV)", mu_table.to_csv(), "rnorm_measure.csv", "text/csv", width="stretch")
