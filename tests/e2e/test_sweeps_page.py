"""The Sweeps page in real Chromium: start a sweep on the local cluster (a long job of the shared pool),
stop it after some rows, find those rows kept in the server's results folder (consolidated, no part
files left), and resume from them."""
import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
from playwright.sync_api import Page, expect

from engine.sweep import load_spec
from engine.sweep.files import results_dir

SPEC = {"experiment": "kernel_regime", "grid": {"tasks": [1, 101], "width": [100], "steps": [2000]}, "seeds": 20}


def test_run_stop_and_resume_a_sweep(page: Page, app_server: str) -> None:
    """In the folder the server uses (RELU_ATLAS_RESULTS_DIR or results/, inherited from this process),
    without this spec's file from an earlier run."""
    name = f"kernel_regime-{hashlib.sha1(load_spec(SPEC).to_json().encode()).hexdigest()[:8]}.parquet"
    folder = results_dir()
    (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / f"{name}.parts", ignore_errors=True)
    run_stop_resume(page, app_server, folder, name)


def saved(folder: Path, name: str) -> Path:
    """The results file once the stopped job has consolidated it."""
    deadline = time.monotonic() + 60
    while ((folder / f"{name}.parts").exists() or not (folder / name).exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (folder / name).exists() and not (folder / f"{name}.parts").exists()
    return folder / name


def run_stop_resume(page: Page, app_server: str, folder: Path, name: str) -> None:
    page.goto(f"{app_server}/sweeps")
    page.get_by_text("Run a small sweep on this machine").click()
    spec = page.get_by_role("textbox", name="Spec (JSON)")   # not the label's help button
    spec.fill(json.dumps(SPEC))
    spec.press("Control+Enter")
    expect(page.get_by_text("40 rows into")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Run the sweep").click()
    # The job may first wait for a worker of the shared pool: jobs left by earlier browser tests (trainings of
    # closed sessions) run until they are abandoned (ui.long_run.ABANDON_S, 90 s); then Dask's cluster starts.
    expect(page.get_by_text(re.compile(r"Running the sweep: [1-9]\d* of 40 rows$"))).to_be_visible(timeout=300_000)
    page.get_by_test_id("stBaseButton-secondary").filter(has_text="Stop").click()
    expect(page.get_by_text("Stopped: the rows finished so far are saved")).to_be_visible(timeout=60_000)
    kept = pq.read_table(saved(folder, name)).num_rows
    assert 1 <= kept < 40
    page.get_by_role("button", name="Run the sweep").click()
    expect(page.get_by_text(f"Running the sweep: {kept} of 40 rows", exact=True)).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/e2e_sweeps.png", full_page=True)
    page.get_by_test_id("stBaseButton-secondary").filter(has_text="Stop").click()
    expect(page.get_by_text("Stopped: the rows finished so far are saved")).to_be_visible(timeout=60_000)
    assert pq.read_table(saved(folder, name)).num_rows >= kept
