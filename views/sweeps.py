"""Sweeps: run a small sweep on the local Dask cluster, open a sweep's results (Parquet) and plot a
result against a parameter with error bars over the seeds (docs/sweeps.md).

No path comes from the user: sweeps run here are written to the server's results folder
(engine.sweep.files) and opened from it by name; a sweep runs as a long job of the shared pool
(ui.long_run: one per session, within the session's time budget)."""
import hashlib
import json
import os
from pathlib import Path

import streamlit as st

from engine import DataError
from engine.sweep import EXPERIMENTS, check_within, load_spec, over_seeds, plottable, read_results, run_sweep, varying
from engine.sweep.files import list_results, resolve
from engine.sweep.spec import MAX_ROWS as SPEC_MAX_ROWS
from ui import long_run
from ui.sweep_figure import over_seeds_figure

CPUS = max(2, os.cpu_count() or 1)
MAX_ROWS = 60
LIMITS = {"uniqueness": {"n_points": 100, "tasks": 10},
          "kernel_regime": {"steps": 2000, "width": 200, "tasks": 101},
          "compress": {"baseline_epochs": 5, "epochs": 5, "finetune_epochs": 2}}
EXAMPLES = {
    "uniqueness": {"experiment": "uniqueness", "grid": {"tasks": [1, 2, 3], "n_points": [5, 10, 20]}, "seeds": 5},
    "kernel_regime": {"experiment": "kernel_regime", "grid": {"tasks": [1, 11, 101], "width": [30], "steps": [300]},
                      "seeds": 3},
    "compress": {"experiment": "compress", "grid": {"method": ["kmeans", "scalar"], "k": [2, 8],
                                                    "baseline_epochs": [3], "finetune_epochs": [0]}, "seeds": 2},
}

st.title("Sweeps")
st.caption("The papers' experiments over grids of parameters and many seeds, one row per grid point × seed, run on "
           "Dask (a local cluster here; `python -m engine sweep SPEC.json --out FILE.parquet` on a laptop or a "
           "cluster) and stored in a resumable Parquet file with the spec, package versions and machine.")

def sweep_job(spec, out: Path, workers: int):
    """The sweep as a long job (ui.long_run): progress per row, Stop ends it with the rows so far saved."""
    def run(job):
        out.parent.mkdir(parents=True, exist_ok=True)
        return run_sweep(spec, out, workers=workers, stop=lambda: job.stopping,
                         on_progress=lambda d, t: job.report(d / t, f"{d} of {t} rows"))
    return run


def run_panel() -> None:
    """The spec, the Run button and the sweep's job; the file goes to the server's results directory."""
    names = list(EXPERIMENTS)
    name = st.selectbox("Experiment (fills in an example spec)", names, key="sw_experiment",
                        format_func=lambda n: f"{n}: {EXPERIMENTS[n].summary}")
    params = EXPERIMENTS[name].params
    st.caption("Parameters: " + "; ".join(f"`{k}` ({p.help}, default {p.default})" for k, p in params.items()))
    limits = ", ".join(f"{k} ≤ {v:g}" for k, v in LIMITS[name].items())
    text = st.text_area("Spec (JSON)", json.dumps(EXAMPLES[name]), key=f"sw_spec_{name}", height=110,
                        help=f"Here at most {MAX_ROWS} rows (grid points × seeds) and {limits}; the CLI runs "
                             f"up to {SPEC_MAX_ROWS:,} rows.")
    workers = st.slider("Worker processes", 1, CPUS, min(2, CPUS), key="sw_workers",
                        help=f"Dask worker processes for this sweep, at most {CPUS} (the CPUs here).")
    try:
        spec = load_spec(json.loads(text))
        check_within(spec, MAX_ROWS, LIMITS[spec.experiment.name])
    except json.JSONDecodeError as err:
        st.error(f"The spec is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})")
        return
    except DataError as err:
        st.error(str(err))
        return
    out = f"{spec.experiment.name}-{hashlib.sha1(spec.to_json().encode()).hexdigest()[:8]}.parquet"
    st.caption(f"{len(spec)} rows into `{out}` in the results folder (the same spec resumes the same file).")
    if st.button("Run the sweep", type="primary", help=long_run.budget_help()):
        long_run.start("sw", (out, workers), sweep_job(spec, resolve(out), workers), "Running the sweep")
    if done := long_run.take("sw"):
        report = done.result
        st.session_state["sw_open"] = done.key[0]
        if report.stopped:
            st.info(f"Stopped: the rows finished so far are saved to `{done.key[0]}`; run again to resume.")
        st.success(f"{report.rows} of {report.expected} rows ({report.computed} computed now, "
                   f"{report.skipped} already there, {report.failed} failed) in {report.seconds:.1f} s.")
        if report.first_error:
            st.warning(f"First error: {report.first_error}")
    long_run.follow("sw")


with st.expander("Run a small sweep on this machine", expanded=False):
    run_panel()

st.subheader("Results")
source = st.radio("Open", ["From the results folder", "Upload"], horizontal=True, key="sw_source")
if source == "Upload":
    upload = st.file_uploader("A sweep's results (.parquet)", type=["parquet"], key="sw_upload")
    picked = upload.getvalue() if upload else None
    label = upload.name if upload else None
else:
    names = list_results()
    opened = st.session_state.get("sw_open")
    default = names.index(opened) if opened in names else 0
    choice = st.selectbox("Sweep", names, index=default, key="sw_file",
                          help="The sweeps in the server's results folder, newest first.") if names else None
    if not names:
        st.caption("No sweeps in the results folder yet.")
    try:
        picked = str(resolve(choice)) if choice else None
    except DataError as err:
        st.error(str(err))
        st.stop()
    label = choice
if picked is None:
    st.info("Run a sweep above, or pick or upload a results file.")
    st.stop()
try:
    table, meta = read_results(picked)
    exp = EXPERIMENTS.get(meta.get("spec", {}).get("experiment"))
    if exp is None:
        raise DataError(f"{label} holds an experiment this version does not know: {meta.get('spec', {}).get('experiment')!r}")
except DataError as err:
    st.error(str(err))
    st.stop()

machine, versions = meta.get("machine", {}), meta.get("versions", {})
st.markdown(f"**{exp.name}** · {meta['rows']} of {meta['rows_expected']} rows "
            f"({'complete' if meta['complete'] else 'incomplete: run the spec again to resume'}) · "
            f"{meta['failed']} failed · {machine.get('workers', '?')} workers on {machine.get('host', '?')} "
            f"({machine.get('cpus', '?')} CPUs, {machine.get('gpu_workers', 0)} GPU workers) · "
            f"dask {versions.get('dask', '?')}, torch {versions.get('torch', '?')}")
params = varying(table, exp) or list(exp.params)
c1, c2, c3 = st.columns(3)
x = c1.selectbox("Against", params, key="sw_x")
y = c2.selectbox("Result", plottable(exp), key="sw_y")
by = c3.selectbox("One curve per", ["—"] + [p for p in params if p != x], key="sw_by")
by = None if by == "—" else by
fixed = {}
others = [p for p in varying(table, exp) if p not in (x, by)]
if others:
    cols = st.columns(len(others))
    for col, p in zip(cols, others):
        fixed[p] = col.selectbox(p, sorted(table[p].unique()), key=f"sw_fix_{p}")
c1, c2, c3 = st.columns(3)
error = c1.radio("Error bars", ["std", "sem", "none"], horizontal=True, key="sw_error",
                 format_func={"std": "standard deviation", "sem": "standard error", "none": "none"}.get)
log_x = c2.checkbox("Log x", key="sw_logx", value=bool(table[x].dtype.kind in "if" and table[x].min() > 0
                                                            and table[x].max() > 20 * table[x].min()))
log_y = c3.checkbox("Log y", key="sw_logy")
points = over_seeds(table, exp, x, y, by, fixed)
st.plotly_chart(over_seeds_figure(points, x, y, by, None if error == "none" else error, log_x, log_y), width="stretch")
st.caption("Mean over the seeds at each point; error bars over the seeds (standard error = std/√n). Rows with an "
           "error are left out." + (f" Fixed: {', '.join(f'{k} = {v}' for k, v in fixed.items())}." if fixed else ""))
st.dataframe(points, width="stretch", hide_index=True)
with st.expander("All rows and the file's metadata"):
    st.dataframe(table.drop(columns=[c for c in ("task1",) if c in table]), width="stretch", hide_index=True)
    st.json({k: meta[k] for k in ("spec", "versions", "machine") if k in meta}, expanded=False)
