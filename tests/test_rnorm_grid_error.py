"""engine.rnorm.grid error budget (issue 13.1): |true − value| ≤ estimate_error whenever the result says it
is a bound, and the estimate is within 100× of the true error. References we did not compute with the
grid: the Fourier-slice closed form of anisotropic Gaussians (tests/test_rnorm_grid.py: ‖f‖_R =
γ₂ s₁s₂ ∫_0^{2π} r(θ)⁻³ dθ · ∫|g|, by scipy quad) and, for sums of Gaussians, the same theorem per
direction: μ(θ, b) = γ₂ Σ_i A_i s₁s₂ r_i⁻⁴ g((b − wᵀc_i)/r_i), g(b) = 4·₁F₁(2; ½; −b²/2), integrated
between its zeros (brentq) by Gauss–Legendre, and over θ by the trapezoid rule on 256 and 384 angles
(their difference is the reference's own uncertainty)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import brentq
from scipy.special import hyp1f1

from engine.rnorm.grid import GAMMA_2, rnorm_grid
from engine.rnorm.grid_error import extrapolated
from tests.test_rnorm_grid import aniso, aniso_closed_form

ISSUE = "exp(-x^2/(2*0.4^2) - y^2/(2*1.2^2))"
ISSUE_EXACT = 8.452629175833193        # aniso_closed_form(0.4, 1.2); the issue quotes 8.4526292


def gaussians(components):
    def f(x, y):
        out = 0.0
        for amp, s1, s2, phi, cx, cy in components:
            c, s = np.cos(phi), np.sin(phi)
            u, v = x - cx, y - cy
            out = out + amp * np.exp(-((c * u + s * v) / s1) ** 2 / 2 - ((-s * u + c * v) / s2) ** 2 / 2)
        return out
    return f


_T, _W = np.polynomial.legendre.leggauss(60)
_T, _W = 0.5 * (_T + 1), 0.5 * _W


def slice_reference(components, n_theta):
    total = 0.0
    for th in np.arange(n_theta) * np.pi / n_theta:
        terms = [(amp * s1 * s2 / r ** 4, r, np.cos(th) * cx + np.sin(th) * cy)
                 for amp, s1, s2, phi, cx, cy in components
                 for r in [np.hypot(s1 * np.cos(th - phi), s2 * np.sin(th - phi))]]
        mu = lambda b: GAMMA_2 * sum(a * 4 * hyp1f1(2, 0.5, -((b - m) / r) ** 2 / 2) for a, r, m in terms)  # noqa: E731
        grid = np.linspace(-12, 12, 1201)
        vals = mu(grid)
        zs = [brentq(mu, a, c, xtol=1e-15) for a, c, va, vc in zip(grid, grid[1:], vals, vals[1:]) if va * vc < 0]
        total += sum(abs(np.sum(_W * mu(a + (c - a) * _T)) * (c - a)) for a, c in zip(zs, zs[1:]))
        total += abs(np.sum(_W * mu(zs[-1] + _T / (1 - _T)) / (1 - _T) ** 2))      # b = z + t/(1 − t)
        total += abs(np.sum(_W * mu(zs[0] - _T / (1 - _T)) / (1 - _T) ** 2))
    return 2 * total * np.pi / n_theta


def check(res, exact, slack=0.0, tight=True):
    err = abs(res.value - exact)
    assert err <= res.estimate_error + slack, (err, res.estimate_error, res.error_parts)
    if tight and err > 1e-9 * exact + slack:
        assert res.estimate_error <= 100 * err, (err, res.estimate_error, res.error_parts)


def test_slice_reference_reproduces_the_closed_form():
    assert slice_reference([(1.0, 0.4, 1.2, 0.0, 0.0, 0.0)], 128) == pytest.approx(ISSUE_EXACT, rel=1e-11)
    assert aniso_closed_form(0.4, 1.2) == pytest.approx(ISSUE_EXACT, rel=1e-12)


def test_issue_example_is_accurate_and_its_estimate_bounds_the_error():
    """Was 8.450519 ± 3.0e-7 (true error 2.1e-3): now within 1e-5 and the estimate bounds the error."""
    from engine.rnorm.formula import parse

    f = parse(ISSUE)
    res = rnorm_grid(lambda x, y: f(x=x, y=y), extent=8.0, resolution=256, angles=256)
    assert res.status == "converged" and res.error_is_bound
    assert abs(res.value - ISSUE_EXACT) < 1e-5
    check(res, ISSUE_EXACT)
    assert set(res.error_parts) == {"quadrature", "band limit", "angles", "tail", "interpolation", "rounding"}
    assert res.estimate_error == pytest.approx(sum(res.error_parts.values()), rel=1e-12)


@settings(max_examples=12, deadline=None)
@given(s1=st.floats(0.3, 1.0), s2=st.floats(0.3, 1.0), theta=st.floats(0, np.pi),
       cx=st.floats(-1.5, 1.5), cy=st.floats(-1.5, 1.5), amp=st.floats(0.5, 2.0), sign=st.sampled_from([-1, 1]),
       n=st.sampled_from([96, 128]))
def test_estimate_bounds_scaled_rotated_shifted_gaussians(s1, s2, theta, cx, cy, amp, sign, n):
    """Always a bound when it says so; within 100× of the error once the grid has ≥ 3 points per σ (at
    2–3 points per σ the band-limit history is pre-asymptotic and the estimate up to ~200× loose)."""
    res = rnorm_grid(aniso(s1, s2, theta=theta, shift=(cx, cy), amp=sign * amp), resolution=n, angles=n)
    exact = amp * aniso_closed_form(s1, s2)
    assert res.status != "diverging"
    if res.error_is_bound:
        check(res, exact, tight=min(s1, s2) >= 3 * 16.0 / n)
    else:                                   # not a bound: it says so, and the value is not trusted
        assert res.status == "unresolved" and "not a bound" in res.reason


@pytest.mark.parametrize("components", [
    [(1.0, 0.5, 0.9, 0.4, 1.0, 0.5), (0.7, 0.8, 0.4, 1.9, -1.0, -1.2)],
    [(1.5, 0.6, 0.6, 0.0, 0.8, -0.3), (-0.8, 0.35, 0.7, 2.5, -0.9, 0.9)],
], ids=["positive sum", "mixed signs"])
def test_estimate_bounds_sums_of_gaussians(components):
    """Mixed signs: where the zeros of μ(θ, ·) merge, ∫|μ| db has kinks in θ and the angle sequence is
    erratic; the result then says "unresolved" (not a bound), and its estimate still covers the error."""
    ref, finer = slice_reference(components, 256), slice_reference(components, 384)
    res = rnorm_grid(gaussians(components), resolution=128, angles=128)
    if all(c[0] > 0 for c in components):
        assert res.status == "converged" and res.error_is_bound
        check(res, finer, slack=abs(finer - ref))
    else:
        assert res.status == "unresolved" and not res.error_is_bound and "angles" in res.reason
        check(res, finer, slack=abs(finer - ref), tight=False)


def test_estimates_shrink_under_refinement_and_stay_bounds():
    f = aniso(0.45, 0.9, theta=0.3)
    exact = aniso_closed_form(0.45, 0.9)
    coarse, fine = (rnorm_grid(f, resolution=n, angles=n) for n in (128, 256))
    for res in (coarse, fine):
        check(res, exact)
    assert fine.estimate_error < coarse.estimate_error / 4
    assert abs(fine.value - exact) < abs(coarse.value - exact) / 4


def test_angles_refined_separately():
    """Few angles on a fine grid: the angle part dominates and still bounds the error; with an odd count
    not divisible by 8 there is no angle estimate, so no bound."""
    f = aniso(0.35, 1.0, theta=0.2)
    exact = aniso_closed_form(0.35, 1.0)
    res = rnorm_grid(f, resolution=128, angles=16)
    assert res.error_parts["angles"] > res.error_parts["quadrature"]
    assert abs(res.value - exact) <= res.estimate_error
    odd = rnorm_grid(f, resolution=64, angles=60)
    assert odd.error_parts["angles"] == np.inf and not odd.error_is_bound and odd.status == "unresolved"


def test_extrapolated_rules():
    assert extrapolated([0.0, 1.0]) == (0.0, True)
    est, ok = extrapolated([1e-3, 1.6e-2, 0.256])            # O(h⁴): r = 1/16
    assert ok and est == pytest.approx(3 * 1e-3 / 15)
    est, ok = extrapolated([1e-3, 1.1e-3])                   # not shrinking: no bound
    assert not ok and est == pytest.approx(1e-2)
    assert not extrapolated([0.7, 17.6, 8.6])[1]             # one small ratio after a growing step
    assert extrapolated([1e-12, 1e-12], noise=1e-10) == (pytest.approx(1e-11), True)


@pytest.mark.parametrize("n", [256, 512])
def test_bound_holds_at_the_interpolation_floor(n):
    """Fine grids: quadrature, band and angle errors vanish and the spline-interpolation floor (~4e-8·V,
    the same at every n) remains; the 'interpolation' part must cover it."""
    res = rnorm_grid(lambda x, y: np.exp(-(x * x + y * y) / 2), resolution=n, angles=n)
    check(res, 4.768562043993)
    assert res.error_parts["interpolation"] > res.error_parts["quadrature"]


def test_zero_function():
    res = rnorm_grid(np.zeros((32, 32)), extent=1.0, resolution=32, angles=32)
    assert res.value == 0.0 and res.status == "converged"
