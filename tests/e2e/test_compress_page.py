"""Smoke test of the compression page in real Chromium: compress the digits CNN with Deep k-means and
read the accuracy and ratio; switch to the shallow net and move K."""
import re

from playwright.sync_api import Page, expect


def test_compress_digits_and_shallow(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/compress?cp_epochs=2&cp_ft=1")
    expect(page.get_by_text("Uncompressed test accuracy")).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Compress", exact=True).click()
    ratio = page.get_by_test_id("stMetric").filter(has_text="Compression ratio")
    expect(ratio).to_be_visible(timeout=120_000)
    assert float(re.search(r"([\d.]+)×", ratio.inner_text()).group(1)) > 8
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Test accuracy").inner_text()
    assert float(re.search(r"([\d.]+)%", accuracy).group(1)) > 90
    page.screenshot(path="/tmp/e2e_compress_digits.png", full_page=True)
    page.get_by_text("Shallow ReLU net (1-D)").click()
    neurons = page.get_by_test_id("stMetric").filter(has_text="Neurons after sharing")
    expect(neurons).to_contain_text("2 of 200", timeout=120_000)
    error = page.get_by_test_id("stMetric").filter(has_text="Max error at the data").inner_text()
    assert float(re.search(r"([\d.]+e[-+]\d+)", error).group(1)) < 1e-3
    page.screenshot(path="/tmp/e2e_compress_shallow.png", full_page=True)
