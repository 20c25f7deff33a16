"""The size widgets of the pages state their range in their help, from the constants that bound them
(issue 12): points (the upload), resolution, epochs, K, seeds, widths and steps; the buttons that start
long jobs state the session's time budget (ui.long_run)."""
import pytest

from engine.compress.cli import MAX_CNN_EPOCHS
from engine.kernel_regime.cli import MAX_SEEDS as KR_CLI_SEEDS
from engine.rnorm.cli import RESOLUTION
from engine.univariate.validation import MAX_POINTS
from tests import apptest
from tests.long_jobs import finish

pytestmark = pytest.mark.timeout(600)


def helps(at, kind: str) -> dict:
    """key (or label) → help of every widget of ``kind`` on the page."""
    return {(w.key or w.label): (w.help or "") for w in at.get(kind)}


def opened(page, **query):
    at = apptest.open_page(page, query=query, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_univariate_upload_states_the_points_limit():
    at = opened("univariate.py")
    uploads = [u for u in at.get("file_uploader") if u.proto.label.startswith("Load points")]
    assert uploads and f"{MAX_POINTS} distinct points" in uploads[0].proto.help and "1 MB" in uploads[0].proto.help


def test_rnorm_resolution_and_extent():
    at = opened("rnorm.py")
    res = at.select_slider(key="rn_res")
    assert f"n ≤ {RESOLUTION[1]}" in res.help and "64 … 512" in res.help
    assert "0.5 … 50" in at.number_input(key="rn_extent").help
    assert "per rolling hour" in next(b for b in at.button if b.label == "Fit a network").help


def test_digits_epochs_k_and_seed():
    at = opened("compress_digits.py")
    assert f"up to {MAX_CNN_EPOCHS}" in at.number_input(key="cp_epochs").help
    assert "0 … 10" in at.number_input(key="cp_ft").help
    assert "5 … 60" in at.number_input(key="cp_base_epochs").help
    assert "0 … 10000" in at.number_input(key="cp_seed").help
    assert "2 … 64 clusters" in at.selectbox(key="cp_k").help
    at.radio(key="cp_kmode").set_value("per layer").run()
    assert "1 … 256 clusters" in at.number_input(key="cp_k_conv1").help
    assert all("per rolling hour" in b.help for b in at.button if b.label.startswith(("Compress", "Compare")))


def test_kernel_regime_seeds():
    at = opened("kernel_regime.py")
    assert f"2 … 5 seeds here" in at.slider(key="kr_seeds").help and f"up to {KR_CLI_SEEDS}" in at.slider(key="kr_seeds").help
    assert "per rolling hour" in next(b for b in at.button if b.label == "Train the networks").help


def test_multitask_tasks_and_training_panel():
    at = opened("multitask.py")
    assert "0 … 50" in at.number_input(key="random").help and "0 … 3" in at.number_input(key="placed").help
    assert "50 … 2000 neurons" in at.selectbox(key="tr_width").help
    assert "500 … 10000" in at.selectbox(key="tr_steps").help
    assert "per rolling hour" in next(b for b in at.button if b.label == "Train a network").help


def test_shallow_width_steps_and_k():
    at = opened("compress_shallow.py")
    assert "50 … 1000 neurons" in at.selectbox(key="sh_width").help
    assert "1000 … 5000" in at.selectbox(key="sh_steps").help
    finish(at)   # the nets train on arrival; then the K slider shows
    assert not at.exception and "1 … min(width, 40)" in at.slider(key="sh_k").help
