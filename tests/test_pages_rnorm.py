"""AppTest of the R-norm explorer: every gallery entry, a custom formula, bad formulas, the radial curve, each
entry's own defaults, the verdict in words, the measure of entries without a grid, and copy as code."""
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.rnorm.formula import parse
from engine.rnorm.gallery import GALLERY
from engine.rnorm.grid import rnorm_grid
from tests.long_jobs import finish

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "views" / "rnorm.py"
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


def link_of(at):
    return {k: v[0] if isinstance(v, list) else v for k, v in ((k, at.query_params[k]) for k in at.query_params)}


def picked_caption(at):
    return next((c.value for c in at.caption if c.value.startswith("Picked neuron")), None)


def test_the_picked_neuron_is_in_the_link_and_a_link_reopens_it():
    """URL → state → URL: the link's θ,b (folded to θ ∈ [0°, 180°)) is drawn on f and written back; a link
    opened again shows the same neuron and density; another f drops it; junk is named."""
    at = run(rn_res="64", rn_neuron="210,1")   # the same line as θ = 30°, b = −1
    assert not at.exception and not at.warning
    caption = picked_caption(at)
    assert "θ = 30.0°" in caption and "b = -1.000" in caption
    assert "the picked neuron's hyperplane" in at.get("plotly_chart")[0].proto.spec
    link = link_of(at)
    assert link["rn_neuron"] == "30,-1"
    again = run(**link)
    assert not again.exception and picked_caption(again) == caption and link_of(again) == link
    again.selectbox(key="rn_item").select(list(GALLERY)[1]).run()
    assert picked_caption(again) is None and link_of(again)["rn_neuron"] == ""
    bad = run(rn_res="64", rn_neuron="1,2,3")
    assert "`rn_neuron`" in texts(bad.warning) and picked_caption(bad) is None


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


def test_each_entry_and_the_custom_formula_start_with_their_own_square_and_grid():
    at = run()
    for item, want in [("Radial bump (1 − r²)₊²", (2.0, 256)), (CUSTOM, (8.0, 256)), ("Cone (1 − r)₊", (2.0, 128)),
                       ("Anisotropic Gaussian", (10.0, 256)), (CUSTOM, (8.0, 256))]:
        at.selectbox(key="rn_item").select(item).run()
        assert not at.exception
        assert (at.session_state["rn_extent"], at.session_state["rn_res"]) == want, item
    again = run(rn_item="A finite ReLU net (4 units)")   # a link naming only the entry gets its square and grid
    assert (again.session_state["rn_extent"], again.session_state["rn_res"]) == (3.0, 128)
    mine = run(rn_item="A finite ReLU net (4 units)", rn_extent="5", rn_res="64")   # ... and keeps those it names
    assert (mine.session_state["rn_extent"], mine.session_state["rn_res"]) == (5.0, 64)


def test_the_verdict_is_explained_beside_the_number():
    at = run(rn_item=CUSTOM, rn_formula="exp(-(x^2+3*y^2)/2)", rn_extent="2", rn_res="64")
    said = texts(at.caption)
    assert metrics(at)["Grid estimate of ‖f‖_R"] == "∞ (diverging)"
    assert "diverging: the norm grows with resolution" in said and "enlarge E" in said
    at = run(rn_item=CUSTOM, rn_formula="exp(-(x^2+3*y^2)/2)", rn_extent="8", rn_res="64")
    assert "converged: the 32² and 64² estimates agree to" in texts(at.caption)


def test_entries_without_a_grid_show_their_measure_and_never_ask_for_a_click():
    for item, title in [("Sum of ridge functions", "one line per ridge direction"),
                        ("A finite ReLU net (4 units)", "the neurons of the net")]:
        at = run(rn_item=item)
        assert not at.exception
        assert "Click the measure" not in texts(at.caption), item
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        measure = next(s for s in specs if title in s["layout"]["title"]["text"])
        assert measure["data"], item   # not an empty plot
        assert measure["layout"]["xaxis"]["range"] == [0, 180]


def test_the_measure_colours_ignore_edge_artefacts_and_f_is_square():
    from engine.rnorm.explore import measure_view
    from ui.rnorm_figure import f_figure, measure_figure

    f = parse("exp(-(x^2+3*y^2)/2)", variables=("x", "y", "r"))
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=2.0, resolution=64, angles=64)
    thetas, bs, _, mu = measure_view(res, 2.0)
    top = measure_figure(thetas, bs, mu, 2.0).data[0].zmax
    assert top < 0.1 * np.abs(mu).max()   # the spikes at the corners saturate
    assert np.mean(np.abs(mu) > top) <= 0.011   # ... and only they (1 % of the cells)
    layout = f_figure(np.zeros((4, 4)), np.linspace(-1, 1, 4), 1.0).layout
    assert layout.yaxis.scaleanchor == "x" and layout.yaxis.scaleratio == 1


def python_and_shell(at):
    at.session_state["rn_code_open"] = at.session_state["rn_curve_code_open"] = True   # built while open
    at.run()
    codes = [c for c in at.code]
    return [(codes[i].value, codes[i + 1].value if codes[i + 1].language == "bash" else None)
            for i in range(len(codes)) if codes[i].language == "python"]


def run_shell(text, tmp_path):
    """Run the page's command-line text with bash, ``python`` being this interpreter; one JSON answer a line."""
    shim = tmp_path / "bin" / "python"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(["bash", "-c", text], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def run_python(text):
    scope, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(text, scope)
    return scope, printed.getvalue().split()


@pytest.mark.parametrize("item", ["Gaussian exp(−‖x‖²/2)", "A finite ReLU net (4 units)", "Sum of ridge functions"])
def test_copied_python_and_cli_reproduce_the_page(item, tmp_path):
    at = run(rn_item=item, rn_res="64", rn_profile="exp(-r^2/2)")
    shown = metrics(at)
    calls = python_and_shell(at)
    if item.startswith("Gaussian"):
        (grid_py, grid_sh), (exact_py, exact_sh), (curve_py, curve_sh) = calls
        scope, _ = run_python(grid_py)
        assert f"{scope['res'].value:.6g}" == shown["Grid estimate of ‖f‖_R"]
        [out] = run_shell(grid_sh, tmp_path)
        assert f"{out['rnorm']:.6g}" == shown["Grid estimate of ‖f‖_R"] and out["status"] == scope["res"].status
        table = at.dataframe[0].value.loc["‖f‖_R"].to_numpy(float)
        _, printed = run_python(curve_py)
        assert np.array(printed[1::2], float) == pytest.approx(table, rel=1e-12)
        lines = run_shell(curve_sh, tmp_path)
        assert [o["dim"] for o in lines] == list(range(1, 16))
        assert np.array([o["rnorm"] for o in lines], float) == pytest.approx(table, rel=1e-9)
    else:
        (exact_py, exact_sh), _curve = calls   # no grid estimate: f does not decay
        assert "rnorm_grid" not in exact_py
    _, printed = run_python(exact_py)
    assert f"{float(printed[0]):.6g}" == shown["Exact ‖f‖_R"]
    if exact_sh is not None:
        [out] = run_shell(exact_sh, tmp_path)
        assert f"{out['rnorm']:.6g}" == shown["Exact ‖f‖_R"]
    else:
        assert item == "Sum of ridge functions"   # ridge_rnorm has no CLI
