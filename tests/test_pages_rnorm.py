"""AppTest of the R-norm explorer: every gallery entry, a custom formula, bad formulas, the radial curve."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.rnorm.gallery import GALLERY
from tests.long_jobs import finish

PAGE = Path(__file__).resolve().parents[1] / "views" / "rnorm.py"
CUSTOM = "Custom formula"


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
    finish(at)
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
    at.session_state["rn_neuron"] = {"key": (text, extent), "theta": 30.0, "b": 1.0}   # as a click stores it
    at.run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Picked neuron"))
    assert "θ = 30.0°" in caption and "b = 1.000" in caption
    fig = at.get("plotly_chart")[0].proto.spec
    assert "the picked neuron's hyperplane" in fig


def texts(elements):
    return " ".join(e.value for e in elements)


def test_bad_link_values_are_refused_and_named():
    at = run(rn_extent="nan", rn_res="1e400", rn_item="nope", rn_surface="yes", rn_formula="x" * 600,
             rn_fit_lam="-inf")
    assert not at.exception
    warned = texts(at.warning)
    for name in ("rn_extent", "rn_res", "rn_item", "rn_surface", "rn_formula", "rn_fit_lam"):
        assert f"`{name}`" in warned, name
    assert at.session_state["rn_extent"] == GALLERY[next(iter(GALLERY))].extent and at.session_state["rn_res"] == 256


def test_link_values_are_clamped_and_round_trip():
    at = run(rn_item=CUSTOM, rn_formula="exp(-(x^2 + 3*y^2)/2)", rn_extent="1e9", rn_res="100", rn_profile="exp(-r^2)")
    assert not at.exception and not at.warning
    assert at.session_state["rn_extent"] == 50.0 and at.session_state["rn_res"] == 128
    at.number_input(key="rn_extent").set_value(6.0).run()
    link = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in at.query_params}
    assert link["rn_extent"] == "6" and link["rn_res"] == "128" and link["rn_formula"] == "exp(-(x^2 + 3*y^2)/2)"
    again = run(**link)
    assert not again.exception and not again.warning
    for key in ("rn_item", "rn_formula", "rn_extent", "rn_res", "rn_profile", "rn_surface", "rn_fit_width"):
        assert again.session_state[key] == at.session_state[key], key
    assert metrics(again) == metrics(at)


def test_every_widget_path():
    at = run(rn_res="64")
    for item in (CUSTOM, "A finite ReLU net (4 units)", "Sum of ridge functions"):
        at.selectbox(key="rn_item").select(item).run()
        assert not at.exception, item
    at.selectbox(key="rn_item").select("Cone (1 − r)₊").run()
    assert at.session_state["rn_extent"] == GALLERY["Cone (1 − r)₊"].extent   # the entry's own square
    at.select_slider(key="rn_res").set_value(128).run()
    at.toggle(key="rn_surface").set_value(True).run()
    at.text_input(key="rn_profile").input("relu(1 - r^2)^3").run()
    at.selectbox(key="rn_fit_lam").select(1e-2).run()
    assert not at.exception


def test_a_fit_can_be_stopped_and_a_second_job_is_refused():
    at = run(rn_item=next(iter(GALLERY)), rn_res="64")
    at.selectbox(key="rn_fit_width").select(500).run()
    next(b for b in at.button if b.label == "Fit a network").click().run()
    assert at.get("progress"), "the fit's progress bar"
    other = run(rn_item=next(iter(GALLERY)), rn_res="64")   # AppTest sessions share one session id
    other.selectbox(key="rn_fit_width").select(100).run()
    next(b for b in other.button if b.label == "Fit a network").click().run()
    assert "One long job at a time" in texts(other.warning)
    at.button(key="rn_fit_stop").click().run()
    finish(at)
    assert not at.exception
    fit = at.session_state["rn_fit"]
    assert fit["last"].step < 3000   # stopped before the end, its last snapshot kept
