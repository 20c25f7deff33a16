"""Smoke test of the R-norm explorer in real Chromium: the Gaussian's grid estimate agrees with the exact
value, and the pyramid is reported as infinite."""
from urllib.parse import quote

from playwright.sync_api import Page, expect


def test_gaussian_and_pyramid(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/rnorm?rn_res=128")
    expect(page.get_by_text("Grid vs exact")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("converged", exact=False).first).to_be_visible()
    page.goto(f"{app_server}/rnorm?rn_res=128&rn_item={quote('Pyramid (1 − max(|x|, |y|))₊')}")
    expect(page.get_by_text("∞ (diverging)")).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/e2e_rnorm.png", full_page=True)
