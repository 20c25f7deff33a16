"""Compression page, shallow nets: train a wide ReLU net on 1-D data with and without weight decay,
share its neurons (K knots), and compare the function, its error at the data and its cost."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from ui.compress_figure import error_vs_k_figure, shallow_figure
from ui.url_state import url_option, write_url

WIDTHS = [50, 100, 200, 500, 1000]
LAMS = [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
FROM_MULTITASK = "Network trained on the Multi-task page"


def _train(x, y, width, lam, steps, seed, label, bar, share):
    from engine.train import train

    snap = None
    for snap in train(x, y, width=width, lam=lam, steps=steps, seed=seed, snapshot_every=max(steps // 20, 10)):
        bar.progress(min(share[0] + share[1] * snap.step / steps, 1.0),
                     text=f"Training {label}: step {snap.step}/{steps} on {snap.device} · {snap.elapsed:.1f} s")
    return snap.net


def shallow_section() -> None:
    from engine.compress.shallow import exact_knot_count, share_neurons, sharing_errors
    from engine.rnorm.finite import canonical_units
    from engine.univariate.presets import GENERATED, PRESETS, preset_points

    sources = [*PRESETS, *GENERATED]
    trained = st.session_state.get("tr_run")
    if trained and trained.get("last") is not None and trained["last"].net.tasks >= 1:
        sources.append(FROM_MULTITASK)
    url_option("sh_data", sources[0], lambda s: s if s in sources else sources[0])
    url_option("sh_lam", 1e-2, lambda s: float(s) if float(s) in LAMS else 1e-2)
    c = st.columns(5)
    source = c[0].selectbox("Data", sources, key="sh_data")
    width = c[1].selectbox("Width (neurons)", WIDTHS, index=2, key="sh_width")
    lam = c[2].selectbox("Weight decay λ", LAMS, key="sh_lam", format_func=lambda v: f"{v:g}")
    steps = c[3].selectbox("Adam steps", [1000, 2000, 3000, 5000], index=2, key="sh_steps")
    compare = c[4].checkbox("Compare with λ = 0", True, key="sh_compare",
                          help="Also train the same net without weight decay and show its error against K.")
    write_url(sh_data=source, sh_lam=f"{lam:g}")
    st.latex(r"\min\ \tfrac12\sum_i (f(x_i)-y_i)^2 + \tfrac{\lambda}{2}\sum_k (a_k^2 + w_k^2),\qquad "
             r"a\,\sigma(wx-b) = a|w|\,\sigma(\pm(x - t)),\ t = b/w")
    if source == FROM_MULTITASK:
        net0 = trained["last"].net
        x, y = np.asarray(trained["key"][0], float), None
        st.caption(f"The last network trained on the Multi-task page: width {net0.width}, {net0.tasks} task(s).")
    else:
        x, y = (np.asarray(v, float) for v in preset_points(source))
    key = ("shallow", source, width, lam, steps, compare) if source != FROM_MULTITASK else ("mt", id(trained["last"]))
    nets = st.session_state.get("sh_nets")
    if nets is None or nets["key"] != key:
        if source == FROM_MULTITASK:
            nets = {"key": key, "decay": net0, "plain": None}
        else:
            bar = st.progress(0.0, text="Training…")
            share = (0.5, 0.5) if compare else (1.0, 0)
            decay = _train(x, y, width, lam, steps, 0, f"with λ = {lam:g}", bar, (0.0, share[0]))
            plain = _train(x, y, width, 0.0, steps, 0, "without weight decay", bar, (0.5, 0.5)) if compare else None
            bar.empty()
            nets = {"key": key, "decay": decay, "plain": plain}
        st.session_state["sh_nets"] = nets
    net = nets["decay"]
    if y is None:
        y = net(x)[:, 0]
    exact_k = exact_knot_count(x, y, lam) if net.tasks == 1 else 1
    kmax = int(min(net.width, 40))
    ks = list(range(1, kmax + 1))
    if "curves" not in nets:   # error against K does not depend on the slider: once per trained net
        nets["curves"] = {f"λ = {lam:g}": sharing_errors(net, x, ks)}
        if nets["plain"] is not None:
            nets["curves"]["λ = 0 (no weight decay)"] = sharing_errors(nets["plain"], x, ks)
    k = st.slider("K: shared neurons", 1, kmax, min(max(exact_k, 1), kmax), key=f"sh_k_{hash(key)}",
                  help="Starts at the exact minimiser's number of knots for each data set and λ.")
    out = share_neurons(net, k, inputs=x)
    grid = np.linspace(x.min() - 0.5, x.max() + 0.5, 401)
    n, beta, A, _, _ = canonical_units(net.w, net.b, net.a)
    inside = (beta > x.min() - 1e-9) & (beta < x.max() + 1e-9)
    masses = np.linalg.norm(A, axis=1)
    left, right = st.columns([3, 2])
    left.plotly_chart(shallow_figure(x, y, grid, net(grid)[:, 0], out.net(grid)[:, 0], beta[inside], masses[inside],
                                     out.net.b / out.net.w[:, 0] if out.k else np.zeros(0), out.k), width="stretch")
    right.plotly_chart(error_vs_k_figure(ks, nets["curves"], exact_k), width="stretch")
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
    st.caption(f"The exact minimiser of the same objective (engine.interpolate, λ = {lam:g}) has **{exact_k}** knot(s). "
               "Weight decay drives the trained neurons onto those knots — or, where the minimiser is not unique (a "
               "convex or concave run), anywhere between the same two data points, where merging them changes nothing at "
               "the data — so K = that number loses almost nothing; without it the knots spread and sharing costs accuracy. Units whose knot lies outside the data "
               "are affine there and are folded into the skip connection first.")
    st.download_button("Compressed network (JSON)", json.dumps({"k": out.k, "net": out.net.to_dict(),
                                                                 "labels": out.labels.tolist()}),
                       "compressed_shallow_net.json", "application/json")
