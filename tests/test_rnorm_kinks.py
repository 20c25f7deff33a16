"""Infinite R-norms stay infinite (issue 13.6): kinks of f along lines or curves (closed form: ‖f‖_R = ∞ in
d = 2 for compactly supported f with a jump of ∇f, engine/rnorm/kinks.py; the cone by the radial
reduction, docs/design.md §5) are reported as "diverging" with value ∞ and a reason; smooth f are not."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.rnorm.cli import run_rnorm
from engine.rnorm.grid import grid_points, rnorm_grid
from engine.rnorm.kinks import gradient_jump, second_difference_norms
from tests.test_rnorm_grid import aniso

relu = lambda t: np.maximum(t, 0.0)  # noqa: E731
KINKED = {
    "hat product (issue)": lambda x, y: relu(1 - abs(x)) * relu(1 - abs(y)),
    "pyramid": lambda x, y: relu(1 - np.maximum(abs(x), abs(y))),
    "cone": lambda x, y: relu(1 - np.hypot(x, y)),
    "(1 - r²)₊": lambda x, y: relu(1 - x**2 - y**2),
    "|x|·Gaussian": lambda x, y: abs(x) * np.exp(-x**2 - y**2),
    "tent ridge × bump": lambda x, y: relu(0.5 - abs(x + 0.3 * y)) * relu(1 - x**2 - y**2) ** 3,
    "jump of f": lambda x, y: (x > 0.1) * np.exp(-2 * (x**2 + y**2)),
}
SMOOTH = {
    "Gaussian": lambda x, y: np.exp(-(x**2 + y**2) / 2),
    "narrow Gaussian": lambda x, y: np.exp(-(x**2 + y**2) / (2 * 0.15**2)),
    "(1 - r²)₊² (finite, ∇²f jumps)": lambda x, y: relu(1 - x**2 - y**2) ** 2,
    "(1 - r²)₊³": lambda x, y: relu(1 - x**2 - y**2) ** 3,
    "sin·Gaussian": lambda x, y: np.sin(3 * x) * np.exp(-(x**2 + 2 * y**2)),
}


def samples(f, extent, n):
    xs = grid_points(extent, n)
    return f(*np.meshgrid(xs, xs)), 2 * extent / n


@pytest.mark.parametrize("n", [128, 256])
@pytest.mark.parametrize("name", list(KINKED))
def test_kinks_are_detected(name, n):
    v, h = samples(KINKED[name], 2.0, n)
    found, reason = gradient_jump(v, h)
    assert found and "‖f‖_R = ∞" in reason


@pytest.mark.parametrize("n", [64, 128, 256])
@pytest.mark.parametrize("name", list(SMOOTH))
def test_smooth_functions_are_not_flagged(name, n):
    assert not gradient_jump(*samples(SMOOTH[name], 2.0, n))[0]


def test_scaling_of_second_differences():
    """K(s) ∝ s^(−1/2) across a kink (ratio √2 on average over kink positions; 1.26 at the finest scale for
    a kink halfway between samples, as here), constant for smooth f (ratio 1)."""
    kink = second_difference_norms(*samples(lambda x, y: relu(x) * np.exp(-(x**2 + y**2)), 4.0, 512))
    assert np.all((kink[:-1] / kink[1:] > 1.2) & (kink[:-1] / kink[1:] < 1.45))
    smooth = second_difference_norms(*samples(SMOOTH["Gaussian"], 6.0, 512))
    np.testing.assert_allclose(smooth[:-1] / smooth[1:], 1.0, rtol=0.03)


@settings(max_examples=15, deadline=None)
@given(s1=st.floats(0.25, 1.5), s2=st.floats(0.25, 1.5), theta=st.floats(0, np.pi), n=st.sampled_from([128, 256]))
def test_gaussians_are_never_flagged(s1, s2, theta, n):
    xs = grid_points(8.0, n)
    assert not gradient_jump(aniso(s1, s2, theta=theta)(*np.meshgrid(xs, xs)), 16.0 / n)[0]


@pytest.mark.parametrize("extent, n", [(2.0, 256), (2.0, 128), (8.0, 256)])
def test_issue_hat_product_is_infinite(extent, n):
    res = rnorm_grid(KINKED["hat product (issue)"], extent=extent, resolution=n, angles=n)
    assert res.status == "diverging" and res.value == np.inf and not res.converged
    assert "kink" in res.reason and not res.error_is_bound
    assert all(np.isfinite(v) for v in res.values_by_resolution.values())   # the grid numbers, for the record


def test_cli_reports_no_finite_norm_with_the_reason():
    out = run_rnorm({"function": "relu(1 - abs(x))*relu(1 - abs(y))", "extent": 2, "resolution": 128})
    assert out["rnorm"] is None and out["status"] == "diverging" and "kink" in out["reason"]
    json.dumps(out, allow_nan=False)                          # no inf/nan leaks into the JSON
    smooth = run_rnorm({"function": "exp(-(x^2 + y^2)/2)", "extent": 8, "resolution": 128})
    assert smooth["status"] == "converged" and smooth["error_is_bound"]
    assert abs(smooth["rnorm"] - 4.768562043993) <= smooth["estimate_error"]
    json.dumps(smooth, allow_nan=False)
