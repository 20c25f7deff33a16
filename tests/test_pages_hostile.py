"""Every page opened with hostile links (issue 12): no exception reaches the page, the page renders,
and what a link sets is bounded (finite numbers, known choices, de-duplicated lists). AppTest's timeout
bounds each run (a link that makes a page work for minutes fails here); there are no timing asserts."""
import math
from pathlib import Path

import pytest
from tests import apptest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180
HUGE = "9" * 5000
LONG = "99999999999999999999"


def open_page(page, /, session=None, **query):
    at = apptest.open_page(page, query=query, session=session, timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page did not render its title"
    return at


def state(at, key, default=None):
    return at.session_state[key] if key in at.session_state else default


def finite_or_absent(at, *keys):
    for key in keys:
        value = state(at, key)
        assert value is None or (isinstance(value, (int, float)) and math.isfinite(value)), (key, value)


@pytest.mark.parametrize("query", [
    {"kernels": "x,y,__import__", "bw": "nan", "lam": "nan", "free": "2", "pen": "abc"},
    {"free": "0", "pen": "0", "kernels": ""},
    {"kernels": ",".join(["h1"] * 5000)},
    {"bw": "1e400", "lam": "-1e400", "kernels": ",".join(["h1"] * 200)},
    {"bw": HUGE, "lam": HUGE, "set": HUGE},
    {"pts": f"0,0;{HUGE},1"},
    {"pts": ";".join(f"{i},{i % 2}" for i in range(5000))},
    {"pts": "0,0;1,1;" + "[" * 10_000},
    {"pts": "0,nan;1,inf"},
])
def test_univariate_hostile_links(query):
    at = open_page("univariate.py", **query)
    finite_or_absent(at, "bw", "lam")
    kernels = state(at, "kernels", [])
    assert len(kernels) == len(set(kernels)) <= 5   # known kernels, each once


@pytest.mark.parametrize("query", [
    {"random": LONG, "seed": "-1", "placed": LONG, "pen": HUGE},
    {"random": "1e400", "seed": "nan", "placed": "inf", "h1": "__import__"},
    {"pts": f"0,0;{HUGE},1", "pts2": "0,0;0,1", "placed": "1"},
])
def test_multitask_hostile_links(query):
    at = open_page("multitask.py", **query)
    finite_or_absent(at, "random", "seed", "placed")


@pytest.mark.parametrize("query", [
    {"rn_extent": "nan"},
    {"rn_extent": "inf", "rn_res": LONG},
    {"rn_extent": "-1e400", "rn_res": "nan", "rn_item": "__import__"},
    {"rn_item": "Custom formula", "rn_formula": "__import__('os')" + "x" * 5000},
    {"rn_item": "Custom formula", "rn_formula": "(" * 5000},
    {"rn_profile": "1/r"},
])
def test_rnorm_hostile_links(query):
    at = open_page("rnorm.py", **query)
    finite_or_absent(at, "rn_extent", "rn_res")
    extent = state(at, "rn_extent")
    assert extent is None or 0 < extent <= 1e3


@pytest.mark.parametrize("query", [
    {"cp_epochs": LONG, "cp_ft": LONG, "cp_k": HUGE, "cp_lam": "nan"},
    {"cp_epochs": "-1e400", "cp_method": "__import__", "cp_basis": "x", "cp_model": "nope"},
])
def test_compress_hostile_links(query):
    from engine.compress.deep_kmeans import MAX_EPOCHS

    at = open_page("compress_digits.py", **query)   # the committed baseline: quick
    finite_or_absent(at, "cp_epochs", "cp_ft", "cp_k", "cp_lam")
    for key in ("cp_epochs", "cp_ft"):
        assert 0 <= state(at, key, 0) <= MAX_EPOCHS


@pytest.mark.parametrize("query", [
    {"kr_seeds": LONG, "kr_lam": "nan", "kr_preset": "__import__"},
    {"kr_seeds": "1e400", "kr_lam": "-inf"},
])
def test_kernel_regime_hostile_links(query):
    at = open_page("kernel_regime.py", **query)
    finite_or_absent(at, "kr_seeds", "kr_lam")


def test_app_home_ignores_junk_parameters():
    at = open_page("app.py", junk=HUGE, page="../../etc/passwd", pts=HUGE)
    at.switch_page("views/univariate.py").run()
    assert not at.exception
