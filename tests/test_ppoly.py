"""``Interpolant.to_ppoly``: scipy's PPoly of the same function; its derivative, integral and roots
checked against the interpolant's own values and slopes."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.interpolate import PPoly

from engine import interpolate
from engine.univariate import Interpolant


@st.composite
def interpolants(draw, tasks=1):
    m = draw(st.integers(0, 6))
    knots = np.sort(draw(st.lists(st.floats(-5, 5), min_size=m, max_size=m, unique=True)))
    jumps = np.array(draw(st.lists(st.floats(-3, 3), min_size=m * tasks, max_size=m * tasks))).reshape(m, tasks)
    affine = np.array(draw(st.lists(st.floats(-3, 3), min_size=2 * tasks, max_size=2 * tasks))).reshape(tasks, 2)
    return Interpolant(knots, jumps, affine)


XS = np.linspace(-8, 8, 1601)


@settings(max_examples=60, deadline=None)
@given(interpolants())
def test_values_and_derivative(f):
    p = f.to_ppoly()
    assert isinstance(p, PPoly)
    np.testing.assert_allclose(p(XS), f(XS), atol=1e-11, rtol=1e-11)
    off = XS[~np.isin(XS, f.knots)]            # away from the knots the derivative is the slope
    np.testing.assert_allclose(p.derivative()(off), f.slopes(off), atol=1e-11)
    assert np.all(p.derivative(2)(off) == 0)


@settings(max_examples=60, deadline=None)
@given(interpolants(), st.floats(-7, 0), st.floats(0.1, 7))
def test_integrate(f, a, width):
    b = a + width
    xs = np.union1d(np.linspace(a, b, 3), f.knots[(f.knots > a) & (f.knots < b)])
    exact = float(np.sum(np.diff(xs) * (f(xs[1:]) + f(xs[:-1])) / 2))   # trapezoid: exact on each linear piece
    assert f.to_ppoly().integrate(a, b) == pytest.approx(exact, abs=1e-9)
    assert f.to_ppoly().antiderivative()(b) - f.to_ppoly().antiderivative()(a) == pytest.approx(exact, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(interpolants())
def test_roots(f):
    roots = f.to_ppoly().roots(discontinuity=False, extrapolate=True)
    finite = roots[np.isfinite(roots)]
    np.testing.assert_allclose(f(finite), 0, atol=1e-9)
    values = f(XS)
    crossings = np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)   # each sign change has a root
    for i in crossings:
        assert np.any((finite >= XS[i] - 1e-9) & (finite <= XS[i + 1] + 1e-9))


def test_solver_result_and_tasks():
    sol = interpolate([0, 1, 2, 3], [0, 0, 1, 3], bias_penalty=True)   # docs/design.md §5: one knot at 1.5
    p = sol.to_ppoly()
    assert p(np.array([0.0, 1.0, 2.0, 3.0])) == pytest.approx([0, 0, 1, 3], abs=1e-9)
    assert p.derivative()([1.0, 2.0]) == pytest.approx(sol.slopes([1.0, 2.0]), abs=1e-9)
    multi = interpolate([0, 1, 2, 3], [[0, 0, 1, 3], [1, 0, 1, 0]])
    q = multi.to_ppoly()
    assert q(XS).shape == multi(XS).shape == (2, len(XS))
    np.testing.assert_allclose(q(XS), multi(XS), atol=1e-10)
    line = Interpolant([], np.zeros((0, 1)), [[2.0, -0.5]])
    assert line.to_ppoly()(10.0) == pytest.approx(-3.0) and line.to_ppoly().roots().tolist() == pytest.approx([4.0])
