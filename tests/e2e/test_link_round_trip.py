"""A link round trip on every page, in real Chromium: open the page with a non-default query string, take
the address that "Copy link" copies, open it in a fresh browser context (a new session, as a colleague
would) and check that the same view comes back: the same address once the page has written it (URL →
state → URL), the same numbers (metrics, messages, tables, the page's own text) and no exception."""
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_pages_sweeps import results_file

# (page and its non-default query, text shown once the view is ready, text that must come back)
PAGES = {
    "home": ("?present=1", "Start here", "Start here"),
    "gallery": ("gallery?present=1", "Minimum-norm interpolants are not unique", "Boursier & Flammarion"),
    "univariate": ("univariate?pts=0,0;1,0;2,1;3,3;4,0&lam=0.1", "5 points", "5 points"),
    "multitask": ("multitask?pts=0,0;1,0;2,1;3,3&placed=1&pts2=0,0;1.5,1;3,0", "Task 1 within 2 tasks: unique",
                  "Task 1 within 2 tasks: unique"),
    "rnorm": (f"rnorm?rn_res=64&rn_item={quote('Custom formula')}&rn_formula={quote('exp(-(x^2 + 3*y^2)/2)')}"
              "&rn_extent=6&rn_neuron=30,1", "Picked neuron", "θ = 30.0°, b = 1.000"),
    "compress": ("compress?cp_method=kmeans&cp_k=4&cp_ft=1", "Uncompressed test accuracy", "row-wise k-means"),
    "compress-shallow": ("compress-shallow?sh_width=50&sh_steps=1000&sh_compare=0&sh_k=3", "Neurons after sharing",
                         "3 of 50"),   # the smallest nets: this page trains them in each new session
    "kernel-regime": ("kernel-regime?kr_seeds=2&kr_lam=0.01", "Meanwhile, the exact minimum-cost",
                      "4 runs (T = 1 and T = 101 for 2 seeds)"),
    "sweeps": ("sweeps?sw_file={file}&sw_x=tasks&sw_fix=n_points%3D12&sw_error=sem&sw_logy=1",
               "Mean over the seeds", "Fixed: n_points = 12"),
}

VIEW = """() => ({
  metrics: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetric]')].map(e => e.innerText),
  alerts: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stAlert]')].map(e => e.innerText),
  tables: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stDataFrame], [data-testid=stMain] '
                                        + '[data-testid=stMarkdownContainer] table')].map(e => e.innerText).filter(t => t.trim()),   // shown ones
  formulas: [...document.querySelectorAll('[data-testid=stMain] .katex-mathml')].map(e => e.textContent),
  rootFont: getComputedStyle(document.documentElement).fontSize,
})"""


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def settled(page: Page, ready: str) -> dict:
    """Wait for the view (its ready text, then no script running); its numbers; no exception."""
    expect(page.get_by_text(ready).first).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)
    views = []
    for _ in range(40):   # a fragment may still rerun (a plot's first draw): the same view for 1 s
        page.wait_for_timeout(500)
        views.append(page.evaluate(VIEW))
        if len(views) >= 3 and views[-1] == views[-2] == views[-3]:
            break
    view = views[-1]
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()
    return view


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    """A results file in the server's results folder (engine.sweep.files; the page opens files there by name)."""
    from engine.sweep.files import results_dir

    made = results_file(tmp_path_factory.mktemp("sweeps"))
    target = results_dir() / "e2e-link-round-trip.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(made.read_bytes())
    yield target.name
    target.unlink(missing_ok=True)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_copied_link_reopens_the_same_view(name: str, browser: Browser, app_server: str, sweep_file: str) -> None:
    path, ready, shown = PAGES[name]
    path = path.format(file=quote(sweep_file))
    first = browser.new_context(viewport={"width": 1200, "height": 900})
    first.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = first.new_page()
        page.set_default_navigation_timeout(120_000)
        page.goto(f"{app_server}/{path}")
        view = settled(page, ready)
        expect(page.get_by_text(shown).first).to_be_visible()
        assert set(query(f"{app_server}/{path}")) <= set(query(page.url))   # the link's parameters kept
        page.get_by_role("button", name="Copy link").click()
        expect(page.get_by_text("Link copied")).to_be_visible()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.url
    finally:
        first.close()
    fresh = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = fresh.new_page()
        page.set_default_navigation_timeout(120_000)
        page.goto(copied)
        again = settled(page, ready)
        expect(page.get_by_text(shown).first).to_be_visible()
        assert query(page.url) == query(copied)
        assert again == view
        page.screenshot(path=f"/tmp/e2e_link_{name}.png")
    finally:
        fresh.close()
