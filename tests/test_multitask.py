"""Multi-task interpolation beyond the closed form: biases penalised with T ≥ 2 tasks, and tasks
observed at their own inputs — checked against the cvxpy grid reference (which we did not derive),
closed forms and the exact one-task solver."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import interpolate
from engine.univariate.multitask import solve_multitask
from engine.univariate.reference import solve_on_grid
from engine.univariate.validation import DataError

X4 = [0.0, 1.0, 2.0, 3.0]


def grid_cost(x, Y, bias_penalty, observed=None, lam=0.0, size=3000):
    return solve_on_grid(x, Y, bias_penalty=bias_penalty, grid_size=size, observed=observed, lam=lam,
                         solver="CLARABEL")


def objective(sol, x, Y, observed, lam):
    resid = np.where(observed, np.atleast_2d(sol(x)) - Y, 0.0)
    return 0.5 * float((resid ** 2).sum()) + lam * sol.cost if lam > 0 else sol.cost


def test_design_multitask_cases_with_penalised_biases():
    sol = interpolate(X4, [[0, 0, 1, 3], [0, 1, 0, 0]], bias_penalty=True)
    # connect-the-dots stays optimal: kinks (1, −2) at 1 and (1, 1) at 2 cost √2·√5 + √5·√2 = 2√10
    assert sol.cost == pytest.approx(2 * np.sqrt(10), rel=1e-9)
    assert sol.knots == pytest.approx([1, 2])
    assert sol.unique is True
    assert np.abs(sol(X4) - np.array([[0, 0, 1, 3], [0, 1, 0, 0]])).max() < 1e-12
    # positively collinear tasks: the one-task answer scaled by √(1 + 2²): a single kink at 1.5
    col = interpolate(X4, [[0, 0, 1, 3], [0, 0, 2, 6]], bias_penalty=True)
    assert col.cost == pytest.approx(np.sqrt(13) * np.sqrt(5), rel=1e-8)
    assert col.knots == pytest.approx([1.5], abs=1e-7)
    assert col.certificate["duality_gap"] < 1e-8 and col.certificate["max_violation"] < 1e-8


@pytest.mark.parametrize("seed", range(4))
def test_penalised_multitask_matches_grid_reference(seed):
    rng = np.random.default_rng(seed)
    n, tasks = int(rng.integers(4, 12)), int(rng.integers(2, 5))
    x = np.sort(rng.uniform(-2, 2, n))
    Y = rng.normal(size=(tasks, n))
    sol = interpolate(x, Y, bias_penalty=True)
    ref = grid_cost(x, Y, True)
    # the grid's knots sit on the grid: never below the exact cost, and close above it
    assert sol.cost <= ref.cost * (1 + 1e-8)
    assert sol.cost >= ref.cost * (1 - 1e-4)
    assert np.abs(sol(x) - Y).max() < 1e-9 * np.abs(Y).max()
    assert sol.certificate["duality_gap"] < 1e-7 and sol.certificate["max_violation"] < 1e-7
    for other in sol.extremes:   # non-unique: other minimisers interpolate at the same cost
        assert other.cost == pytest.approx(sol.cost, rel=1e-7)
        assert np.abs(other(x) - Y).max() < 1e-9 * np.abs(Y).max()


def test_semidefinite_program_reproduces_the_exact_one_task_solver():
    rng = np.random.default_rng(7)
    for _ in range(5):
        x = np.sort(rng.uniform(-3, 3, 9))
        y = rng.normal(size=(1, 9))
        exact = interpolate(x, y[0], bias_penalty=True)
        sdp = solve_multitask(x, y, np.ones_like(y, bool), True)
        assert sdp.cost == pytest.approx(exact.cost, rel=3e-8)   # interior point + reading: ~1e-8
        assert sdp.unique is True   # Boursier & Flammarion: one task, penalised biases: unique
        assert np.allclose(sdp(np.linspace(-3, 3, 101)), exact(np.linspace(-3, 3, 101)), atol=1e-6)


def test_non_unique_split_gives_two_minimisers():
    # found by search: two Gaussian tasks whose optimal measure on one interval can be split freely
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 3, 8))
    Y = rng.normal(size=(2, 8))
    sol = interpolate(x, Y, bias_penalty=True)
    assert sol.unique is False and len(sol.extremes) == 1
    grid = np.linspace(x[0], x[-1], 2001)
    assert np.abs(sol(grid) - sol.extremes[0](grid)).max() > 1e-3
    assert sol.extremes[0].cost == pytest.approx(sol.cost, rel=1e-8)


def test_tasks_with_own_inputs():
    # task 2 seen only at the ends: it stays linear (any bend costs), task 1 alone is not unique
    sol = interpolate([X4, [0, 3]], [[0, 0, 1, 3], [0, 0]])
    assert sol.cost == pytest.approx(2)
    assert sol.unique is False
    assert np.allclose(sol([1.5])[1], 0)
    # task 2 at the middle points instead: the values at 0 and 3 are free
    x_union = np.array(X4)
    obs = np.array([[1, 1, 1, 1], [0, 1, 1, 0]], bool)
    Y = np.array([[0, 0, 1, 3], [0, 2, -1, 0]], float)
    own = interpolate([X4, [1, 2]], [[0, 0, 1, 3], [2, -1]])
    ref = grid_cost(x_union, Y, False, observed=obs)
    assert own.cost == pytest.approx(ref.cost, rel=1e-7)
    assert np.allclose(own(x_union)[0], Y[0]) and np.allclose(own([1, 2])[1], [2, -1])


@pytest.mark.parametrize("bias_penalty, lam", [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)])
def test_tasks_with_own_inputs_match_grid_reference(bias_penalty, lam):
    rng = np.random.default_rng(11)
    xs = [np.sort(rng.uniform(-2, 2, k)) for k in (6, 4, 5)]
    ys = [rng.normal(size=len(x)) for x in xs]
    sol = interpolate([x.tolist() for x in xs], [y.tolist() for y in ys], bias_penalty=bias_penalty, lam=lam)
    u = np.unique(np.concatenate(xs))
    obs = np.array([np.isin(u, x) for x in xs])
    Y = np.zeros(obs.shape)
    for k, (x, y) in enumerate(zip(xs, ys)):
        Y[k, np.searchsorted(u, x)] = y
    ref = grid_cost(u, Y, bias_penalty, observed=obs, lam=lam)
    ours, theirs = objective(sol, u, Y, obs, lam), objective(ref, u, Y, obs, lam)
    assert ours <= theirs * (1 + 1e-7)
    assert ours >= theirs * (1 - (1e-4 if bias_penalty else 1e-6))   # cvxpy: default tolerances
    assert sol.certificate["duality_gap"] < 1e-6


def test_penalised_multitask_fit_matches_grid_reference():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-2, 2, 8))
    Y = rng.normal(size=(3, 8))
    obs = np.ones(Y.shape, bool)
    for lam in (0.05, 0.5):
        sol = interpolate(x, Y, bias_penalty=True, lam=lam)
        ref = grid_cost(x, Y, True, lam=lam)
        assert objective(sol, x, Y, obs, lam) <= objective(ref, x, Y, obs, lam) * (1 + 1e-7)
        assert objective(sol, x, Y, obs, lam) >= objective(ref, x, Y, obs, lam) * (1 - 1e-4)


@settings(max_examples=15, deadline=None)
@given(st.integers(3, 9), st.integers(2, 4), st.integers(0, 10_000))
def test_gaussian_tasks_bias_free_cost_equals_reference(n, tasks, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    if np.diff(x).min() < 1e-3:
        return
    Y = rng.normal(size=(tasks, n))
    sol = interpolate(x, Y)
    assert sol.unique is True
    assert sol.cost == pytest.approx(solve_on_grid(x, Y, grid=x).cost, rel=1e-7)


def test_bad_task_lists():
    with pytest.raises(DataError, match="one list of numbers per task"):
        interpolate([[0, 1], [0, 2]], [[0, 1]])
    with pytest.raises(DataError, match="task 2"):
        interpolate([[0, 1], [0, float("nan")]], [[0, 1], [1, 2]])
