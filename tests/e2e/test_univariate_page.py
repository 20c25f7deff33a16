"""The univariate page in real Chromium: a click on the plot adds a point and a new interpolant."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.test_click_plot import click
from ui.univariate_figure import window

POINTS = [(0, 0), (1, 0), (2, 1), (3, 3)]   # docs/design.md §5: bias-free solution not unique


def test_click_adds_point_and_changes_the_solution(page: Page, app_server: str) -> None:
    pts = ";".join(f"{x},{y}" for x, y in POINTS)
    page.goto(f"{app_server}/univariate?pts={pts}")
    expect(page.get_by_text("4 points")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("is not unique")).to_be_visible()
    plot_area = page.locator(".click-plot .nsewdrag").first
    expect(plot_area).to_be_visible(timeout=30_000)
    (x0, x1), (y0, y1) = window(*zip(*POINTS))

    def at(x, y):
        box = plot_area.bounding_box()
        return box["x"] + (x - x0) / (x1 - x0) * box["width"], box["y"] + (y1 - y) / (y1 - y0) * box["height"]

    click(page, *at(1.5, 2.0))
    # alternating slope changes now: the bias-free interpolant becomes unique
    expect(page.get_by_text("5 points")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("solution is unique")).to_be_visible()
    added = [tuple(map(float, p.split(","))) for p in re.search(r"pts=([^&]+)", page.url).group(1)
             .replace("%3B", ";").replace("%2C", ",").split(";")]
    assert any(abs(x - 1.5) < 0.1 and abs(y - 2.0) < 0.15 for x, y in added), added
    page.screenshot(path="/tmp/e2e_univariate.png", full_page=True)

    click(page, *at(1.5, 2.0))   # the new marker: removes it
    expect(page.get_by_text("4 points")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("is not unique")).to_be_visible()


def test_deep_link_uses_app_navigation(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/univariate")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("Univariate interpolation", timeout=30_000)
    expect(nav).to_contain_text("Home")


def _open(page: Page, app_server: str):
    """The page with POINTS; returns the plot area."""
    page.goto(f"{app_server}/univariate?pts={';'.join(f'{x},{y}' for x, y in POINTS)}")
    expect(page.get_by_text("4 points")).to_be_visible(timeout=30_000)
    plot_area = page.locator(".click-plot .nsewdrag").first
    expect(plot_area).to_be_visible(timeout=30_000)
    return plot_area


def _pan(page: Page, box) -> None:
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.9 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.6 * box["height"], steps=5)
    page.mouse.up()


def _points(page: Page) -> list[tuple[float, float]]:
    trace = "document.querySelector('.click-plot').data.find(t => t.meta === 'points')"
    return list(zip(page.evaluate(f"{trace}.x"), page.evaluate(f"{trace}.y")))


def test_drag_moves_a_point_live_and_undo_restores_it(page: Page, app_server: str) -> None:
    plot_area = _open(page, app_server)
    (x0, x1), (y0, y1) = window(*zip(*POINTS))
    box = plot_area.bounding_box()
    at = lambda x, y: (box["x"] + (x - x0) / (x1 - x0) * box["width"], box["y"] + (y1 - y) / (y1 - y0) * box["height"])
    page.mouse.move(*at(2, 1))
    page.wait_for_timeout(100)
    page.mouse.down()
    for k in range(1, 11):   # drag (2, 1) up to (2, 2.5): the curves follow during the drag
        page.mouse.move(*at(2, 1 + 0.15 * k))
        page.wait_for_timeout(60)
    page.mouse.up()
    # done when the server has drawn the released point: the bias-free curve (through the data) passes it
    page.wait_for_function("() => { const gd = document.querySelector('.click-plot');"
                           " const f = gd.data.find(t => t.name === 'bias-free interpolant');"
                           " const t = gd.data.find(t => t.meta === 'points');"
                           " return t.x.length === 4 && Math.abs(t.y[2] - 2.5) < 0.1 &&"
                           " f.x.some((x, i) => Math.abs(x - t.x[2]) < 1e-5 && Math.abs(f.y[i] - t.y[2]) < 1e-4); }",
                           timeout=30_000)
    expect(page.get_by_text("4 points")).to_be_visible()
    moved = _points(page)[2]
    assert abs(moved[0] - 2) < 0.1 and abs(moved[1] - 2.5) < 0.1, moved
    free = page.evaluate("document.querySelector('.click-plot').data.find(t => t.name === 'bias-free interpolant')")
    assert max(free["y"]) > 2.4 or any(abs(y - 2.5) < 0.1 for y in free["y"])   # the curve passes the new point
    expect(plot_area).to_be_visible(timeout=30_000)
    # the drag neither zoomed nor panned the axes
    xr = page.evaluate("document.querySelector('.click-plot')._fullLayout.xaxis.range")
    assert abs(xr[0] - x0) < 1e-6 and abs(xr[1] - x1) < 1e-6
    page.get_by_role("button", name="Undo").click()   # the whole drag is one undo step
    page.wait_for_function("() => { const t = document.querySelector('.click-plot').data.find(t => t.meta === 'points');"
                           " return Math.abs(t.y[2] - 1) < 1e-9; }", timeout=30_000)
    page.screenshot(path="/tmp/e2e_univariate_drag.png", full_page=True)


def test_dragging_empty_space_pans_and_reset_view_and_presets_restore_the_window(page: Page, app_server: str) -> None:
    plot_area = _open(page, app_server)
    x_range = "document.querySelector('.click-plot')._fullLayout.xaxis.range"
    start = page.evaluate(x_range)
    box = plot_area.bounding_box()
    _pan(page, box)
    panned = page.evaluate(x_range)
    assert abs((panned[1] - panned[0]) - (start[1] - start[0])) < 1e-6, "a drag must pan, never zoom"
    assert abs(panned[0] - start[0]) > 0.1
    page.get_by_role("button", name="Reset view").click()
    page.wait_for_function(f"() => Math.abs({x_range}[0] - ({start[0]})) < 1e-6", timeout=30_000)
    _pan(page, box)
    page.get_by_role("button", name="Load preset").click()   # a preset shows its own window
    page.wait_for_function(f"() => Math.abs({x_range}[0] - ({start[0]})) < 1e-6", timeout=30_000)


def test_a_click_is_drawn_once_from_the_live_route_and_the_page_follows(page: Page, app_server: str) -> None:
    """ui/live.py: the figure comes from POST /live/univariate; the rerun that follows updates the caption and
    the link but does not draw the same figure again."""
    plot_area = _open(page, app_server)
    page.wait_for_timeout(500)   # the page's own draws are over
    live = []
    page.on("response", lambda r: live.append(r.status) if "/live/univariate" in r.url else None)
    drawn = lambda: int(page.locator(".click-plot").first.get_attribute("data-drawn"))
    before = drawn()
    (x0, x1), (y0, y1) = window(*zip(*POINTS))
    box = plot_area.bounding_box()
    click(page, box["x"] + (1.5 - x0) / (x1 - x0) * box["width"], box["y"] + (y1 - 2.0) / (y1 - y0) * box["height"])
    expect(page.get_by_text("5 points")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("solution is unique")).to_be_visible()
    page.wait_for_function("() => (new URLSearchParams(location.search).get('pts') || '').split(';').length === 5",
                           timeout=30_000)
    page.wait_for_timeout(500)
    assert live == [200]
    assert drawn() == before + 1, "the rerun's figure (the same) must not be drawn again"
    assert len(_points(page)) == 5
