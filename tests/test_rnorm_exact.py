"""R-norm: finite nets (exact merging) and radial functions (1-D reduction); docs/design.md §2, §5."""
import math

import numpy as np
import pytest
from numpy.polynomial import hermite_e as He
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import gamma, hyp1f1

from engine.rnorm.finite import network_measure, network_rnorm
from engine.rnorm.radial import radial_rnorm, radial_rnorm_curve, rnorm_constant

gauss = lambda r: np.exp(-r ** 2 / 2)
gauss_hat = lambda w, d: (2 * np.pi) ** (d / 2) * np.exp(-w ** 2 / 2)


# ---------------------------------------------------------------- finite nets
def test_design_single_unit_abs_and_linear():
    w = np.array([[3.0, -4.0]])
    assert network_rnorm(w, [0.7], [-2.0]) == pytest.approx(10.0, rel=1e-14)   # |a|‖w‖
    assert network_rnorm(np.r_[w, -w], [0, 0], [1, 1]) == pytest.approx(10.0)   # |wᵀx| → 2‖w‖
    assert network_rnorm(np.r_[w, -w], [0, 0], [1, -1]) == pytest.approx(0.0, abs=1e-12)  # wᵀx → 0


def test_merging_orientations_rescaling_zero_units_multioutput():
    w = np.array([[1.0, 2.0, 2.0]])                            # ‖w‖ = 3
    W = np.r_[w, -2 * w, 0.5 * w, 0 * w, [[0, 0, 1.0]]]
    b = np.array([1.0, -2.0, 0.5, 3.0, 0.0])                   # first three: same hyperplane wᵀx = 1
    a = np.array([1.0, 2.0, -4.0, 100.0, 1.0])
    # merged atom: 1·3 + 2·6 − 4·1.5 = 9 (flip keeps a), w = 0 unit is a constant, last unit 1
    assert network_rnorm(W, b, a) == pytest.approx(10.0, rel=1e-12)
    m = network_measure(W, b, a)
    assert len(m.b) == 2 and m.total == pytest.approx(10.0)
    A = np.c_[a, [0.0, 0.0, 0.0, 5.0, 1.0]]                     # two tasks
    assert network_rnorm(W, b, A) == pytest.approx(9.0 + math.sqrt(2), rel=1e-12)
    assert network_measure(W, b, A).a.shape == (2, 2)


def test_measure_theta_for_plotting_d2():
    m = network_measure([[0.0, -2.0], [1.0, 0.0]], [1.0, 0.5], [1.0, 1.0])
    assert m.theta is not None and np.all((m.theta >= 0) & (m.theta < 2 * np.pi))
    # (0, −2) is flipped to the canonical (0, 1) with b = −0.5
    i = int(np.argmin(np.abs(m.theta - np.pi / 2)))
    assert m.b[i] == pytest.approx(-0.5) and m.mass[i] == pytest.approx(2.0)


@pytest.mark.parametrize("d", [2, 3])
def test_rotation_and_translation_invariance(d):
    rng = np.random.default_rng(d)
    W, b, a = rng.normal(size=(7, d)), rng.normal(size=7), rng.normal(size=7)
    W[3], b[3] = -2 * W[0], -2 * b[0]                           # a merge to keep it nontrivial
    ref = network_rnorm(W, b, a)
    Qm, _ = np.linalg.qr(rng.normal(size=(d, d)))
    assert network_rnorm(W @ Qm.T, b, a) == pytest.approx(ref, rel=1e-12)
    s = rng.normal(size=d)                                     # f(x − s): b → b + wᵀs
    assert network_rnorm(W, b + W @ s, a) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("args", [
    (np.ones(3), np.ones(3), np.ones(3)),
    (np.ones((3, 2)), np.ones(2), np.ones(3)),
    (np.ones((3, 2)), np.ones(3), np.ones(4)),
    (np.ones((3, 2)), np.array([1.0, np.nan, 0.0]), np.ones(3)),
    (np.full((3, 2), np.inf), np.ones(3), np.ones(3)),
])
def test_validation(args):
    with pytest.raises(ValueError):
        network_rnorm(*args)


# ---------------------------------------------------------------- radial
def test_gaussian_d1_is_int_abs_second_derivative():
    r = radial_rnorm(gauss, 1)
    assert r.finite and r.value == pytest.approx(4 / math.sqrt(math.e), rel=1e-9)
    assert round(r.value, 6) == 2.426123 and r.error_estimate < 1e-8


def _he_integral(n):
    c = np.zeros(n + 1)
    c[n] = 1
    pts = [-np.inf, *np.sort(He.hermeroots(c).real), np.inf]
    f = lambda b: abs(He.hermeval(b, c)) * np.exp(-b * b / 2)
    return sum(quad(f, lo, hi, epsabs=0, epsrel=1e-13)[0] for lo, hi in zip(pts[:-1], pts[1:]))


def test_gaussian_d3_design_value():
    r = radial_rnorm(gauss, 3)
    assert round(r.value, 6) == 7.020064
    assert r.value == pytest.approx(_he_integral(4), rel=1e-9)


def test_gaussian_d2_vs_independent_closed_form():
    # h(b) = (2π)^{d/2}/π ∫_0^∞ ω^{d+1} e^{−ω²/2} cos(ωb) dω = (2π)^{d/2}/π 2^{d/2} Γ(d/2+1) 1F1(d/2+1; ½; −b²/2)
    d = 2
    h = lambda b: (2 * np.pi) ** (d / 2) / np.pi * 2 ** (d / 2) * gamma(d / 2 + 1) * hyp1f1(d / 2 + 1, 0.5, -b * b / 2)
    t = np.linspace(0, 60, 6001)
    v = h(t)
    roots = [brentq(h, t[i], t[i + 1]) for i in np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0]]
    pts = [0.0, *roots, 60.0]
    s = sum(abs(quad(h, lo, hi, epsabs=0, epsrel=1e-12)[0]) for lo, hi in zip(pts[:-1], pts[1:]))
    s += abs(quad(h, 60, np.inf)[0])
    ref = 2 * s * rnorm_constant(d)
    assert radial_rnorm(gauss, 2, estimate_error=False).value == pytest.approx(ref, rel=1e-10)
    assert radial_rnorm(gauss, 2, fourier=lambda w: gauss_hat(w, 2)).value == pytest.approx(ref, rel=1e-7)


def test_bump_d3_design_value_with_point_masses():
    r = radial_rnorm(lambda r: (1 - r ** 2) ** 2, 3, support=1.0)
    assert r.finite and round(r.value, 6) == 46.310835
    assert r.value == pytest.approx(32 + 32 / math.sqrt(5), rel=1e-9)
    assert r.point_mass == pytest.approx(16.0, rel=1e-9)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 8, 15])
def test_cone_infinite_in_d_ge_2(d):
    r = radial_rnorm(lambda r: 1 - r, d, support=1.0)
    assert not r.finite and r.value == float("inf") and "infinite" in r.reason


def test_cone_d1_and_smoothness_threshold():
    assert radial_rnorm(lambda r: 1 - r, 1, support=1.0).value == pytest.approx(4.0)  # σ(1−|x|)
    assert not radial_rnorm(lambda r: (1 - r ** 2) ** 2, 5, support=1.0).finite       # ν = 2 < 3
    r5 = radial_rnorm(lambda r: (1 - r ** 2) ** 3, 5, support=1.0)                    # ν = 3: point masses
    assert r5.finite and r5.point_mass > 0 and np.isfinite(r5.value)


def test_scaling_and_linearity():
    bump = lambda r: (1 - r ** 2) ** 3
    ref = radial_rnorm(bump, 3, support=1.0).value
    sig = 2.5
    assert radial_rnorm(lambda r: bump(r / sig), 3, support=sig).value == pytest.approx(ref / sig, rel=1e-9)
    assert radial_rnorm(lambda r: -3 * bump(r), 3, support=1.0).value == pytest.approx(3 * ref, rel=1e-9)
    g3 = radial_rnorm(gauss, 3, estimate_error=False).value
    assert radial_rnorm(lambda r: gauss(r / 2), 3, estimate_error=False).value == pytest.approx(g3 / 2, rel=1e-7)


def test_gaussian_curve_dims_1_to_15():
    res = radial_rnorm_curve(gauss, fourier=gauss_hat, estimate_error=False)
    vals = np.array([r.value for r in res])
    assert np.all(np.isfinite(vals)) and np.all(vals > 0) and np.all(np.diff(vals) > 0)
    assert vals[0] == pytest.approx(4 / math.sqrt(math.e), rel=1e-9)
    for d in (5, 9, 15):                      # odd d: c_d (2π)^{(d−1)/2} ∫|He_{d+1}| e^{−b²/2}
        ref = rnorm_constant(d) * (2 * np.pi) ** ((d - 1) / 2) * _he_integral(d + 1)
        assert vals[d - 1] == pytest.approx(ref, rel=1e-9)


def _gauss_even_reference(d):
    """c_d·2∫_0^∞|h| for the Gaussian, even d: h = K·1F1(d/2+1; ½; −b²/2) has the antiderivative
    K·b·1F1(d/2+1; 3/2; −b²/2) (→ 0 at ∞), so only the roots of h are needed (brentq)."""
    K = (2 * np.pi) ** (d / 2) / np.pi * 2 ** (d / 2) * gamma(d / 2 + 1)
    h = lambda b: hyp1f1(d / 2 + 1, 0.5, -b * b / 2)
    H = lambda b: K * b * hyp1f1(d / 2 + 1, 1.5, -b * b / 2)
    t = np.linspace(0, 12, 2401)
    v = h(t)
    pts = [0.0, *[brentq(h, t[i], t[i + 1], xtol=1e-15) for i in np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0]]]
    return 2 * rnorm_constant(d) * (np.abs(np.diff(H(np.array(pts)))).sum() + abs(H(pts[-1])))


def test_gaussian_curve_hankel_route_all_dims_vs_closed_forms():
    """The batched Hankel route (no transform given) for d = 1 … 15 in one call: closed forms to 1e−9
    (measured ≤ 3e−12), error estimates small and honest, same values as single-d calls."""
    res = radial_rnorm_curve(gauss)
    for d, r in enumerate(res, start=1):
        ref = (rnorm_constant(d) * (2 * np.pi) ** ((d - 1) / 2) * _he_integral(d + 1) if d % 2
               else _gauss_even_reference(d))
        assert r.finite and r.value == pytest.approx(ref, rel=1e-9), d
        assert r.error_estimate < 1e-9 * r.value and "Hankel" in r.reason
    assert res[0].value == pytest.approx(4 / math.sqrt(math.e), rel=1e-12)
    assert res[2].value == pytest.approx(7.0200639000001528, rel=1e-12)
    for d in (4, 11):
        assert radial_rnorm(gauss, d).value == pytest.approx(res[d - 1].value, rel=1e-10)


def test_curve_mixes_routes_and_keeps_order():
    res = radial_rnorm_curve(lambda r: np.exp(-r), dims=[3, 1, 2])       # apex: point masses / d = 1 value
    assert [r.dim for r in res] == [3, 1, 2] and res[1].value == pytest.approx(4.0, rel=1e-9)
    assert all(math.isnan(r.value) and "apex" in r.reason for r in (res[0], res[2]))
    with pytest.raises(ValueError):
        radial_rnorm_curve(gauss, dims=[1, 16])


def test_radial_validation():
    with pytest.raises(ValueError):
        radial_rnorm(gauss, 16)
    with pytest.raises(ValueError):
        radial_rnorm(gauss, 2, support=-1.0)
    with pytest.raises(ValueError):
        radial_rnorm(lambda r: 1.0 / (1 + r), 3)          # does not decay
