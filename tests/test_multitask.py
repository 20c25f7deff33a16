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


@pytest.mark.parametrize("active", [False, True])
def test_semidefinite_program_reproduces_the_exact_one_task_solver(active):
    rng = np.random.default_rng(7)
    for _ in range(5):
        x = np.sort(rng.uniform(-3, 3, 9))
        y = rng.normal(size=(1, 9))
        exact = interpolate(x, y[0], bias_penalty=True)
        sdp = solve_multitask(x, y, np.ones_like(y, bool), True, active=active)
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


# ---- regressions found in review -------------------------------------------------------------------

def minimiser_checks(sol, x_obs, y_obs, rel=1e-7):
    """Every extreme is another minimiser: it fits the observed data and costs the same."""
    for other in sol.extremes:
        assert other.cost == pytest.approx(sol.cost, rel=rel, abs=1e-12)
        for k, (xk, yk) in enumerate(zip(x_obs, y_obs)):
            assert np.abs(np.atleast_2d(other(np.asarray(xk, float)))[k] - yk).max() < 1e-9 * max(1, np.abs(yk).max())


def test_bias_free_extremes_of_tasks_with_own_inputs_are_in_data_units():
    # the extremes used to stay in the solver's scaled units (here max|y| = 30): cost 2/3 instead of 20
    xs, ys = [X4, [0, 3]], [[0, 0, 10, 30], [0, 0]]
    sol = interpolate(xs, ys)
    assert sol.cost == pytest.approx(20) and sol.unique is False and sol.extremes
    minimiser_checks(sol, xs, ys)


def test_fit_with_own_inputs_probes_the_face_of_the_fitted_values():
    # lam > 0: the probes used to leave the observed values free, so the "face" was unbounded: here
    # unique=False with extremes of cost 0 (bias free; the fit costs 0.0101), or 1e-3 for a fit of
    # cost 4e-11 that is really the least-squares lines (biases penalised, lam ≥ lam_max)
    xs = [[48.6694, 48.861, 49.1337, 49.1341], [48.6694, 48.861, 49.1337, 49.1341, 49.5005, 50.9518, 51.5265]]
    ys = [[0.634, 0.176, 0.391, -0.939], [0.852, -0.797, -2.036, 0.163, 0.568, -0.933, 1.741]]
    sol = interpolate(xs, ys, lam=0.64)
    assert sol.cost == pytest.approx(0.0100810830, rel=1e-6)
    assert sol.unique is True and not sol.extremes
    pen = interpolate(xs, ys, bias_penalty=True, lam=0.64)
    assert pen.cost == 0 and len(pen.knots) == 0 and pen.unique is True


@pytest.mark.parametrize("bias_penalty", [False, True])
def test_own_inputs_above_lam_max_give_each_task_its_least_squares_line(bias_penalty):
    from engine.univariate.regularised import affine_lambda
    from engine.univariate.validation import as_task_points

    xs, ys = [[0, 1, 2, 3], [0.5, 2.5, 4]], [[0, 1, 0, 2], [1, -1, 0]]
    u, Y, obs, _ = as_task_points(xs, ys)
    lam_max = affine_lambda(u, Y, bias_penalty=bias_penalty, observed=obs)
    sol = interpolate(xs, ys, bias_penalty=bias_penalty, lam=lam_max * 1.001)
    assert len(sol.knots) == 0 and sol.cost == 0 and sol.unique is True
    for k, (xk, yk) in enumerate(zip(xs, ys)):
        assert sol.affine[k] == pytest.approx(np.polyfit(xk, yk, 1)[::-1], abs=1e-12)
    # just below lam_max the fit bends (the SDP / SOCP, not the shortcut)
    assert interpolate(xs, ys, bias_penalty=bias_penalty, lam=lam_max * 0.98).cost > 1e-4


@pytest.mark.parametrize("bias_penalty", [False, True])
def test_task_seen_at_one_input(bias_penalty):
    xs, ys = [[0, 1, 2], [0.5]], [[0, 1, 0], [1]]
    sol = interpolate(xs, ys, bias_penalty=bias_penalty)
    # task 2 is flat through its point (any kink of its own would add to ‖J‖); its slope is free
    assert sol.affine[1] == pytest.approx([1, 0], abs=1e-9)
    assert np.abs(sol.jumps[:, 1]).max() == 0
    assert sol.cost == pytest.approx(2 * np.sqrt(2) if bias_penalty else 2, rel=1e-8)
    assert sol.unique is False and len(sol.extremes) == 2
    minimiser_checks(sol, xs, ys)
    assert sol.extremes[0].affine[1, 1] != sol.extremes[1].affine[1, 1]


def test_flat_face_of_an_unobserved_value_is_found():
    # task 2 convex and unseen at 2 (task 1 flat): any value in [−2, 1] there costs the same
    xs, ys = [[0, 1, 2, 3, 4], [0, 1, 3, 4]], [[0, 0, 0, 0, 0], [4, 1, 1, 4]]
    sol = interpolate(xs, ys)
    assert sol.cost == pytest.approx(6) and sol.unique is False
    minimiser_checks(sol, xs, ys)
    # biases penalised: one task really, unique (Boursier & Flammarion): a single kink at 2
    pen = interpolate(xs, ys, bias_penalty=True)
    assert pen.unique is True and pen.cost == pytest.approx(6 * np.sqrt(5), rel=1e-8)


def test_weakly_curved_faces_are_unique_not_undecided():
    # the probe solves used to stall (Clarabel's equilibration), leaving these undecided
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(-2, 2, 7))
    obs = np.array([[1, 0, 1, 1, 0, 1, 1], [0, 1, 1, 1, 1, 0, 1], [1, 1, 0, 1, 1, 1, 1],
                    [1, 0, 1, 1, 0, 0, 1], [1, 1, 1, 0, 1, 1, 1]], bool)
    Y = rng.normal(size=obs.shape)
    xs, ys = [x[o].tolist() for o in obs], [Y[k, o].tolist() for k, o in enumerate(obs)]
    sol = interpolate(xs, ys, lam=0.001)
    assert sol.unique is True


def test_penalised_sdp_far_from_zero_is_accurate():
    # the unscaled blocks made Clarabel stall here (AlmostSolved, duality gap 1.5e-2)
    x = [101.505, 108.291, 136.212, 180.735, 232.93, 236.453, 295.482, 328.491, 386.184, 431.292, 436.409]
    Y = [[-0.782, -1.14, -0.412, 1.312, 2.319, 0.593, -0.961, 0.731, 0.42, -0.602, 0.881],
         [-0.484, -0.579, 0.057, 0.685, -0.368, 0.355, -1.829, 0.292, -0.478, -0.523, -2.526]]
    sol = interpolate(x, Y, bias_penalty=True)
    assert sol.certificate["duality_gap"] < 1e-8 and sol.certificate["max_violation"] < 1e-8
    assert np.abs(sol(x) - np.array(Y)).max() < 1e-9
    ref = grid_cost(np.array(x), np.array(Y), True, size=3000)
    assert ref.cost * (1 - 1e-4) <= sol.cost <= ref.cost * (1 + 1e-8)
    minimiser_checks(sol, [x, x], Y)


@pytest.mark.parametrize("x, y", [
    # huge spread: the solver stalled (cost 2e-4 off)
    ([-182.0579, -130.7438, -72.0507, -13.3853, 16.7663, 82.0049, 88.1160],
     [-2.1727, -0.7762, 0.8443, 1.0021, 0.7898, -0.1753, 0.1294]),
    # a kink 5e-6 of its interval from an input: snapping it there cost 9e-5
    ([-1.19786e-4, -5.65435e-5, 17.216995, 50.647147], [-0.1966, 0.423, 0.5007, -1.1341]),
    # rank one with a tiny second mass: the end test read a kink at the input (1.6e-5 off)
    ([-1.81073e-4, -1.38605e-4, -1.34527e-4, -8.16222e-5, 2.29149, 40.595339, 54.983998, 58.044353],
     [-0.8398, -0.0263, -0.0601, -0.4022, -1.3911, -1.7072, 0.128, 0.1782]),
    # noise kinks at inputs were dropped: the function missed the data by 2e-8
    ([-1.04983, -0.80990, -0.67683, -0.66056, -0.50375, -0.16633, -0.15504, 0.14233, 0.17655, 0.31976, 1.30053],
     [-0.9547, -0.2402, 1.1501, 0.6999, 0.4638, -0.4237, -0.7219, 0.0333, 0.1377, 0.2562, 0.3715]),
    # far from 0: the reading split one kink into two same-sign ones (unique=False for one task)
    (list(np.linspace(48, 52, 9) + np.sin(np.arange(9)) * 0.1), [0.3, -1.2, 0.8, 1.1, -0.4, 0.9, -1.5, 0.2, 0.7]),
])
@pytest.mark.parametrize("active", [False, True])
def test_semidefinite_program_matches_the_exact_solver_on_hard_one_task_data(x, y, active):
    x, y = np.array(x), np.array([y])
    exact = interpolate(x, y[0], bias_penalty=True)
    sdp = solve_multitask(x, y, np.ones_like(y, bool), True, active=active)
    assert sdp.cost == pytest.approx(exact.cost, rel=1e-8)
    assert sdp.unique is True
    assert np.abs(sdp(x) - y[0]).max() < 1e-9 * np.abs(y).max()   # (jumps up to 3e4 here: rounding of the terms)


def test_own_inputs_bias_free_with_very_uneven_spacing():
    # kinks span 6 decades: zeroing those below 1e-7 × the largest made the cost 3e-4 too high
    a = [-1.8937e-4, -1.2413e-4, -7.0235e-5, 3.8954e-5, 4.0098e-5, 4.2112e-5]
    xs = [a + [27.0238, 31.0249, 31.853, 35.1561, 36.8189, 42.6972, 53.4907],
          [a[0], a[2], a[4], 13.9384, 31.853, 36.8189, 42.6972, 53.4907],
          [a[0], a[1], a[3], a[5], 27.0238, 31.853, 36.8189, 53.4907],
          [a[1], a[2], a[3], a[5], 31.0249, 31.853, 42.6972]]
    ys = [[0.286, -0.014, 0.85, -1.518, 0.846, 0.051, -2.28, 1.684, -1.649, -0.803, 0.671, -0.55, -0.356],
          [-2.142, 0.707, 0.257, -0.616, -0.789, 0.113, 1.486, -0.581],
          [0.551, 0.369, -0.708, -0.346, -0.044, -0.319, -0.84, 0.442],
          [-0.704, 1.033, -1.359, 0.133, -1.01, 0.265, 1.417]]
    sol = interpolate(xs, ys)
    assert sol.certificate["duality_gap"] < 1e-9 and sol.certificate["max_violation"] < 1e-9


def test_bad_task_lists_give_one_clear_line():
    for xs, ys, message in [
        ([[0, 1], []], [[0, 1], []], "task 2: no points"),
        ([[0, 1, 2], [0, 1]], [[0, 1], [0, 1]], "task 1: x has 3 values but y has 2"),
        ([[0, 1], [0, 2]], [0, 1], "task 1: y must be a flat list"),
        ([[0, 0, 1], [0, 1]], [[1, 2, 3], [0, 1]], "task 1: conflicting points"),
        ([[0], [0]], [[1], [2]], "at least 2 distinct x values"),
        ([list(range(1500)), list(np.arange(1500) + 0.5)], [[0] * 1500, [0] * 1500], "at most 2000"),
    ]:
        with pytest.raises(DataError, match=message):
            interpolate(xs, ys)


def test_cli_tasks_with_own_inputs():
    import json
    import subprocess
    import sys
    from pathlib import Path

    def cli(data):
        return subprocess.run([sys.executable, "-m", "engine", "interpolate", "-"], input=json.dumps(data),
                              text=True, capture_output=True, cwd=Path(__file__).resolve().parents[1], timeout=120)

    out = cli({"x": [[0, 1, 2], [0.5]], "y": [[0, 1, 0], [1]], "bias_penalty": True, "eval_x": [0, 2]})
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["unique"] is False and data["cost"] == pytest.approx(2 * np.sqrt(2), rel=1e-8)
    assert np.allclose(data["eval_y"], [[0, 0], [1, 1]], atol=1e-9)
    for bad, message in [({"x": [[0, 1], []], "y": [[0, 1], []]}, "task 2: no points"),
                         ({"x": [[0, 1], [0, 1, 2]], "y": [[0, 1], [0, 1]]}, "task 2: x has 3 values but y has 2")]:
        out = cli(bad)
        assert out.returncode == 2 and out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr


@pytest.mark.parametrize("x, Y, lam", [
    ([-1.14559e-4, -9.24117e-5, 5.04721e-5, 6.08073e-5, 7.01062e-5, 30.032489, 32.021328, 32.766681, 39.344508,
      40.654677], [[1.719, 1.436, -1.284, -0.347, 0.941, -0.775, -1.632, 0.284, 1.407, -1.662],
                   [1.056, -1.365, -0.902, 0.4, -0.393, -0.588, -0.438, -1.917, 1.406, -0.505]], 10.0),
    ([-8.128204, -1.39082e-4, -1.22156e-4, -1.20278e-4, -9.61804e-5, 1.457894, 33.1238, 39.675773, 59.940162],
     [[-0.511, 1.827, 0.29, -0.103, 1.449, 0.626, 0.369, -0.331, 1.814]], 11.4),
])
def test_bias_free_fit_with_very_uneven_spacing_matches_grid_reference(x, Y, lam):
    # the fit's real kinks sat below 1e-7 × the data's largest and were projected away (T = 2: the
    # least-squares line, objective 2e-3 too high), or the ill-conditioned KKT solve left spurious kinks
    x, Y = np.array(x), np.array(Y)
    sol = interpolate(x, Y if len(Y) > 1 else Y[0], lam=lam)
    ref = grid_cost(x, Y, False, lam=lam)
    obs = np.ones(Y.shape, bool)
    assert objective(sol, x, Y, obs, lam) <= objective(ref, x, Y, obs, lam) * (1 + 1e-7)


def test_split_seen_only_at_fine_readings_is_a_split():
    # the coarse reading took a rank-two block with 7e-4 of its mass at one end for a single kink and
    # called the answer unique, while still returning a second minimiser; the dual is tight on that
    # whole interval, so the split is real
    x = [-1.9776, -1.5926, -1.0267, -0.4389, -0.3712, -0.0974, 0.1634, 0.1648, 1.5687, 1.5941, 1.8104]
    Y = [[2.218, -0.941, -1.453, -1.536, 1.203, 0.783, 0.357, 0.326, 1.08, 0.477, -0.239],
         [0.999, 1.356, 0.774, -0.405, 0.685, -0.529, -0.54, 0.181, 0.426, 0.563, 1.315]]
    sol = interpolate(x, Y, bias_penalty=True)
    assert sol.unique is False and len(sol.extremes) == 1
    minimiser_checks(sol, [x, x], Y, rel=1e-9)
    grid = np.linspace(-2, 2, 4001)
    assert np.abs(sol(grid) - sol.extremes[0](grid)).max() > 0.1
