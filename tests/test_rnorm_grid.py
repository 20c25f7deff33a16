"""engine.rnorm.grid: Radon transform vs closed forms and scikit-image, the 2-D R-norm vs closed forms,
invariances, and divergence of compactly supported piecewise-linear functions (docs/design.md §2, §5).

Closed form for the Gaussian f(x) = e^{−‖x‖²/2} in d = 2 (γ_2 = 1/(4π)), by the 1-D radial reduction:
Rf(w, b) = ∫ e^{−(b² + t²)/2} dt = √(2π) e^{−b²/2} for every w; its Fourier transform in b is 2π e^{−ω²/2};
the |ω|³ filter gives g(b) = (1/2π)∫ 2π e^{−ω²/2}|ω|³ e^{iωb} dω = 2∫_0^∞ ω³ e^{−ω²/2} cos(ωb) dω
(= 4·₁F₁(2; ½; −b²/2), a cross-check). Then ‖f‖_R = γ_2 ∫_{S¹}∫|g| db dθ = (2π/4π)∫|g| = ∫_0^∞ |g| db
= 4.768562043993 (quad between the zeros of g at b ≈ 0.8424, 2.7656; reproduced in test_gaussian_closed_form).
Anisotropic f(x) = e^{−|M⁻¹x|²/2}, M = diag(s1, s2): with r = |Mw|, Rf(w, b) = (s1 s2/r)√(2π) e^{−b²/(2r²)},
so |ω|³ filtering gives (s1 s2/r⁴) g(b/r) and ‖f‖_R = γ_2 s1 s2 ∫_0^{2π} r(θ)^{−3} dθ · ∫|g| db.
"""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import hyp1f1
from skimage.transform import radon as sk_radon

from engine.rnorm.grid import GAMMA_2, filtered, grid_points, measure, radon, rnorm_grid

GAUSS_2D = 4.768562043993   # ‖e^{−‖x‖²/2}‖_R in d = 2, derived above


def g_filtered(b):
    return 2 * quad(lambda w: w ** 3 * np.exp(-w * w / 2), 0, np.inf, weight="cos", wvar=b)[0]


def test_gaussian_closed_form():
    for b in (0.3, 1.0, 2.5):
        assert g_filtered(b) == pytest.approx(4 * hyp1f1(2, 0.5, -b * b / 2), rel=1e-9)
    G = lambda b: 4 * hyp1f1(2, 0.5, -b * b / 2)
    grid = np.linspace(1e-6, 10, 1001)
    zeros = [brentq(G, a, c) for a, c in zip(grid, grid[1:]) if G(a) * G(c) < 0]
    pts = [0.0, *zeros, np.inf]
    total = sum(abs(quad(G, a, c, epsabs=1e-13, epsrel=1e-12)[0]) for a, c in zip(pts, pts[1:]))
    assert total == pytest.approx(GAUSS_2D, rel=1e-10)


def aniso(s1, s2, theta=0.0, shift=(0.0, 0.0), amp=1.0, sigma=1.0):
    c, s = np.cos(theta), np.sin(theta)
    def f(x, y):
        x, y = (x - shift[0]) / sigma, (y - shift[1]) / sigma
        return amp * np.exp(-((c * x + s * y) / s1) ** 2 / 2 - ((-s * x + c * y) / s2) ** 2 / 2)
    return f


def aniso_closed_form(s1, s2):
    angular = quad(lambda t: (s1 ** 2 * np.cos(t) ** 2 + s2 ** 2 * np.sin(t) ** 2) ** -1.5, 0, 2 * np.pi, limit=200)[0]
    return GAMMA_2 * s1 * s2 * angular * 2 * GAUSS_2D


def test_radon_closed_form_and_scaling():
    E, n = 8.0, 128
    xs = grid_points(E, n)
    X, Y = np.meshgrid(xs, xs)
    s1, s2, c = 1.3, 0.7, np.array([1.0, 0.5])
    sino, b = radon(aniso(s1, s2, shift=c)(X, Y), E, 12)
    th = np.arange(12) * np.pi / 12
    r = np.hypot(s1 * np.cos(th), s2 * np.sin(th))[:, None]
    wc = (np.cos(th) * c[0] + np.sin(th) * c[1])[:, None]
    exact = s1 * s2 / r * np.sqrt(2 * np.pi) * np.exp(-(b - wc) ** 2 / (2 * r * r))
    assert np.abs(sino - exact).max() < 1e-5
    # constant 1 on the square: chord length 2E at θ = 0, b = 0 (line integrals in units of x)
    sino, b = radon(np.ones((n, n)), E, [0.0, np.pi / 2])
    assert sino[:, np.searchsorted(b, 0.0)] == pytest.approx([2 * E, 2 * E], rel=2e-2)  # sinc ringing at edges


def test_radon_matches_skimage():
    """skimage: pixel units (×h), angle φ = −θ in degrees (its rows run downward, ours upward in y), and it
    rotates about pixel (n//2, n//2), which sits at (h/2, h/2) on our cell-centred grid: so skimage's
    column k at angle θ is Rf(w, (k − c)h + w·(h/2, h/2)), c = its padded size // 2. We compare with our
    transform of x ↦ f(x + (h/2, h/2)) on our grid b_k = (k − n_b/2)h."""
    E, n = 8.0, 256
    h = 2 * E / n
    xs = grid_points(E, n)
    X, Y = np.meshgrid(xs, xs)
    f = aniso(1.3, 0.8, theta=0.4, shift=(1.0, 0.5))
    th = np.arange(24) * np.pi / 24
    sk = sk_radon(f(X, Y), theta=-np.degrees(th), circle=False).T * h
    ours, b = radon(f(X + h / 2, Y + h / 2), E, th, n_b=sk.shape[1])
    assert np.abs(ours - sk).max() < 1e-3 * np.abs(ours).max()


def test_gaussian_rnorm_default_grid():
    res = rnorm_grid(lambda x, y: np.exp(-(x * x + y * y) / 2))
    assert res.value == pytest.approx(GAUSS_2D, rel=5e-3)
    assert res.value == pytest.approx(GAUSS_2D, rel=5e-4)    # observed: −6e-5
    assert res.converged and res.status == "converged" and res.estimate_error < 1e-3
    assert res.mu.shape == res.sinogram.shape == (256, res.bs.size)
    # μ integrates to the norm over the half circle ×2
    assert 2 * np.abs(res.mu).sum() * (res.bs[1] - res.bs[0]) * np.pi / 256 == pytest.approx(res.value, rel=1e-2)


def test_measure_is_gamma_times_filter():
    b = (np.arange(512) - 256) * 0.05
    sino = np.sqrt(2 * np.pi) * np.exp(-b ** 2 / 2)[None]
    m = filtered(sino, 0.05)
    assert np.allclose(measure(sino, 0.05), GAMMA_2 * m)
    assert m[0, 256] == pytest.approx(4.0, rel=1e-6)                       # g(0) = 4
    assert m[0, 256 + 20] == pytest.approx(g_filtered(1.0), rel=1e-6)      # b = 1


S1, S2, N = 1.5, 0.7, 128


@pytest.fixture(scope="module")
def aniso_base():
    return rnorm_grid(aniso(S1, S2), resolution=N, angles=N)


def test_anisotropic_closed_form(aniso_base):
    assert aniso_base.value == pytest.approx(aniso_closed_form(S1, S2), rel=5e-3)


@pytest.mark.parametrize("kw", [{"theta": np.pi / 6}, {"shift": (1.0, -0.5)}])
def test_rotation_and_translation_invariance(aniso_base, kw):
    assert rnorm_grid(aniso(S1, S2, **kw), resolution=N, angles=N).value == pytest.approx(aniso_base.value, rel=5e-3)


def test_scaling_and_linearity():
    base = rnorm_grid(aniso(0.9, 0.5), resolution=N, angles=N)
    wide = rnorm_grid(aniso(0.9, 0.5, sigma=2.0), resolution=N, angles=N)
    assert wide.value == pytest.approx(base.value / 2, rel=1e-2)
    scaled = rnorm_grid(aniso(0.9, 0.5, amp=-3.0), resolution=N, angles=N)
    assert scaled.value == pytest.approx(3 * base.value, rel=1e-12)
    assert np.abs(scaled.mu + 3 * base.mu).max() < 1e-12 * np.abs(scaled.mu).max()


@pytest.mark.parametrize("f", [lambda x, y: np.maximum(1 - np.maximum(abs(x), abs(y)), 0),
                               lambda x, y: np.maximum(1 - np.hypot(x, y), 0)], ids=["pyramid", "cone"])
def test_piecewise_linear_bumps_diverge(f):
    res = rnorm_grid(f, extent=2.0, resolution=128, angles=128)
    assert not res.converged and res.status == "diverging"
    v = res.values_by_resolution
    assert v[32] < v[64] < v[128]


def test_input_validation():
    bad = np.ones((16, 16))
    bad[3, 4] = np.nan
    with pytest.raises(ValueError):
        rnorm_grid(bad, resolution=16)
    with pytest.raises(ValueError):
        rnorm_grid(lambda x, y: np.where(x > 0, np.inf, 0.0), resolution=16)
    with pytest.raises(ValueError):
        radon(np.ones((8, 9)), 1.0)
    with pytest.raises(ValueError):
        radon(np.ones((8, 8)), -1.0)
    with pytest.raises(ValueError):
        filtered(np.array([[1.0, np.inf]]), 0.1)


@pytest.mark.parametrize("resolution", [64, 128, 256])
def test_slowly_converging_bump_is_not_called_infinite(resolution):
    """(1 − r²)₊² in d = 2 is finite (exact 64/3 from the radial reduction, edge order 2 = ⌊d/2⌋ + 1) but
    converges slowly on a grid, with growing increments at the coarse levels: never "diverging"."""
    from engine.rnorm.radial import radial_rnorm

    exact = radial_rnorm(lambda r: np.maximum(1 - r**2, 0.0) ** 2, 2, support=1.0).value
    assert exact == pytest.approx(64 / 3, rel=1e-9)
    res = rnorm_grid(lambda x, y: np.maximum(1 - x**2 - y**2, 0) ** 2, extent=2.0, resolution=resolution,
                     angles=resolution)
    assert res.status != "diverging"
    assert res.value < exact and exact - res.value < 0.2 * exact


def test_density_at_the_gaussian_center_is_one_over_pi():
    """e^{−‖x‖²/2}: Rf(b) = √(2π)e^{−b²/2}, so R{(−Δ)^{3/2}f}(θ, 0) = (1/π)∫_0^∞ ω³·2πe^{−ω²/2} dω = 4 and
    μ(θ, 0) = γ₂·4 = 1/π for every θ; μ(θ + π, −b) = μ(θ, b)."""
    res = rnorm_grid(lambda x, y: np.exp(-(x**2 + y**2) / 2), extent=8.0, resolution=128, angles=128)
    for theta in (0.0, 0.7, 2.0, 3.5, 5.9):
        assert res.density_at(theta, 0.0) == pytest.approx(1 / np.pi, rel=1e-3)
    a = int(np.argmin(np.abs(res.thetas - 0.7)))
    k = int(np.argmin(np.abs(res.bs - 1.3)))
    assert res.density_at(0.7, 1.3) == res.mu[a, k]
    assert res.density_at(0.7 + np.pi, -1.3) == res.mu[a, k]
