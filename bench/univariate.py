"""Exact univariate solvers vs the cvxpy knot-grid baseline (issue 2).

For N random points (x ~ U[−3, 3] sorted, y ~ N(0, 1), fixed seed) and each penalty: median time of
the exact solver; time of the cvxpy grid solver with 4N candidate knots (plus the data points), with
cvxpy's default conic solver (Clarabel) and with HiGHS (the fastest LP solver installed); their ratio;
the relative cost gap (grid − exact)/exact, which must never be negative; and the exact solution's
certificate (max dual violation or duality gap). Target at N = 200 (biases penalised): exact ≥ 100×
faster. Run: `python -m bench.univariate [--sizes 20 200 2000]`.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from engine import interpolate
from engine.univariate.reference import solve_on_grid


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'penalty':17} {'N':>5} {'exact [ms]':>11} {'baseline':>9} {'grid [ms]':>10} {'ratio':>8} "
          f"{'cost gap':>10} {'certificate':>11}")
    for n in args.sizes:
        x = np.sort(rng.uniform(-3, 3, n))
        y = rng.normal(size=n)
        for bias_penalty in (False, True):
            t_exact, exact = timed(lambda: interpolate(x, y, bias_penalty=bias_penalty), args.repeats)
            cert = max(exact.certificate.get("max_violation", 0.0), exact.certificate.get("duality_gap", 0.0))
            name = "biases penalised" if bias_penalty else "bias free"
            for solver in ("CLARABEL", "HIGHS"):   # cvxpy's default for this LP, and the fastest LP solver
                head = f"{name:17} {n:5d} {1e3 * t_exact:11.2f} {solver.lower():>9}"
                try:
                    t_grid, grid = timed(lambda: solve_on_grid(x, y, bias_penalty=bias_penalty, solver=solver),
                                         1 if n > 200 else 3)
                except Exception as err:   # the baseline failing is a result too
                    print(f"{head} {'failed':>10}   ({type(err).__name__}: {str(err)[:60]})", flush=True)
                    continue
                gap = (grid.cost - exact.cost) / exact.cost
                print(f"{head} {1e3 * t_grid:10.1f} {t_grid / t_exact:7.0f}x {gap:10.2e} {cert:11.1e}", flush=True)
                assert gap >= -1e-9, "the grid baseline beat the exact solver"


if __name__ == "__main__":
    main()
