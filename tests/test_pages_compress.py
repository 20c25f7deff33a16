"""AppTest of the compression page: both models, every K mode, methods, the sweep, histograms, exports."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[1] / "pages" / "compress.py"


def run(**query):
    at = AppTest.from_file(str(PAGE), default_timeout=600)
    for k, v in query.items():
        at.query_params[k] = v
    at.session_state["cp_base_epochs"] = 8     # a short baseline keeps the suite fast
    return at.run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def test_digits_default_then_compress():
    at = run()
    assert not at.exception
    assert "Uncompressed test accuracy" in at.info[0].value
    assert any("cpu" in c.value or "cuda" in c.value for c in at.caption)
    button(at, "Compress").click().run()
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
    at = run(cp_method=method, cp_epochs="1", cp_ft="0")
    at.radio(key="cp_kmode").set_value(mode).run()
    button(at, "Compress").click().run()
    assert not at.exception
    assert "Test accuracy" in metrics(at)


def test_hard_basis_and_sweep_then_clear():
    at = run(cp_basis="hard", cp_epochs="1", cp_ft="0")
    button(at, "Compare methods").click().run()
    assert not at.exception
    assert len(at.session_state["cp_results"][(0, 8, "cpu")]) == 15
    button(at, "Clear results").click().run()
    assert not at.exception and "Uncompressed test accuracy" in at.info[0].value


def test_bad_url_values_fall_back():
    at = run(cp_method="nonsense", cp_k="7", cp_lam="abc", cp_model="nope")
    assert not at.exception
    assert at.selectbox(key="cp_method").value == "dkm" and at.selectbox(key="cp_k").value == 8


def test_shallow_net_sharing():
    at = run(cp_model="Shallow ReLU net (1-D)")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["neurons"].tolist()[1] == 2          # K defaults to the exact minimiser's 2 knots
    assert table["max error at the data"].tolist()[1] < 1e-3
    at.slider[0].set_value(1).run()
    assert at.dataframe[0].value["neurons"].tolist()[1] == 1
    assert not at.exception
    at.selectbox(key="sh_data").set_value("Alternating").run()
    assert not at.exception
    assert at.dataframe[0].value["neurons"].tolist()[1] == 3
