"""R-norm explorer: a 2-D function, its Radon transform, the measure γ₂R{(−Δ)^{3/2}f} over (angle, offset)
— where an infinitely wide ReLU network puts its neurons — and its R-norm (Ongie et al., ICLR 2020)."""
import json

import numpy as np
import pandas as pd
import streamlit as st

from engine.rnorm.explore import (Neuron, edge_is_small, exact_value, export, folded_atoms, measure_csv,
                                  measure_view, radial_summary, reference, ridge_measure, sample, verdict)
from engine.rnorm.formula import FormulaError, parse
from engine.rnorm.gallery import GALLERY
from engine.rnorm.grid import grid_points, rnorm_grid
from engine.rnorm.cli import RESOLUTION
from engine.rnorm.radial import formula_rnorm, formula_rnorm_curve
from engine.validation import MAX_WORK_BYTES
from ui import long_run, presentation, reproduce
from ui.bounded_cache import MiB, bounded_cache
from ui.click_plot import click_plot
from ui.rnorm_figure import (f_figure, fit_figure, measure_figure, radial_figure, radon_figure, ridge_figure,
                             surface_figure)
from ui.url_params import Param, UrlParams, choice, clamped_float, dump_flag, finite, flag, nearest, text

CUSTOM = "Custom formula"
CUSTOM_EXTENT, CUSTOM_RES = 8.0, 256   # a custom formula's own square and grid (a gallery entry has its own)
RESOLUTIONS = [64, 128, 256, 512]
EXTENT = (0.5, 50.0)   # this page's half-widths E
DIMS = list(range(1, 16))
FIT_WIDTHS, FIT_LAMS, FIT_STEPS = [100, 200, 500], [1e-4, 1e-3, 1e-2], 3000
MAX_OFFSET = 100.0   # |b| of a picked neuron in a link (the square's corners are at most 50√2 ≈ 71 away)


def parse_neuron(text):
    """``"θ,b"`` (degrees, offset) → the picked neuron as the page stores it, folded to θ ∈ [0°, 180°); ""
    → none. Bound to whatever f the link shows (``key`` None until the page binds it)."""
    if text == "":
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("expected θ,b")
    theta, b = finite(parts[0]), finite(parts[1])
    if abs(b) > MAX_OFFSET or abs(theta) > 720:
        raise ValueError(f"expected |b| ≤ {MAX_OFFSET:g} and |θ| ≤ 720°")
    neuron = Neuron.at(theta, b)
    return {"key": None, "theta": neuron.theta_deg, "b": neuron.b}


def dump_neuron(picked):
    return "" if picked is None else f"{picked['theta']:.6g},{picked['b']:.6g}"


URL = UrlParams(
    Param("rn_item", next(iter(GALLERY)), choice([*GALLERY, CUSTOM])),
    Param("rn_formula", "exp(-(x^2 + 2*y^2)/2)", text(500)),
    Param("rn_extent", GALLERY[next(iter(GALLERY))].extent, clamped_float(*EXTENT, 0.5), lambda v: f"{v:g}"),
    Param("rn_res", 256, nearest(RESOLUTIONS)),
    Param("rn_surface", False, flag, dump_flag),
    Param("rn_profile", "exp(-r^2/2)", text(500)),
    Param("rn_fit_width", 200, nearest(FIT_WIDTHS)),
    Param("rn_fit_lam", 1e-3, nearest(FIT_LAMS), lambda v: f"{v:g}"),
    Param("rn_neuron", None, parse_neuron, dump_neuron),
)


@bounded_cache(max_entries=32, max_bytes=256 * MiB)   # ~12 MB per entry at 512²
def grid_norm(formula_text, extent, resolution):
    f = parse(formula_text, variables=("x", "y", "r"))
    return rnorm_grid(lambda x, y: f(x=x, y=y), extent=extent, resolution=resolution, angles=resolution)


@st.cache_data(max_entries=256, show_spinner=False)
def radial_norm(profile_text, dim):
    return formula_rnorm(parse(profile_text, variables=("r",)), dim)[0]


@st.cache_data(max_entries=64, show_spinner=False)
def exact(item):
    return exact_value(GALLERY.get(item), radial=lambda profile: radial_norm(profile, 2))


def chart(col, fig):
    presentation.chart(fig, col)


def item_defaults(item):
    """The half-width E and the grid that an entry (or a custom formula) starts with."""
    example = GALLERY.get(item)
    return {"rn_extent": example.extent, "rn_res": example.resolution} if example else \
        {"rn_extent": CUSTOM_EXTENT, "rn_res": CUSTOM_RES}


def use_item_defaults():
    st.session_state.update(item_defaults(st.session_state["rn_item"]))


def function_inputs():
    c = st.columns([2, 3, 1, 1.4])
    c[0].selectbox("Function", [*GALLERY, CUSTOM], key="rn_item", on_change=use_item_defaults)
    if st.session_state["rn_item"] == CUSTOM:
        c[1].text_input("f(x, y) =", key="rn_formula", help="x, y, r = √(x²+y²); + − * / ^, exp log sqrt abs sin "
                        "cos tanh relu max min sign step atan2, pi, e. Make it decay inside the square.")
    c[2].number_input("Half-width E", *EXTENT, key="rn_extent", step=0.5,
                      help=f"f is sampled on [−E, E]², E = {EXTENT[0]:g} … {EXTENT[1]:g}")
    c[3].select_slider("Grid (n × n, n angles)", RESOLUTIONS, key="rn_res",
                       help=f"n = {RESOLUTIONS[0]} … {RESOLUTIONS[-1]} here (memory ≈ 900·n² bytes); `python -m "
                            f"engine rnorm`: n ≤ {RESOLUTION[1]} within {MAX_WORK_BYTES >> 30} GiB.")
    URL.write()
    s = st.session_state
    example = GALLERY.get(s["rn_item"])
    return example.formula if example else s["rn_formula"], float(s["rn_extent"]), int(s["rn_res"])


def metrics(res, known, edge_small):
    c1, c2, c3 = st.columns(3)
    if res is None:
        c1.metric("Grid estimate of ‖f‖_R", "not applicable", help="f does not decay inside the square")
        c1.caption("f does not decay, so the square grid would see f·1_square, not f; the exact value comes from "
                   "its neurons.")
    elif res.status == "diverging":
        c1.metric("Grid estimate of ‖f‖_R", "∞ (diverging)", help=res.reason or
                  "refining the grid keeps increasing it")
    else:
        bound = "a bound on the error" if res.error_is_bound else "not a bound"
        label = {"converged": "converged", "unresolved": "not converged: refine the grid"}[res.status]
        c1.metric("Grid estimate of ‖f‖_R", f"{res.value:.6g}", f"{label}, ± {res.estimate_error:.1e} ({bound})",
                  delta_color="off", help=res.reason or None)
    if res is not None:   # the verdict in words, beside the number
        c1.caption(verdict(res, edge_small))
    if known.value is not None:
        c2.metric("Exact ‖f‖_R", "∞" if not np.isfinite(known.value) else f"{known.value:.6g}", known.note,
                  delta_color="off")
        if res is not None and np.isfinite(known.value) and res.status != "diverging":
            c3.metric("Grid vs exact", f"{(res.value - known.value) / known.value:+.2e}")
    elif known.note:
        st.caption(known.note)


def picked_neuron(key):
    """The neuron clicked on the measure (or named by the link), for this f only: a neuron picked for
    another f is dropped (so the link does not carry it)."""
    picked = st.session_state.get("rn_neuron")
    if picked is None:
        return None
    if picked["key"] is None:   # from the link: it belongs to the f the link shows
        picked = st.session_state["rn_neuron"] = {**picked, "key": key}
    if picked["key"] != key:
        st.session_state["rn_neuron"] = None
        return None
    return Neuron(picked["theta"], picked["b"])


def figures(values, res, known, example, extent, key):
    xs = grid_points(extent, values.shape[0])
    neuron = picked_neuron(key)
    if res is None and neuron is not None:   # no measure to pick on (f does not decay): none picked
        st.session_state["rn_neuron"] = neuron = None
    left, right = st.columns(2)
    if left.toggle("Surface view", key="rn_surface"):
        chart(left, surface_figure(values, xs))
    else:
        chart(left, f_figure(values, xs, extent, neuron))
    if res is None:   # no grid: the measure of the neurons that make f, where that is known
        known_measure(right, known, example, extent)
        return
    atoms = folded_atoms(known.atoms) if known.atoms is not None else None
    thetas, bs, sino, mu = measure_view(res, extent)
    chart(right, radon_figure(thetas, bs, sino))
    event = click_plot(measure_figure(thetas, bs, mu, extent, atoms), key="rn_mu_plot", height=420)
    if event and event.get("type") == "add":   # a click at (θ, b): show that neuron's hyperplane on f
        clicked = Neuron.at(float(event["x"]), float(event["y"]))
        st.session_state["rn_neuron"] = {"key": key, "theta": clicked.theta_deg, "b": clicked.b}
        st.rerun(scope="fragment")
    st.caption("Each point (θ, b) is a neuron σ(cos θ·x + sin θ·y − b); the measure's total mass is the R-norm. For a "
               "finite network it is a sum of point masses (marked); for a smooth function it is spread out. **Click the "
               "measure** to draw that neuron's line {cos θ·x + sin θ·y = b} on the heatmap of f (the arrow points to "
               "where it is active). Colours saturate at the 99th percentile of |μ|, so that a few large values "
               "(e.g. at the square's edge) do not wash out the rest.")
    if neuron is not None:
        n = neuron.normal
        st.caption(f"Picked neuron: θ = {neuron.theta_deg:.1f}°, b = {neuron.b:.3f}, i.e. σ({n[0]:.3f}·x "
                   f"{n[1]:+.3f}·y {-neuron.b:+.3f}); the measure's density there is "
                   f"μ = {res.density_at(np.radians(neuron.theta_deg), neuron.b):+.4g} (its sign is the sign of the "
                   "neuron's output weight).")


def known_measure(col, known, example, extent):
    """The measure of a finite net (its neurons) or of a sum of ridges (lines), when the grid does not apply."""
    if known.atoms is not None:
        chart(col, measure_figure(None, None, None, extent, folded_atoms(known.atoms)))
        col.caption("The measure of a finite net is a sum of point masses, one per neuron σ(cos θ·x + sin θ·y − b) "
                    "after merging those on the same line (size: its mass |a|‖w‖; colour: the sign of a); their total "
                    "mass Σ|a_k|‖w_k‖ is the exact norm.")
    elif example is not None and example.ridges:
        lines = ridge_measure(example.ridges, extent)
        chart(col, ridge_figure(lines, extent))
        col.caption(f"The measure of a sum of ridge functions g_i(w_iᵀx) lives on one line per direction (here θ = "
                    f"{', '.join(f'{th:g}°' for th, _, _ in lines)}): along it the neurons σ(cos θ·x + sin θ·y − b) "
                    "have output-weight density ‖w_i‖²g_i''(‖w_i‖b) over b, of total mass ‖w_i‖∫|g_i''|; the sum is "
                    "the exact norm.")
    else:
        col.info("This function does not decay, so the grid cannot draw its measure, and no exact measure is known.")


def fit_job(formula, extent, width, lam):
    def run(job):
        from engine.rnorm.fit import fit_samples

        history, last = [], None
        for last in fit_samples(formula, extent, width=width, lam=lam, steps=FIT_STEPS):
            history = [*history, (last.step, last.cost)]
            job.report(last.step / FIT_STEPS, f"step {last.step}/{FIT_STEPS} on {last.device}", history)
            if job.stopping:
                break
        return {"history": history, "last": last}
    return run


def fit_section(formula, key, target):
    st.subheader("Fit a ReLU network to samples of f")
    st.caption("A network with small weight decay fitted to a 15 × 15 grid of samples: f itself interpolates them, so "
               "the minimum-norm fit costs at most ‖f‖_R; its cost Σ‖a_k‖‖w_k‖ (exact, from the weights) approaches "
               "the norm as the samples get denser and λ smaller.")
    c = st.columns(3)
    width = c[0].selectbox("Width", FIT_WIDTHS, key="rn_fit_width",
                           help=f"{FIT_WIDTHS[0]} … {FIT_WIDTHS[-1]} neurons.")
    lam = c[1].selectbox("Weight decay λ", FIT_LAMS, key="rn_fit_lam", format_func=lambda v: f"{v:g}")
    URL.write()
    fit_key = (*key, width, lam)
    if c[2].button("Fit a network", type="primary", width="stretch", help=long_run.budget_help()):
        long_run.start("rn_fit", fit_key, fit_job(formula, key[1], width, lam), "Fitting a network")
    if done := long_run.take("rn_fit"):
        st.session_state["rn_fit"] = {"key": done.key, **done.result}
    if long_run.follow("rn_fit", lambda history: chart(st, fit_figure(history, target))):
        return
    fit = st.session_state.get("rn_fit")
    if fit and fit["key"] == fit_key and fit["last"] is not None:
        last = fit["last"]
        chart(st, fit_figure(fit["history"], target))
        msg = (f"Network after {last.step} steps ({last.elapsed:.1f} s on {last.device}): cost Σ‖a_k‖‖w_k‖ = "
               f"{last.cost:.4g}, fit ½Σ(f − y)² = {last.data_loss:.2e}")
        st.success(msg + (f"; ‖f‖_R = {target:.4g} (ratio {last.cost / target:.3f})." if target else "."))


def downloads(formula_text, extent, resolution, res, known):
    d1, d2 = st.columns(2)   # the files are made when clicked (callables), not on every rerun
    d1.download_button("Results (JSON)", lambda: json.dumps(export(formula_text, extent, resolution, res, known)),
                       "rnorm.json", "application/json", width="stretch", on_click="ignore")
    if res is not None:
        d2.download_button("Measure μ(θ, b) (CSV)", lambda: measure_csv(res), "rnorm_measure.csv", "text/csv",
                           width="stretch", on_click="ignore")


def code_for(formula_text, extent, resolution, res, example):
    """The Python and CLI text that reproduce the grid estimate and the exact value shown."""
    calls = [] if res is None else [("Grid estimate", reproduce.rnorm_grid_call(formula_text, extent, resolution),
                                      reproduce.rnorm_grid_cli(formula_text, extent, resolution))]
    if example is None:
        return calls
    if example.network:
        calls.append(("Exact value (finite net)", reproduce.rnorm_network_call(example.network),
                      reproduce.rnorm_network_cli(example.network)))
    elif example.ridges:
        calls.append(("Exact value (sum of ridges)", reproduce.ridge_call(example.ridges), None))
    elif example.radial:
        calls.append(("Exact value (radial reduction, d = 2)", reproduce.rnorm_radial_call(example.radial, [2]),
                      reproduce.rnorm_radial_cli(example.radial, [2])))
    return calls


@st.fragment
def function_section():
    """Everything that depends on f: a formula change reruns this, not the radial section."""
    formula_text, extent, resolution = function_inputs()
    try:
        formula = parse(formula_text, variables=("x", "y", "r"))
    except FormulaError as err:
        st.error(f"The formula cannot be used: {err.message} (column {err.position + 1}).")
        st.code(str(err), language=None)
        return
    st.latex("f(x, y) = " + formula.latex())
    item = st.session_state["rn_item"]
    with st.spinner("Exact value…", show_time=True):
        known = exact(item) if item in GALLERY else exact_value(None)
    values = sample(formula, extent, resolution)
    if not np.isfinite(values).all():
        st.error("f is not finite everywhere on the square (e.g. log or division by zero); change the formula or the square.")
        return
    res = None
    if known.grid_applies:
        with st.spinner("Radon transform and filtering…", show_time=True):
            res = grid_norm(formula_text, extent, resolution)
    edge_small = edge_is_small(values)
    metrics(res, known, edge_small)
    if item in GALLERY and GALLERY[item].note:
        st.caption(GALLERY[item].note)
    if res is not None and not edge_small:
        st.warning("f is not small at the edge of the square: the grid sees f·1_square. Enlarge E or pick a decaying f.")
    figures(values, res, known, GALLERY.get(item), extent, (formula_text, extent))
    fit_section(formula, (formula_text, extent), reference(known, res))
    downloads(formula_text, extent, resolution, res, known)
    reproduce.show(code_for(formula_text, extent, resolution, res, GALLERY.get(item)), key="rn_code_open")


@st.fragment
def radial_section():
    st.subheader("Radial functions: the norm grows with the dimension")
    st.text_input("Profile g(r)", key="rn_profile", help="f(x) = g(‖x‖) in ℝᵈ, d = 1 … 15")
    URL.write()
    profile_text = st.session_state["rn_profile"]
    try:
        profile = parse(profile_text, variables=("r",))
        if st.session_state.get("rn_curve", (None,))[0] != profile_text:   # one batch over d (≲ 1 s for a Gaussian)
            bar = st.progress(0.0, text="‖f‖_R for d = 1 … 15")
            curve = formula_rnorm_curve(profile, DIMS, progress=lambda frac, msg: bar.progress(frac, text=msg))[0]
            st.session_state["rn_curve"] = (profile_text, curve)
            bar.empty()
    except FormulaError as err:
        st.error(f"The profile cannot be used: {err.message} (column {err.position + 1}).")
        return
    except ValueError as err:
        st.error(f"The profile cannot be used: {err}")
        return
    summary = radial_summary(DIMS, st.session_state["rn_curve"][1])
    chart(st, radial_figure(DIMS, summary, profile_text))
    with st.expander("Values"):
        st.dataframe(pd.DataFrame(summary["table"], index=pd.Index(DIMS, name="d")).T, width="stretch")
    if summary["infinite"]:
        st.info(f"Infinite for d = {', '.join(map(str, summary['infinite']))}: {summary['reason']}")
    st.caption(f"f(x) = g(‖x‖) with g(r) = {profile_text}: one-dimensional reduction, all d in one batch "
               f"(largest estimated error {summary['worst_error']:.1e}).")
    reproduce.show([("‖f‖_R for d = 1 … 15", reproduce.rnorm_radial_call(profile_text, DIMS),
                     reproduce.rnorm_radial_cli(profile_text, DIMS))], "Reproduce the curve (Python, command line)",
                   key="rn_curve_code_open")


st.title("R-norm explorer")
st.caption("The norm a 2-D function needs as an infinitely wide one-hidden-layer ReLU network (free affine part): "
           "‖f‖_R = γ₂‖R{(−Δ)^{3/2} f}‖₁ with γ₂ = 1/(4π) — the total mass of the measure over (angle, offset) that "
           "tells where the network puts its neurons (Ongie, Willett, Soudry & Srebro, ICLR 2020).")
# Two lines, so that the formula fits a 1366-px laptop screen (and presentation mode's larger text).
st.latex(r"\begin{gathered}\|f\|_{\mathcal R} = \gamma_d \int_{S^{d-1}}\!\int_{\mathbb R}\big|\mathcal R\{(-\Delta)^{\frac{d+1}{2}} f\}"
         r"(w,b)\big|\,db\,dw,\qquad \gamma_d = \tfrac{1}{2(2\pi)^{d-1}},\\ \text{where}\quad \mathcal F_b\,\mathcal R\{"
         r"(-\Delta)^{\frac{d+1}{2}} f\}(w,\omega) = |\omega|^{d+1}\,\mathcal F_b\,\mathcal Rf(w,\omega)\end{gathered}")
for problem in URL.restore():
    st.warning(problem)
if "rn_item" in st.query_params:   # a link naming the function but not its square or grid gets the entry's own
    st.session_state.update({k: v for k, v in item_defaults(st.session_state["rn_item"]).items()
                             if k not in st.query_params})
function_section()
radial_section()
