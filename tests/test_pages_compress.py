"""AppTest of the two compression pages (through app.py's navigation): the committed baseline at once, every
K mode and method, the sweep, histograms, exports, links (round trip, clamping, the old /compress?cp_model=)."""
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.long_jobs import finish

ROOT = Path(__file__).resolve().parents[1]
DIGITS, SHALLOW = "views/compress_digits.py", "views/compress_shallow.py"


def run(page=DIGITS, **query):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()   # the home page first: AppTest switches pages only after a run
    return at.switch_page(page).run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def texts(elements):
    return " ".join(e.value for e in elements)


def test_committed_baseline_shows_at_once():
    start = time.perf_counter()
    at = run()
    assert time.perf_counter() - start < 30   # no training: the committed baseline (the 2 s target: bench/)
    assert not at.exception
    assert at.title[0].value.endswith("a digits CNN")
    assert "Uncompressed test accuracy **97.8%**" in at.info[0].value
    assert any("cpu" in c.value or "cuda" in c.value for c in at.caption)


def test_digits_compress_then_histogram_and_exports():
    at = run(cp_epochs="1", cp_ft="1")
    button(at, "Compress").click().run()
    assert not at.exception
    finish(at)
    assert not at.exception
    shown = metrics(at)
    assert float(shown["Compression ratio"].rstrip("×")) > 8
    assert shown["Device"] in ("cpu", "cuda")
    at.selectbox(key="cp_hist_layer").set_value("conv2").run()
    assert not at.exception
    assert {d.label for d in at.get("download_button")} >= {"Results (JSON)", "Compressed model (JSON)"}


@pytest.mark.parametrize("mode", ["cluster rate", "per layer"])
@pytest.mark.parametrize("method", ["scalar", "kmeans", "dkm"])
def test_k_modes_and_methods(mode, method):
    at = run(cp_method=method, cp_epochs="1", cp_ft="0", cp_kmode=mode)
    assert at.radio(key="cp_kmode").value == mode
    button(at, "Compress").click().run()
    finish(at)
    assert not at.exception
    assert "Test accuracy" in metrics(at)


def test_hard_basis_and_sweep_then_clear():
    at = run(cp_basis="hard", cp_epochs="1", cp_ft="0")
    button(at, "Compare methods").click().run()
    finish(at)
    assert not at.exception
    assert len(next(iter(at.session_state["cp_results"].values()))) == 15
    button(at, "Clear results").click().run()
    assert not at.exception and "Uncompressed test accuracy" in at.info[0].value


def test_bad_link_values_are_refused_and_named():
    at = run(cp_method="nonsense", cp_k="7", cp_lam="abc", cp_epochs="99999999999999999999", cp_seed="nan",
             cp_base_epochs="1000", cp_k_conv1="-4")
    assert not at.exception
    assert at.selectbox(key="cp_method").value == "dkm"
    assert at.selectbox(key="cp_k").value == 8            # 7 → the nearest allowed K
    assert at.number_input(key="cp_base_epochs").value == 60   # clamped
    warned = texts(at.warning)
    for name in ("cp_method", "cp_lam", "cp_epochs", "cp_seed"):
        assert f"`{name}`" in warned, name
    assert at.session_state["cp_k_conv1"] == 1


def test_link_round_trip():
    at = run(cp_method="scalar", cp_kmode="cluster rate", cp_rate="0.05", cp_ft="2")
    at.number_input(key="cp_ft").set_value(4).run()
    link = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in at.query_params}
    assert link["cp_method"] == "scalar" and link["cp_rate"] == "0.05" and link["cp_ft"] == "4"
    again = run(**link)
    assert not again.exception and not again.warning
    for key in ("cp_method", "cp_kmode", "cp_rate", "cp_ft", "cp_lam", "cp_epochs"):
        assert again.session_state[key] == at.session_state[key], key


def test_old_link_to_the_shallow_model_lands_on_the_shallow_page():
    at = run(cp_model="Shallow ReLU net (1-D)")
    assert not at.exception
    assert at.title[0].value.endswith("a shallow net")
    finish(at)


def test_shallow_net_sharing():
    at = run(SHALLOW)
    assert not at.exception
    finish(at)
    assert not at.exception
    table = at.dataframe[0].value
    assert table["neurons"].tolist()[1] == 2          # K defaults to the exact minimiser's 2 knots
    assert table["max error at the data"].tolist()[1] < 1e-3
    at.slider(key="sh_k").set_value(1).run()
    assert at.dataframe[0].value["neurons"].tolist()[1] == 1
    assert not at.exception
    at.selectbox(key="sh_data").set_value("Alternating").run()
    finish(at)
    assert not at.exception
    assert at.dataframe[0].value["neurons"].tolist()[1] == 3


def test_shallow_link_values_are_bounded():
    at = run(SHALLOW, sh_width="1e6", sh_steps="-5", sh_lam="inf", sh_data="nope", sh_compare="2")
    assert not at.exception
    warned = texts(at.warning)
    for name in ("sh_lam", "sh_data", "sh_compare"):
        assert f"`{name}`" in warned, name
    assert at.selectbox(key="sh_width").value == 1000 and at.selectbox(key="sh_steps").value == 1000
    finish(at)


def test_a_stopped_baseline_waits_for_a_button():
    at = run(cp_seed="1", cp_base_epochs="5")
    assert "Training the uncompressed CNN" in " ".join(p.proto.text for p in at.get("progress"))
    at.button(key="cp_base_stop").click().run()
    finish(at)
    assert "was stopped" in texts(at.info) and not at.get("progress")
    at.run()
    assert button(at, "Train the uncompressed CNN") and not at.get("progress")   # not restarted by itself
    button(at, "Train the uncompressed CNN").click().run()
    assert at.get("progress")
    finish(at)
    assert not at.exception and "Uncompressed test accuracy" in at.info[0].value
