"""Hypothesis properties of the exact univariate solvers."""
import numpy as np
from hypothesis import given, settings, strategies as st, assume

from engine import interpolate
from engine.univariate.costs import representation_cost
from engine.univariate.interpolant import Interpolant
from engine.univariate.reference import solve_on_grid


@st.composite
def data(draw, min_size=3, max_size=9, tasks=1):
    n = draw(st.integers(min_size, max_size))
    gaps = draw(st.lists(st.floats(0.2, 2.0), min_size=n - 1, max_size=n - 1))
    x0 = draw(st.floats(-3, 1))
    x = x0 + np.r_[0, np.cumsum(gaps)]
    ys = st.lists(st.integers(-6, 6).map(lambda v: v / 2), min_size=n, max_size=n)
    Y = np.array([draw(ys) for _ in range(tasks)], float)
    return x, Y[0] if tasks == 1 else Y


FAST = settings(max_examples=40, deadline=None)


@FAST
@given(data(), st.booleans())
def test_interpolates(d, bias_penalty):
    x, y = d
    sol = interpolate(x, y, bias_penalty=bias_penalty)
    np.testing.assert_allclose(sol(x), y, atol=1e-8 * (1 + np.abs(y).max()))
    assert sol.cost == representation_cost(sol, "bias_penalised" if bias_penalty else "bias_free")


@settings(max_examples=15, deadline=None)
@given(data(max_size=7))
def test_exact_cost_never_above_grid_reference(d):
    x, y = d
    exact = interpolate(x, y, bias_penalty=True)
    grid = solve_on_grid(x, y, bias_penalty=True, grid_size=400)
    assert exact.cost <= grid.cost * (1 + 1e-7) + 1e-9
    assert exact.certificate["max_violation"] < 1e-6


def hat(x, i):
    """Tent on [x_i, x_{i+1}] with peak 1 at the midpoint, zero at every data point."""
    a, b = x[i], x[i + 1]
    m = (a + b) / 2
    return Interpolant([a, m, b], [[2 / (b - a)], [-4 / (b - a)], [2 / (b - a)]], [[0, 0]])


@FAST
@given(data())
def test_uniqueness_flag_agrees_with_perturbation(d):
    x, y = d
    sol = interpolate(x, y)
    delta = np.abs(np.diff(np.diff(y) / np.diff(x)))
    # small enough not to flip any kink: the hat changes slopes by 2ε/h at most
    eps = 0.1 * min(np.diff(x)) * (delta[delta > 0].min() if (delta > 0).any() else 1.0)
    flat = []   # perturbations f ± ε·hat that keep interpolation and do not raise the cost
    for i in range(len(x) - 1):
        for sign in (1, -1):
            h = hat(x, i)
            g = Interpolant(np.r_[sol.knots, h.knots], np.r_[sol.jumps, sign * eps * h.jumps], sol.affine)
            # merge equal knots so the cost is that of the function, not of its listing
            knots = np.unique(g.knots)
            jumps = np.array([g.jumps[g.knots == k].sum() for k in knots])
            if representation_cost(Interpolant(knots, jumps, sol.affine)) <= sol.cost + 1e-12:
                flat.append(i)
    assert sol.unique == (not flat)


@FAST
@given(data(), st.floats(-5, 5))
def test_shift_invariance_of_bias_free_cost_only(d, shift):
    x, y = d
    assert abs(interpolate(x + shift, y).cost - interpolate(x, y).cost) < 1e-9 * (1 + abs(y).max())
    pen = interpolate(x, y, bias_penalty=True)
    assume(pen.cost > 1e-6)
    far = 2 * np.abs(x).max() + 1   # every knot moves away from 0, so √(1+t²) grows
    assert interpolate(x + far, y, bias_penalty=True).cost > pen.cost * (1 + 1e-6)


@FAST
@given(data(), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_multitask_gaussian_tasks_unique_equal_connect_the_dots(d, tasks, seed):
    x, _ = d
    Y = np.random.default_rng(seed).normal(size=(tasks, len(x)))   # generic tasks, as in the paper
    sol = interpolate(x, Y)
    assert sol.unique
    xs = np.linspace(x[0], x[-1], 101)
    for task in range(tasks):
        np.testing.assert_allclose(sol(xs)[task], np.interp(xs, x, Y[task]), atol=1e-9)


@FAST
@given(data(max_size=12), st.floats(-200, 200))
def test_penalised_optimum_has_no_mergeable_kinks(d, shift):
    """Two same-sign kinks with no data point between them would merge more cheaply (Jensen)."""
    x, y = d
    sol = interpolate(x + shift, y, bias_penalty=True)
    for (t0, j0), (t1, j1) in zip(zip(sol.knots, sol.jumps[:, 0]), zip(sol.knots[1:], sol.jumps[1:, 0])):
        if np.sign(j0) == np.sign(j1):
            assert np.any((x + shift > t0) & (x + shift < t1)), (t0, t1)
    np.testing.assert_allclose(sol(x + shift), y, atol=1e-8 * (1 + np.abs(y).max()))
