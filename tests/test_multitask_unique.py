"""Biases-penalised multi-task interpolation: the polished answer and the dual uniqueness test
(docs/univariate.md §6) against an independent reference: cvxpy (Clarabel, tight tolerances) over a
fine knot grid refined around the knots found, and the width of its near-optimal face."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import interpolate
from engine.univariate.costs import weight
from engine.univariate.interpolant import relu

TIGHT = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "tol_ktratio": 1e-10, "max_iter": 400}


def refined_grid(x, knots, size=600):
    """Equispaced points, the data, and points at ±10⁻⁵ … ±10⁻³ × the range around each knot (closer
    ones make the grid's columns so nearly parallel that Clarabel loses digits)."""
    offsets = np.concatenate([-np.logspace(-5, -3, 5), [0.0], np.logspace(-5, -3, 5)]) * (x[-1] - x[0])
    near = (np.asarray(knots)[:, None] + offsets[None, :]).ravel()
    return np.union1d(np.union1d(np.linspace(x[0], x[-1], size), x), near[(near > x[0]) & (near < x[-1])])


class Grid:
    """The cvxpy knot-grid program for data Y (T, n) at x, seen where ``observed``."""

    def __init__(self, x, Y, observed, grid, penalised=True):
        import cvxpy as cp

        self.cp, self.x, self.g = cp, x, grid
        T = Y.shape[0]
        self.J, self.c, self.v = cp.Variable((len(grid), T)), cp.Variable(T), cp.Variable(T)
        vals = self.at(x)
        mask = observed.T
        self.cons = [vals[mask] == Y.T[mask]]
        self.cost = (weight(grid) if penalised else np.ones(len(grid))) @ cp.norm(self.J, 2, axis=1)

    def at(self, points):
        cp = self.cp
        one = np.ones((len(points), 1))
        return one @ cp.reshape(self.c, (1, -1), order="C") + points[:, None] @ cp.reshape(self.v, (1, -1), order="C") \
            + relu(points[:, None] - self.g[None, :]) @ self.J

    def minimum(self):
        problem = self.cp.Problem(self.cp.Minimize(self.cost), self.cons)
        problem.solve(solver="CLARABEL", **TIGHT)
        return float(problem.value)

    def face_width(self, value, points, tilt=1e-6):
        """How far apart the minimisers of cost ± ε·(a random combination of f at ``points``) are, per
        unit weight, ε = tilt × value: a flat optimal face keeps them apart by its width as ε → 0, a
        unique minimiser lets them move by O(ε) only. (Clarabel stalls on the face programs with the
        cost as a constraint; the tilted objective is well conditioned.)"""
        cp = self.cp
        weights = np.random.default_rng(0).normal(size=(len(points), self.J.shape[1]))
        weights /= np.abs(weights).sum()
        form = cp.sum(cp.multiply(weights, self.at(points)))
        out = []
        for sign in (1, -1):
            problem = cp.Problem(cp.Minimize(self.cost + sign * tilt * value * form), self.cons)
            problem.solve(solver="CLARABEL", **TIGHT)
            out.append(float(form.value))
        return out[1] - out[0]


def check_against_grid(x, Y, observed=None):
    observed = np.ones(Y.shape, bool) if observed is None else observed
    if observed.all():
        sol = interpolate(x, Y, bias_penalty=True)
    else:
        sol = interpolate([x[o].tolist() for o in observed], [Y[k, o].tolist() for k, o in enumerate(observed)],
                          bias_penalty=True)
    scale = np.abs(Y).max()
    fitted = np.atleast_2d(sol(x))
    assert np.abs(np.where(observed, fitted - Y, 0.0)).max() <= 1e-9 * scale
    grid = Grid(x, Y, observed, refined_grid(x, sol.knots))
    ref = grid.minimum()
    # the grid holds the knots found and points next to them: it finds nothing cheaper (ours is no
    # worse than 1e-9 relative), and it cannot beat an exact solver (up to its own accuracy, ~1e-8)
    assert sol.cost <= ref * (1 + 1e-9)
    assert sol.cost >= ref * (1 - 1e-7)
    assert sol.certificate["duality_gap"] < 1e-10 and sol.certificate["max_violation"] < 1e-10
    for other in sol.extremes:
        assert other.cost == pytest.approx(sol.cost, rel=1e-10)
        assert np.abs(np.where(observed, np.atleast_2d(other(x)) - Y, 0.0)).max() <= 1e-9 * scale
    # uniqueness against the width of the grid's near-optimal face (flat: stays wide as slack → 0)
    # (on a plain grid with the knots: the ±10⁻⁶ neighbours make the face programs ill-conditioned)
    mids = (x[:-1] + x[1:]) / 2
    face = Grid(x, Y, observed, np.union1d(np.linspace(x[0], x[-1], 400), np.r_[x, sol.knots]))
    value = face.minimum()
    width, narrower = face.face_width(value, mids), face.face_width(value, mids, tilt=1e-7)
    # flat: as wide at a ten times smaller tilt; a unique minimiser's tilted ones move ∝ the tilt
    flat = width > 1e-6 * scale and narrower > 0.5 * width
    assert flat == (sol.unique is False)
    if not sol.unique:
        other = sol.extremes[0]
        assert np.abs(np.atleast_2d(other(mids)) - np.atleast_2d(sol(mids))).max() > 1e-4 * scale
    return sol


@settings(max_examples=6, deadline=None)
@given(st.integers(5, 12), st.sampled_from([2, 3]), st.integers(0, 10_000))
def test_random_penalised_tasks_match_the_refined_grid(n, tasks, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    if np.diff(x).min() < 1e-2:
        return
    check_against_grid(x, rng.normal(size=(tasks, n)))


@pytest.mark.parametrize("seed, tasks", [(0, 2), (1, 2), (3, 2), (4, 3), (5, 3), (6, 3)])
def test_generic_random_problems_are_unique(seed, tasks):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 12))
    x = np.sort(rng.uniform(-3, 3, n))
    sol = check_against_grid(x, rng.normal(size=(tasks, n)))
    assert sol.unique is True and not sol.extremes


@pytest.mark.parametrize("seed", [2, 23, 27])
def test_wholly_saturated_interval_is_not_unique(seed):
    # two Gaussian tasks whose dual is on the sphere all along one interval, ‖a‖ = ‖b‖ = 1, a ⟂ b: the
    # measure there can be re-spread (index ≥ 3/2), and cvxpy's near-optimal face is wide there
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 12))
    x = np.sort(rng.uniform(-3, 3, n))
    sol = check_against_grid(x, rng.normal(size=(2, n)))
    assert sol.unique is False and len(sol.extremes) == 1


def test_lifted_one_task_data_stay_unique():
    # T = 1 data copied to two tasks (or scaled copies): the one-task minimiser ⊗ the direction, unique
    # (Boursier & Flammarion); the same data with a second independent task are unique as well
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([0.0, 0.0, 1.0, 3.0])
    sol = check_against_grid(x, np.vstack([y, 2 * y]))
    assert sol.unique is True and sol.knots == pytest.approx([1.5], abs=1e-12)
    assert sol.cost == pytest.approx(np.sqrt(13) * np.sqrt(5), rel=1e-12)


def test_own_inputs_penalised_match_the_refined_grid():
    rng = np.random.default_rng(5)
    n = 9
    x = np.sort(rng.uniform(-2, 2, n))
    observed = rng.random((3, n)) < 0.7
    observed[:, :2] = observed[:, -1:] = True
    check_against_grid(x, rng.normal(size=(3, n)), observed)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_own_inputs_bias_free_values_decided_by_the_dual(seed):
    # the values at unobserved inputs: unique by the dual test (saturated nodes, injectivity), as the
    # width of cvxpy's near-optimal face says (no face probes needed)
    from engine.univariate import multitask

    rng = np.random.default_rng(seed)
    n, tasks = 10, 3
    x = np.sort(rng.uniform(-2, 2, n))
    Y = rng.normal(size=(tasks, n))
    observed = rng.random((tasks, n)) < 0.6
    observed[:, [0, -1]] = True
    xs, ys = [x[o].tolist() for o in observed], [Y[k, o].tolist() for k, o in enumerate(observed)]
    probes = []
    original = multitask.face_probes
    multitask.face_probes = lambda *a, **k: probes.append(1) or original(*a, **k)
    try:
        sol = interpolate(xs, ys)
    finally:
        multitask.face_probes = original
    assert sol.unique is True and not probes
    face = Grid(x, Y, observed, np.union1d(np.linspace(x[0], x[-1], 200), x), penalised=False)
    value = face.minimum()
    assert sol.cost == pytest.approx(value, rel=1e-8)
    width = face.face_width(value, x)   # at the inputs: the values there are the question
    assert width < 1e-6 * np.abs(Y).max()
