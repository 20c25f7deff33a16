"""AppTest of the R-norm explorer: every gallery entry, a custom formula, bad formulas, the radial curve."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.rnorm.gallery import GALLERY

PAGE = Path(__file__).resolve().parents[1] / "pages" / "rnorm.py"


def run(**query):
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("item", list(GALLERY))
def test_every_gallery_entry(item):
    at = run(rn_item=item, rn_res="128")
    assert not at.exception
    shown = metrics(at)
    assert "Grid estimate of ‖f‖_R" in shown
    if "Cone" in item or "Pyramid" in item:
        assert shown["Grid estimate of ‖f‖_R"] == "∞ (diverging)"
    if "finite ReLU net" in item:
        assert float(shown["Exact ‖f‖_R"]) == pytest.approx(3.9)


def test_gaussian_grid_matches_exact():
    at = run(rn_item=next(iter(GALLERY)), rn_res="256")
    shown = metrics(at)
    assert abs(float(shown["Grid vs exact"])) < 5e-3


def test_custom_formula_and_errors():
    at = run(rn_item="Custom formula", rn_formula="exp(-(x^2 + 2*y^2)/2)", rn_res="64")
    assert not at.exception and float(metrics(at)["Grid estimate of ‖f‖_R"]) > 0
    for bad, message in [("__import__('os')", "unexpected character"), ("exp(x", "column"), ("2x", "column"),
                         ("log(x)", "not finite")]:
        at = run(rn_item="Custom formula", rn_formula=bad, rn_res="64")
        assert not at.exception
        assert message in " ".join(e.value for e in at.error), bad


def test_radial_curve_without_button():
    at = run(rn_item="Cone (1 − r)₊", rn_res="64", rn_profile="relu(1 - r)")
    assert not at.exception and not [b for b in at.button if b.label.startswith("Compute")]
    assert "Infinite for d = 2" in " ".join(i.value for i in at.info)
    at = run(rn_item="Cone (1 − r)₊", rn_res="64", rn_profile="exp(-r^2/2)")   # Gaussian: one batch over d
    assert not at.exception and not at.info
    assert "largest estimated error" in " ".join(c.value for c in at.caption)
    at = run(rn_item="Cone (1 − r)₊", rn_res="64", rn_profile="1/(1 + r)")     # does not decay
    assert not at.exception and "does not decay" in " ".join(e.value for e in at.error)


def test_fit_a_network_streams_and_reports_its_cost():
    at = run(rn_item=next(iter(GALLERY)), rn_res="64")
    at.selectbox(key="rn_fit_width").select(100).run()
    next(b for b in at.button if b.label == "Fit a network").click().run()
    assert not at.exception
    message = " ".join(s.value for s in at.success)
    assert "cost Σ‖a_k‖‖w_k‖" in message and "ratio" in message


def test_surface_view_and_exports():
    at = run(rn_item=next(iter(GALLERY)), rn_res="64")
    at.toggle(key="rn_surface").set_value(True).run()
    assert not at.exception
    assert {"Results (JSON)", "Measure μ(θ, b) (CSV)"} <= {b.label for b in at.get("download_button")}


def test_picked_neuron_is_drawn_on_f():
    """A click on the measure (ui.click_plot event → session state) draws the hyperplane on f's heatmap."""
    item = next(iter(GALLERY))
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    at.query_params["rn_res"] = "128"
    at.run()
    text, extent = GALLERY[item].formula, float(at.session_state["rn_extent"])
    at.session_state["rn_neuron"] = {"key": (text, extent), "theta": 30.0, "b": 1.0}
    at.run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Picked neuron"))
    assert "θ = 30.0°" in caption and "b = 1.000" in caption
    fig = at.get("plotly_chart")[0].proto.spec
    assert "the picked neuron's hyperplane" in fig
