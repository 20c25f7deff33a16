""""Copy as code": the Python (engine calls) and the CLI input that reproduce a page's numbers.

Shown with ``st.code``, whose copy button puts the text on the clipboard; numbers are written with
``repr`` so that the snippet reproduces the page to the last digit.
"""
from __future__ import annotations

import json
import re

import streamlit as st


def _nums(values) -> str:
    if values and isinstance(values[0], (list, tuple)):
        return "[" + ", ".join(_nums(v) for v in values) + "]"
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def interpolate_call(x, y, *, bias_penalty: bool, lam: float = 0.0) -> str:
    return (f"from engine import interpolate\n\nx = {_nums(x)}\ny = {_nums(y)}\n"
            f"sol = interpolate(x, y, bias_penalty={bias_penalty}, lam={float(lam)!r})\n"
            "print(sol.cost, sol.unique, sol.knots, sol.jumps)")


def _cli(command: str, data: dict) -> str:
    return f"cat > problem.json <<'EOF'\n{json.dumps(data, ensure_ascii=False)}\nEOF\npython -m engine {command} problem.json"


def interpolate_cli(x, y, *, bias_penalty: bool, lam: float = 0.0) -> str:
    data = {"x": json.loads(_nums(x)), "y": json.loads(_nums(y)), "bias_penalty": bias_penalty, "lam": float(lam)}
    return _cli("interpolate", data)


# ---- the R-norm explorer (views/rnorm.py; the CLI is engine/rnorm/cli.py) ----

def rnorm_grid_call(formula: str, extent: float, resolution: int) -> str:
    return ("from engine.rnorm.formula import parse\nfrom engine.rnorm.grid import rnorm_grid\n\n"
            f"f = parse({formula!r}, variables=(\"x\", \"y\", \"r\"))\n"
            f"res = rnorm_grid(lambda x, y: f(x=x, y=y), extent={float(extent)!r}, resolution={int(resolution)}, "
            f"angles={int(resolution)})\nprint(res.value, res.status, res.estimate_error)")


def rnorm_grid_cli(formula: str, extent: float, resolution: int) -> str:
    return _cli("rnorm", {"function": formula, "extent": float(extent), "resolution": int(resolution)})


def rnorm_radial_call(profile: str, dims) -> str:
    dims = list(map(int, dims))
    if len(dims) == 1:
        return ("from engine.rnorm.formula import parse\nfrom engine.rnorm.radial import formula_rnorm\n\n"
                f"result, support = formula_rnorm(parse({profile!r}, variables=(\"r\",)), {dims[0]})\n"
                "print(result.value if result.finite else float(\"inf\"), result.point_mass)")
    return ("from engine.rnorm.formula import parse\nfrom engine.rnorm.radial import formula_rnorm_curve\n\n"
            f"dims = {dims!r}\ncurve, support = formula_rnorm_curve(parse({profile!r}, variables=(\"r\",)), dims)\n"
            "for d, c in zip(dims, curve):\n    print(d, c.value if c.finite else float(\"inf\"))")


def rnorm_radial_cli(profile: str, dims) -> str:
    dims = list(map(int, dims))
    if len(dims) == 1:
        return _cli("rnorm", {"radial": profile, "dim": dims[0]})
    template = json.dumps({"radial": profile, "dim": 0}, ensure_ascii=False).removesuffix("0}") + "DIM}"
    return (f"cat > radial.json <<'EOF'\n{template}\nEOF\nfor d in {' '.join(map(str, dims))}; do\n"
            "  sed 's/DIM}$/'$d'}/' radial.json > problem.json && python -m engine rnorm problem.json\ndone")


def rnorm_network_call(net: dict) -> str:
    return ("from engine.rnorm.finite import network_rnorm\n\n"
            f"w = {_nums(net['w'])}\nb = {_nums(net['b'])}\na = {_nums(net['a'])}\nprint(network_rnorm(w, b, a))")


def rnorm_network_cli(net: dict) -> str:
    return _cli("rnorm", {"network": {k: json.loads(_nums(net[k])) for k in ("w", "b", "a")}})


def ridge_call(ridges) -> str:
    pairs = ", ".join(f"({g!r}, {tuple(map(float, w))!r})" for g, w in ridges)
    return f"from engine.rnorm.gallery import ridge_rnorm\n\nprint(ridge_rnorm([{pairs}]))"


def show(calls: list[tuple[str, str, str | None]], title: str = "Reproduce these numbers (Python, command line)",
         *, key: str | None = None) -> None:
    """An expander with, per (title, python, shell) triple, the Python and the CLI text (None: no CLI). Its
    code blocks are sent only while it is open (``on_change="rerun"``): they hold every point, and would
    otherwise be sent again on every click."""
    with st.expander(title, key=key or "reproduce_" + re.sub(r"\W+", "_", title).strip("_").lower(),
                     on_change="rerun") as box:
        if not box.open:
            return
        for heading, python, shell in calls:
            st.markdown(f"**{heading}**")
            st.code(python, language="python")
            if shell is not None:
                st.code(shell, language="bash")
