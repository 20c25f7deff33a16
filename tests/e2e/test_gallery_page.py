"""The gallery in real Chromium: one session follows two entries' links, each after visiting its target
page with other settings, and each view is the entry's (a link's parameters override the session's)."""
from playwright.sync_api import Page, expect


def idle(page: Page) -> None:
    """Until the script run has finished (Streamlit shows its status widget while one is going on)."""
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=120_000)


def open_entry(page: Page, title: str) -> None:
    idle(page)
    page.get_by_role("link", name="Gallery: the papers' results").click()   # the sidebar's navigation
    idle(page)
    card = page.locator("[data-testid='stVerticalBlock']", has_text=title).last
    card.get_by_role("link", name="Open").click()


def test_gallery_links_restore_their_views_in_one_session(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/univariate?pts=0,0;1,1;2,0")
    expect(page.get_by_text("The bias-free solution is unique")).to_be_visible(timeout=60_000)
    open_entry(page, "Minimum-norm interpolants are not unique")
    expect(page.get_by_text("The bias-free solution is not unique")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Penalising the biases makes")).to_have_count(0)   # the link's pen=0

    idle(page)
    page.get_by_role("link", name="R-norm explorer").click()   # the Gaussian by default
    expect(page.get_by_text("Grid estimate of ‖f‖_R")).to_be_visible(timeout=120_000)
    open_entry(page, "Depth separation: the pyramid's norm is infinite")
    expect(page.get_by_text("∞ (diverging)")).to_be_visible(timeout=120_000)
