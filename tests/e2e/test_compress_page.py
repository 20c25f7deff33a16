"""Smoke test of the compression pages in real Chromium: the committed baseline shows at once; compress the digits
CNN with Deep k-means (in the shared worker pool, progress streamed) and read the accuracy and ratio; the old link
to the shallow model lands on the shallow-net page, where K starts at the exact minimiser's knots."""
import re
from urllib.parse import quote

from playwright.sync_api import Page, expect


def test_compress_digits_and_shallow(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/compress?cp_epochs=2&cp_ft=1")
    expect(page.get_by_text("Uncompressed test accuracy")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Compress", exact=True).click()
    ratio = page.get_by_test_id("stMetric").filter(has_text="Compression ratio")
    expect(ratio).to_be_visible(timeout=120_000)
    assert float(re.search(r"([\d.]+)×", ratio.inner_text()).group(1)) > 8
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Test accuracy").inner_text()
    assert float(re.search(r"([\d.]+)%", accuracy).group(1)) > 90
    page.screenshot(path="/tmp/e2e_compress_digits.png", full_page=True)
    page.goto(f"{app_server}/compress?cp_model={quote('Shallow ReLU net (1-D)')}")
    expect(page.get_by_role("heading", name="Compression by weight sharing: a shallow net")).to_be_visible(
        timeout=60_000)
    assert "/compress-shallow" in page.url
    neurons = page.get_by_test_id("stMetric").filter(has_text="Neurons after sharing")
    expect(neurons).to_contain_text("2 of 200", timeout=120_000)
    error = page.get_by_test_id("stMetric").filter(has_text="Max error at the data").inner_text()
    assert float(re.search(r"([\d.]+e[-+]\d+)", error).group(1)) < 1e-3
    page.screenshot(path="/tmp/e2e_compress_shallow.png", full_page=True)
