"""engine.train: the numpy network, its canonical form, and the torch trainer against the exact engine."""
import json

import numpy as np
import pytest
import torch

from engine import interpolate
from engine.train import ShallowNet, Snapshot, default_device, to_interpolant, train
from engine.univariate.validation import DataError

X5 = np.array([-1.0, -0.3, 0.4, 1.2, 2.0])
Y5 = np.random.default_rng(0).normal(size=(2, 5))


def unit_net(a, w, b, tasks=1):
    """A net with no skip from lists of units."""
    w = np.reshape(np.asarray(w, float), (len(b), -1))
    return ShallowNet(np.reshape(a, (len(b), tasks)), w, b, np.zeros((w.shape[1], tasks)), np.zeros(tasks))


def random_net(rng, K=12, d=1, T=2):
    return ShallowNet(rng.normal(size=(K, T)), rng.normal(size=(K, d)), rng.normal(size=K),
                      rng.normal(size=(d, T)), rng.normal(size=T))


# ---- ShallowNet ------------------------------------------------------------------------------------

def test_net_shapes_values_and_norms():
    net = unit_net([2.0, -1.0], [1.0, -2.0], [1.0, 0.0])   # 2σ(x − 1) − σ(−2x)
    xs = np.array([-2.0, 0.5, 3.0])
    np.testing.assert_allclose(net(xs)[:, 0], 2 * np.maximum(xs - 1, 0) - np.maximum(-2 * xs, 0))
    assert net(xs).shape == (3, 1) and net(xs[:, None]).shape == (3, 1)
    assert net.weight_norm() == pytest.approx(0.5 * (4 + 1 + 1 + 4))
    assert net.weight_norm(bias_penalty=True) == pytest.approx(0.5 * (4 + 1 + 1 + 4 + 1))
    np.testing.assert_allclose(net.unit_costs(), [2, 2])
    np.testing.assert_allclose(net.unit_costs(bias_penalty=True), [2 * np.sqrt(2), 2])
    with pytest.raises(ValueError, match="shape"):
        random_net(np.random.default_rng(0), d=2)(xs)


@pytest.mark.parametrize("a, w, b, cost", [
    ([1, 1], [1, -1], [1, -1], 2.0),             # σ(x−1) + σ(1−x) = |x − 1|
    ([1, -1], [1, -1], [1, -1], 0.0),            # σ(x−1) − σ(1−x) = x − 1: affine, free
    ([3, -1], [2, 1], [2, 1], 5.0),              # 3σ(2x−2) − σ(x−1) = 5σ(x−1)
    ([1, 1], [1, 1], [1, 1 + 1e-9], 2.0),        # knots 1e-9 apart are two hyperplanes
    ([5, 1], [0, 1], [-1, 0], 1.0),              # w = 0: the constant 5σ(1) costs nothing
])
def test_representation_cost_merges_hyperplanes(a, w, b, cost):
    net = unit_net(a, w, b)
    assert net.representation_cost() == pytest.approx(cost, abs=1e-12)


def test_representation_cost_tasks_bias_and_two_dimensions():
    two = unit_net([[1, 0], [0, 1]], [1, 2], [1, 2], tasks=2)         # same knot, a ⟂: ‖(1, 2)‖
    assert two.representation_cost() == pytest.approx(np.sqrt(5))
    assert two.unit_costs().sum() == pytest.approx(3)
    pen = unit_net([1.0], [2.0], [2.0])                                 # 2σ(x − 1): 2√(1+1²)
    assert pen.representation_cost(bias_penalty=True) == pytest.approx(2 * np.sqrt(2))
    w = [[3.0, 4.0], [-3.0, -4.0]]                                      # docs/design.md §5 finite nets, d = 2
    assert unit_net([1, 1], w, [0.5, -0.5]).representation_cost() == pytest.approx(10)   # |wᵀx − ½| → 2‖w‖
    assert unit_net([1, -1], w, [0.5, -0.5]).representation_cost() == pytest.approx(0)   # wᵀx − ½ → 0
    assert unit_net([2], [w[0]], [1.0]).representation_cost() == pytest.approx(10)        # |a|‖w‖


def test_to_dict_round_trip():
    net = random_net(np.random.default_rng(1), d=2)
    back = ShallowNet.from_dict(json.loads(json.dumps(net.to_dict())))
    for name in "awbvc":
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name))


# ---- canonical form --------------------------------------------------------------------------------

@pytest.mark.parametrize("bias_penalty", [False, True])
def test_to_interpolant_is_the_same_function(bias_penalty):
    rng = np.random.default_rng(2)
    net = random_net(rng)
    net.w[3] = 0.0                                   # a constant unit
    net.w[4], net.b[4] = -2 * net.w[5], -2 * net.b[5]   # same knot as unit 5, opposite orientation
    f = to_interpolant(net, bias_penalty=bias_penalty)
    xs = np.linspace(-6, 6, 1001)
    np.testing.assert_allclose(f(xs).T, net(xs), rtol=0, atol=1e-12)
    assert np.all(np.diff(f.knots) > 0) and len(f.knots) == 10
    assert f.cost == pytest.approx(net.representation_cost(bias_penalty=bias_penalty), rel=1e-12)
    assert f.unique is None and f.bias_penalty is bias_penalty


def test_to_interpolant_merges_close_knots():
    net = unit_net([1.0, 3.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1e-4, 2.0])
    f = to_interpolant(net, merge_tol=1e-3, span=2.0)
    np.testing.assert_allclose(f.knots, [0.75e-4, 2.0])
    np.testing.assert_allclose(f.jumps[:, 0], [4.0, 1.0])
    assert len(to_interpolant(net).knots) == 3
    with pytest.raises(ValueError, match="univariate"):
        to_interpolant(random_net(np.random.default_rng(0), d=2))


def test_to_interpolant_merges_knots_equal_up_to_rounding():
    # 0.3σ(x − 1/3) and σ(−0.21x + 0.07) share a hyperplane, but b/w differ in the last bit: kept apart,
    # the jumps 0.3 and −0.21 cost 0.51 instead of the net's 0.09 (representation_cost merges them)
    net = unit_net([1.0, -1.0], [0.3, -0.7 * 0.3], [0.1, -0.7 * 0.1])
    assert net.b[1] / net.w[1, 0] != net.b[0] / net.w[0, 0]
    for bias_penalty in (False, True):
        f = to_interpolant(net, bias_penalty=bias_penalty)
        assert len(f.knots) == 1 and f.jumps[0, 0] == pytest.approx(0.09)
        assert f.cost == pytest.approx(net.representation_cost(bias_penalty=bias_penalty), rel=1e-12)
        xs = np.linspace(-3, 3, 601)
        np.testing.assert_allclose(f(xs), net(xs)[:, 0], rtol=0, atol=1e-14)


# ---- trainer: interface ----------------------------------------------------------------------------

def quick(**kw):
    args = dict(width=20, lam=1e-2, steps=50, snapshot_every=10, device="cpu")
    return train(X5, Y5, **{**args, **kw})


@pytest.mark.parametrize("kw, message", [
    (dict(x=[0, 1, np.nan]), "NaN"),
    (dict(Y=np.zeros((2, 4))), "shape"),
    (dict(width=0), "width"),
    (dict(width=20001), "width"),
    (dict(steps=0), "steps"),
    (dict(lam=-1), "lam"),
    (dict(optimizer="lbfgs"), "optimizer"),
    (dict(dtype="float16"), "dtype"),
    (dict(grid=np.zeros((4, 2))), "grid"),
    (dict(grid_tasks=[2]), "grid_tasks"),
    (dict(device="cuda:banana"), "device"),
    (dict(lr=-1.0), "lr"),
])
def test_validation_errors_are_raised_at_the_call(kw, message):
    args = dict(x=X5, Y=Y5)
    args.update(kw)
    with pytest.raises(DataError, match=message):
        train(args.pop("x"), args.pop("Y"), **args)   # no next(): checked before training starts


def test_cadence_final_snapshot_and_values():
    grid = np.linspace(-1, 2, 7)
    snaps = list(quick(steps=25, grid=grid, grid_tasks=[1]))
    assert [s.step for s in snaps] == [0, 10, 20, 25]
    assert [s.done for s in snaps] == [False, False, False, True] and not snaps[-1].stopped
    assert all(isinstance(s, Snapshot) and s.device == "cpu" == default_device() for s in snaps)
    last = snaps[-1]
    assert last.values.shape == (1, 7)
    np.testing.assert_allclose(last.values[0], last.net(grid)[:, 1], atol=1e-12)
    assert last.loss == pytest.approx(last.data_loss + 1e-2 * last.weight_norm)
    assert last.data_loss == pytest.approx(0.5 * ((last.net(X5).T - Y5) ** 2).sum())
    assert last.cost == pytest.approx(last.net.representation_cost())
    assert [s.step for s in quick(steps=20)] == [0, 10, 20]


def test_deterministic_for_a_seed():
    one, two, other = (list(quick(seed=s))[-1].net for s in (3, 3, 4))
    for name in "awbvc":
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    assert not np.allclose(one.w, other.w)


def test_stop_callable_and_closing():
    calls = []
    snaps = list(quick(stop=lambda: calls.append(1) or len(calls) > 23))
    assert [s.step for s in snaps] == [0, 10, 20, 23]
    assert snaps[-1].done and snaps[-1].stopped
    run = quick()
    assert next(run).step == 0
    run.close()
    assert next(run, None) is None


def test_first_step_is_the_gradient_of_the_objective():
    """One GD step (lr decay starts at 1) equals the step autograd computes from L, biases penalised."""
    lam, lr = 0.3, 1e-2
    first, second = list(train(X5, Y5, width=7, lam=lam, bias_penalty=True, optimizer="gd", lr=lr,
                               steps=1, snapshot_every=1, init_scale=0.5, device="cpu"))
    p = {n: torch.tensor(getattr(first.net, n), requires_grad=True) for n in "awbvc"}
    X = torch.tensor(X5[:, None])
    f = torch.relu(X @ p["w"].T - p["b"]) @ p["a"] + X @ p["v"] + p["c"]
    L = 0.5 * ((f - torch.tensor(Y5.T)) ** 2).sum() + lam / 2 * sum((p[n] ** 2).sum() for n in "awb")
    L.backward()
    assert float(L.detach()) == pytest.approx(first.loss, rel=1e-12)
    for n in "awbvc":
        np.testing.assert_allclose(getattr(second.net, n), (p[n] - lr * p[n].grad).detach().numpy(), atol=1e-13)


def test_two_dimensions_and_float32():
    rng = np.random.default_rng(5)
    x, Y = rng.uniform(-1, 1, (12, 2)), rng.normal(size=(2, 12))
    snaps = list(train(x, Y, width=50, lam=1e-3, steps=400, snapshot_every=200, grid=rng.normal(size=(9, 2)),
                       device="cpu", dtype="float32"))
    assert snaps[-1].values.shape == (2, 9) and snaps[-1].net.w.shape == (50, 2)
    assert snaps[-1].loss < 0.5 * snaps[0].loss


def test_lam_zero_is_plain_least_squares():
    last = list(train(X5, Y5[0], width=200, lam=0.0, steps=1500, snapshot_every=1500, device="cpu"))[-1]
    assert last.loss == last.data_loss < 1e-12   # interpolates; not the min-norm interpolant (no penalty)


def test_divergence_is_reported():
    with pytest.raises(FloatingPointError, match="diverged"):
        list(train(X5, Y5, width=50, optimizer="gd", lr=1e3, steps=200, snapshot_every=50, device="cpu"))


# ---- trainer: convergence to the exact minimiser (d = 1, width 200, λ = 1e-2, 3000 Adam steps) -------

@pytest.mark.parametrize("Y, bias_penalty", [(Y5, False), (Y5[:1], True)])
def test_converges_to_the_exact_minimiser(Y, bias_penalty):
    lam = 1e-2
    sol = interpolate(X5, Y, lam=lam, bias_penalty=bias_penalty)
    exact = 0.5 * ((sol.fitted - Y) ** 2).sum() + lam * sol.cost
    last = list(train(X5, Y, width=200, lam=lam, bias_penalty=bias_penalty, steps=3000, snapshot_every=3000,
                      device="cpu"))[-1]
    gap = (last.loss - exact) / exact
    assert -1e-9 < gap < 1e-4                       # measured: ≈ 3e-6 (bias free), 1.7e-6 (biases penalised)
    xs = np.linspace(X5[0], X5[-1], 601)
    assert np.abs(last.net(xs).T - np.atleast_2d(sol(xs))).max() < 1e-3          # measured ≈ 1e-4 – 3e-4
    assert last.cost == pytest.approx(sol.cost, rel=1e-3)                          # measured ≈ 1e-4
    canon = to_interpolant(last.net, bias_penalty=bias_penalty, merge_tol=1e-3, span=np.ptp(X5))
    big = np.linalg.norm(canon.jumps, axis=1) > 1e-2 * np.linalg.norm(canon.jumps, axis=1).max()
    np.testing.assert_allclose(canon.knots[big], sol.knots, atol=1e-3)
    np.testing.assert_allclose(canon.jumps[big], sol.jumps, atol=1e-2)
