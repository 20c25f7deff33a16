"""AppTest for every page: each widget path renders without exception."""
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.univariate.presets import GENERATED, PRESETS

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[1]


def run(path="views/univariate.py", **query):
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_app_renders_home_and_switches_to_univariate():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "ReLU Atlas"
    at.switch_page("views/univariate.py").run()
    assert not at.exception
    assert at.title[0].value == "Univariate interpolation"


def cost_table(at):
    """The page's cost table (Markdown, ui/tables.py) as a DataFrame indexed by curve."""
    text = next(m.value for m in at.markdown if m.value.startswith("| curve |"))
    header, _, *body = [[c.strip() for c in line.strip("|").split(" | ")] for line in text.splitlines()]
    frame = pd.DataFrame(body, columns=header).set_index("curve")
    for column in ("bias-free cost", "penalised cost", "H¹ seminorm", "own norm"):
        frame[column] = pd.to_numeric(frame[column].replace("—", "nan"))
    return frame


def test_univariate_default_shows_costs_and_non_uniqueness():
    at = run()
    assert not at.exception
    table = cost_table(at)
    assert table.loc["bias-free interpolant", "bias-free cost"] == pytest.approx(2)
    assert table.loc["biases-penalised interpolant", "own norm"] == pytest.approx(13 ** 0.5, rel=1e-9)
    assert "not unique" in at.info[-1].value


@pytest.mark.parametrize("preset", [*PRESETS, *GENERATED])
def test_every_preset(preset):
    at = run()
    at.selectbox[0].select(preset).run()
    [b for b in at.button if b.label == "Load preset"][0].click().run()
    assert not at.exception
    assert len(cost_table(at)) >= 2


@pytest.mark.parametrize("box", ["free", "pen", "set"])
def test_toggles(box):
    at = run()
    at.checkbox(key=box).uncheck().run()
    assert not at.exception
    at.checkbox(key=box).check().run()
    assert not at.exception


def test_all_kernels_bandwidth_and_lambda():
    at = run()
    at.multiselect(key="kernels").set_value(["h1", "h2", "gaussian", "laplace", "relu"]).run()
    at.slider(key="bw").set_value(0.5).run()
    assert not at.exception
    assert len(cost_table(at)) == 7
    for lam in (1e-3, 0.1, 3.0):
        at.select_slider(key="lam").set_value(lam).run()
        assert not at.exception
        assert "fit" in cost_table(at).index[0]


def test_link_restores_points_and_options():
    at = run(pts="0,0;1,1;2,0", pen="0", kernels="gaussian", lam="0.01")
    assert not at.exception
    assert not at.checkbox(key="pen").value
    assert at.multiselect(key="kernels").value == ["gaussian"]
    assert at.select_slider(key="lam").value == 0.01
    assert list(cost_table(at).index) == ["bias-free fit", "Gaussian (RBF) kernel"]


def test_link_points_are_sorted_and_options_clamped():
    at = run(pts="2,0;0,0;1,1;1,1", bw="100")
    assert not at.exception
    assert at.slider(key="bw").value == 5.0
    at.session_state["uv_table_open"] = True   # the points table is built only while its expander is open
    at.run()
    assert at.dataframe[0].value["x"].tolist() == [0.0, 1.0, 2.0]
    assert not at.error


def test_downloads_and_code_are_built_when_opened():
    at = run(pts="0,0;1,1;2,0")
    assert not at.get("download_button") and not at.code
    at.session_state["uv_downloads_open"] = True
    at.session_state["uv_code_open"] = True
    at.run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Points (CSV)", "Points (JSON)", "Solution (JSON)",
                                                           "Curves (CSV)"]
    assert "interpolate(x, y" in at.code[0].value


def test_link_after_clear_restores_no_points():
    at = run(pts="")
    assert not at.exception and not at.warning
    assert any("at least two points" in i.value for i in at.info)


@pytest.mark.parametrize("pts, message", [
    ("0,0;1,x", "malformed"),
    ("0,0;0,1", "conflicting"),
    ("0,nan;1,1", "NaN"),
    ("0,0;1,1e9", "within"),
])
def test_bad_links_keep_the_app_running(pts, message):
    at = run(pts=pts)
    assert not at.exception
    assert message in at.warning[0].value
    assert len(cost_table(at)) >= 2   # the default points are shown instead


def test_undo_and_clear():
    at = run()
    [b for b in at.button if b.label == "Clear"][0].click().run()
    assert not at.exception
    assert any("at least two points" in i.value for i in at.info)
    [b for b in at.button if b.label == "Undo"][0].click().run()
    assert not at.exception
    assert len(cost_table(at)) >= 2
