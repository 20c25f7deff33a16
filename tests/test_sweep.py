"""Sweeps on a LocalCluster with 2 worker processes: rows against a plain loop, resume after a stop
and after the sweeping process is killed, a worker killed mid-sweep, bad specs, no GPU → CPU."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.cli import main
from engine.sweep import EXPERIMENTS, load_spec, read_results, row_key, run_sweep

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[1]
SPEC = {"experiment": "uniqueness", "grid": {"tasks": [1, 2], "n_points": [5, 9], "layout": ["random", "uniform"]},
        "seeds": 3}
MANY = {"experiment": "uniqueness", "grid": {"n_points": [400], "tasks": [10]}, "seeds": 40}   # ~15 ms a row: a stop or a kill lands mid-sweep
# 8 rows a task: many tasks. Enough rows that the sweep is still running when its first part file appears
# (a row takes ~3 ms since the one-task solvers got faster: 240 rows could all finish before the kill).
SLOW = {"experiment": "uniqueness", "grid": {"n_points": [400]}, "seeds": 2400}
N_SLOW = SLOW["seeds"]


@pytest.fixture(scope="module")
def client():
    from engine.sweep.runner import local_cluster
    from distributed import Client

    with local_cluster(2) as cluster, Client(cluster) as c:
        yield c


def plain_loop(spec):
    exp = spec.experiment
    return [exp.run({k: r[k] for k in exp.params}, r["seed"], "cpu") for r in spec.rows()]


def check_against_loop(table: pd.DataFrame, spec):
    rows = spec.rows()
    assert len(table) == len(rows) and table["row"].is_unique
    assert table["row"].tolist() == [row_key(spec.experiment.name, r) for r in rows]
    assert table["error"].isna().all()
    for (_, got), want, params in zip(table.iterrows(), plain_loop(spec), rows):
        assert {k: got[k] for k in params} == params
        for k, v in want.items():
            assert got[k] == v, (k, params)


def test_rows_match_a_plain_loop_and_metadata(client, tmp_path, monkeypatch):
    from dataclasses import replace

    from engine.sweep import runner

    monkeypatch.setattr(runner, "WINDOW", 3)   # 8 tasks in flight (4 per worker thread), refilled as they finish
    monkeypatch.setitem(EXPERIMENTS, "uniqueness", replace(EXPERIMENTS["uniqueness"], batch=1))   # a task per row
    spec = load_spec(SPEC)
    report = run_sweep(spec, tmp_path / "u.parquet", client=client)
    assert (report.rows, report.expected, report.computed, report.failed, report.lost) == (24, 24, 24, 0, 0)
    table, meta = read_results(tmp_path / "u.parquet")
    check_against_loop(table, spec)
    assert meta["complete"] and meta["spec"] == spec.raw and meta["versions"]["dask"]
    assert meta["machine"]["workers"] == 2 and meta["machine"]["cpus"] == os.cpu_count()
    assert set(table["device"]) == {"cpu"} and not (tmp_path / "u.parquet.parts").exists()
    # bias-free uniqueness of one Gaussian task fails often, of two tasks (almost surely) never
    assert not table.loc[table.tasks == 1, "unique_bias_free"].all() and table.loc[table.tasks == 2, "unique_bias_free"].all()


def test_stop_then_resume_computes_only_the_missing_rows(client, tmp_path):
    spec, out = load_spec(MANY), tmp_path / "r.parquet"
    seen = []
    first = run_sweep(spec, out, client=client, on_progress=lambda d, t: seen.append(d), stop=lambda: seen[-1] >= 5)
    assert first.stopped and 5 <= first.rows < 40
    before, meta = read_results(out)
    assert not meta["complete"] and meta["rows"] == first.rows
    second = run_sweep(spec, out, client=client)
    assert (second.skipped, second.computed, second.rows) == (first.rows, 40 - first.rows, 40)
    after, meta = read_results(out)
    check_against_loop(after, spec)
    kept = after.set_index("row").loc[before["row"]]
    assert (kept["seconds"].to_numpy() == before["seconds"].to_numpy()).all()   # not recomputed
    assert meta["complete"] and [r["computed"] for r in meta["runs"]] == [first.rows, 40 - first.rows]
    # a grown grid reuses the finished rows
    grown = load_spec({**MANY, "seeds": 48})
    third = run_sweep(grown, out, client=client)
    assert (third.skipped, third.computed, third.rows) == (40, 8, 48)


def test_a_killed_sweep_resumes_from_its_part_files(client, tmp_path):
    spec_path, out = tmp_path / "slow.json", tmp_path / "s.parquet"
    spec_path.write_text(json.dumps(SLOW))
    address = client.scheduler.address   # the CLI as a second client of the test cluster
    proc = subprocess.Popen([sys.executable, "-m", "engine", "sweep", str(spec_path), "--out", str(out), "--scheduler", address],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parts = out.with_name(out.name + ".parts")
    try:
        deadline = time.monotonic() + 60
        while not list(parts.glob("*.parquet")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)   # before it consolidates
        proc.wait()
    assert list(parts.glob("*.parquet")) and not out.exists()
    spec = load_spec(SLOW)
    report = run_sweep(spec, out, client=client)
    assert 1 <= report.skipped < N_SLOW and report.computed == N_SLOW - report.skipped
    table, meta = read_results(out)
    assert table["row"].tolist() == [row_key("uniqueness", r) for r in spec.rows()] and table["error"].isna().all()
    first, last = plain_loop(load_spec({**SLOW, "seeds": [0, N_SLOW - 1]}))   # two rows' values (the rest: above)
    assert table.iloc[0][list(first)].to_dict() == first and table.iloc[-1][list(last)].to_dict() == last
    assert len(meta["runs"]) == 2 and not parts.exists()


@pytest.mark.parametrize("spec, message", [
    ({"experiment": "nope"}, "unknown experiment"),
    ({"experiment": "uniqueness", "grid": {"tasks": [0]}}, "grid.tasks"),
    ({"experiment": "uniqueness", "grid": {"width": [1]}}, "no parameter 'width'"),
    ({"experiment": "uniqueness", "grid": {"tasks": 2}}, "non-empty list"),
    ({"experiment": "uniqueness", "seeds": -1}, "seeds"),
    ({"experiment": "uniqueness", "grid": {"layout": ["grid"]}}, "not one of"),
    ({"experiment": "uniqueness", "grid": {"tasks": [1, 1.0]}}, "twice"),
    ({"experiment": "uniqueness", "extra": 1}, "unknown key"),
    ([1, 2], "JSON object"),
])
def test_bad_specs_exit_2_with_one_line(tmp_path, capsys, spec, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    assert main(["sweep", str(path), "--out", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not list(tmp_path.glob("x.parquet*"))


def test_bad_json_and_foreign_output(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("{")
    assert main(["sweep", str(path), "--out", str(tmp_path / "x.parquet")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    path.write_text(json.dumps(SPEC))
    foreign = tmp_path / "foreign.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(foreign)
    assert main(["sweep", str(path), "--out", str(foreign)]) == 2
    err = capsys.readouterr().err
    assert "not a sweep's results" in err and err.count("\n") == 1
    for options in (["--workers", "0"], ["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"]):
        assert main(["sweep", str(path), "--out", str(tmp_path / "y.parquet"), *options]) == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_without_a_gpu_torch_rows_run_on_the_cpu(client, tmp_path):
    from engine.sweep.runner import local_gpus

    assert local_gpus() == 0   # this machine; the local cluster then advertises no GPU resource
    assert all(not w.get("resources") for w in client.scheduler_info(n_workers=-1)["workers"].values())
    spec = load_spec({"experiment": "kernel_regime", "grid": {"tasks": [1], "width": [20], "lam": [0.01], "steps": [300]},
                      "seeds": 1})
    report = run_sweep(spec, tmp_path / "g.parquet", client=client)
    table, meta = read_results(tmp_path / "g.parquet")
    assert report.failed == 0 and table["device"].tolist() == ["cpu"] and meta["machine"]["gpu_workers"] == 0
    row = table.iloc[0]
    assert len(row["task1"]) == 41 ** 2 and np.isnan(row["distance_kernel_others"])   # T = 1: no other tasks
    assert row["objective_gap"] > -1e-6   # training cannot beat the exact minimum (the convex group lasso)
    assert EXPERIMENTS["kernel_regime"].torch and not EXPERIMENTS["uniqueness"].torch


# Last of the tests on the module's cluster: it leaves one worker while the nanny restarts the other.
def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(client, tmp_path):
    spec = load_spec(MANY)
    pids = client.run(os.getpid)
    killed = []

    def kill_one(done, total):
        if done >= 1 and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            killed.append(busy[0])
            os.kill(pids[busy[0]], signal.SIGKILL)

    report = run_sweep(spec, tmp_path / "k.parquet", client=client, on_progress=kill_one)
    assert killed and (report.rows, report.failed, report.lost) == (40, 0, 0)
    table, _ = read_results(tmp_path / "k.parquet")
    check_against_loop(table, spec)


def test_workers_never_run_the_parents_main_script(tmp_path, monkeypatch):
    """Under Streamlit ``__main__`` is the page script, installed again by every script run (other threads):
    a spawned worker must not run it, even if it is installed while the workers start."""
    import types
    from multiprocessing import spawn

    from engine.sweep.runner import _blank_main, local_cluster

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a sweep worker ran the page script')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    with _blank_main():
        monkeypatch.setitem(sys.modules, "__main__", page)   # what a Streamlit rerun does meanwhile
        data = spawn.get_preparation_data("worker")
    assert "init_main_from_path" not in data and "init_main_from_name" not in data
    cluster = local_cluster(1)   # __main__ is still the page script here
    try:
        assert len(cluster.scheduler_info["workers"]) == 1
    finally:
        cluster.close()
