""""Copy as code": the Python (engine calls) and the CLI input that reproduce a page's numbers.

Shown with ``st.code``, whose copy button puts the text on the clipboard; numbers are written with
``repr`` so that the snippet reproduces the page to the last digit.
"""
from __future__ import annotations

import json

import streamlit as st


def _nums(values) -> str:
    if values and isinstance(values[0], (list, tuple)):
        return "[" + ", ".join(_nums(v) for v in values) + "]"
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def interpolate_call(x, y, *, bias_penalty: bool, lam: float = 0.0) -> str:
    return (f"from engine import interpolate\n\nx = {_nums(x)}\ny = {_nums(y)}\n"
            f"sol = interpolate(x, y, bias_penalty={bias_penalty}, lam={float(lam)!r})\n"
            "print(sol.cost, sol.unique, sol.knots, sol.jumps)")


def interpolate_cli(x, y, *, bias_penalty: bool, lam: float = 0.0) -> str:
    data = {"x": json.loads(_nums(x)), "y": json.loads(_nums(y)), "bias_penalty": bias_penalty, "lam": float(lam)}
    return f"cat > problem.json <<'EOF'\n{json.dumps(data)}\nEOF\npython -m engine interpolate problem.json"


def show(calls: list[tuple[str, str, str]], *, key: str = "reproduce_open") -> None:
    """An expander with, per (title, python, shell) triple, the Python and the CLI text. Its code blocks are
    sent only while it is open (``on_change="rerun"``): they hold every point, on every click otherwise."""
    with st.expander("Reproduce these numbers (Python, command line)", key=key, on_change="rerun") as box:
        if not box.open:
            return
        for title, python, shell in calls:
            st.markdown(f"**{title}**")
            st.code(python, language="python")
            st.code(shell, language="bash")
