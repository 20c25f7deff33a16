"""AppTest of the multi-task and 2-D kernel-regime pages: every widget path renders without exception."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.univariate.presets import GENERATED, PRESETS
from tests.long_jobs import finish

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "views" / "multitask.py"
KERNEL_PAGE = ROOT / "views" / "kernel_regime.py"


def run(page=PAGE, timeout=120, **query):
    at = AppTest.from_file(str(page), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def texts(elements):
    return " ".join(e.value for e in elements)


def button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def test_a_random_task_makes_task_1_unique_and_equal_to_h1():
    at = run()
    assert not at.exception
    assert "Task 1 alone: not unique" in texts(at.warning)
    button(at, "Add a random task").click().run()
    assert not at.exception
    assert "Task 1 within 2 tasks: unique" in texts(at.success)
    table = at.dataframe[0].value
    assert table.loc["all 2 tasks together", "unique"] == "yes"
    assert table.loc["all 2 tasks together", "max |task 1 − H¹ interpolant| on [x₁, x_N]"] < 1e-9
    assert table.loc["task 1 alone", "cost"] == pytest.approx(2.0)
    assert "exactly the H¹ interpolant" in texts(at.info)


def test_placed_task_from_link_and_active_task():
    at = run(pts="0,0;1,0;2,1;3,3", placed="1", pts2="0,0;3,0")
    assert not at.exception
    assert "Task 1 within 2 tasks: not unique" in texts(at.warning)
    at.radio(key="mt_active").set_value(1).run()
    assert not at.exception
    button(at, "Clear task 2").click().run()
    assert not at.exception
    at2 = run(pts="0,0;1,0;2,1;3,3", placed="1", pts2="0,0;1.5,1;3,0")
    assert "Task 1 within 2 tasks: unique" in texts(at2.success)


@pytest.mark.parametrize("preset", [*PRESETS, *GENERATED])
def test_every_preset_with_tasks(preset):
    at = run(random="3", seed="5")
    at.sidebar.selectbox[0].select(preset).run()
    button(at, "Load preset").click().run()
    assert not at.exception
    assert len(at.dataframe[0].value) >= 2


def test_penalised_biases_and_h1_toggle():
    at = run(random="2", pen="1")
    assert not at.exception
    assert at.checkbox(key="pen").value
    assert "all 3 tasks together" in at.dataframe[0].value.index
    at.checkbox(key="h1").uncheck().run()
    at.checkbox(key="pen").uncheck().run()
    assert not at.exception


@pytest.mark.parametrize("query, message", [
    ({"pts2": "0,0;1,x", "placed": "1"}, "malformed"),
    ({"pts": "0,0;0,1"}, "conflicting"),
    ({"random": "banana"}, None),
])
def test_bad_links_keep_the_page_running(query, message):
    at = run(**query)
    assert not at.exception
    if message:
        assert message in texts(at.warning)


def test_undo_clear_and_too_few_points():
    at = run(random="1")
    button(at, "Clear task 1").click().run()
    assert not at.exception
    assert "at least two points" in texts(at.info)
    button(at, "Undo").click().run()
    assert not at.exception and len(at.dataframe[0].value) >= 2


def test_training_streams_and_reports_the_gap():
    at = run(random="1", timeout=300)
    at.selectbox(key="tr_width").select(50).run()
    at.selectbox(key="tr_steps").select(500).run()
    button(at, "Train a network").click().run()
    assert not at.exception
    finish(at)
    assert not at.exception
    message = texts(at.success)
    assert "Training finished" in message and "Gap to the exact minimiser" in message


def test_kernel_regime_page_before_and_after_training():
    at = run(KERNEL_PAGE, timeout=600, kr_preset="Tiny (width 30, 300 steps: rough, for slow machines)", kr_seeds="2")
    assert not at.exception
    assert "Train the networks" in texts(at.info)
    button(at, "Train the networks").click().run()
    assert not at.exception
    finish(at)
    spread = [m.value for m in at.metric]
    assert len(spread) == 3 and all(v for v in spread)
    table = at.dataframe[0].value
    assert table["objective gap"].iloc[:2].min() > -1e-6   # no trained net beats the exact optimum
    button(at, "Sweep the number of tasks").click().run()
    assert not at.exception
    finish(at)
    assert not at.exception and at.get("plotly_chart")[-1].proto.spec.count("distance") > 0


def test_kernel_regime_link_options_are_clamped():
    at = run(KERNEL_PAGE, kr_seeds="99", kr_lam="7", kr_preset="nope")
    assert not at.exception
    assert at.slider(key="kr_seeds").value == 5
    assert at.select_slider(key="kr_lam").value == 1e-2
