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


def _cli(command: str, data: dict, file: str = "problem.json") -> str:
    """Shell text that writes ``data`` to ``file`` and runs ``python -m engine command file``."""
    return f"cat > {file} <<'EOF'\n{json.dumps(data, ensure_ascii=False)}\nEOF\npython -m engine {command} {file}"


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


def _cnn_input(o: dict) -> dict:
    """The CLI input (engine.compress.cli.run_cnn) of the compression page's options ``o``."""
    clusters = ({"k": o["k"]} if o["k"] is not None else {"rate": o["rate"]} if o["rate"] is not None
                else {"per_layer": o["per_layer"]})
    r = o["run"]
    return {"model": "digits-cnn", "method": o["method"], **clusters, "lam": r["lam"], "epochs": r["epochs"],
            "refresh": r["refresh"], "basis": r["basis"], "finetune_epochs": r["finetune_epochs"], "seed": o["seed"],
            "base_epochs": o["base_epochs"]}


def _cnn_setup(o: dict, device: str, committed: bool) -> str:
    head = ("from engine.compress.baseline import load_baseline\n" if committed else "") + \
        ("from engine.compress.deep_kmeans import cluster_counts, compress, sweep"
         + ("" if committed else ", train_baseline") + "\nfrom engine.compress.digits import load_data\n"
         "from engine.compress.methods import METHODS\n\n"
         f"data = load_data({o['seed']})\n")
    if committed:
        return head + f"model, meta = load_baseline({device!r})   # the committed uncompressed CNN\n"
    return head + (f"*_, base = train_baseline(data, epochs={o['base_epochs']}, seed={o['seed']}, device={device!r})\n"
                   "model = base.model\n")


def _run_options(o: dict) -> str:
    r = o["run"]
    return (f"lam={r['lam']!r}, epochs={r['epochs']}, refresh={r['refresh']}, basis={r['basis']!r}, "
            f"finetune_epochs={r['finetune_epochs']}, seed={r['seed']}")


def compress_call(o: dict, device: str, committed: bool) -> str:
    """Python for one compression of the digits CNN with the page's options (its metrics: ``r``)."""
    clusters = (f"k={o['k']}" if o["k"] is not None else f"rate={o['rate']!r}" if o["rate"] is not None
                else f"per_layer={o['per_layer']!r}")
    return (_cnn_setup(o, device, committed) +
            f"ks = cluster_counts(model, {o['method']!r}, {clusters})\n"
            f"*_, last = compress(model, data, {o['method']!r}, ks, {_run_options(o)})\n"
            "r = last.result\nprint(r.accuracy, r.ratio, r.ratio_entropy)")


def compress_cli(o: dict) -> str:
    return _cli("compress", _cnn_input(o), "cnn.json")


def sweep_call(o: dict, device: str, committed: bool, ks: list[int]) -> str:
    """Python for "Compare methods": every method at each K (``runs``: the Results)."""
    return (_cnn_setup(o, device, committed) +
            f"runs = [r for *_, r in sweep(model, data, list(METHODS), {list(ks)!r}, {_run_options(o)})]\n"
            "for r in runs:\n    print(r.method, r.ks, r.accuracy, r.ratio)")


def sweep_cli(o: dict, ks: list[int]) -> str:
    data = {k: v for k, v in _cnn_input(o).items() if k not in ("method", "k", "rate", "per_layer")}
    return _cli("compress", {**data, "sweep_k": list(ks)}, "sweep.json")


def kernel_regime_call(settings: dict) -> str:
    """Python for the kernel-regime page's runs (``settings``: width, steps, lam, seeds)."""
    return ("from engine.kernel_regime import exact_view, grid, square_data\n"
            "from engine.kernel_regime.runs import seed_spread, single_task_rows, train_runs\n\n"
            "X, y = square_data()\npoints, axes = grid(1.5, 61)\n"
            f"runs = [p[0] for kind, *p in train_runs(X, y, points, seeds={list(settings['seeds'])!r}, "
            f"task_counts=(1, 101),\n                                          width={settings['width']}, "
            f"lam={float(settings['lam'])!r}, steps={settings['steps']}) if kind == 'run']\n"
            "spread = {T: seed_spread([r for r in runs if r.tasks == T]) for T in (1, 101)}\n"
            f"exact = exact_view(X, y, points, {float(settings['lam'])!r})['result']\n"
            "table = single_task_rows([r for r in runs if r.tasks == 1], exact)\nprint(spread, table)")


def kernel_regime_cli(settings: dict) -> str:
    data = {"width": settings["width"], "steps": settings["steps"], "lam": float(settings["lam"]),
            "seeds": list(settings["seeds"])}
    return _cli("kernel-regime", data, "runs.json")
