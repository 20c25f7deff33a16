"""Exact multi-task solvers vs the cvxpy knot-grid baseline (issue 3).

N random inputs (x ~ U[−3, 3]), T Gaussian tasks (y ~ N(0, 1), as in Nakhleh et al.), fixed seed.
For each penalty: median time of the exact solver (bias free: closed form; biases penalised: the
semidefinite program of engine.univariate.multitask), time of the cvxpy grid program with 4N
candidate knots plus the data (Clarabel, cvxpy's default for this conic program), their ratio, the
relative cost gap (grid − exact)/exact (the grid cannot beat an exact solver: never below −1e-7) and
the exact solution's certificate. Also tasks observed at their own inputs (each task sees a random
half of the inputs). Wall-clock and CPU-time ratios are both printed: on a shared, overloaded machine
the CPU ratio is the steadier one. Run: `python -m bench.multitask [--sizes 200] [--tasks 10]
[--problems penalised own]`.
"""
from __future__ import annotations

import argparse

import numpy as np

from bench.univariate import timed
from engine import interpolate
from engine.univariate.reference import solve_on_grid


def row(name, n, tasks, exact_fn, grid_fn, repeats):
    t_exact, c_exact, exact = timed(exact_fn, repeats)
    cert = max(exact.certificate.get("max_violation", 0.0), exact.certificate.get("duality_gap", 0.0))
    head = f"{name:26} {n:5d} {tasks:3d} {1e3 * t_exact:11.2f}"
    try:
        t_grid, c_grid, grid = timed(grid_fn, 1)
    except Exception as err:   # the baseline failing is a result too
        print(f"{head} {'failed':>11}   ({type(err).__name__}: {str(err)[:60]})", flush=True)
        return
    gap = (grid.cost - exact.cost) / exact.cost
    print(f"{head} {1e3 * t_grid:11.1f} {t_grid / t_exact:8.1f}x {c_grid / c_exact:8.1f}x {gap:10.2e} {cert:11.1e} "
          f"{'unique' if exact.unique else 'not unique'}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--problems", nargs="+", default=["free", "penalised", "own"],
                        choices=["free", "penalised", "own"], help="rows to run (default: all)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    T = args.tasks
    print(f"{'problem':26} {'N':>5} {'T':>3} {'exact [ms]':>11} {'grid [ms]':>11} {'ratio':>9} {'CPU ratio':>9} "
          f"{'cost gap':>10} {'certificate':>11}")
    for n in args.sizes:
        x = np.sort(rng.uniform(-3, 3, n))
        Y = rng.normal(size=(T, n))
        for bias_penalty in (False, True):
            if ("penalised" if bias_penalty else "free") not in args.problems:
                continue
            name = "biases penalised" if bias_penalty else "bias free"
            row(name, n, T, lambda: interpolate(x, Y, bias_penalty=bias_penalty),
                lambda: solve_on_grid(x, Y, bias_penalty=bias_penalty, solver="CLARABEL"), args.repeats)
        observed = rng.random((T, n)) < 0.5
        observed[:, [0, -1]] = True
        xs = [x[o].tolist() for o in observed]
        ys = [Y[k, o].tolist() for k, o in enumerate(observed)]
        if "own" in args.problems:
            row("bias free, own inputs", n, T, lambda: interpolate(xs, ys),
                lambda: solve_on_grid(x, Y, solver="CLARABEL", observed=observed), args.repeats)


if __name__ == "__main__":
    main()
