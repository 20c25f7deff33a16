"""The univariate page in real Chromium: a click on the plot adds a point and a new interpolant."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.test_click_plot import click
from ui.univariate_figure import window

POINTS = [(0, 0), (1, 0), (2, 1), (3, 3)]   # DESIGN.md §5: bias-free solution not unique


def test_click_adds_point_and_changes_the_solution(page: Page, app_server: str) -> None:
    pts = ";".join(f"{x},{y}" for x, y in POINTS)
    page.goto(f"{app_server}/univariate?pts={pts}")
    expect(page.get_by_text("4 points")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("is not unique")).to_be_visible()
    plot_area = page.locator(".click-plot .nsewdrag").first
    expect(plot_area).to_be_visible()
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
