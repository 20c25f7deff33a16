"""Growth of the exact one-task solvers with N: time against N and the fitted exponent (issue 14, item 5).

Data as ``bench.univariate`` (x ~ U[−4, 4] sorted, y = sin 2x + 0.1·noise or y ~ N(0, 1), fixed seeds),
N = 20, 200, 2000, 20 000. Timed: the solvers themselves, ``solve_bias_free(x, y)`` (closed form with
the solution set and certificate) and ``solve_bias_penalised(x, y)`` (the chain's projected Newton,
its read-off and its true certificate), called directly because the public ``interpolate`` accepts at
most 2000 points (docs/limits.md; its validation is one linear pass). Each time is the best of several
runs (at least 3, more while they take under 0.2 s together) as wall and process (CPU) time: this
machine's cores are shared, so the CPU time is the steadier figure. The exponent p of time ∝ N^p is
the least-squares slope of log time on log N, over all N (fixed per-call costs dominate at N = 20,
which pulls p below 1) and over the last two N. Every answer's certificate is checked (gap ≤ 1e-9,
interpolation residual within the solver's tolerance: 1e-9 of the data scale or the
float floor of the knots). The regularised fits are conic programs solved by
Clarabel (seconds at N = 200), not timed here. Run: `python -m bench.growth` (about 10–30 s).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bench.univariate import data
from engine.univariate.bias_free import solve_bias_free
from engine.univariate.bias_penalised import solve_bias_penalised

SOLVERS = {
    "bias free": lambda x, y: solve_bias_free(x, y[None, :]),
    "biases penalised": solve_bias_penalised,
}


def timed(fn, budget: float = 0.2, least: int = 3, most: int = 200):
    """(best wall time, best CPU time, result) over at least ``least`` runs, more within ``budget`` s."""
    wall_best, cpu_best, spent, runs, out = np.inf, np.inf, 0.0, 0, None
    while runs < least or (spent < budget and runs < most):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        w, c = time.perf_counter() - wall, time.process_time() - cpu
        wall_best, cpu_best, spent, runs = min(wall_best, w), min(cpu_best, c), spent + w, runs + 1
    return wall_best, cpu_best, out


def exponent(sizes, times) -> float:
    """Least-squares slope of log time on log N."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 2000, 20000])
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    for name, solve in SOLVERS.items():
        solve(*data("sin", 20, 0))   # load the compiled kernels (numba's disk cache) before timing
        print(f"\n{name}:\n{'N':>6} {'data':6} {'wall ms':>9} {'cpu ms':>9} {'cpu µs/N':>9} {'cert gap':>9}")
        cpu = {"sin": [], "normal": []}
        for n in sizes:
            for kind in cpu:
                x, y = data(kind, n, n)
                wall_t, cpu_t, sol = timed(lambda: solve(x, y))
                gap = sol.certificate["duality_gap"]
                residual = float(np.abs(sol(x) - y).max())
                # the knots are floats: a kink J at t moves values by up to |J|·eps·|t| (docs/univariate.md §3)
                floor = 1e-14 * float(np.abs(sol.jumps).sum()) * (1 + float(np.abs(x).max()))
                assert gap <= 1e-9 and residual <= max(1e-9 * np.abs(y).max(), floor), (name, n, kind, gap, residual)
                cpu[kind].append(cpu_t)
                print(f"{n:6d} {kind:6} {1e3 * wall_t:9.3f} {1e3 * cpu_t:9.3f} {1e6 * cpu_t / n:9.3f} {gap:9.1e}",
                      flush=True)
        for kind, times in cpu.items():
            tail = f", last two N: p = {exponent(sizes[-2:], times[-2:]):.2f}" if len(sizes) > 2 else ""
            print(f"  cpu time ∝ N^p, {kind}: all N: p = {exponent(sizes, times):.2f}{tail}")


if __name__ == "__main__":
    main()
