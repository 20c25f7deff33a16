"""One way to open a page under ``streamlit.testing``: through app.py's navigation, as a browser does.

A page run on its own (``AppTest.from_file("views/x.py")``) has no navigation, so its ``st.page_link`` to
another page fails; AppTest switches pages only after a first run, so the home page runs first.
"""
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_page(page: str, *, query=None, session=None, timeout: float = 180) -> AppTest:
    """Run ``views/<page>`` (or "app.py" for the home page) with the link ``query`` and ``session`` state."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.run()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page == "app.py":
        return at.run()
    return at.switch_page(page if page.startswith("views/") else f"views/{page}").run()


def markdown_table(at: AppTest, first_header: str = "curve"):
    """The page's Markdown table (ui/tables.py) whose first header is ``first_header``, as a DataFrame indexed
    by that column, numbers read as floats ("—" as NaN)."""
    import pandas as pd

    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first_header} |"))
    header, _, *body = [[c.strip() for c in line.strip("|").split(" | ")] for line in text.splitlines()]
    frame = pd.DataFrame(body, columns=header).set_index(first_header)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column].replace("—", "nan"), errors="coerce")
        if numbers.notna().sum() == (frame[column] != "—").sum():
            frame[column] = numbers
    return frame
