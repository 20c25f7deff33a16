"""Smoke test of the R-norm explorer in real Chromium: the Gaussian's grid estimate agrees with the exact
value; a click on the measure picks a neuron and draws its line on f; the pyramid is reported as infinite."""
import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.e2e.test_click_plot import click


def test_gaussian_and_pyramid(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/rnorm?rn_res=128")
    expect(page.get_by_text("Grid vs exact")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("converged", exact=False).first).to_be_visible()
    plot_area = page.locator(".click-plot .nsewdrag").first   # the measure μ(θ, b)
    expect(plot_area).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=120_000)   # the page has finished
    plot_area.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = plot_area.bounding_box()
    click(page, box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])   # θ ≈ 90°, b ≈ 0
    picked = page.get_by_text("Picked neuron", exact=False)
    expect(picked).to_be_visible(timeout=60_000)
    theta = float(re.search(r"θ = ([\d.]+)°", picked.inner_text()).group(1))
    assert 80 < theta < 100
    page.screenshot(path="/tmp/e2e_rnorm_pick.png", full_page=True)
    page.goto(f"{app_server}/rnorm?rn_res=128&rn_item={quote('Pyramid (1 − max(|x|, |y|))₊')}")
    expect(page.get_by_text("∞ (diverging)")).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/e2e_rnorm.png", full_page=True)
