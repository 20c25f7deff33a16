"""Compression of a digits CNN by k-means weight sharing: Deep Compression (scalar; Han, Mao & Dally, ICLR 2016)
and Deep k-means (filter rows, with its retraining regulariser; Wu, Wang, Wang & Wang, ICML 2018)."""
import json

import pandas as pd
import streamlit as st

from engine.compress.baseline import load_baseline, stored, summary as stored_summary
from engine.compress.cli import MAX_CNN_EPOCHS
from engine.compress.methods import METHODS
from engine.compress import session
from engine.validation import DataError
from ui import long_run, reproduce, view_link
from ui.bounded_cache import BoundedCache, MiB
from ui.compress_data import digits
from ui.compress_figure import energy_figure, histogram_figure, progress_figure, tradeoff_figure, usage_figure
from ui.url_params import Param, UrlParams, choice, clamped_int, nearest
from ui.presentation import chart

SHALLOW = "Shallow ReLU net (1-D)"   # the old single page's other model (links with cp_model=…)
KS = [2, 4, 8, 16, 32, 64]
LAMS = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]
KMODES = ["same K", "cluster rate", "per layer"]
PER_LAYER = {"conv1": 4, "conv2": 8, "conv3": 8, "fc": 16}
SWEEP_KS = [2, 4, 8, 16, 32]
MAX_RESULTS = 200   # runs kept per session and baseline (older ones leave the trade-off plot)
MAX_K_LAYER = 256   # K of one layer (engine.compress.deep_kmeans.MAX_CHANNELS; capped at the layer's rows)
EPOCHS, FT_EPOCHS, REFRESH, BASE_EPOCHS, SEEDS = (0, 30), (0, 10), (1, 10), (5, 60), (0, 10_000)   # this page's ranges
URL = UrlParams(
    Param("cp_method", "dkm", choice(list(METHODS))),
    Param("cp_kmode", KMODES[0], choice(KMODES)),
    Param("cp_k", 8, nearest(KS)),
    Param("cp_rate", 0.01, nearest(RATES), lambda v: f"{v:g}"),
    *(Param(f"cp_k_{name}", k, clamped_int(1, MAX_K_LAYER)) for name, k in PER_LAYER.items()),
    Param("cp_lam", 1e-2, nearest(LAMS), lambda v: f"{v:g}"),
    Param("cp_epochs", 5, clamped_int(*EPOCHS)),
    Param("cp_ft", 3, clamped_int(*FT_EPOCHS)),
    Param("cp_refresh", 2, clamped_int(*REFRESH)),
    Param("cp_basis", "svd", choice(["svd", "hard"])),
    Param("cp_base_epochs", 20, clamped_int(*BASE_EPOCHS)),
    Param("cp_seed", 0, clamped_int(*SEEDS)),
)


@st.cache_resource(show_spinner=False)
def torch_device() -> str:
    """"cuda" when torch sees a GPU, else "cpu" (imports torch: called once the baseline is on screen)."""
    from engine.train.trainer import default_device

    return default_device()


def baselines() -> BoundedCache:
    """Baselines shared by all sessions: (seed, epochs) → (model, meta {"parameters", "history", "result"}),
    the least recently used dropped past 8 models or 64 MiB."""
    return BoundedCache.named("compress_digits.baselines", max_entries=8, max_bytes=64 * MiB)


def known_baseline(seed, epochs):
    """The baseline's meta if it needs no training (committed, or trained before), read without torch."""
    if (known := baselines().get((seed, epochs))) is not None:
        return known[1]
    return stored_summary() if stored(seed, epochs) else None


def options() -> dict:
    s = st.session_state
    c = st.columns([2.2, 1.3, 1.3, 1.2, 1.2, 1.4])
    c[0].selectbox("Method", list(METHODS), format_func=METHODS.get, key="cp_method")
    c[1].radio("Clusters", KMODES, key="cp_kmode")
    if s["cp_kmode"] == KMODES[0]:
        c[2].selectbox("K per layer", KS, key="cp_k", help=f"{KS[0]} … {KS[-1]} clusters per layer (capped at the "
                       f"layer's rows; per layer: up to {MAX_K_LAYER}).")
    elif s["cp_kmode"] == KMODES[1]:
        c[2].select_slider("Cluster rate K/rows", RATES, key="cp_rate", format_func=lambda v: f"{100 * v:g}%")
    else:
        for name in PER_LAYER:
            c[2].number_input(f"K {name}", 1, MAX_K_LAYER, key=f"cp_k_{name}",
                              help=f"1 … {MAX_K_LAYER} clusters (capped at the layer's rows).")
    c[3].selectbox("λ (regulariser)", LAMS, key="cp_lam", format_func=lambda v: f"{v:g}", disabled=s["cp_method"] != "dkm")
    c[4].number_input("Retrain epochs", *EPOCHS, key="cp_epochs", disabled=s["cp_method"] != "dkm",
                      help=f"{EPOCHS[0]} … {EPOCHS[1]} here; `python -m engine compress` up to {MAX_CNN_EPOCHS}.")
    c[5].number_input("Fine-tune centres (epochs)", *FT_EPOCHS, key="cp_ft",
                      help=f"{FT_EPOCHS[0]} … {FT_EPOCHS[1]} here; `python -m engine compress` up to {MAX_CNN_EPOCHS}.")
    with st.expander("More options: F refresh, baseline training"):
        d = st.columns(4)
        d[0].number_input("Refresh F every E epochs", *REFRESH, key="cp_refresh", help=f"E = {REFRESH[0]} … {REFRESH[1]}.")
        d[1].radio("F from", ["svd", "hard"], key="cp_basis",
                   format_func={"svd": "truncated SVD (paper)", "hard": "k-means labels (hard)"}.get)
        d[2].number_input("Baseline epochs", *BASE_EPOCHS, key="cp_base_epochs",
                          help=f"{BASE_EPOCHS[0]} … {BASE_EPOCHS[1]} here; `python -m engine compress` up to "
                               f"{MAX_CNN_EPOCHS}.")
        d[3].number_input("Seed", *SEEDS, key="cp_seed", help=f"{SEEDS[0]} … {SEEDS[1]}.")
    URL.write()
    mode = s["cp_kmode"]
    return dict(method=s["cp_method"], k=s["cp_k"] if mode == KMODES[0] else None,
                rate=s["cp_rate"] if mode == KMODES[1] else None,
                per_layer={n: int(s[f"cp_k_{n}"]) for n in PER_LAYER} if mode == KMODES[2] else None,
                seed=int(s["cp_seed"]), base_epochs=int(s["cp_base_epochs"]),
                run=dict(lam=float(s["cp_lam"]), epochs=int(s["cp_epochs"]), refresh=int(s["cp_refresh"]),
                         basis=s["cp_basis"], finetune_epochs=int(s["cp_ft"]), seed=int(s["cp_seed"])))


def method_formulas(method: str, finetune_epochs: int) -> None:
    """The objective of the chosen method, its compression ratio, and centre fine-tuning when it runs."""
    if method == "dkm":
        st.latex(r"\begin{gathered}\text{Deep k-means: }\ \mathcal L + \tfrac{\lambda}{2}\big[\operatorname{Tr}(W^\top W)-"
                 r"\operatorname{Tr}(F^\top W^\top W F)\big],\\ \nabla_W = \lambda W(I-FF^\top),\quad F^\top F = I"
                 r"\end{gathered}")
        st.caption("W (an s × N matrix) holds the N filter rows of length s = 3 of a conv layer (the dense layer is "
                   "not penalised; it is shared as scalars). With F from a truncated SVD the term is (λ/2) times the sum "
                   "of σᵢ²(W) over i > K, which is **exactly 0 right after every refresh when K ≥ s** (rank W ≤ s): the "
                   "regulariser plot shows it. F from the k-means labels makes it (λ/2)·SSE instead, which keeps pulling "
                   "rows to their centres. Then the rows are shared by k-means as below.")
    if method in ("dkm", "kmeans"):
        st.latex(r"\begin{gathered}\text{row-wise k-means: }\ \min_{c,\,\ell}\ \sum_{j=1}^{N}\|w_j - c_{\ell_j}\|^2"
                 r"\\ (w_j\in\mathbb R^{s}\text{ filter rows, k-means++; dense layer as scalars})\end{gathered}")
    else:
        st.latex(r"\begin{gathered}\text{Deep Compression: }\ \min_{c,\,\ell}\ \sum_{i=1}^{n}(w_i - c_{\ell_i})^2,\\ "
                 r"c_k^{(0)} = \min w + \tfrac{k-1}{K-1}(\max w - \min w)\quad(\text{every weight a scalar, linear init})"
                 r"\end{gathered}")
    if finetune_epochs:
        st.latex(r"\text{fine-tuning the shared centres: }\ \frac{\partial\mathcal L}{\partial c_k} = "
                 r"\sum_{i:\,\ell_i = k}\frac{\partial\mathcal L}{\partial W_i}")
    s = "s" if method in ("dkm", "kmeans") else "1"
    st.latex(r"\begin{gathered}\text{compression ratio} = \frac{N s\, b}{N\lceil\log_2 K\rceil + K s\, b}\\ (N \text{ indexed "
             + ("rows of length } s" if s == "s" else r"weights, } s = 1") + r",\ b = 32 \text{ bits})\end{gathered}")


def baseline_job(data, seed, epochs, device):
    def run(job):
        from engine.compress.deep_kmeans import train_baseline

        history = []
        for p in train_baseline(data, epochs=epochs, seed=seed, device=device, stop=lambda: job.stopping):
            if p.stage == "train":
                history = [*history, {"stage": "train", "step": p.epoch, "loss": p.loss, "accuracy": p.accuracy}]
                job.report(p.epoch / epochs, f"epoch {p.epoch}/{epochs} on {p.device} · {p.elapsed:.1f} s", history)
        job.check()   # a stopped baseline is not kept
        baselines()[(seed, epochs)] = (p.model, {"parameters": sum(q.numel() for q in p.model.parameters()),
                                                 "history": history, "result": p.result.to_dict()})
        return True
    return run


def auto_start(kind, key, label) -> bool:
    """Whether to start a job the page needs on arrival: yes, unless the user stopped it for this ``key``
    (then a button starts it again)."""
    stopped = long_run.job(kind)
    if stopped is not None and stopped.state == "stopped":
        st.session_state[f"{kind}_stopped"] = key
    long_run.take(kind)
    if st.session_state.get(f"{kind}_stopped") == key and not st.button(label, type="primary",
                                                                     help=long_run.budget_help()):
        return False
    st.session_state.pop(f"{kind}_stopped", None)
    return True


def baseline(data, seed, epochs, device):
    """(model, meta): the committed CNN (engine.compress.baseline), one trained before, or None while it
    trains in the worker pool (its progress shown)."""
    key = (seed, epochs)
    if key not in baselines() and stored(seed, epochs):
        baselines()[key] = load_baseline(device)
    if (known := baselines().get(key)) is not None:
        return known
    if not auto_start("cp_base", key, "Train the uncompressed CNN"):
        return None
    long_run.start("cp_base", key, baseline_job(data, seed, epochs, device), "Training the uncompressed CNN")
    long_run.follow("cp_base", lambda history: chart(progress_figure(history)))
    return None


def compress_job(model, data, method, ks, run_options, base_history):
    def run(job):
        from engine.compress.deep_kmeans import compress

        history, offset, usage = [dict(h) for h in base_history], len(base_history), None
        for p in compress(model, data, method, ks, stop=lambda: job.stopping, **run_options):
            if p.stage in ("retrain", "finetune"):
                if p.refreshed is not None:   # the regulariser right after the F refresh, at the epoch's start
                    history.append({"stage": "refresh", "step": offset, "regulariser": p.refreshed})
                offset += 1
                history.append({"stage": p.stage, "step": offset, "loss": p.loss, "accuracy": p.accuracy,
                                "regulariser": p.regulariser})
            usage = p.usage or usage
            job.report(p.epoch / max(p.epochs, 1), f"{p.stage} {p.epoch}/{p.epochs} on {p.device} · {p.elapsed:.1f} s",
                       {"history": list(history), "usage": usage})
        job.check()   # a run cut short by Stop is not a result: the last finished one stays on screen
        return {"model": p.model, "result": p.result, "history": history, "usage": p.usage}
    return run


def sweep_job(model, data, run_options):
    def run(job):
        from engine.compress.deep_kmeans import sweep

        results = []

        def progress(i, total, p):
            step = p.epoch / max(p.epochs, 1) if p.stage != "done" else 1.0
            job.report((i + step) / total, f"run {i + 1}/{total}, {p.stage} {p.epoch}/{p.epochs} · "
                                           f"{len(results)} finished", list(results))

        for done, total, result in sweep(model, data, list(METHODS), SWEEP_KS, stop=lambda: job.stopping,
                                         progress=progress, **run_options):
            results.append(result.to_dict())
            job.report(done / total, f"{done}/{total}: {METHODS[result.method]}, K = {min(result.ks.values())} "
                                     f"→ {100 * result.accuracy:.1f}% at {result.ratio:.1f}×", list(results))
        return results   # after a Stop: the runs finished before it
    return run


def live(data):
    chart(progress_figure(data["history"]))
    if data["usage"]:
        chart(usage_figure(data["usage"]))


def runs(model, data, o, base_history, results, base_accuracy):
    """The Compress / Compare / Clear buttons, their jobs, and the last finished compression (or None; it
    stays on screen while a new run trains, and a run stopped before its end does not replace it)."""
    from engine.compress.deep_kmeans import cluster_counts

    ks = cluster_counts(model, o["method"], k=o["k"], rate=o["rate"], per_layer=o["per_layer"])
    b1, b2, b3, _ = st.columns([1, 2, 1, 1])
    if b1.button("Compress", type="primary", width="stretch", help=long_run.budget_help()):
        long_run.start("cp", (o["method"], tuple(ks.items()), tuple(o["run"].items())),
                       compress_job(model, data, o["method"], ks, o["run"], base_history), "Compressing")
    if b2.button(f"Compare methods (K = {', '.join(map(str, SWEEP_KS))})", width="stretch",
                 help=long_run.budget_help()):
        long_run.start("cp_sweep", tuple(o["run"].items()), sweep_job(model, data, o["run"]), "Comparing methods")
    if b3.button("Clear results", width="stretch"):
        results.clear()
        st.session_state.pop("cp_last", None)
    if done := long_run.take("cp"):
        results.append(done.result["result"].to_dict())
        st.session_state["cp_last"] = done.result
    if done := long_run.take("cp_sweep"):
        results.extend(done.result)
        if done.state == "stopped":
            st.info(f"Comparing methods was stopped: the {len(done.result)} run(s) finished before the Stop are kept.")
    del results[:-MAX_RESULTS]   # the session's list stays bounded: the latest MAX_RESULTS runs

    def sweep_so_far(partial):
        if partial:
            chart(tradeoff_figure(results + partial, base_accuracy, METHODS))

    long_run.follow("cp_sweep", sweep_so_far)
    running = long_run.follow("cp", live)
    last = st.session_state.get("cp_last")
    if last and running:
        st.caption("Below: the last finished compression (it stays until this run ends).")
    elif last:
        live(last)
    return last


def restore(model, o, results) -> None:
    """A saved view's results (ui.view_link), shown without recomputing once its baseline is on screen."""
    if (saved := view_link.restored("compress")) is not None:
        st.session_state["cp_restore"] = saved
    saved = st.session_state.get("cp_restore")
    if saved is None or (saved["baseline"]["seed"], saved["baseline"]["epochs"]) != (o["seed"], o["base_epochs"]):
        return
    del st.session_state["cp_restore"]
    try:
        last = saved["last"] and {"model": session.rebuild(model, saved["last"]["shared"]),
                                  "result": session.result(saved["last"]["result"]),
                                  "history": saved["last"]["history"], "usage": saved["last"]["usage"]}
    except DataError as err:
        st.error(f"The saved view's compressed model does not fit this CNN ({err}); nothing was changed.")
        return
    results[:] = saved["runs"]
    if last:
        st.session_state["cp_last"] = last
    st.success(f"Opened a saved view: {len(saved['runs'])} result(s), shown as saved (not recomputed).")


def copy_as_code(o, device) -> None:
    """The Python and CLI text of the Compress button's run and of "Compare methods" (ui.reproduce)."""
    committed = stored(o["seed"], o["base_epochs"])
    reproduce.show([("Compress (these options)", reproduce.compress_call(o, device, committed),
                     reproduce.compress_cli(o)),
                    (f"Compare methods (K = {', '.join(map(str, SWEEP_KS))})",
                     reproduce.sweep_call(o, device, committed, SWEEP_KS), reproduce.sweep_cli(o, SWEEP_KS))])


def compressed(model, base, last):
    r = last["result"]
    m = st.columns(5)
    m[0].metric("Test accuracy", f"{100 * r.accuracy:.1f}%", f"{100 * (r.accuracy - base['accuracy']):+.1f} points")
    m[1].metric("Compression ratio", f"{r.ratio:.1f}×")
    m[2].metric("Entropy-coded", f"{r.ratio_entropy:.1f}×")
    m[3].metric("Time", f"{r.seconds:.1f} s")
    m[4].metric("Device", r.device)
    table = pd.DataFrame(r.layers).rename(columns={"rows": "indexed vectors", "row": "length", "k": "K"})
    st.dataframe(table[["name", "indexed vectors", "length", "K", "ratio", "ratio_entropy"]], hide_index=True,
                 width="stretch")
    layer = st.selectbox("Layer for the histogram", list(model.layers()), key="cp_hist_layer")
    shared = last["model"].shared[layer]
    chart(histogram_figure(model.layers()[layer].weight.detach().cpu().numpy(),
                           shared().detach().cpu().numpy(), shared.centres.detach().cpu().numpy(), layer))


def summary(model, base, last, results):
    c1, c2 = st.columns(2)
    if results:
        chart(tradeoff_figure(results, base["accuracy"], METHODS), c1)
    chart(energy_figure(base["energy"], last["result"].energy if last else None), c2)
    st.latex(r"\begin{gathered}E_{\text{compute}} = D B_w B_x + (D-1)(B_x + B_w + \lceil\log_2 D\rceil - 1)"
             r"\\ \text{ full adders per } D\text{-dimensional dot product}\end{gathered}")
    st.latex(r"E_W = N_w\,|W|\,B_w,\qquad E_X = N_x\,|X|\,B_x\qquad(N = \text{uses per image})")
    st.caption("8-bit weights and activations for the energy proxies. With sharing each weight read is a ⌈log₂K⌉-bit "
               "index (plus the codebook once); the arithmetic still uses the centres, so the compute cost is unchanged.")
    if last or results:
        d1, d2 = st.columns(2)
        d1.download_button("Results (JSON)", json.dumps({"baseline_accuracy": base["accuracy"], "runs": results},
                                                        default=float),
                           "compression_results.json", "application/json", width="stretch")
        if last:
            from engine.compress.deep_kmeans import shared_layers

            d2.download_button("Compressed model (JSON)", json.dumps(shared_layers(last["model"])),
                               "compressed_cnn.json", "application/json", width="stretch")


if st.query_params.get("cp_model") == SHALLOW:   # a link to the old page's shallow-net view
    st.switch_page("views/compress_shallow.py")
st.title("Compression by weight sharing: a digits CNN")
st.caption("k-means weight sharing stores each weight (or each filter row) as an index into K shared centres. "
           "Deep Compression clusters scalars (Han, Mao & Dally, ICLR 2016); Deep k-means clusters filter rows and "
           "retrains with a spectrally relaxed k-means penalty first (Wu, Wang, Wang & Wang, ICML 2018).")
st.page_link("views/compress_shallow.py", label="Sharing the neurons of a wide shallow net →")
for problem in URL.restore():
    st.warning(problem)
o = options()
meta = known_baseline(o["seed"], o["base_epochs"])   # shown before torch loads (a fresh server's first visit)
if meta:
    st.info(f"Uncompressed test accuracy **{100 * meta['result']['accuracy']:.1f}%** ({meta['parameters']} parameters, "
            f"{len(meta['history'])} epochs). Press **Compress** to share its weights, or **Compare methods** for the "
            "accuracy–ratio curve.")
method_formulas(o["method"], o["run"]["finetune_epochs"])
device = torch_device()
st.caption(f"scikit-learn's bundled 8×8 digits (1797 images; 75 % train, 25 % test), a CNN with three 3×3 "
           f"convolutions (16, 32, 32 channels) and a dense layer. Runs on **{device}**"
           + (" (no CUDA GPU here)." if device == "cpu" else "."))
data = digits(o["seed"])
trained = baseline(data, o["seed"], o["base_epochs"], device)
if trained is not None:   # no st.stop(): app.py draws "Save view" after the page
    model, meta = trained
    results = st.session_state.setdefault("cp_results", {}).setdefault((o["seed"], o["base_epochs"], device), [])
    restore(model, o, results)
    last = runs(model, data, o, meta["history"], results, meta["result"]["accuracy"])
    if last:
        compressed(model, meta["result"], last)
    summary(model, meta["result"], last, results)
    copy_as_code(o, device)
    view_link.offer_results(lambda: session.dump({"seed": o["seed"], "epochs": o["base_epochs"], "device": device},
                                                 list(results), last))
