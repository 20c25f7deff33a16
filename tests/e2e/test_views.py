"""What every page has, in real Chromium: presentation mode (font sizes read from the DOM), "Copy link"
(the clipboard holds the address), a saved view that reopens the same numbers, Ctrl+Z and Delete."""
import json

from playwright.sync_api import Page, expect

from tests.e2e.test_click_plot import click

POINTS = "0,0;1,0;2,1;3,3"
DRAWN = "() => document.querySelector('.click-plot')?.dataset.drawn >= 1"
N_POINTS = "document.querySelector('.click-plot').data.find(t => t.meta === 'points').x.length"


def test_presentation_mode_enlarges_plot_text_and_is_in_the_link(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/univariate?pts={POINTS}")
    page.wait_for_function(DRAWN, timeout=60_000)
    size = lambda sel: float(page.evaluate(f"getComputedStyle(document.querySelector('.click-plot {sel}')).fontSize")[:-2])
    assert size(".xtick text") < 16
    page.get_by_text("Presentation mode").click()
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('.click-plot .xtick text')).fontSize) >= 16")
    assert size(".legendtext") >= 16
    page.wait_for_function("() => location.search.includes('present=1')")
    page.goto(page.url)   # the link keeps presentation mode
    page.wait_for_function(DRAWN, timeout=60_000)
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('.click-plot .xtick text')).fontSize) >= 16")


def test_copy_link_copies_the_current_address(page: Page, app_server: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{app_server}/univariate?pts={POINTS}")
    page.wait_for_function(DRAWN, timeout=60_000)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url and "pts=" in copied


def test_saved_view_reopens_the_same_numbers(page: Page, app_server: str, tmp_path) -> None:
    page.goto(f"{app_server}/univariate?pts=0,0;1,0;2,1;3,3;4,0&lam=0.1")
    page.wait_for_function(DRAWN, timeout=60_000)
    expect(page.get_by_text("5 points")).to_be_visible()
    cost = page.locator("[data-testid=stMarkdown] table").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save view").click()
    path = tmp_path / "view.json"
    download.value.save_as(path)
    view = json.loads(path.read_text())
    assert view["page"].endswith("/univariate") and view["query"]["lam"] == "0.1"
    page.goto(app_server)
    page.get_by_text("Open a saved view").click()
    page.locator("[data-testid=stSidebar] input[type=file]").set_input_files(str(path))
    page.wait_for_url("**/univariate?**", timeout=60_000)
    page.wait_for_function(DRAWN, timeout=60_000)
    expect(page.get_by_text("5 points")).to_be_visible()
    assert page.locator("[data-testid=stMarkdown] table").first.inner_text() == cost


def test_ctrl_z_undoes_a_click_and_delete_removes_the_hovered_point(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/univariate?pts={POINTS}")
    page.wait_for_function(DRAWN, timeout=60_000)
    box = page.locator(".click-plot .nsewdrag").first.bounding_box()
    click(page, box["x"] + 0.15 * box["width"], box["y"] + 0.15 * box["height"])
    page.wait_for_function(f"() => {N_POINTS} === 5")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"() => {N_POINTS} === 4")
    marker = page.locator(".click-plot .scatterlayer .trace:last-child .point").first
    mbox = marker.bounding_box()
    page.mouse.move(mbox["x"] + mbox["width"] / 2, mbox["y"] + mbox["height"] / 2)
    page.keyboard.press("Delete")
    page.wait_for_function(f"() => {N_POINTS} === 3")


PLOT_FONTS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] svg text')]
  .filter(t => t.closest('.xtick, .ytick, .g-xtitle, .g-ytitle, .cbaxis, .legendtext') && t.textContent.trim())
  .map(t => [t.closest('.xtick, .ytick, .g-xtitle, .g-ytitle, .cbaxis, .legendtext').getAttribute('class'),
             parseFloat(getComputedStyle(t).fontSize)])"""
FORMULAS = """() => [...document.querySelectorAll('[data-testid=stMain] .katex-display')]
  .map(e => [e.scrollWidth, e.clientWidth])"""


def test_presentation_mode_on_a_streamlit_chart_page_at_laptop_size(browser, app_server: str) -> None:
    """/rnorm at 1366×768 draws f and its Radon transform with st.plotly_chart (Streamlit's own Plotly theme
    would keep its ticks at 0.75 rem, 15 px in presentation mode): every tick label, axis title and colour-bar
    label ≥ 16 px there, smaller without it; the formula at the top fits the page in both modes."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_navigation_timeout(120_000)   # possibly the server's first page (its imports still warming)
    try:
        sizes = {}
        for present in (False, True):
            page.goto(f"{app_server}/rnorm?rn_res=128" + ("&present=1" if present else ""))
            expect(page.get_by_text("Grid vs exact")).to_be_visible(timeout=60_000)
            # the ticks and the colour bars drawn (plotly draws a colour bar after the axes)
            page.wait_for_function("() => ['.xtick', '.cbaxis'].every(c => [...document.querySelectorAll("
                                   "`[data-testid=stPlotlyChart] ${c} text`)].some(t => t.textContent.trim()))",
                                   timeout=60_000)
            sizes[present] = page.evaluate(PLOT_FONTS)
            kinds = {kind.split()[0] for kind, _ in sizes[present]}
            assert {"xtick", "ytick", "g-xtitle", "cbaxis"} <= kinds, kinds
            for scroll, client in page.evaluate(FORMULAS):
                assert scroll <= client + 4, f"a formula is {scroll} px wide in a {client} px column"
            page.screenshot(path=f"/tmp/e2e_rnorm_present{int(present)}.png")
        assert min(size for _, size in sizes[True]) >= 16, sizes[True]
        assert min(size for _, size in sizes[False]) < 16
    finally:
        context.close()


def test_copy_link_and_save_view_share_one_row_on_every_kind_of_page(page: Page, app_server: str) -> None:
    """On a page with results (/kernel-regime: "Save view" is a server-side download) as on the others."""
    rows = {}
    for path, ready in (("kernel-regime", "Spread across seeds"), ("univariate", "The objectives")):
        page.goto(f"{app_server}/{path}")
        expect(page.get_by_text(ready).first).to_be_visible(timeout=120_000)
        save = page.locator("[data-testid=stSidebar]").get_by_role("button", name="Save view")
        expect(save).to_be_visible(timeout=60_000)
        copy = page.get_by_role("button", name="Copy link").bounding_box()
        box = save.bounding_box()
        assert abs(box["y"] + box["height"] / 2 - (copy["y"] + copy["height"] / 2)) < 4, (path, copy, box)
        assert 0 < box["x"] - (copy["x"] + copy["width"]) < 20, (path, copy, box)
        rows[path] = (round(copy["height"]), round(box["height"]))
    assert rows["kernel-regime"] == rows["univariate"], rows
