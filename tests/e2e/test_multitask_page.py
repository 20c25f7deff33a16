"""The multi-task page in real Chromium: a click that gives task 2 a point, and a button that adds a
random task, make task 1's minimum-norm interpolant unique."""
from playwright.sync_api import Page, expect

from tests.e2e.test_click_plot import click
from ui.univariate_figure import window

TASK1 = [(0, 0), (1, 0), (2, 1), (3, 3)]   # docs/design.md §5: alone, not unique
TASK2 = [(0, 0), (3, 0)]                   # a companion seen only at the ends: still not unique


def test_adding_a_task_point_and_a_random_task_makes_task_1_unique(page: Page, app_server: str) -> None:
    enc = lambda pts: ";".join(f"{x},{y}" for x, y in pts)
    page.goto(f"{app_server}/multitask?pts={enc(TASK1)}&placed=1&pts2={enc(TASK2)}")
    expect(page.get_by_text("Task 1 alone: not unique")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Task 1 within 2 tasks: not unique")).to_be_visible()
    page.get_by_text("task 2", exact=True).click()   # clicks on the right plot now place task 2's points
    plot_area = page.locator(".click-plot .nsewdrag").nth(1)
    expect(plot_area).to_be_visible(timeout=30_000)
    (x0, x1), (y0, y1) = window(*zip(*(TASK1 + TASK2)))
    page.wait_for_function(   # the rerun has drawn: the right plot's editable points are task 2's
        "() => document.querySelectorAll('.click-plot')[1]?.data?.find(t => t.meta === 'points')?.x.length === 2",
        timeout=30_000)
    for _ in range(50):   # the plot is laid out again after the rerun: wait until it has a box
        box = plot_area.bounding_box()
        if box is not None:
            break
        page.wait_for_timeout(200)
    click(page, box["x"] + (1.5 - x0) / (x1 - x0) * box["width"], box["y"] + (y1 - 1.0) / (y1 - y0) * box["height"])
    expect(page.get_by_text("Task 1 within 2 tasks: unique")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => decodeURIComponent(location.search).split('pts2=')[1].split('&')[0].split(';').length === 3")
    task2 = page.url.split("pts2=")[1].split("&")[0].replace("%3B", ";").replace("%2C", ",")
    added = [tuple(map(float, p.split(","))) for p in task2.split(";")]
    assert any(abs(x - 1.5) < 0.15 and abs(y - 1.0) < 0.2 for x, y in added), added
    page.get_by_role("button", name="Add a random task").click()
    expect(page.get_by_text("Task 1 within 3 tasks: unique")).to_be_visible(timeout=30_000)
    page.screenshot(path="/tmp/e2e_multitask.png", full_page=True)
