"""Compression page, digits CNN: train the uncompressed net once per (seed, epochs), compress it by a
chosen method with streaming progress and a stop button, and compare methods over K."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ui.compress_figure import (energy_figure, histogram_figure, progress_figure, tradeoff_figure,
                                usage_figure)
from ui.url_state import url_option, write_url

KS = [2, 4, 8, 16, 32, 64]
LAMS = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
SWEEP_KS = [2, 4, 8, 16, 32]


@st.cache_resource(show_spinner=False)
def _data(seed: int):
    """The digits split for a seed (read once per server, not on every rerun; never modified)."""
    from engine.compress.digits import load_data

    return load_data(seed)


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    """Trained baselines shared by all sessions: (seed, epochs, device) → (model, result, history)."""
    return {}


def _baseline(data, seed: int, epochs: int, device: str):
    from engine.compress.deep_kmeans import train_baseline

    key = (seed, epochs, device)
    if key not in _store():
        bar, chart = st.progress(0.0, text="Training the uncompressed CNN…"), st.empty()
        history = []
        for p in train_baseline(data, epochs=epochs, seed=seed, device=device):
            if p.stage == "train":
                history.append({"stage": "train", "step": p.epoch, "loss": p.loss, "accuracy": p.accuracy})
                bar.progress(p.epoch / epochs, text=f"Training the uncompressed CNN: epoch {p.epoch}/{epochs} "
                                                    f"on {p.device} · {p.elapsed:.1f} s")
                chart.plotly_chart(progress_figure(history), width="stretch")
        bar.empty(), chart.empty()
        _store()[key] = (p.model, p.result, history)
    return _store()[key]


def _options():
    from engine.compress.deep_kmeans import METHODS

    url_option("cp_method", "dkm", lambda s: s if s in METHODS else "dkm")
    url_option("cp_k", 8, lambda s: int(s) if int(s) in KS else 8)
    url_option("cp_lam", 1e-2, lambda s: float(s) if float(s) in LAMS else 1e-2)
    url_option("cp_epochs", 5, lambda s: min(max(int(s), 0), 30))
    url_option("cp_ft", 3, lambda s: min(max(int(s), 0), 10))
    url_option("cp_basis", "svd", lambda s: s if s in ("svd", "hard") else "svd")
    c = st.columns([2.2, 1.3, 1.3, 1.2, 1.2, 1.4])
    method = c[0].selectbox("Method", list(METHODS), format_func=METHODS.get, key="cp_method")
    mode = c[1].radio("Clusters", ["same K", "cluster rate", "per layer"], key="cp_kmode", horizontal=False)
    k, rate, per_layer = None, None, None
    if mode == "same K":
        k = c[2].selectbox("K per layer", KS, key="cp_k")
    elif mode == "cluster rate":
        rate = c[2].select_slider("Cluster rate K/rows", [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1], 0.01,
                                  key="cp_rate", format_func=lambda v: f"{100 * v:g}%")
    else:
        per_layer = {}
        for name, default in (("conv1", 4), ("conv2", 8), ("conv3", 8), ("fc", 16)):
            per_layer[name] = c[2].number_input(f"K {name}", 1, 256, default, key=f"cp_k_{name}")
    lam = c[3].selectbox("λ (regulariser)", LAMS, key="cp_lam", format_func=lambda v: f"{v:g}",
                         disabled=method != "dkm")
    epochs = c[4].number_input("Retrain epochs", 0, 30, key="cp_epochs", disabled=method != "dkm")
    finetune = c[5].number_input("Fine-tune centres (epochs)", 0, 10, key="cp_ft")
    with st.expander("More options: F refresh, baseline training"):
        d = st.columns(4)
        refresh = d[0].number_input("Refresh F every E epochs", 1, 10, 2, key="cp_refresh")
        basis = d[1].radio("F from", ["svd", "hard"], key="cp_basis", format_func={
            "svd": "truncated SVD (paper)", "hard": "k-means labels (hard)"}.get)
        base_epochs = d[2].number_input("Baseline epochs", 5, 60, 20, key="cp_base_epochs")
        seed = d[3].number_input("Seed", 0, 10_000, 0, key="cp_seed")
    return dict(method=method, k=k, rate=rate, per_layer=per_layer, lam=float(lam), epochs=int(epochs),
                finetune=int(finetune), refresh=int(refresh), basis=basis, base_epochs=int(base_epochs), seed=int(seed))


def digits_section() -> None:
    from engine.compress.deep_kmeans import METHODS, cluster_counts, compress, sweep
    from engine.train.trainer import default_device

    device = default_device()
    st.caption(f"scikit-learn's bundled 8×8 digits (1797 images; 75 % train, 25 % test), a CNN with three 3×3 "
               f"convolutions (16, 32, 32 channels) and a dense layer. Runs on **{device}**"
               + (" (no CUDA GPU here)." if device == "cpu" else "."))
    o = _options()
    write_url(cp_method=o["method"], cp_k=o["k"] or 8, cp_lam=f"{o['lam']:g}", cp_epochs=o["epochs"],
              cp_ft=o["finetune"], cp_basis=o["basis"])
    st.latex(r"\text{Deep k-means: }\ \mathcal L + \tfrac{\lambda}{2}\big[\operatorname{Tr}(W^\top W)-"
             r"\operatorname{Tr}(F^\top W^\top W F)\big],\qquad \nabla_W = \lambda W(I-FF^\top),\quad F^\top F = I")
    st.latex(r"\text{compression ratio} = \frac{N s\, b}{N\lceil\log_2 K\rceil + K s\, b}"
             r"\quad(N \text{ indexed rows of length } s,\ b = 32 \text{ bits})")
    st.caption("W (an s × N matrix) holds the N filter rows of length s = 3 of a conv layer (the dense layer is not "
               "penalised; it is shared as scalars). "
               "With F from a truncated SVD the term is (λ/2) times the sum of σᵢ²(W) over i > K, which is **exactly 0 "
               "right after every refresh when K ≥ s** (rank W ≤ s): the regulariser plot shows it. F from the k-means "
               "labels makes it (λ/2)·SSE instead, which keeps pulling rows to their centres.")
    data = _data(o["seed"])
    model, base, base_history = _baseline(data, o["seed"], o["base_epochs"], device)
    ks = cluster_counts(model, o["method"], k=o["k"], rate=o["rate"], per_layer=o["per_layer"])
    results = st.session_state.setdefault("cp_results", {}).setdefault((o["seed"], o["base_epochs"], device), [])
    b1, b2, b3, _ = st.columns([1, 2, 1, 1])
    run = b1.button("Compress", type="primary", width="stretch")
    run_sweep = b2.button(f"Compare methods (K = {', '.join(map(str, SWEEP_KS))})", width="stretch")
    if b3.button("Clear results", width="stretch"):
        results.clear()
        st.session_state.pop("cp_last", None)
    options = dict(lam=o["lam"], epochs=o["epochs"], refresh=o["refresh"], basis=o["basis"],
                   finetune_epochs=o["finetune"], seed=o["seed"])
    live = st.empty()
    if run:
        stop_slot = st.empty()
        stop_slot.button("Stop", key="cp_stop")   # a click reruns the page, which ends the run
        bar = st.progress(0.0, text="Compressing…")
        history = [dict(h) for h in base_history]
        offset = len(history)
        with live.container():
            chart, usage = st.empty(), st.empty()
        st.session_state["cp_last"] = None
        shown = None
        for p in compress(model, data, o["method"], ks, **options):
            if p.stage in ("retrain", "finetune"):
                if p.refreshed is not None:   # the regulariser right after the F refresh, at the epoch's start
                    history.append({"stage": "refresh", "step": offset, "regulariser": p.refreshed})
                offset += 1
                history.append({"stage": p.stage, "step": offset, "loss": p.loss, "accuracy": p.accuracy,
                                "regulariser": p.regulariser})
                chart.plotly_chart(progress_figure(history), width="stretch")
            if p.usage and p.usage != shown:   # identical figures would repeat an element id
                shown = p.usage
                usage.plotly_chart(usage_figure(p.usage), width="stretch", key=f"cp_usage_{p.stage}_{p.epoch}")
            total = max(p.epochs, 1)
            bar.progress(min(p.epoch / total, 1.0), text=f"{p.stage} {p.epoch}/{p.epochs} on {p.device} · {p.elapsed:.1f} s")
        bar.empty(), stop_slot.empty()
        results.append(p.result.to_dict())
        st.session_state["cp_last"] = {"model": p.model, "result": p.result, "history": history, "usage": p.usage}
    if run_sweep:
        bar = st.progress(0.0, text="Comparing methods…")
        for done, total, result in sweep(model, data, list(METHODS), SWEEP_KS, **options):
            results.append(result.to_dict())
            bar.progress(done / total, text=f"{done}/{total}: {METHODS[result.method]}, K = {min(result.ks.values())} "
                                            f"→ {100 * result.accuracy:.1f}% at {result.ratio:.1f}×")
        bar.empty()
    last = st.session_state.get("cp_last")
    if last and not run:
        with live.container():
            st.plotly_chart(progress_figure(last["history"]), width="stretch")
            st.plotly_chart(usage_figure(last["usage"]), width="stretch")
    _results(model, base, last, results, METHODS)


def _results(model, base, last, results, methods) -> None:
    if not last:
        st.info(f"Uncompressed test accuracy **{100 * base.accuracy:.1f}%** ({sum(p.numel() for p in model.parameters())} "
                "parameters). Press **Compress** to share its weights, or **Compare methods** for the accuracy–ratio curve.")
    else:
        r = last["result"]
        m = st.columns(5)
        m[0].metric("Test accuracy", f"{100 * r.accuracy:.1f}%", f"{100 * (r.accuracy - base.accuracy):+.1f} points")
        m[1].metric("Compression ratio", f"{r.ratio:.1f}×")
        m[2].metric("Entropy-coded", f"{r.ratio_entropy:.1f}×")
        m[3].metric("Time", f"{r.seconds:.1f} s")
        m[4].metric("Device", r.device)
        table = pd.DataFrame(r.layers).rename(columns={"rows": "indexed vectors", "row": "length", "k": "K"})
        st.dataframe(table[["name", "indexed vectors", "length", "K", "ratio", "ratio_entropy"]], hide_index=True,
                     width="stretch")
        names = [n for n in model.layers()]
        layer = st.selectbox("Layer for the histogram", names, key="cp_hist_layer")
        shared = last["model"].shared[layer]
        st.plotly_chart(histogram_figure(model.layers()[layer].weight.detach().cpu().numpy(),
                                         shared().detach().cpu().numpy(), shared.centres.detach().cpu().numpy(), layer),
                        width="stretch")
    c1, c2 = st.columns(2)
    if results:
        c1.plotly_chart(tradeoff_figure(results, base.accuracy, methods), width="stretch")
    c2.plotly_chart(energy_figure(base.energy, last["result"].energy if last else None), width="stretch")
    st.latex(r"E_{\text{compute}} = D B_w B_x + (D-1)(B_x + B_w + \lceil\log_2 D\rceil - 1)"
             r"\ \text{ full adders per } D\text{-dimensional dot product}")
    st.latex(r"E_W = N_w\,|W|\,B_w,\qquad E_X = N_x\,|X|\,B_x\qquad(N = \text{uses per image})")
    st.caption("8-bit weights and activations for the energy proxies. With sharing each weight read is a ⌈log₂K⌉-bit "
               "index (plus the codebook once); the arithmetic still uses the centres, so the compute cost is unchanged.")
    if last or results:
        export = {"baseline_accuracy": base.accuracy, "runs": results}
        d1, d2 = st.columns(2)
        d1.download_button("Results (JSON)", json.dumps(export, default=float), "compression_results.json",
                           "application/json", width="stretch")
        if last:
            shared = {name: {"centres": s.centres.detach().cpu().tolist(), "labels": s.labels.cpu().tolist(),
                             "shape": list(s.shape), "bias": getattr(last["model"], name).bias.detach().cpu().tolist()}
                      for name, s in last["model"].shared.items()}
            d2.download_button("Compressed model (JSON)", json.dumps(shared), "compressed_cnn.json", "application/json",
                               width="stretch")
