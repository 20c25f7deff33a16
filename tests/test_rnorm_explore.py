"""engine.rnorm.explore and halfcircle: the explorer's exact values, the half-circle fold, the picked neuron,
the export shared with the CLI."""
import json

import numpy as np
import pytest
from hypothesis import given, strategies as st

from engine.rnorm.cli import run_rnorm
from engine.rnorm.explore import (Neuron, edge_is_small, exact_value, export, folded_atoms, grid_summary,
                                  measure_csv, measure_view, reference, ridge_measure, sample, verdict)
from engine.rnorm.finite import network_measure
from engine.rnorm.formula import parse
from engine.rnorm.gallery import GALLERY
from engine.rnorm.grid import rnorm_grid
from engine.rnorm.halfcircle import fold

angles = st.floats(-20.0, 20.0, allow_nan=False)
offsets = st.floats(-5.0, 5.0, allow_nan=False)


@given(angles, offsets)
def test_fold_lands_on_the_half_circle_and_is_the_same_unit_up_to_an_affine_term(theta, b):
    t, c = fold(theta, b)
    assert 0.0 <= t < np.pi
    assert fold(t, c) == pytest.approx((t, c))
    # σ(wᵀx − b) − σ(w'ᵀx − b') is affine in x when (w', b') = ±(w, b): check it at random points
    w, w2 = np.array([np.cos(theta), np.sin(theta)]), np.array([np.cos(t), np.sin(t)])
    x = np.random.default_rng(0).normal(size=(50, 2)) * 4
    diff = np.maximum(x @ w - b, 0) - np.maximum(x @ w2 - c, 0)
    A = np.c_[x, np.ones(len(x))]
    residual = diff - A @ np.linalg.lstsq(A, diff, rcond=None)[0]
    assert np.abs(residual).max() < 1e-9


def test_density_is_even_under_the_fold():
    f = parse("exp(-((x-0.5)^2 + 2*y^2)/2)", variables=("x", "y", "r"))
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=6, resolution=64, angles=64)
    for theta, b in [(0.3, 0.7), (2.0, -1.1), (1.0, 0.0)]:
        assert res.density_at(theta + np.pi, -b) == res.density_at(theta, b)


def test_folded_atoms_keep_the_weight_sign():
    theta = np.radians(200.0)
    atoms = network_measure(np.array([[np.cos(theta), np.sin(theta)]]), np.array([0.5]), np.array([-2.0]))
    th, b, a, mass = folded_atoms(atoms)
    assert th[0] == pytest.approx(20.0) and b[0] == pytest.approx(-0.5) and a[0] < 0 and mass[0] == pytest.approx(2.0)


def test_neuron_line_and_active_side():
    n = Neuron.at(210.0, 1.0)          # folded to 30°, b = −1
    assert n.theta_deg == pytest.approx(30.0) and n.b == pytest.approx(-1.0)
    xs, ys = n.line(2.0)
    assert np.c_[xs, ys] @ n.normal == pytest.approx([-1.0, -1.0])   # both ends on {nᵀx = b}
    foot, tip = n.active_arrow(2.0)
    assert foot @ n.normal == pytest.approx(n.b) and tip @ n.normal > n.b


def test_exact_values_of_the_gallery():
    net = exact_value(GALLERY["A finite ReLU net (4 units)"])
    assert net.value == pytest.approx(3.9) and not net.grid_applies and net.atoms is not None
    assert not exact_value(GALLERY["Sum of ridge functions"]).grid_applies
    gauss = exact_value(GALLERY["Gaussian exp(−‖x‖²/2)"])
    assert gauss.value == pytest.approx(4.768562043993, rel=1e-6) and gauss.grid_applies   # tests/test_rnorm_grid.py
    assert exact_value(GALLERY["Cone (1 − r)₊"]).value == np.inf
    assert exact_value(GALLERY["Anisotropic Gaussian"]).value == GALLERY["Anisotropic Gaussian"].closed_form
    assert exact_value(None).value is None


def test_reference_prefers_the_exact_value():
    f = parse("exp(-(x^2 + y^2)/2)", variables=("x", "y", "r"))
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=8, resolution=64, angles=64)
    assert reference(exact_value(GALLERY["Gaussian exp(−‖x‖²/2)"]), res) == pytest.approx(4.768562, rel=1e-6)
    assert reference(exact_value(None), res) == (res.value if res.status == "converged" else None)
    assert reference(exact_value(GALLERY["Cone (1 − r)₊"]), None) is None


def test_the_page_export_and_the_cli_share_the_grid_summary():
    text = "exp(-(x^2+y^2)/2)"
    f = parse(text, variables=("x", "y", "r"))
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=8, resolution=64, angles=64)
    cli = run_rnorm({"function": text, "extent": 8, "resolution": 64})
    assert grid_summary(res).to_dict() == cli
    out = json.loads(json.dumps(export(text, 8.0, 64, res, exact_value(GALLERY["Gaussian exp(−‖x‖²/2)"]))))
    assert out["grid"] == cli and out["exact"] == pytest.approx(4.768562, rel=1e-6)
    assert export(text, 8.0, 64, None, exact_value(None))["grid"]["status"] == "not applicable"


def test_measure_csv_and_view():
    f = parse("exp(-(x^2+y^2)/2)", variables=("x", "y", "r"))
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=4, resolution=32, angles=32)
    rows = np.loadtxt(measure_csv(res).splitlines()[1:], delimiter=",")
    assert rows[:, 0] == pytest.approx(res.thetas) and rows[:, 1:] == pytest.approx(res.mu, rel=1e-11, abs=1e-300)
    thetas, bs, sino, mu = measure_view(res, 4.0, max_offsets=20)
    assert len(bs) <= 20 and np.abs(bs).max() <= 4 * np.sqrt(2) and mu.shape == (len(bs), len(thetas))


def test_sample_and_edge():
    values = sample(parse("exp(-(x^2+y^2)/2)", variables=("x", "y", "r")), 8.0, 32)
    assert values.shape == (32, 32) and edge_is_small(values)
    assert not edge_is_small(sample(parse("1/(1 + r)", variables=("x", "y", "r")), 8.0, 32))
    assert sample(parse("1", variables=("x", "y", "r")), 1.0, 8).shape == (8, 8)   # constants broadcast


def test_ridge_measure_rebuilds_the_ridge_and_has_its_mass():
    """f = tanh(−2y): its line folds to θ = 90° (b → −b); ∫ρ(b)σ(y − b) db equals f up to an affine term, and
    the mass ∫|ρ| is ‖w‖∫|tanh''| = 2·2 (tanh' rises from 0 to 1 and falls back)."""
    [(theta, b, rho)] = ridge_measure([("tanh(t)", (0.0, -2.0))], 4.0, n=4001)
    assert theta == pytest.approx(90.0) and np.all(np.diff(b) > 0)
    y = np.linspace(-3, 3, 61)
    rebuilt = np.trapezoid(rho[None, :] * np.maximum(y[:, None] - b[None, :], 0), b, axis=1)
    diff = np.tanh(-2 * y) - rebuilt
    A = np.c_[y, np.ones_like(y)]
    assert np.abs(diff - A @ np.linalg.lstsq(A, diff, rcond=None)[0]).max() < 1e-4
    assert np.trapezoid(np.abs(rho), b) == pytest.approx(4.0, rel=1e-4)
    example = GALLERY["Sum of ridge functions"]
    total = sum(np.trapezoid(np.abs(d), bb) for _, bb, d in ridge_measure(example.ridges, 40.0, n=40001))
    assert total == pytest.approx(4.0, rel=1e-4)   # two unit ridges tanh: 2 each


def grid(text, extent, n=64):
    f = parse(text, variables=("x", "y", "r"))
    return rnorm_grid(lambda x, y: f(x=x, y=y), extent=extent, resolution=n, angles=n), sample(f, extent, n)


def test_verdict_names_the_numbers_behind_the_status():
    res, values = grid("exp(-(x^2+y^2)/2)", 8.0, 128)
    assert res.status == "converged"
    text = verdict(res, edge_is_small(values))
    change = abs(res.values_by_resolution[128] - res.values_by_resolution[64]) / res.value
    assert text.startswith("converged: the 64² and 128² estimates agree to") and f"{change:.1e}" in text
    assert f"± {res.estimate_error:.1e} is a bound" in text
    res, values = grid("exp(-(x^2+3*y^2)/2)", 2.0)   # the square cuts f off: the grid sees a jump
    text = verdict(res, edge_is_small(values))
    assert res.status == "diverging" and "grows with resolution" in text and "enlarge E" in text
    assert f"{res.values_by_resolution[64]:.3g}" in text
    res, values = grid("relu(1 - max(abs(x), abs(y)))", 2.0)
    assert verdict(res, edge_is_small(values)).startswith("diverging: the samples show a kink")
    res, values = grid("relu(1 - x^2 - y^2)^2", 2.0)
    assert res.status == "unresolved" and verdict(res).startswith("not converged: the 32² and 64² estimates differ")
