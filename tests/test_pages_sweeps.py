"""AppTest for the Sweeps page: open a results file and plot it with error bars over seeds, refuse
a foreign file and an oversized spec, and run a small sweep on the local cluster as a long job of the
shared pool, into the server's results folder (no path typed by the user)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.sweep import load_spec
from engine.sweep.runner import execute_row
from engine.sweep.store import Store
from tests.long_jobs import finish
from ui import long_run

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views/sweeps.py")
pytestmark = pytest.mark.timeout(180)


def results_file(folder: Path) -> Path:
    """A sweep's file written without a cluster: the rows computed in-process, one part, consolidated."""
    spec = load_spec({"experiment": "uniqueness", "grid": {"tasks": [1, 2], "n_points": [5, 12]}, "seeds": 6})
    store = Store(folder / "u.parquet", spec)
    store.add([execute_row("uniqueness", r, "cpu") for r in spec.rows()], {"id": "t", "started": "2026"})
    store.consolidate()
    return folder / "u.parquet"


@pytest.fixture(autouse=True)
def results_folder(tmp_path, monkeypatch):
    """The server's results folder (engine.sweep.files) is the test's own."""
    monkeypatch.setenv("RELU_ATLAS_RESULTS_DIR", str(tmp_path))


def page(folder) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.text_input   # no path to type anywhere on the page
    return at


def test_opens_a_results_file_and_plots_means_with_error_bars(tmp_path):
    path = results_file(tmp_path)
    at = page(tmp_path)
    assert not at.exception and not at.error
    at.selectbox(key="sw_x").select("n_points").run()
    at.selectbox(key="sw_y").select("cost_bias_free").run()
    at.selectbox(key="sw_by").select("tasks").run()
    assert not at.exception
    shown = at.dataframe[0].value
    table = pd.read_parquet(path)
    want = table.groupby(["n_points", "tasks"])["cost_bias_free"].agg(["mean", "std", "count"]).reset_index()
    assert np.allclose(shown["mean"], want["mean"]) and np.allclose(shown["std"], want["std"])
    assert np.allclose(shown["sem"], want["std"] / np.sqrt(want["count"])) and (shown["n"] == 6).all()
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(fig["data"]) == 2 and fig["data"][0]["error_y"]["visible"]
    # a fraction: how often the bias-free interpolant is unique, per T (two tasks: always)
    at.selectbox(key="sw_y").select("unique_bias_free").run()
    at.selectbox(key="sw_by").select("—").run()
    at.selectbox(key="sw_x").select("tasks").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown.loc[shown.tasks == 2, "mean"].item() == 1.0   # fixed n_points = 5 (the first value)


def test_a_foreign_parquet_file_is_refused_in_one_message(tmp_path):
    pd.DataFrame({"a": [1.0]}).to_parquet(tmp_path / "other.parquet")
    at = page(tmp_path)
    assert not at.exception and "not a sweep's results" in at.error[0].value


def test_an_oversized_spec_is_refused_and_a_small_sweep_runs(tmp_path):
    at = page(tmp_path)
    assert "No sweeps in the results folder yet" in " ".join(c.value for c in at.caption)
    big = {"experiment": "uniqueness", "grid": {"n_points": [5, 6, 7]}, "seeds": 100}
    at.text_area(key="sw_spec_uniqueness").set_value(json.dumps(big)).run()
    assert not at.exception and "at most 60" in at.error[0].value
    small = {"experiment": "uniqueness", "grid": {"tasks": [1, 2]}, "seeds": 3}
    at.text_area(key="sw_spec_uniqueness").set_value(json.dumps(small)).run()
    at.slider(key="sw_workers").set_value(1).run()
    run = [b for b in at.button if b.label == "Run the sweep"][0]
    assert "per rolling hour" in run.help
    run.click().run()
    assert not at.exception and at.get("progress")   # the job runs in the pool: the page is back at once
    finish(at)
    assert not at.exception and not at.error
    assert "6 of 6 rows (6 computed now" in at.success[0].value
    assert len(list(tmp_path.glob("uniqueness-*.parquet"))) == 1
    assert at.selectbox(key="sw_file").value.startswith("uniqueness-")   # the new file is opened
    assert not long_run.active_jobs()


def test_only_safe_names_inside_the_folder_are_listed(tmp_path, monkeypatch):
    inside = tmp_path / "results"
    inside.mkdir()
    results_file(tmp_path)
    (inside / "escape.parquet").symlink_to(tmp_path / "u.parquet")   # a link out of the folder
    (inside / ".hidden.parquet").write_bytes(b"")
    monkeypatch.setenv("RELU_ATLAS_RESULTS_DIR", str(inside))
    at = page(inside)
    assert not at.exception and not at.error
    assert "No sweeps in the results folder yet" in " ".join(c.value for c in at.caption)
    results_file(inside)
    at.run()
    assert at.selectbox(key="sw_file").options == ["u.parquet"] and not at.exception


def link_of(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in ((k, at.query_params[k]) for k in at.query_params)}


def opened(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_the_results_view_is_in_the_link_and_a_link_reopens_it(tmp_path):
    """File, x, result, curves, the fixed value, error bars and log axes: URL → state → URL, same table."""
    results_file(tmp_path)
    (tmp_path / "newer.parquet").write_bytes((tmp_path / "u.parquet").read_bytes())   # the newest is the default
    at = opened({"sw_file": "u.parquet", "sw_x": "tasks", "sw_y": "cost_bias_free",
                 "sw_fix": "n_points=12", "sw_error": "sem", "sw_logy": "1"})
    assert not at.exception and not at.warning and not at.error
    assert at.selectbox(key="sw_file").value == "u.parquet" and at.selectbox(key="sw_x").value == "tasks"
    assert at.selectbox(key="sw_fix_n_points").value == 12 and at.radio(key="sw_error").value == "sem"
    assert at.checkbox(key="sw_logy").value and not at.checkbox(key="sw_logx").value
    shown = at.dataframe[0].value
    table = pd.read_parquet(tmp_path / "u.parquet")
    want = table[table.n_points == 12].groupby("tasks")["cost_bias_free"].mean()
    assert np.allclose(shown["mean"], want.values)
    at.selectbox(key="sw_fix_n_points").select(5).run()
    at.checkbox(key="sw_logx").check().run()
    link = link_of(at)
    assert link["sw_fix"] == "n_points=5" and link["sw_logx"] == "1" and link["sw_file"] == "u.parquet"
    again = opened(link)
    assert not again.exception and not again.warning
    assert link_of(again) == link
    assert again.dataframe[0].value.equals(at.dataframe[0].value)
    assert again.checkbox(key="sw_logx").value and again.selectbox(key="sw_fix_n_points").value == 5


def test_a_link_naming_what_the_file_lacks_says_so_and_shows_the_first(tmp_path):
    results_file(tmp_path)
    at = opened({"sw_x": "nope", "sw_error": "huge", "sw_fix": "junk"})
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    assert "`nope`" in warned and "`sw_error`" in warned and "`sw_fix`" in warned
    assert at.selectbox(key="sw_x").value == "tasks" and at.radio(key="sw_error").value == "std"
    assert link_of(at)["sw_x"] == "tasks"
