"""The numba-compiled one-task kernels (issue 14, items 1–2): their sums are numpy's to the last bit,
and a fresh process that loads them from numba's on-disk cache solves both penalties (a cached
recursive function once crashed there)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.univariate import bias_free_kernel, chain_certificate

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", [chain_certificate, bias_free_kernel])
def test_pairwise_sum_is_numpys(module):
    rng = np.random.default_rng(3)
    for n in [*range(0, 140), 255, 256, 257, 1000, 4097, 20000]:
        a = rng.normal(size=n) * 10.0 ** rng.uniform(-6, 6, n)
        assert module._numpy_sum(a, 0, n) == a.sum(), n


def test_fresh_process_loads_the_cached_kernels():
    code = ("import numpy as np; from engine import interpolate\n"
            "x = np.sort(np.random.default_rng(0).uniform(-4, 4, 50)); y = np.sin(2 * x)\n"
            "for pen in (False, True):\n"
            "    sol = interpolate(x, y, bias_penalty=pen)\n"
            "    assert np.abs(sol(x) - y).max() < 1e-9 and sol.certificate['duality_gap'] < 1e-9\n"
            "print('ok')")
    for _ in range(2):   # the first may compile and write the cache, the second must read it
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_growth_benchmark_runs(capsys):
    import bench.growth

    bench.growth.main(["--sizes", "20", "200", "2000"])
    out = capsys.readouterr().out
    assert out.count("cpu time ∝ N^p") == 4 and "biases penalised" in out and " 2000 normal" in out


@pytest.mark.parametrize("n, seed", [(20, 0), (20, 1), (200, 2)])
def test_penalised_against_the_cvxpy_grid(n, seed):
    # the grid LP (4N candidate knots plus the data, Clarabel) is feasible for the same problem: its cost
    # bounds ours from above, and our certificate's dual objective from above as well
    from engine import interpolate
    from engine.univariate.reference import solve_on_grid

    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-4, 4, n))
    y = np.sin(2 * x) + 0.1 * rng.normal(size=n)
    exact = interpolate(x, y, bias_penalty=True)
    grid = solve_on_grid(x, y, bias_penalty=True, solver="CLARABEL")
    assert exact.cost <= grid.cost * (1 + 1e-9)
    assert exact.certificate["dual_objective"] <= grid.cost * (1 + 1e-9)
    assert grid.cost <= exact.cost * (1 + 1e-3)
    assert exact.certificate["duality_gap"] < 1e-9


@pytest.mark.parametrize("n", [2000, 20000])
def test_penalised_large_n_certified(n):
    # beyond the public limit (docs/limits.md) the solver itself: a true certificate at rounding level
    from engine.univariate.bias_penalised import solve_bias_penalised
    from engine.univariate.costs import sampled_cost

    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(-4, 4, n))
    y = rng.normal(size=n)
    sol = solve_bias_penalised(x, y)
    assert sol.certificate["duality_gap"] < 1e-9
    # the knots are floats: a kink J at t moves values by up to |J|·eps·|t| (docs/univariate.md §3)
    assert np.abs(sol(x) - y).max() <= max(1e-9, 1e-14 * np.abs(sol.jumps).sum() * (1 + np.abs(x).max()))
    assert sol.cost <= sampled_cost(x, y, "bias_penalised")   # connect-the-dots is feasible
