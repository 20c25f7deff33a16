"""Make the home page's thumbnails: start the app, open each page in headless Chromium, screenshot its
main figure once the page has finished running, and store it as a small PNG under docs/thumbnails/
(≤ 60 kB: fitted into 480 × 300 on white and palette-quantised with Pillow).

Run: ``make thumbnails`` (or ``.venv/bin/python docs/make_thumbnails.py [--port 8450] [--only rnorm]``).
Needs Chromium at /usr/bin/chromium and Playwright (both as for the browser tests).
"""
from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # run as a script: docs/ is on the path, the repository root is not
from deploy.app_process import app_process, healthy  # noqa: E402
OUT = ROOT / "docs" / "thumbnails"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
WIDTH, HEIGHT = 480, 300   # the stored thumbnail
MAX_BYTES = 60_000


@dataclass(frozen=True)
class Shot:
    name: str              # docs/thumbnails/<name>.png: the page file's stem
    url: str               # path and query after the server's address
    selector: str          # the main figure; the n-th match
    nth: int = 0
    click: str | None = None      # a button to press first (its label)


CHART = "[data-testid='stPlotlyChart']"
SHOTS = (
    Shot("gallery", "/gallery", "[data-testid='stHorizontalBlock']", 1),
    Shot("univariate", "/univariate?pts=0,0;1,0;2,1;3,3&kernels=h1", ".click-plot"),
    Shot("multitask", "/multitask?random=1", ".click-plot", 1),
    Shot("kernel_regime", "/kernel-regime", CHART),
    Shot("rnorm", "/rnorm?rn_item=Anisotropic%20Gaussian&rn_extent=4&rn_res=128",
         f"[data-testid='stHorizontalBlock']:has({CHART})"),
    Shot("compress_digits", "/compress?cp_k=4", f"{CHART}:has-text('shared centres')", click="Compress"),
    Shot("compress_shallow", "/compress-shallow", CHART),
    Shot("sweeps", "/sweeps", "[data-testid='stMainBlockContainer']"),
)


def small_png(png: bytes) -> bytes:
    """Fit into WIDTH × HEIGHT on white (aspect kept) and quantise until it is ≤ 60 kB."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((WIDTH, HEIGHT), Image.LANCZOS)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    canvas.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
    for colours in (256, 128, 64, 32):
        out = io.BytesIO()
        canvas.quantize(colours, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    raise SystemExit("thumbnail over 60 kB even with 32 colours")


def idle(page: Page) -> None:
    """Wait until the script has finished: Streamlit shows its status widget while a run is going on."""
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=600_000)


def shoot(page: Page, base: str, shot: Shot) -> bytes:
    page.goto(base + shot.url)
    page.locator("[data-testid='stApp']").wait_for()
    idle(page)
    if shot.click:
        page.get_by_role("button", name=shot.click, exact=True).click()
        idle(page)
    page.add_style_tag(content=".modebar-container { display: none !important; }")   # plotly's toolbar
    figure = page.locator(shot.selector).nth(shot.nth)
    figure.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    page.wait_for_timeout(1500)   # plotly's transitions and fonts
    return figure.screenshot()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8450)
    parser.add_argument("--only", nargs="*", help="names of the thumbnails to make (default: all)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if healthy(f"http://127.0.0.1:{args.port}"):
        raise SystemExit(f"port {args.port} is already in use; pass --port")
    with app_process(args.port) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        for shot in SHOTS:
            if args.only and shot.name not in args.only:
                continue
            data = small_png(shoot(page, base, shot))
            (OUT / f"{shot.name}.png").write_bytes(data)
            print(f"{shot.name}.png: {len(data) / 1000:.1f} kB", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
