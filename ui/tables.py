"""Small result tables as Markdown: no pandas frame, no Arrow payload and no data grid in the browser, for
tables on the click path (a few rows that change on every click; ``st.dataframe`` costs ~8 ms of server time
and a canvas redraw per click)."""
from __future__ import annotations

import math


def cell(value, number_format: str = "{:.6g}") -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, (int, float)):
        return "—" if math.isnan(value) else number_format.format(value)
    return str(value).replace("|", "\\|")


def markdown_table(rows: list[dict], columns: dict[str, str], number_format: str = "{:.6g}") -> str:
    """A Markdown table of ``rows`` (dicts) with ``columns`` {key: header}; numbers as ``number_format``,
    NaN and None as —."""
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(key), number_format) for key in columns) + " |" for row in rows]
    return "\n".join(lines)
