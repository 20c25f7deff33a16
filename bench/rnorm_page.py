"""Server-side time of an R-norm formula change at the default resolution (256), target ≤ 500 ms.

A session of views/rnorm.py (AppTest, custom formula) gets a new formula each time; the script run that
follows is timed (wall and CPU). In the browser only the page's function fragment reruns, which is this
run less the static header and the cached radial section. Printed beside ``rnorm_grid`` alone on the same
formula, measured in the same run: the page's share on top of the engine. Run:
`python -m bench.rnorm_page [--changes 6]`.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from engine.rnorm.formula import parse
from engine.rnorm.grid import rnorm_grid

PAGE = Path(__file__).resolve().parents[1] / "views" / "rnorm.py"
TARGET_S = 0.5


def formula(i: int) -> str:
    return f"exp(-(x^2 + {2 + 0.1 * i:.1f}*y^2)/2)"


def engine_time(text: str) -> float:
    f = parse(text, variables=("x", "y", "r"))
    start = time.perf_counter()
    rnorm_grid(lambda x, y: f(x=x, y=y), extent=8.0, resolution=256, angles=256)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=6)
    args = parser.parse_args(argv)
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    at.query_params["rn_item"] = "Custom formula"
    at.run()
    wall, cpu, grid = [], [], []
    for i in range(args.changes):
        at.text_input(key="rn_formula").set_value(formula(i))
        w, c = time.perf_counter(), time.process_time()
        at.run()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        assert not at.exception, at.exception
        grid.append(engine_time(formula(100 + i)))
    page, engine = statistics.median(wall), statistics.median(grid)
    print(f"formula change at n = 256: script run median {1000 * page:.0f} ms wall, "
          f"{1000 * statistics.median(cpu):.0f} ms CPU (target {1000 * TARGET_S:.0f} ms: "
          f"{'met' if page <= TARGET_S else 'missed'}); rnorm_grid alone {1000 * engine:.0f} ms; "
          f"page / engine = {page / engine:.2f}")


if __name__ == "__main__":
    main()
