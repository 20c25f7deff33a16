"""The page's cost table (engine.univariate.compare) against closed forms and scipy."""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.interpolate import CubicSpline

from engine import interpolate, rkhs_interpolate
from engine.univariate.compare import curve_row, h1_minimum

X = np.array([-2.0, -0.5, 0.3, 1.0, 2.5])
Y = np.array([0.5, -1.0, 0.8, 0.2, 1.5])
WINDOW = (-4.0, 4.5)


def test_network_rows_are_exact():
    x, y = np.array([0, 1, 2, 3.0]), np.array([0, 0, 1, 3.0])   # docs/design.md §5
    free = curve_row("free", interpolate(x, y), x, WINDOW)
    pen = curve_row("pen", interpolate(x, y, bias_penalty=True), x, WINDOW)
    assert free["bias-free cost"] == pytest.approx(2) and pen["own norm"] == pytest.approx(13 ** 0.5)
    assert pen["biases-penalised cost"] == pytest.approx(13 ** 0.5) and pen["bias-free cost"] == pytest.approx(2)
    # connect-the-dots reaches the smallest H¹ seminorm, (Σ Δy²/Δx)^½; 2·(x − 1.5)₊ does not
    assert free["H¹ seminorm on data range"] == pytest.approx(h1_minimum(x, y))
    assert h1_minimum(x, y) == pytest.approx(np.sqrt(np.sum(np.diff(y) ** 2 / np.diff(x))))
    assert pen["H¹ seminorm on data range"] == pytest.approx(np.sqrt(4 * 1.5))


def test_h1_kernel_row_is_the_h1_solution():
    row = curve_row("h1", rkhs_interpolate(X, Y, "h1"), X, WINDOW)
    assert row["H¹ seminorm on data range"] == pytest.approx(h1_minimum(X, Y), rel=1e-12)


def test_h2_kernel_row_against_scipy_natural_spline():
    row = curve_row("h2", rkhs_interpolate(X, Y, "h2"), X, WINDOW)
    cs = CubicSpline(X, Y, bc_type="natural")   # affine outside the data: no curvature there
    f2 = lambda t: abs(cs(t, 2))
    bias_free = sum(quad(f2, a, b, limit=200)[0] for a, b in zip(X[:-1], X[1:]))
    penalised = sum(quad(lambda t: np.hypot(1, t) * f2(t), a, b, limit=200)[0] for a, b in zip(X[:-1], X[1:]))
    h1 = np.sqrt(sum(quad(lambda t: cs(t, 1) ** 2, a, b)[0] for a, b in zip(X[:-1], X[1:])))
    assert row["bias-free cost"] == pytest.approx(bias_free, rel=1e-4)
    assert row["biases-penalised cost"] == pytest.approx(penalised, rel=1e-4)
    assert row["H¹ seminorm on data range"] == pytest.approx(h1, rel=1e-6)
    h2 = np.sqrt(sum(quad(lambda t: cs(t, 2) ** 2, a, b)[0] for a, b in zip(X[:-1], X[1:])))
    assert row["own norm"] == pytest.approx(h2, rel=1e-9)
