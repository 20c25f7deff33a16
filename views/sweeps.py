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
from ui.presentation import chart
from ui.url_params import Param, UrlParams, choice, dump_flag, flag, text as max_text

CPUS = max(2, os.cpu_count() or 1)
MAX_ROWS = 60
SOURCES = ["From the results folder", "Upload"]
ERRORS = {"std": "standard deviation", "sem": "standard error", "none": "none"}
NO_CURVES = "—"


def parse_fixed(value: str) -> dict[str, str]:
    """``"p=v;q=w"`` → {p: v, q: w}: the values the results view holds fixed (matched to the file's values as text)."""
    pairs = [part.split("=", 1) for part in value.split(";") if part]
    if any(len(pair) != 2 or not pair[0] for pair in pairs):
        raise ValueError("expected name=value;name=value")
    return dict(pairs)


def dump_fixed(fixed: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in fixed.items())


def parse_auto_flag(value: str) -> bool | None:
    """"" (chosen from the data, e.g. a log x-axis for a wide positive range), "0" or "1"."""
    return None if value == "" else flag(value)


# The results view (which file of the results folder, what is plotted against what, the fixed values, error
# bars, log axes) is in the link (a file by name only: resolved inside the server's folder, engine.sweep.files); a file's parameters are known only once it is read, so those are checked against it then.
URL = UrlParams(
    Param("sw_source", SOURCES[0], choice(SOURCES)),
    Param("sw_file", "", max_text(300)),
    Param("sw_x", "", max_text(100)),
    Param("sw_y", "", max_text(100)),
    Param("sw_by", NO_CURVES, max_text(100)),
    Param("sw_fix", {}, parse_fixed, dump_fixed),
    Param("sw_error", "std", choice(list(ERRORS))),
    Param("sw_logx", None, parse_auto_flag, lambda v: "" if v is None else dump_flag(v)),
    Param("sw_logy", False, flag, dump_flag),
)


def pick(key: str, options: list, what: str, known: list | None = None):
    """Keep ``st.session_state[key]`` one of ``options`` (the first when it is not); say so when the value
    is not one of ``known`` (default ``options``) at all, e.g. a link made for another file."""
    value = st.session_state.get(key)
    if value not in options:
        if value not in (None, "", NO_CURVES) and value not in (known or options):
            st.warning(f"The {what} `{value}` is not in this file; showing `{options[0]}`.")
        st.session_state[key] = options[0]
    return st.session_state[key]


def stop():
    URL.write()
    st.stop()


def auto_log_x():
    st.session_state["sw_logx"] = None   # a new x: the log axis is chosen from its values again


def fix_changed(p):
    st.session_state["sw_fix"] = {**st.session_state["sw_fix"], p: str(st.session_state[f"sw_fix_{p}"])}

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
for problem in URL.restore():
    st.warning(problem)
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
        st.session_state.update(sw_source=SOURCES[0], sw_file=done.key[0])   # the results view opens it
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
source = st.radio("Open", SOURCES, horizontal=True, key="sw_source")
if source == "Upload":
    upload = st.file_uploader("A sweep's results (.parquet)", type=["parquet"], key="sw_upload")
    picked = upload.getvalue() if upload else None
    label = upload.name if upload else None
else:
    names = list_results()
    if names and st.session_state.get("sw_file") not in names:   # the newest, unless the link or a run named one
        if st.session_state.get("sw_file"):
            st.warning(f"The results file `{st.session_state['sw_file']}` is not in the results folder; "
                       f"showing `{names[0]}`.")
        st.session_state["sw_file"] = names[0]
    choice_ = st.selectbox("Sweep", names, key="sw_file",
                           help="The sweeps in the server's results folder, newest first.") if names else None
    if not names:
        st.caption("No sweeps in the results folder yet.")
    try:
        picked = str(resolve(choice_)) if choice_ else None
    except DataError as err:
        st.error(str(err))
        st.stop()
    label = choice_
if picked is None:
    st.info("Run a sweep above, or pick or upload a results file.")
    stop()
try:
    table, meta = read_results(picked)
    exp = EXPERIMENTS.get(meta.get("spec", {}).get("experiment"))
    if exp is None:
        raise DataError(f"{label} holds an experiment this version does not know: {meta.get('spec', {}).get('experiment')!r}")
except DataError as err:
    st.error(str(err))
    stop()

machine, versions = meta.get("machine", {}), meta.get("versions", {})
st.markdown(f"**{exp.name}** · {meta['rows']} of {meta['rows_expected']} rows "
            f"({'complete' if meta['complete'] else 'incomplete: run the spec again to resume'}) · "
            f"{meta['failed']} failed · {machine.get('workers', '?')} workers on {machine.get('host', '?')} "
            f"({machine.get('cpus', '?')} CPUs, {machine.get('gpu_workers', 0)} GPU workers) · "
            f"dask {versions.get('dask', '?')}, torch {versions.get('torch', '?')}")
params = varying(table, exp) or list(exp.params)
c1, c2, c3 = st.columns(3)
pick("sw_x", params, "x-axis")
x = c1.selectbox("Against", params, key="sw_x", on_change=auto_log_x)
pick("sw_y", plottable(exp), "result")
y = c2.selectbox("Result", plottable(exp), key="sw_y")
curves = [NO_CURVES] + [p for p in params if p != x]
pick("sw_by", curves, "curve parameter", known=params)   # the new x itself: no curves, silently
by = c3.selectbox("One curve per", curves, key="sw_by")
by = None if by == NO_CURVES else by
fixed, wanted = {}, st.session_state["sw_fix"]
others = [p for p in varying(table, exp) if p not in (x, by)]
if others:
    cols = st.columns(len(others))
    for col, p in zip(cols, others):
        values = sorted(table[p].unique())
        by_text = {str(v): v for v in values}
        st.session_state[f"sw_fix_{p}"] = by_text.get(wanted.get(p), values[0])
        fixed[p] = col.selectbox(p, values, key=f"sw_fix_{p}", on_change=fix_changed, args=(p,))
st.session_state["sw_fix"] = {p: str(v) for p, v in fixed.items()}
c1, c2, c3 = st.columns(3)
error = c1.radio("Error bars", list(ERRORS), horizontal=True, key="sw_error", format_func=ERRORS.get)
if st.session_state["sw_logx"] is None:   # a wide positive range: log x
    st.session_state["sw_logx"] = bool(table[x].dtype.kind in "if" and table[x].min() > 0
                                       and table[x].max() > 20 * table[x].min())
log_x = c2.checkbox("Log x", key="sw_logx")
log_y = c3.checkbox("Log y", key="sw_logy")
URL.write()
points = over_seeds(table, exp, x, y, by, fixed)
chart(over_seeds_figure(points, x, y, by, None if error == "none" else error, log_x, log_y))
st.caption("Mean over the seeds at each point; error bars over the seeds (standard error = std/√n). Rows with an "
           "error are left out." + (f" Fixed: {', '.join(f'{k} = {v}' for k, v in fixed.items())}." if fixed else ""))
st.dataframe(points, width="stretch", hide_index=True)
with st.expander("All rows and the file's metadata"):
    st.dataframe(table.drop(columns=[c for c in ("task1",) if c in table]), width="stretch", hide_index=True)
    st.json({k: meta[k] for k in ("spec", "versions", "machine") if k in meta}, expanded=False)
