"""engine.rnorm.grid_quadrature: ∫|μ| by the Hermite rule vs scipy quad, its O(db⁴) order, and the far-field
series of μ vs quad of the closed-form filtered Gaussian g(b) = 4·₁F₁(2; ½; −b²/2) (tests/test_rnorm_grid.py)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import hyp1f1

from engine.rnorm.grid import GAMMA_2
from engine.rnorm.grid_quadrature import abs_integral_hermite, tail_integrals


def g(b):
    return 4 * hyp1f1(2, 0.5, -np.asarray(b) ** 2 / 2)


def dg(b):      # d/dz ₁F₁(a; c; z) = (a/c)₁F₁(a + 1; c + 1; z), z = −b²/2
    return 4 * (2 / 0.5) * hyp1f1(3, 1.5, -np.asarray(b) ** 2 / 2) * (-np.asarray(b))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=4, max_size=4), st.floats(0.05, 2.0))
def test_one_cell_is_exact_for_cubics(coefs, db):
    """p(t) = Σ c_k t^k on [0, db]: the Hermite data of a cubic reproduce it, so ∫|p| is exact."""
    p = np.polynomial.Polynomial(coefs)
    dp = p.deriv()
    got = abs_integral_hermite(np.array([p(0.0), p(db)]), np.array([dp(0.0), dp(db)]), db)
    t = np.linspace(0.0, db, 2001)
    roots = [brentq(p, a, c, xtol=1e-15) for a, c in zip(t, t[1:]) if p(a) * p(c) < 0]
    pts = [0.0, *roots, db]
    ref = sum(abs(quad(p, a, c, epsabs=1e-14)[0]) for a, c in zip(pts, pts[1:]))
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_filtered_gaussian_fourth_order():
    """∫|g| over [−10, 10] (zeros of g at ±0.8424, ±2.7656): error ÷16 per halving of db."""
    z = [brentq(g, 0.5, 1.5), brentq(g, 2, 3.5)]
    ref = 2 * sum(abs(quad(g, a, c, epsabs=1e-14, epsrel=1e-13)[0]) for a, c in zip([0, *z], [*z, 10.0]))
    errs = []
    for n in (80, 160, 320, 640):
        b = np.linspace(-10, 10, n + 1)
        errs.append(abs(abs_integral_hermite(g(b), dg(b), b[1] - b[0]) - ref))
    assert errs[-1] < 2e-8 * ref
    assert all(e0 / e1 > 14 for e0, e1 in zip(errs, errs[1:]))     # 16 asymptotically
    b = np.linspace(-10, 10, 161)
    trapezoid = np.abs(g(b)).sum() * (b[1] - b[0])                  # the old rule, for comparison
    assert abs(trapezoid - ref) > 100 * errs[1]


@pytest.mark.parametrize("shift, width", [(0.0, 1.0), (1.3, 0.7)])
def test_tail_series_matches_quad_of_the_closed_form(shift, width):
    """Rf(b) = √(2π)·w·e^{−(b−c)²/(2w²)} ⇒ μ(b) = γ₂ w⁻² g((b − c)/w); ∫_{|b|>R}|μ| by quad."""
    db = 0.05
    b = (np.arange(801) - 400) * db
    sino = np.sqrt(2 * np.pi) * width * np.exp(-(b - shift) ** 2 / (2 * width ** 2))
    R = 14.0
    tails, trunc = tail_integrals(sino[None], b, db, R, GAMMA_2, support=12.0)
    mu = lambda t: GAMMA_2 * g((t - shift) / width) / width ** 2     # noqa: E731
    ref = abs(quad(mu, R, np.inf, epsabs=1e-16, epsrel=1e-12)[0]) + abs(quad(mu, -np.inf, -R, epsabs=1e-16, epsrel=1e-12)[0])
    assert tails[0] == pytest.approx(ref, rel=1e-8)
    assert trunc[0] < 1e-8 * ref
    one_term = 2 * 6 * GAMMA_2 * np.sqrt(2 * np.pi) * width / (np.pi * 3 * R ** 3)   # the old 1/b⁴ tail
    if shift:
        assert abs(one_term - ref) > 100 * abs(tails[0] - ref)
