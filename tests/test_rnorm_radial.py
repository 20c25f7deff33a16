"""Radial R-norm, compact support in even d and apexes at the origin (engine.rnorm.radial, radial_compact).

Independent references: brute-force quadrature of h = (−1)^{d/2} H[ρ^{(d+1)}] (scipy quad, weight='cauchy',
with ρ = C(1 − b²)^β in closed form for the bumps), the 2-D grid estimate (engine.rnorm.grid), closed forms
for g = e^{−r} in d = 1 (∫|f''| = 4), and the representation ‖x‖ = ∫|wᵀx|dw / ∫|w₁|dw for the apex mass."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.integrate import quad
from scipy.special import beta, poch

from engine.rnorm.grid import rnorm_grid
from engine.rnorm.radial import apex_slope, radial_rnorm, radial_rnorm_curve
from engine.rnorm.radial_hankel import jfun, jfun_family
from engine.rnorm.radial_compact import density_even, sphere_area


def _bump_rho_deriv(k, d):
    """ρ^{(d+1)} for g = (1 − r²)₊^k: ρ(b) = (|S^{d−2}|/2) B(k+1, (d−1)/2) (1 − b²)^β, β = k + (d−1)/2
    (Beta integral), differentiated by Leibniz on (1 − b)^β (1 + b)^β."""
    C, bet, n = sphere_area(d - 2) / 2 * beta(k + 1, (d - 1) / 2), k + (d - 1) / 2, d + 1
    return lambda y: C * sum(math.comb(n, j) * (-1) ** j * poch(bet - j + 1, j) * (1 - y) ** (bet - j)
                             * poch(bet - n + j + 1, n - j) * (1 + y) ** (bet - n + j) for j in range(n + 1))


@pytest.mark.parametrize("d,k", [(2, 3), (4, 4), (6, 6)])
def test_even_density_vs_bruteforce_hilbert_transform(d, k):
    rd, h = _bump_rho_deriv(k, d), density_even(lambda r: (1 - r * r) ** k, d, 1.0)
    for b in (0.0, 0.3, 0.77, 0.95, 1.05, 1.6, 4.0):
        if b < 1:   # quad's Cauchy weight: p.v. ∫ f(y)/(y − b) dy
            ref = -quad(rd, -1, 1, weight="cauchy", wvar=b, epsabs=1e-13, limit=200)[0] / np.pi
        else:
            ref = quad(lambda y: rd(y) / (b - y), -1, 1, epsabs=1e-13, limit=200)[0] / np.pi
        ref *= (-1) ** (d // 2)
        scale = abs(h(np.array([0.0]))[0])
        assert h(np.array([b]))[0] == pytest.approx(ref, rel=1e-8, abs=1e-10 * scale)


def test_even_d2_total_vs_bruteforce_and_grid():
    k, d = 4, 2
    val = radial_rnorm(lambda r: (1 - r * r) ** k, d, support=1.0)
    assert val.finite and val.point_mass == 0.0 and val.error_estimate < 1e-10 * val.value
    # brute force ∫|h| (h one-signed pieces located on a grid); c_2 = 1/2
    rd = _bump_rho_deriv(k, d)
    h = lambda b: (-quad(rd, -1, 1, weight="cauchy", wvar=b, epsabs=1e-12, limit=200)[0] if b < 1 else
                   quad(lambda y: rd(y) / (b - y), -1, 1, epsabs=1e-12, limit=200)[0]) / np.pi
    t = np.linspace(0, 1, 201)[1:-1]
    roots = t[np.nonzero(np.diff(np.sign([h(x) for x in t])))[0]]
    from scipy.optimize import brentq
    pts = [0.0, *[brentq(h, r, r + 0.005) for r in roots], 1.0]
    inside = sum(abs(quad(h, a, b, epsabs=1e-11, limit=100)[0]) for a, b in zip(pts[:-1], pts[1:]))
    outside = quad(h, 1, 3, epsabs=1e-11, limit=200)[0] + quad(h, 3, np.inf, epsabs=1e-12)[0]
    assert val.value == pytest.approx(inside + abs(outside), rel=1e-8)
    # the 2-D grid (spectral Radon transform) converges to it
    errs = [abs(rnorm_grid(lambda x, y: np.maximum(1 - x * x - y * y, 0) ** k, extent=2.0, resolution=n,
                           angles=n).value / val.value - 1) for n in (256, 512)]
    assert errs[1] < 2e-5 and errs[1] < errs[0] / 3


@pytest.mark.parametrize("d", [2, 4, 8, 14])
def test_even_minimal_smoothness_finite_and_threshold(d):
    k = d // 2 + 1                            # smallest finite edge order; h ~ |1 − |b||^{−1/2}
    r = radial_rnorm(lambda r: (1 - r * r) ** k, d, support=1.0)
    assert r.finite and np.isfinite(r.value) and r.value > 0 and r.point_mass == 0.0
    assert not radial_rnorm(lambda r: (1 - r * r) ** (k - 1), d, support=1.0).finite


@settings(max_examples=15, deadline=None)
@given(d=st.sampled_from([2, 4, 6, 10, 14]), k=st.integers(0, 3), sig=st.floats(0.2, 5.0), a=st.floats(-2, 2))
def test_even_scaling_and_linearity(d, k, sig, a):
    g = lambda r: (1 - r * r) ** (d // 2 + 1 + k) * (1 + a * r * r)
    ref = radial_rnorm(g, d, support=1.0)
    scaled = radial_rnorm(lambda r: 3 * g(r / sig), d, support=sig)
    assert scaled.value == pytest.approx(3 * ref.value / sig, rel=1e-9)


def test_even_smooth_non_polynomial_profile():
    g = lambda r: (1 - r * r) ** 8 * np.exp(-r * r)
    for d in (2, 8, 14):
        r = radial_rnorm(g, d, support=1.0)
        assert r.finite and r.error_estimate < 1e-6 * r.value
        assert radial_rnorm(lambda s: g(s / 2), d, support=2.0).value == pytest.approx(r.value / 2, rel=1e-9)


def test_design_odd_values_unchanged_and_curve_mixed():
    curve = radial_rnorm_curve(lambda r: np.maximum(1 - r * r, 0) ** 2, support=1.0)
    assert round(curve[2].value, 6) == 46.310835 and curve[2].point_mass == pytest.approx(16.0, rel=1e-9)
    assert [c.finite for c in curve[:4]] == [True, True, True, False]     # d = 4 needs ν ≥ 3


def test_apex_detection():
    assert apex_slope(lambda r: np.exp(-r * r / 2)) == 0.0
    assert apex_slope(lambda r: (1 - r * r) ** 3, 1.0) == 0.0
    assert apex_slope(lambda r: np.exp(-r * r / 2) * np.cos(3 * r)) == 0.0
    assert apex_slope(lambda r: np.exp(-r)) == pytest.approx(-1.0, rel=1e-6)
    assert apex_slope(lambda r: (1 - r) ** 4, 1.0) == pytest.approx(-4.0, rel=1e-6)


def test_apex_d1_closed_form_and_point_mass_in_higher_d():
    r1 = radial_rnorm(lambda r: np.exp(-r), 1)                 # ∫|f''| = 2∫e^{−r} + 2|g'(0)| = 4
    assert r1.value == pytest.approx(4.0, rel=1e-9) and r1.point_mass == pytest.approx(2.0, rel=1e-6)
    for d in (2, 3, 6):
        r = radial_rnorm(lambda r: np.exp(-r), d)
        A = 2 * math.pi ** ((d - 1) / 2) / math.gamma((d + 1) / 2)       # ∫_{S^{d−1}} |w₁| dw
        assert r.finite and math.isnan(r.value) and "apex" in r.reason
        assert r.point_mass == pytest.approx(2 * sphere_area(d - 1) / A, rel=1e-6)   # d = 3: 4 (Δ²‖x‖ = −8πδ)


@pytest.mark.parametrize("family", [[-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                                    [2.5], [0.0], [-0.5], [3.0, 4.0, 5.0], [0.5, 6.5]])
def test_bessel_family_recurrences_match_jv(family):
    """``jfun_family`` (two jv calls + recurrences) against scipy's jv order by order, z = ωr ≤ 320."""
    z = np.outer(np.linspace(0, 30, 301), np.linspace(0, 10.7, 211))
    got = jfun_family(family, z)
    for nu in family:
        ref = jfun(nu, z)
        assert np.abs(got[nu] - ref).max() <= 2e-14 * np.abs(ref).max(), nu
