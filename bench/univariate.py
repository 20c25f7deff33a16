"""Exact univariate solvers vs the cvxpy knot-grid baseline, measured in the same run (issues 2, 14).

Data: x ~ U[−4, 4] sorted, y = sin 2x + 0.1·noise ("sin") or y ~ N(0, 1) ("normal"), fixed seeds.
For each penalty, through the public ``interpolate`` (validation, solution set and certificate
included): the best of ``--repeats`` wall times and the process (CPU) time of that call (this
sandbox's cores are shared, so wall time is inflated by other processes); the cvxpy grid solver with
4N candidate knots (plus the data) under Clarabel and under HiGHS, the faster of the two taken as
the baseline; their ratio; the relative cost gap (grid − exact)/exact, which must never be
negative; and the exact answer's certificate (its true duality gap). Targets (issue 14): biases
penalised ≥ 100× the fastest grid at N = 20 and 200, ≤ 10 ms at N = 2000, linear growth to 20 000
(the growth table calls ``solve_bias_penalised`` directly: ``interpolate`` accepts at most 2000
points); bias free ≤ 0.1 ms at N = 200. Run: `python -m bench.univariate`.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from engine import interpolate
from engine.univariate.bias_penalised import solve_bias_penalised
from engine.univariate.reference import solve_on_grid


def data(kind, n, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-4, 4, n))
    y = np.sin(2 * x) + 0.1 * rng.normal(size=n) if kind == "sin" else rng.normal(size=n)
    return x, y


def timed(fn, repeats):
    """(best wall time, CPU time of that call, result)."""
    best, out = (np.inf, np.inf), None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        result = (time.perf_counter() - wall, time.process_time() - cpu)
        best = min(best, result)
    return best[0], best[1], out


def gap(sol):
    return sol.certificate.get("duality_gap", float("nan"))


def versus_grid(sizes, repeats):
    print(f"{'penalty':17} {'data':6} {'N':>5} {'exact ms':>9} {'cpu ms':>7} {'clarabel ms':>11} {'highs ms':>9} "
          f"{'ratio':>7} {'cost gap':>9} {'cert gap':>8}")
    for n in sizes:
        for kind in ("sin", "normal"):
            x, y = data(kind, n, n)
            for bias_penalty in (False, True):
                wall, cpu, exact = timed(lambda: interpolate(x, y, bias_penalty=bias_penalty), repeats)
                grid = {}
                for solver in ("CLARABEL", "HIGHS"):
                    try:
                        grid[solver] = timed(lambda: solve_on_grid(x, y, bias_penalty=bias_penalty, solver=solver),
                                             1 if n > 100 else 3)
                    except Exception as err:   # the baseline failing is a result too
                        print(f"    grid {solver}: {type(err).__name__}: {str(err)[:60]}")
                fastest = min(grid.values(), key=lambda r: r[0])
                cost_gap = (fastest[2].cost - exact.cost) / exact.cost
                ms = {k: f"{1e3 * v[0]:.1f}" if k in grid else "failed" for k, v in
                      (("CLARABEL", grid.get("CLARABEL", (0,))), ("HIGHS", grid.get("HIGHS", (0,))))}
                name = "biases penalised" if bias_penalty else "bias free"
                print(f"{name:17} {kind:6} {n:5d} {1e3 * wall:9.3f} {1e3 * cpu:7.3f} {ms['CLARABEL']:>11} {ms['HIGHS']:>9} "
                      f"{fastest[0] / wall:6.0f}x {cost_gap:9.1e} {gap(exact):8.1e}", flush=True)
                assert cost_gap >= -1e-9, "the grid baseline beat the exact solver"


def ours_only(n, repeats):
    print(f"\nN = {n}, ours only (the grid LP takes seconds here):")
    for kind in ("sin", "normal"):
        x, y = data(kind, n, n)
        for bias_penalty in (False, True):
            wall, cpu, sol = timed(lambda: interpolate(x, y, bias_penalty=bias_penalty), repeats)
            name = "biases penalised" if bias_penalty else "bias free"
            print(f"  {name:17} {kind:6} {1e3 * wall:8.2f} ms (cpu {1e3 * cpu:6.2f} ms)  cert gap {gap(sol):.1e}  "
                  f"interp. residual {np.abs(sol(x) - y).max():.1e}", flush=True)


def growth(sizes, repeats):
    print("\nGrowth, biases penalised, one task (solve_bias_penalised; certificate included):")
    print(f"{'N':>6} {'data':6} {'wall ms':>9} {'cpu ms':>8} {'cert gap':>9}")
    cpu_times = {"sin": [], "normal": []}
    for n in sizes:
        for kind in ("sin", "normal"):
            x, y = data(kind, n, n)
            wall, cpu, sol = timed(lambda: solve_bias_penalised(x, y), repeats)
            cpu_times[kind].append(cpu)
            print(f"{n:6d} {kind:6} {1e3 * wall:9.2f} {1e3 * cpu:8.2f} {gap(sol):9.1e}", flush=True)
    for kind, times in cpu_times.items():
        slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
        print(f"  fitted exponent (cpu time ∝ N^p), {kind}: p = {slope:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--growth", type=int, nargs="+", default=[2000, 5000, 10000, 20000])
    args = parser.parse_args(argv)
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    versus_grid(args.sizes, args.repeats)
    ours_only(2000, args.repeats)
    growth(args.growth, 3)


if __name__ == "__main__":
    main()
