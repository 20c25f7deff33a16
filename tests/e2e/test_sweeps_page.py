"""The Sweeps page in real Chromium: start a sweep on the local cluster, stop it after some rows,
find those rows kept (consolidated, no part files left), and resume from them."""
import json
import re
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from playwright.sync_api import Page, expect

SPEC = {"experiment": "kernel_regime", "grid": {"tasks": [1, 101], "width": [100], "steps": [2000]}, "seeds": 20}


def test_run_stop_and_resume_a_sweep(page: Page, app_server: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:   # not tmp_path: long runs outlive pytest's basetemp rotation
        run_stop_resume(page, app_server, Path(tmp))


def saved(folder: Path) -> list[Path]:
    """The results file once the stopped run has consolidated it (the page reruns at once; the
    stopped script saves its rows while it ends)."""
    deadline = time.monotonic() + 60
    while (list(folder.glob("*.parts")) or not list(folder.glob("kernel_regime-*.parquet"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    files = list(folder.glob("kernel_regime-*.parquet"))
    assert len(files) == 1 and not list(folder.glob("*.parts"))
    return files


def run_stop_resume(page: Page, app_server: str, tmp_path: Path) -> None:
    page.goto(f"{app_server}/sweeps")
    page.get_by_text("Run a small sweep on this machine").click()
    folder = page.get_by_label("Results folder")
    folder.fill(str(tmp_path))
    folder.press("Enter")
    spec = page.get_by_label("Spec (JSON)")
    spec.fill(json.dumps(SPEC))
    spec.press("Control+Enter")
    expect(page.get_by_text("40 rows into")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Run the sweep").click()
    expect(page.get_by_text(re.compile(r"^[1-9]\d* of 40 rows$"))).to_be_visible(timeout=120_000)
    page.get_by_test_id("stBaseButton-secondary").filter(has_text="Stop").click()
    expect(page.get_by_text("Stopped: the rows finished so far are saved")).to_be_visible(timeout=60_000)
    files = saved(tmp_path)
    kept = pq.read_table(files[0]).num_rows
    assert 1 <= kept < 40
    page.get_by_role("button", name="Run the sweep").click()
    expect(page.get_by_text(f"{kept} of 40 rows", exact=True)).to_be_visible(timeout=60_000)   # resumed
    page.screenshot(path="/tmp/e2e_sweeps.png", full_page=True)
    page.get_by_test_id("stBaseButton-secondary").filter(has_text="Stop").click()
    expect(page.get_by_text("Stopped: the rows finished so far are saved")).to_be_visible(timeout=60_000)
    assert pq.read_table(saved(tmp_path)[0]).num_rows >= kept
