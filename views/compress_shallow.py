"""Compression of a wide shallow ReLU net by neuron sharing: train it on 1-D data with and without weight decay,
merge its neurons into K shared ones, and compare the function, its error at the data and its cost."""
import json

import numpy as np
import pandas as pd
import streamlit as st

from engine.compress.shallow import data_knots, exact_knot_count, knots, share_neurons, sharing_errors
from engine.univariate.presets import GENERATED, PRESETS, preset_points
from ui import long_run
from ui.compress_figure import error_vs_k_figure, shallow_figure
from ui.url_params import Param, UrlParams, choice, clamped_int, dump_flag, flag, nearest
from ui.presentation import chart

WIDTHS = [50, 100, 200, 500, 1000]
LAMS = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
STEPS = [1000, 2000, 3000, 5000]
KMAX = 40
FROM_MULTITASK = "Network trained on the Multi-task page"


def sources() -> list[str]:
    trained = st.session_state.get("tr_run")
    return [*PRESETS, *GENERATED] + ([FROM_MULTITASK] if trained and trained.get("last") is not None else [])


def url_table() -> UrlParams:
    return UrlParams(
        Param("sh_data", next(iter(PRESETS)), choice(sources())),
        Param("sh_width", 200, nearest(WIDTHS)),
        Param("sh_lam", 1e-2, nearest(LAMS), lambda v: f"{v:g}"),
        Param("sh_steps", 3000, nearest(STEPS)),
        Param("sh_compare", True, flag, dump_flag),
        Param("sh_k", 0, clamped_int(0, KMAX)),   # 0: the exact minimiser's number of knots
    )


def options():
    c = st.columns(5)
    c[0].selectbox("Data", sources(), key="sh_data")
    c[1].selectbox("Width (neurons)", WIDTHS, key="sh_width", help=f"{WIDTHS[0]} … {WIDTHS[-1]} neurons.")
    c[2].selectbox("Weight decay λ", LAMS, key="sh_lam", format_func=lambda v: f"{v:g}")
    c[3].selectbox("Adam steps", STEPS, key="sh_steps", help=f"{STEPS[0]} … {STEPS[-1]} full-batch steps.")
    c[4].checkbox("Compare with λ = 0", key="sh_compare",
                  help="Also train the same net without weight decay and show its error against K.")
    s = st.session_state
    return s["sh_data"], s["sh_width"], s["sh_lam"], s["sh_steps"], s["sh_compare"]


def training_job(x, y, width, lam, steps, compare):
    def run(job):
        from engine.train import train

        nets = {}
        plan = [("decay", lam, f"with λ = {lam:g}")] + ([("plain", 0.0, "without weight decay")] if compare else [])
        for i, (name, decay, label) in enumerate(plan):
            for snap in train(x, y, width=width, lam=decay, steps=steps, seed=0, snapshot_every=max(steps // 20, 10),
                              stop=lambda: job.stopping):
                job.report((i + snap.step / steps) / len(plan),
                           f"{label}: step {snap.step}/{steps} on {snap.device} · {snap.elapsed:.1f} s")
            job.check()
            nets[name] = snap.net
        nets.setdefault("plain", None)
        return nets
    return run


def networks(source, width, lam, steps, compare):
    """(x, y, nets {"decay", "plain", "curves"}) for the options, or None while they train."""
    if source == FROM_MULTITASK:
        run = st.session_state["tr_run"]
        x = np.asarray(run["key"][0], float)
        st.caption(f"The last network trained on the Multi-task page: width {run['last'].net.width}, "
                   f"{run['last'].net.tasks} task(s).")
        key, fresh = ("mt", id(run["last"])), {"decay": run["last"].net, "plain": None}
    else:
        x, y = (np.asarray(v, float) for v in preset_points(source))
        key, fresh = ("shallow", source, width, lam, steps, compare), None
    if long_run.job("sh") and long_run.job("sh").state == "stopped":
        st.session_state["sh_stopped"] = key
    if done := long_run.take("sh"):
        st.session_state["sh_nets"] = {"key": done.key, **done.result}
    nets = st.session_state.get("sh_nets")
    if nets is None or nets["key"] != key:
        if fresh is None:
            if st.session_state.get("sh_stopped") == key and not st.button("Train the nets", type="primary",
                                                                            help=long_run.budget_help()):
                return None
            st.session_state.pop("sh_stopped", None)
            long_run.start("sh", key, training_job(x, y, width, lam, steps, compare), "Training the shallow nets")
            long_run.follow("sh")
            return None
        nets = st.session_state["sh_nets"] = {"key": key, **fresh}
    net = nets["decay"]
    if source == FROM_MULTITASK:
        y = net(x)[:, 0]
    if "curves" not in nets:   # error against K does not depend on the slider: once per trained net
        ks = list(range(1, min(net.width, KMAX) + 1))
        nets["curves"] = {f"λ = {lam:g}": sharing_errors(net, x, ks)}
        if nets["plain"] is not None:
            nets["curves"]["λ = 0 (no weight decay)"] = sharing_errors(nets["plain"], x, ks)
    return x, y, nets


def k_slider(net, exact_k, key):
    kmax = int(min(net.width, KMAX))
    if st.session_state.get("sh_k_for") not in (None, key) or not 1 <= st.session_state["sh_k"] <= kmax:
        st.session_state["sh_k"] = min(max(exact_k, 1), kmax)   # new data or λ: start at the exact knot count
    st.session_state["sh_k_for"] = key
    return st.slider("K: shared neurons", 1, kmax, key="sh_k",
                     help=f"1 … min(width, {KMAX}). Starts at the exact minimiser's number of knots for each data "
                          "set and λ.")


def sharing_view(x, y, net, nets, k, lam, exact_k):
    out = share_neurons(net, k, inputs=x)
    grid = np.linspace(x.min() - 0.5, x.max() + 0.5, 401)
    positions, masses = data_knots(net, x)
    left, right = st.columns([3, 2])
    chart(shallow_figure(x, y, grid, net(grid)[:, 0], out.net(grid)[:, 0], positions, masses,
                         knots(out.net), out.k), left)
    chart(error_vs_k_figure(list(range(1, len(nets["curves"][f"λ = {lam:g}"]) + 1)), nets["curves"],
                            exact_k), right)
    err = float(nets["curves"][f"λ = {lam:g}"][k - 1])
    m = st.columns(4)
    m[0].metric("Neurons after sharing", f"{out.k} of {net.width}")
    m[1].metric("Max error at the data", f"{err:.2e}")
    m[2].metric("Representation cost", f"{out.net.representation_cost():.4g}",
                f"{out.net.representation_cost() - net.representation_cost():+.2e} vs trained", delta_color="off")
    m[3].metric("Compression ratio", f"{out.ratio:.1f}×")
    rows = [{"network": f"trained, width {net.width}", "neurons": net.width, "max error at the data": 0.0,
             "representation cost": net.representation_cost(), "compression ratio": 1.0},
            {"network": f"after sharing, K = {k}", "neurons": out.k, "max error at the data": err,
             "representation cost": out.net.representation_cost(), "compression ratio": out.ratio}]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    return out


st.title("Compression by weight sharing: a shallow net")
st.caption("Wide one-hidden-layer ReLU nets on 1-D data: cluster the neurons' knots into K shared ones and add up "
           "their output weights. With weight decay the trained knots sit where the exact minimiser's are.")
st.page_link("views/compress_digits.py", label="← Weight sharing in a digits CNN")
URL = url_table()
for problem in URL.restore():
    st.warning(problem)
source, width, lam, steps, compare = options()
st.latex(r"\begin{gathered}\min\ \tfrac12\sum_i (f(x_i)-y_i)^2 + \tfrac{\lambda}{2}\sum_k (a_k^2 + w_k^2),\\ "
         r"a\,\sigma(wx-b) = a|w|\,\sigma(\pm(x - t)),\ t = b/w\end{gathered}")
trained = networks(source, width, lam, steps, compare)
if trained is None:
    URL.write()
    st.stop()
x, y, nets = trained
net = nets["decay"]
exact_k = exact_knot_count(x, y, lam) if net.tasks == 1 else 1
k = k_slider(net, exact_k, nets["key"])
URL.write()
out = sharing_view(x, y, net, nets, k, lam, exact_k)
st.caption(f"The exact minimiser of the same objective (engine.interpolate, λ = {lam:g}) has **{exact_k}** knot(s). "
           "Weight decay drives the trained neurons onto those knots — or, where the minimiser is not unique (a "
           "convex or concave run), anywhere between the same two data points, where merging them changes nothing at "
           "the data — so K = that number loses almost nothing; without it the knots spread and sharing costs accuracy. "
           "Units whose knot lies outside the data are affine there and are folded into the skip connection first.")
st.download_button("Compressed network (JSON)", json.dumps({"k": out.k, "net": out.net.to_dict(),
                                                             "labels": out.labels.tolist()}),
                   "compressed_shallow_net.json", "application/json")
