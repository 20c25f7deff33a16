"""ui.click_plot in a real browser: clicks add and remove points, plotly.js is served locally."""

import re

from playwright.sync_api import Page, expect

DEMO = "tests/e2e/click_demo_app.py"


def click(page: Page, x: float, y: float) -> None:
    """Point, then click, as a person would.

    plotly.js takes the clicked position and point from its hover state, which
    it updates at most every 50 ms; a pointer that jumps and clicks at once
    could report where the pointer was before.
    """
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    page.mouse.click(x, y)


def shown_points(page: Page) -> list[tuple[float, float]]:
    text = page.get_by_test_id("stText").inner_text()
    return [(float(x), float(y)) for x, y in re.findall(r"\(([-\d.]+), ([-\d.]+)\)", text)]


def test_click_adds_and_removes_points(page: Page, serve_script) -> None:
    url = serve_script(DEMO)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    plot_area = page.locator(".click-plot .nsewdrag").first
    markers = page.locator(".click-plot .scatterlayer .point")

    def click_empty(fx: float, fy: float) -> None:
        """Click at a fraction of the axes; the demo's axes span [-1, 1] x [-1, 1]."""
        box = plot_area.bounding_box()
        click(page, box["x"] + fx * box["width"], box["y"] + fy * box["height"])

    expect(plot_area).to_be_visible()
    click_empty(0.25, 0.25)
    expect(page.get_by_text("points: 1")).to_be_visible()
    click_empty(0.75, 0.75)
    expect(page.get_by_text("points: 2")).to_be_visible()
    expect(markers).to_have_count(2)
    (x0, y0), (x1, y1) = shown_points(page)
    assert abs(x0 + 0.5) < 0.02 and abs(y0 - 0.5) < 0.02
    assert abs(x1 - 0.5) < 0.02 and abs(y1 + 0.5) < 0.02

    box = markers.first.bounding_box()
    click(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_text("points: 1")).to_be_visible()
    expect(markers).to_have_count(1)
    assert shown_points(page) == [(x1, y1)]
    page.screenshot(path="/tmp/click_demo.png")

    outside = [r for r in requests if r.startswith(("http:", "https:")) and not r.startswith(url)]
    assert not outside, f"fetched from outside the app: {outside}"
    assert any(r.split("?")[0].endswith("/app/static/plotly.min.js") for r in requests)


def test_modebar_exports_png_and_svg(page: Page, serve_script) -> None:
    page.goto(serve_script(DEMO))
    page.locator(".click-plot .nsewdrag").first.hover()
    expect(page.locator('.modebar-btn[data-title="Share chart..."]')).to_have_count(0)
    buttons = {"Download plot as a PNG": "plot.png", "Download plot as SVG": "plot.svg"}
    for title, filename in buttons.items():
        with page.expect_download() as download:
            page.locator(f'.modebar-btn[data-title="{title}"]').click()
        assert download.value.suggested_filename == filename


def test_rerun_keeps_zoom_and_a_drag_never_box_zooms(page: Page, serve_script) -> None:
    page.goto(serve_script(DEMO))
    plot_area = page.locator(".click-plot .nsewdrag").first
    expect(plot_area).to_be_visible(timeout=30_000)
    box = plot_area.bounding_box()
    x_range = "document.querySelector('.click-plot')._fullLayout.xaxis.range"
    page.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.1 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"], steps=5)
    page.mouse.up()
    panned = page.evaluate(x_range)
    assert abs((panned[1] - panned[0]) - 2) < 1e-9, "a drag pans; it must not box-zoom"
    expect(page.locator('.modebar-btn[data-title="Box Zoom"]')).to_have_count(0)
    page.locator('.modebar-btn[data-title="Zoom in"]').click()
    zoomed = page.evaluate(x_range)
    assert zoomed[1] - zoomed[0] < 1.5

    page.wait_for_timeout(500)  # a quicker click would be a double click, which resets the zoom
    click(page, box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
    expect(page.get_by_text("points: 1")).to_be_visible()
    expect(page.locator(".click-plot .scatterlayer .point")).to_have_count(1)
    assert page.evaluate(x_range) == zoomed
