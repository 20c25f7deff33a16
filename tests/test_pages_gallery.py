"""AppTest of the home page and the gallery: both render, and every gallery link opens its view from the
link's query parameters alone, showing what the entry's text claims (numbers checked against the engine)."""
import re
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import markdown_table, open_page

from engine import interpolate

ROOT = Path(__file__).resolve().parents[1]
# url_path → page file, read from app.py's st.navigation: a link to a page that is not registered fails below
PAGES = {url: path for path, url in re.findall(r'st\.Page\("([^"]+)"[^)]*?url_path="([^"]+)"', (ROOT / "app.py").read_text())}


def app_page(path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(path).run()
    return at


def gallery_links():
    at = app_page("views/gallery.py")
    assert not at.exception
    links = at.get("page_link")
    titles = [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]
    assert len(links) == len(titles) >= 9
    return [(title, link.proto.page, dict(parse_qsl(link.proto.query_string, keep_blank_values=True)))
            for title, link in zip(titles, links)]


LINKS = gallery_links()


def texts(elements):
    return " ".join(e.value for e in elements)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def points(query):
    pairs = [p.split(",") for p in query["pts"].split(";")]
    return [float(x) for x, _ in pairs], [float(y) for _, y in pairs]


def check_savarese(at, query):
    assert "bias-free solution is **not unique**" in texts(at.info)
    table = markdown_table(at)
    assert table.loc["bias-free interpolant", "bias-free cost"] == pytest.approx(2)
    assert list(table.index) == ["bias-free interpolant"]
    sol = interpolate(*points(query))
    assert not sol.unique and sol.cost == pytest.approx(2) and np.allclose(sol.knots, [1, 2])   # connect-the-dots


def check_sparse(at, query):
    table = markdown_table(at)
    assert table.loc["bias-free interpolant", "bias-free cost"] == pytest.approx(6)
    assert table.loc["biases-penalised interpolant", "own norm"] == pytest.approx(2 * 13 ** 0.5, rel=1e-8)
    assert "not unique" in texts(at.info) and "(2 kinks)" in texts(at.info)
    sol = interpolate(*points(query), bias_penalty=True)
    assert np.allclose(sol.knots, [-2 / 3, 2 / 3], atol=1e-7) and np.allclose(np.ravel(sol.jumps), [3, 3], atol=1e-7)


def check_translation(at, query):
    table = markdown_table(at)
    assert table.loc["bias-free interpolant", "bias-free cost"] == pytest.approx(6)
    assert table.loc["biases-penalised interpolant", "own norm"] == pytest.approx(30.60, abs=5e-3)
    x, y = points(query)
    assert np.allclose(x, np.arange(-2, 3) + 5)   # the sparse entry's data, shifted by +5
    sol = interpolate(x, y, bias_penalty=True)
    assert np.allclose(sol.knots, [4.41, 5.76], atol=5e-3) and np.allclose(np.ravel(sol.jumps), [3.38, 2.62], atol=5e-3)


def check_second_task(at, query):
    assert "Task 1 alone: not unique" in texts(at.warning)
    assert "Task 1 within 2 tasks: unique" in texts(at.success)
    assert "exactly the H¹ interpolant" in texts(at.info)


def check_kernel_regime(at, query):
    assert at.radio(key="kr_preset").value == query["kr_preset"]
    assert at.slider(key="kr_seeds").value == 3
    # the gallery's settings are the page's defaults, whose runs ship with the app: shown at once
    assert "Shown at once: the runs of these settings committed with the app" in texts(at.caption)


def check_pyramid(at, query):
    assert metrics(at)["Grid estimate of ‖f‖_R"] == "∞ (diverging)"


def check_gaussian(at, query):
    shown = metrics(at)
    assert shown["Exact ‖f‖_R"] == "4.76856"   # 4.768562 (docs/design.md §5 has d = 1, 3; bench.rnorm d = 2)
    assert abs(float(shown["Grid vs exact"])) < 1e-4


def check_radial(at, query):
    assert "Infinite for d = 4" in texts(at.info)
    values = at.dataframe[0].value.loc["‖f‖_R"]
    assert list(np.round(values[[1, 2, 3]].astype(float), 2)) == [6.16, 21.33, 46.31]


def check_compress(at, query):
    assert at.selectbox(key="cp_method").value == "dkm" and at.selectbox(key="cp_k").value == 4
    assert "Uncompressed test accuracy" in texts(at.info)
    from engine.compress.deep_kmeans import cluster_counts, compress
    from engine.compress.digits import DigitsCNN, load_data

    model = DigitsCNN()   # the ratio depends on the shapes and K only
    *_, last = compress(model, load_data(0), "dkm", cluster_counts(model, "dkm", k=4), epochs=0, finetune_epochs=0)
    assert round(last.result.ratio, 1) == 25.9


CHECKS = {
    "Minimum-norm interpolants are not unique": check_savarese,
    "Penalising the biases: unique and sparse": check_sparse,
    "… and not translation invariant": check_translation,
    "A second task makes the interpolant unique": check_second_task,
    "Many tasks in 2-D: the kernel regime": check_kernel_regime,
    "Depth separation: the pyramid's norm is infinite": check_pyramid,
    "A smooth function's norm is finite": check_gaussian,
    "Radial functions: the norm grows with d": check_radial,
    "Accuracy against compression ratio": check_compress,
}


def test_home_renders_with_start_here_and_a_card_per_page():
    at = app_page("views/home.py")
    assert not at.exception
    targets = [link.proto.page for link in at.get("page_link")]
    assert {"gallery", "univariate"} <= set(targets[:2])               # "Start here" comes first
    assert set(PAGES) <= set(targets)                                   # one card per page
    assert len(at.get("image")) == len(PAGES)
    for path in PAGES.values():
        thumb = ROOT / "docs" / "thumbnails" / f"{Path(path).stem}.png"
        assert thumb.exists() and thumb.stat().st_size <= 60_000, thumb


def test_every_gallery_entry_is_checked():
    assert sorted(t for t, _, _ in LINKS) == sorted(CHECKS)


@pytest.mark.parametrize("title, page, query", LINKS, ids=[t for t, _, _ in LINKS])
def test_gallery_link_opens_its_view(title, page, query):
    assert page in PAGES, page
    at = open_page(PAGES[page], query=query, timeout=600)
    assert not at.exception
    assert not [w for w in at.warning if "was not used" in w.value]   # every parameter of the link was accepted
    CHECKS[title](at, query)
