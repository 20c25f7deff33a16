"""engine.univariate.kernels: minimum-norm RKHS interpolants, checked against scipy, scikit-learn, quadrature
and Monte Carlo."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.integrate import quad
from scipy.interpolate import CubicSpline
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import laplacian_kernel, linear_kernel, rbf_kernel

from engine.univariate.kernels import KERNELS, KernelInterpolant, gram, rkhs_interpolate
from ui.kernel_text import KERNEL_TEXT

PLAIN = [k for k, spec in KERNELS.items() if spec.null_space == 0]
X = np.array([-2.0, -0.7, 0.1, 0.9, 1.6, 3.0])
Y = np.array([1.0, -0.5, 0.3, 2.0, 0.0, -1.0])

# Distinct nodes with gaps ≥ 0.3 (shuffled: inputs need not be sorted) and values in [-10, 10]
# (rounded: subnormal values would underflow ‖f‖²).
datasets = st.integers(3, 8).flatmap(lambda n: st.tuples(
    st.floats(-3, 3),
    st.lists(st.floats(0.3, 1.5), min_size=n - 1, max_size=n - 1),
    st.lists(st.floats(-10, 10).map(lambda v: round(v, 6)), min_size=n, max_size=n),
    st.randoms(use_true_random=False),
)).map(lambda t: _shuffled(np.cumsum([t[0], *t[1]]), np.array(t[2]), t[3]))


def _shuffled(x, y, rnd):
    order = list(range(len(x)))
    rnd.shuffle(order)
    return x[order], y[order]


def _sorted(x, y):
    order = np.argsort(x)
    return x[order], y[order]


@settings(max_examples=25, deadline=None)
@given(datasets, st.sampled_from(list(KERNELS)))
def test_interpolates_the_data(data, kernel):
    x, y = data
    f = rkhs_interpolate(x, y, kernel, bandwidth=0.5)
    assert isinstance(f, KernelInterpolant) and f.kernel == kernel
    np.testing.assert_allclose(f(x), y, atol=1e-8 * (1 + np.abs(y).max()))
    assert f.residual <= 1e-8 * (1 + np.abs(y).max())
    assert np.all(np.diff(f.x) > 0) and f.coef.shape == (len(x),)
    assert len(f.poly) == KERNELS[kernel].null_space


@settings(max_examples=25, deadline=None)
@given(datasets)
def test_h1_is_connect_the_dots_constant_outside(data):
    x, y = _sorted(*data)
    f = rkhs_interpolate(*data, "h1")
    t = np.linspace(x[0], x[-1], 301)
    np.testing.assert_allclose(f(t), np.interp(t, x, y), atol=1e-12 * (1 + np.abs(y).max()))
    np.testing.assert_allclose(f(x[0] - np.array([0.5, 7.0])), y[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(f(x[-1] + np.array([0.5, 7.0])), y[-1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(f.norm**2, np.sum(np.diff(y) ** 2 / np.diff(x)), rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(datasets)
def test_h2_is_the_natural_cubic_spline(data):
    x, y = _sorted(*data)
    f, cs = rkhs_interpolate(*data, "h2"), CubicSpline(x, y, bc_type="natural")
    t = np.linspace(x[0], x[-1], 301)
    scale = 1 + np.abs(y).max()
    np.testing.assert_allclose(f(t), cs(t), rtol=1e-9, atol=1e-9 * scale)
    for end, sign in ((x[0], -1), (x[-1], 1)):            # affine outside, slope continuous
        u = end + sign * np.array([0.0, 1.0, 2.0, 5.0])
        line = cs(end) + cs(end, 1) * (u - end)
        np.testing.assert_allclose(f(u), line, rtol=1e-9, atol=1e-9 * scale)
    # ∫f''² by 3-point Gauss-Legendre on each interval (exact: f'' is piecewise linear).
    nodes, weights = np.polynomial.legendre.leggauss(3)
    mid, half = (x[1:] + x[:-1]) / 2, np.diff(x) / 2
    integral = np.sum(half[:, None] * weights * cs(mid[:, None] + half[:, None] * nodes, 2) ** 2)
    np.testing.assert_allclose(f.norm**2, integral, rtol=1e-9, atol=1e-12 * scale**2)


@pytest.mark.parametrize("kernel", ["h1", "h2"])
def test_green_function_form_matches_evaluation(kernel):
    """coef and poly are the Green's-function representation: Σα_i G(·,x_i) + p, with Pᵀα = 0."""
    f = rkhs_interpolate(X, Y, kernel)
    t = np.linspace(-5, 6, 57)
    direct = gram(kernel, t, X) @ f.coef + np.polynomial.polynomial.polyval(t, f.poly)
    np.testing.assert_allclose(direct, f(t), atol=1e-10)
    np.testing.assert_allclose(np.vander(X, len(f.poly), increasing=True).T @ f.coef, 0, atol=1e-10)
    np.testing.assert_allclose(f.norm**2, f.coef @ gram(kernel, X, X) @ f.coef, rtol=1e-10)


def test_h2_exact_on_affine_data_and_h1_on_constants():
    f = rkhs_interpolate(X, 2 - 3 * X, "h2")
    np.testing.assert_allclose(f(np.array([-9.0, 0.0, 9.0])), [29.0, 2.0, -25.0], atol=1e-12)
    np.testing.assert_allclose(f.poly, [2.0, -3.0], atol=1e-12)
    assert f.norm < 1e-12
    assert rkhs_interpolate(X, np.full(6, 4.0), "h1").norm == 0


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_two_points(kernel):
    f = rkhs_interpolate([1.0, 0.0], [3.0, 1.0], kernel)
    np.testing.assert_allclose(f([0.0, 1.0]), [1.0, 3.0], atol=1e-12)
    if kernel == "h2":                                     # the line through both points
        np.testing.assert_allclose(f([-1.0, 2.0]), [-1.0, 5.0], atol=1e-12)
        assert f.norm == 0


def test_h2_robust_on_many_clustered_nodes():
    rng = np.random.default_rng(1)
    x, y = np.sort(rng.uniform(-10, 30, 2000)), rng.normal(size=2000)
    f, cs = rkhs_interpolate(x, y, "h2"), CubicSpline(x, y, bc_type="natural")
    t = np.linspace(x[0], x[-1], 2000)
    np.testing.assert_allclose(f(t), cs(t), rtol=1e-8, atol=1e-8 * np.abs(cs(t)).max())


@pytest.mark.parametrize("kernel", ["gaussian", "laplace", "relu"])
def test_many_points_stay_finite(kernel):
    rng = np.random.default_rng(2)
    x = np.sort(rng.uniform(-3, 3, 2000))
    f = rkhs_interpolate(x, np.sin(2 * x), kernel, bandwidth=2.0)
    assert np.isfinite(f.norm) and np.all(np.isfinite(f(np.linspace(-4, 4, 50))))
    assert f.residual < 0.1


def test_gram_matches_sklearn():
    x = np.linspace(-3, 4, 9)
    for ell in (0.3, 1.0, 5.0):
        np.testing.assert_allclose(gram("gaussian", x, x[::2], ell),
                                   rbf_kernel(x[:, None], x[::2, None], gamma=1 / (2 * ell**2)))
        np.testing.assert_allclose(gram("laplace", x, x[::2], ell),
                                   laplacian_kernel(x[:, None], x[::2, None], gamma=1 / ell))
    augmented = np.c_[x, np.ones_like(x)]                  # θ = 0 on the diagonal: k = ‖x̃‖²
    np.testing.assert_allclose(np.diag(gram("relu", x, x)), np.diag(linear_kernel(augmented)))


@pytest.mark.parametrize("kernel, sk", [
    ("gaussian", dict(kernel="rbf", gamma=1 / (2 * 0.8**2))),
    ("laplace", dict(kernel="laplacian", gamma=1 / 0.8)),
    ("relu", dict(kernel=lambda a, b: gram("relu", a[:1], b[:1])[0, 0])),   # sklearn has none
])
def test_interpolant_matches_sklearn_kernel_ridge(kernel, sk):
    f = rkhs_interpolate(X, Y, kernel, bandwidth=0.8)
    model = KernelRidge(alpha=1e-10, **sk).fit(X[:, None], Y)
    t = np.linspace(-3, 4, 23)
    np.testing.assert_allclose(f(t), model.predict(t[:, None]), atol=1e-6)
    np.testing.assert_allclose(f.coef, model.dual_coef_, rtol=1e-5, atol=1e-6)


def test_relu_kernel_is_twice_the_relu_feature_covariance():
    """Closed form of Cho & Saul against 2·E[σ(wᵀx̃)σ(wᵀx̃')], w ~ N(0, I₂), by Monte Carlo."""
    x = np.array([-3.0, -0.5, 0.0, 1.0, 2.5])
    w = np.random.default_rng(0).standard_normal((400_000, 2))
    features = np.maximum(w[:, :1] * x + w[:, 1:], 0.0)    # σ(w₁x + w₂) for each sample and x
    mc = 2 * features.T @ features / len(w)
    np.testing.assert_allclose(gram("relu", x, x), mc, rtol=0.03, atol=0.02)


def test_relu_kernel_closed_form_in_angles():
    x1, x2 = np.array([-1.5, 0.3, 2.0]), np.array([0.7, -4.0])
    a, b = np.c_[x1, np.ones(3)], np.c_[x2, np.ones(2)]
    na, nb = np.linalg.norm(a, axis=1)[:, None], np.linalg.norm(b, axis=1)[None, :]
    theta = np.arccos(np.clip(a @ b.T / (na * nb), -1, 1))
    expected = na * nb * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / np.pi
    np.testing.assert_allclose(gram("relu", x1, x2), expected, rtol=1e-12)


def test_laplace_norm_is_the_h1_norm():
    """‖f‖² = ½∫(ℓ f'² + f²/ℓ) dx for the Laplace kernel, by quadrature of the interpolant."""
    for ell in (0.4, 1.0, 3.0):
        f = rkhs_interpolate(X, Y, "laplace", bandwidth=ell)
        decay = lambda t: np.exp(-np.abs(t - X) / ell)     # noqa: E731
        value = lambda t: f.coef @ decay(t)                # noqa: E731
        slope = lambda t: f.coef @ (-np.sign(t - X) / ell * decay(t))  # noqa: E731
        edges = [-np.inf, *X, np.inf]
        total = sum(quad(lambda t: 0.5 * (ell * slope(t) ** 2 + value(t) ** 2 / ell), lo, hi)[0]
                    for lo, hi in zip(edges[:-1], edges[1:]))
        np.testing.assert_allclose(f.norm**2, total, rtol=1e-7)


def test_gaussian_norm_is_the_fourier_formula():
    """‖f‖² = (1/2π)∫|f̂|² e^{ℓ²ω²/2}/(√(2π)ℓ) dω; with f̂(ω) = k̂(ω) Σ α_i e^{−iωx_i} and
    k̂(ω) = √(2π)ℓ e^{−ℓ²ω²/2} the integrand is k̂(ω) |Σ α_i e^{−iωx_i}|²."""
    ell = 0.7
    f = rkhs_interpolate(X, Y, "gaussian", bandwidth=ell)
    k_hat = lambda w: np.sqrt(2 * np.pi) * ell * np.exp(-(ell * w) ** 2 / 2)  # noqa: E731
    integrand = lambda w: k_hat(w) * np.abs(f.coef @ np.exp(-1j * w * X)) ** 2  # noqa: E731
    total = quad(integrand, -np.inf, np.inf, limit=200)[0] / (2 * np.pi)
    np.testing.assert_allclose(f.norm**2, total, rtol=1e-7)


@settings(max_examples=25, deadline=None)
@given(datasets, st.sampled_from(list(KERNELS)),
       st.floats(-100, 100).filter(lambda c: abs(c) > 1e-3))
def test_norm_is_positive_and_homogeneous(data, kernel, c):
    x, y = data
    f = rkhs_interpolate(x, y, kernel, bandwidth=0.5)
    g = rkhs_interpolate(x, c * y, kernel, bandwidth=0.5)
    np.testing.assert_allclose(g.norm, abs(c) * f.norm, rtol=1e-7, atol=1e-9 * abs(c))
    if KERNELS[kernel].null_space == 0:
        assert f.norm > 0 or not np.any(y)
    else:                          # zero exactly when y lies in the null space (constant / affine)
        resid = y - np.polynomial.polynomial.polyval(x, np.polynomial.polynomial.polyfit(
            x, y, KERNELS[kernel].null_space - 1))
        assert f.norm > 0 or np.abs(resid).max() < 1e-9 * (1 + np.abs(y).max())


def test_call_keeps_shape():
    f = rkhs_interpolate(X, Y, "gaussian")
    assert f(np.zeros((3, 4))).shape == (3, 4) and np.ndim(f(0.5)) == 0
    assert rkhs_interpolate(X, Y, "h2")(np.zeros((2, 5))).shape == (2, 5)


def test_kernel_specs():
    assert set(KERNELS) == {"h1", "h2", "gaussian", "laplace", "relu"}
    assert [k for k, s in KERNELS.items() if s.needs_bandwidth] == ["gaussian", "laplace"]
    assert set(KERNEL_TEXT) == set(KERNELS)                      # the page's names and LaTeX (ui)
    assert KERNEL_TEXT["h2"].label == "H² natural cubic spline"
    assert all(s.formula and s.norm for s in KERNEL_TEXT.values())


@pytest.mark.parametrize("x, y, kernel, bandwidth, message", [
    ([0, 1, 2], [0, 1], "h1", 1.0, "same length"),
    ([0], [1], "h2", 1.0, "at least 2"),
    ([0, 1, 1], [0, 1, 2], "gaussian", 1.0, "distinct"),
    ([0, np.nan], [0, 1], "laplace", 1.0, "finite"),
    ([0, 1], [0, np.inf], "relu", 1.0, "finite"),
    ([[0, 1]], [[0, 1]], "h1", 1.0, "1-D"),
    ([0, 1], [0, 1], "cubic", 1.0, "unknown kernel"),
    ([0, 1], [0, 1], "gaussian", 0.0, "bandwidth"),
    ([0, 1], [0, 1], "laplace", np.nan, "bandwidth"),
])
def test_bad_input_raises(x, y, kernel, bandwidth, message):
    with pytest.raises(ValueError, match=message):
        rkhs_interpolate(x, y, kernel, bandwidth=bandwidth)


def test_gram_rejects_unknown_kernel():
    with pytest.raises(ValueError, match="unknown kernel"):
        gram("poly", [0.0], [1.0])


@pytest.mark.parametrize("seed", [30, 88, 132])
def test_relu_interpolant_on_ill_conditioned_nodes_matches_a_direct_solve(seed):
    """Issue 13.4: 30 random nodes, Gram condition ~1e13: the jittered ridge solve missed the data by
    up to 1.8; a direct LU solve (numpy, not ours) reaches ~1e-3, the floor set by machine ε · Σ|α_i|."""
    rng = np.random.default_rng(seed)
    x, y = np.sort(rng.uniform(-3, 3, 30)), rng.normal(size=30)
    K = gram("relu", x, x)
    assert np.linalg.cond(K) > 1e12
    direct = np.linalg.solve(K, y)
    direct_res = np.abs(K @ direct - y).max()
    f = rkhs_interpolate(x, y, "relu")
    assert f.solver in ("cholesky", "lu")
    assert f.residual <= 2 * direct_res and f.residual < 5e-3
    assert f.residual == pytest.approx(np.abs(f(x) - y).max(), rel=1e-12)       # reported honestly
    eps_floor = np.finfo(float).eps * np.abs(f.coef).sum() * np.abs(K).max()
    assert f.residual <= 100 * eps_floor


def test_well_conditioned_gram_uses_plain_cholesky():
    f = rkhs_interpolate(X, Y, "laplace", bandwidth=0.8)
    assert f.solver == "cholesky" and f.residual <= 1e-13
    np.testing.assert_allclose(f.coef, np.linalg.solve(gram("laplace", X, X, 0.8), Y), rtol=1e-10)
