"""R-norm of a general 2-D function sampled on a square grid (d = 2, γ_2 = 1/(4π)).

Conventions (docs/design.md §2):
- Grid: n × n cell-centred samples on [−E, E]², h = 2E/n, x_j = −E + (j + ½)h; ``values[i, j] = f(x_j, y_i)``
  (row i ↔ y_i ascending, as ``np.meshgrid(xs, xs)``; *not* image order with row 0 on top).
- Directions w = (cos θ, sin θ), θ ∈ [0, π); offsets b on a centred grid b_k = (k − n_b/2)·db, db = h.
  Rf(w, b) = ∫_{wᵀx=b} f ds (arc length in the units of x). The other half of the circle follows from
  Rf(−w, −b) = Rf(w, b), so integrals over S¹ are twice those over θ ∈ [0, π).
- Fourier slice theorem (Natterer, *The Mathematics of Computerized Tomography*, Thm II.1.1):
  ∫ Rf(w, b) e^{−iωb} db = f̂(ωw), f̂(ξ) = ∫ f(x) e^{−iξ·x} dx. Hence R{(−Δ)^{3/2} f}(w, ·) is Rf(w, ·)
  filtered by |ω|³ along b (Natterer II.2: the filtered back-projection identities); for d = 2 this is
  −H ∂_b³ Rf with H the Hilbert transform — non-local, with tails ~ 1/b⁴ outside the support.
- Measure μ(θ, b) = γ_2 R{(−Δ)^{3/2} f}(w, b) (density of neurons over (angle, offset)) and
  ‖f‖_R = ∫_{S¹}∫ |μ| db dθ = 2 ∫_0^π ∫ |μ| db dθ (Ongie, Willett, Soudry, Srebro, ICLR 2020).
  Check: e^{−‖x‖²/2} → 4.768562 (tests/test_rnorm_grid.py derives it).

Numerics: ``radon`` evaluates the Fourier slice theorem directly — the 2-D DTFT of the samples
(zero-padded FFT, ``oversample``× finer in frequency) is interpolated by cubic splines onto the polar
points ωw (after dividing the samples by the splines' known frequency response, so the interpolation
does not damp f towards the edges of the square), and an inverse real FFT along ω gives the sinogram.
This is the Radon transform of the band-limited (sinc) interpolant of the samples: spectrally accurate
for smooth decaying f, and fast (one 2-D FFT instead of n_angles image rotations). ``filtered`` applies
|ω|³ by FFT with generous zero padding. ``rnorm_grid`` integrates |μ| with a cubic Hermite rule that
handles the kinks of |μ| at its zeros (``grid_quadrature``), adds the far field |b| > R from the
moment series of μ, and reports an error budget (``grid_error``). Non-smooth f (kinks along lines: the
cone, the pyramid, relu(1 − |x|)·relu(1 − |y|)) have ‖f‖_R = ∞ in d ≥ 2; ``rnorm_grid`` detects them
from the scaling of second differences of the samples (``kinks``) and from growth under refinement.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from engine.rnorm.grid_error import error_budget
from engine.rnorm.grid_quadrature import abs_integral_hermite, tail_integrals
from engine.rnorm.halfcircle import fold
from engine.validation import DataError, count, memory, number

GAMMA_2 = 1.0 / (4.0 * np.pi)

__all__ = ["GAMMA_2", "GridResult", "grid_points", "radon", "filtered", "measure", "rnorm_grid", "grid_bytes"]


def grid_points(extent: float, resolution: int) -> np.ndarray:
    """Cell-centred sample positions x_j = −E + (j + ½)·2E/n, j = 0..n−1 (the same for y).

    Parameters
    ----------
    extent : float
        E.
    resolution : int
        n.

    Returns
    -------
    ndarray, shape (n,)
    """
    h = 2.0 * extent / resolution
    return -extent + (np.arange(resolution) + 0.5) * h


def _check_values(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 4:
        raise DataError(f"values must be a square (n, n) array with n ≥ 4, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise DataError("values must be finite (no NaN or inf)")
    return values


def grid_bytes(resolution: int, angles: int) -> float:
    """Peak memory of ``rnorm_grid`` at n = resolution, m angles, ≈ 900·n·max(m, 3n/4) bytes: the
    4×-oversampled 2-D FFT of ``radon`` (~650·n²) or the upsampled, zero-padded filter of ``measure``
    (~870·n·m), whichever is larger (tracemalloc on n = 64…256, m = 64…512: within 10 %; the issue's
    1024 × 2048 run took 1.8 GB, this gives 1.9 GB)."""
    return 900.0 * resolution * max(angles, 0.75 * resolution)


def _check_angles(angles) -> np.ndarray:
    if np.ndim(angles) == 0:
        m = count(angles, "angles", 1, 1 << 16)
        return np.arange(m) * (np.pi / m)
    thetas = np.asarray(angles, dtype=float).ravel()
    if thetas.size == 0 or not np.all(np.isfinite(thetas)):
        raise DataError("angles must be finite")
    return thetas


def radon(values, extent: float, angles=180, *, n_b: int | None = None, oversample: int = 4):
    """Radon transform of grid samples: ``sinogram[a, k] = Rf((cos θ_a, sin θ_a), b_k)``.

    Scaling: line integrals in the units of x (∫ 1 ds over a chord of the square is its length). Method:
    Fourier slice theorem (module docstring).

    Parameters
    ----------
    values : array_like, shape (n, n)
        Samples ``values[i, j] = f(x_j, y_i)`` on the cell-centred grid of [−E, E]² (``grid_points``).
    extent : float
        E.
    angles : int or array_like, optional
        A count m (θ_a = aπ/m) or an array of angles in radians.
    n_b : int, optional
        Number of offsets (default: enough to cover |b| ≤ E√2); db = h = 2E/n, b_k = (k − n_b/2)·db.
    oversample : int, optional
        Zero padding of the 2-D FFT (oversample× finer in frequency).

    Returns
    -------
    sinogram : ndarray, shape (n_angles, n_b)
    b_grid : ndarray, shape (n_b,)
    """
    values = _check_values(values)
    thetas = _check_angles(angles)
    extent = number(extent, "extent", 1e-300)
    n = values.shape[0]
    memory(650.0 * n * n + 64.0 * n * thetas.size, f"the Radon transform of a {n}×{n} grid")
    h = 2.0 * extent / n
    if n_b is None:
        n_b = 2 * int(np.ceil(extent * np.sqrt(2.0) / h)) + 2
    n_b = int(n_b)
    # The slice along ω must be sampled finely enough that the b-period n_b·db exceeds the support.
    n_fft = max(n_b, 2 * int(np.ceil(extent * np.sqrt(2.0) / h)) + 2)
    n_fft = 1 << int(np.ceil(np.log2(n_fft)))
    big = oversample * n
    # Centre the data circularly: offset m = j − n/2 sits at x = (m + ½)h, so the FFT array holds a
    # function "supported" on |m| ≤ n/2 (slowly varying in frequency) and the half-pixel shift is a phase.
    padded = np.zeros((big, big))
    half = n // 2
    offsets = np.arange(n) - half
    idx = offsets % big
    # Cubic-spline interpolation of the DFT multiplies the data at offset m by L̂(2πm/big) (plus aliases
    # of relative size ≲ (m/big)⁴): divide it out first (deapodisation, as in gridding/NUFFT methods).
    deapod = 1.0 / _spline_response(2.0 * np.pi * offsets / big)
    padded[np.ix_(idx, idx)] = values * deapod[:, None] * deapod[None, :]
    spectrum = np.fft.fftshift(np.fft.fft2(padded))          # axes (ξ_y, ξ_x), index big/2 ↔ ξ = 0
    dxi = 2.0 * np.pi / (big * h)
    omega = 2.0 * np.pi * np.fft.rfftfreq(n_fft, d=h)          # 0 … π/h
    xi_x = omega[None, :] * np.cos(thetas)[:, None]
    xi_y = omega[None, :] * np.sin(thetas)[:, None]
    coords = np.array([xi_y / dxi + big // 2, xi_x / dxi + big // 2])
    interp = lambda part: ndimage.map_coordinates(part, coords, order=3, mode="grid-wrap")
    slices = interp(spectrum.real) + 1j * interp(spectrum.imag)
    slices *= h * h * np.exp(-0.5j * h * (xi_x + xi_y))          # = f̂(ωw) of the sinc interpolant
    # Rf(b_k) = (1/2π) ∫ f̂(ωw) e^{iωb_k} dω with b_k = (k − n_fft/2)·h: shift by (−1)^j then irfft.
    slices *= (-1.0) ** np.arange(omega.size)
    sino = np.fft.irfft(slices, n=n_fft, axis=1) / h
    start = n_fft // 2 - n_b // 2
    b_grid = (np.arange(n_b) - n_b // 2) * h
    return sino[:, start:start + n_b], b_grid


def _spline_response(u):
    """Fourier transform L̂(u) = sinc⁴(u/2)·3/(2 + cos u) of the cardinal cubic spline (the interpolant of
    ``ndimage.map_coordinates(order=3)``: B-spline β₃ with β̂₃ = sinc⁴(u/2), prefiltered by 1/(2/3 + cos(u)/3);
    Unser, *Splines: a perfect fit*, IEEE Signal Processing Magazine 1999)."""
    return np.sinc(u / (2.0 * np.pi)) ** 4 * 3.0 / (2.0 + np.cos(u))


def filtered(sinogram, db: float, *, cutoff: float | None = None, taper: float = 0.0, pad: int = 4,
             upsample: int = 1):
    """|ω|³ filter along b: ``R{(−Δ)^{3/2} f}(w, b)`` from ``sinogram = Rf(w, b)`` (real output).

    Computed as irfft(|ω|³ · W(ω) · rfft(sinogram)) after zero padding to ≥ ``pad``× the length (the
    filter is a Hilbert transform of ∂_b³, non-local; padding keeps the periodic wrap-around of its
    ~1/b⁴ tails negligible), then cropped back to the input grid. W is a low-pass window: 1 up to
    (1 − taper)·cutoff, a cos² roll-off to 0 at ``cutoff`` (default cutoff: the Nyquist frequency π/db).
    upsample > 1 returns the band-limited interpolant on the finer grid db/upsample (length n_b·upsample;
    every upsample-th sample equals the plain output).
    """
    sinogram = np.atleast_2d(np.asarray(sinogram, dtype=float))
    if not np.all(np.isfinite(sinogram)):
        raise DataError("sinogram must be finite")
    if not (np.isfinite(db) and db > 0):
        raise DataError("db must be positive and finite")
    n_b = sinogram.shape[-1]
    spectrum, omega, n_fft = _cubed_spectrum(sinogram, db, pad)
    spectrum *= _window(omega, np.pi / db if cutoff is None else cutoff, taper)
    up = max(int(upsample), 1)
    return up * np.fft.irfft(spectrum, n=up * n_fft, axis=-1)[..., :up * n_b]


def _cubed_spectrum(sinogram, db, pad=4):
    """(|ω|³ · rfft of the sinogram zero-padded to a power of two ≥ pad × its length, ω, that length)."""
    n_fft = 1 << int(np.ceil(np.log2(max(pad, 2) * sinogram.shape[-1])))
    omega = 2.0 * np.pi * np.fft.rfftfreq(n_fft, d=db)
    return np.fft.rfft(sinogram, n=n_fft, axis=-1) * omega ** 3, omega, n_fft


def _window(omega, cutoff, taper):
    if taper <= 0:
        return (omega <= cutoff).astype(float)
    start = (1.0 - taper) * cutoff
    ramp = np.clip((omega - start) / (cutoff - start), 0.0, 1.0)
    return np.cos(0.5 * np.pi * ramp) ** 2


def measure(sinogram, db: float, **kwargs):
    """μ(θ, b) = γ_2 · R{(−Δ)^{3/2} f}(w, b), γ_2 = 1/(4π): the density of neurons over (angle, offset);
    ‖f‖_R = ∫_{S¹}∫|μ| db dθ = 2∫_0^π∫|μ| db dθ. Keywords as in ``filtered``."""
    return GAMMA_2 * filtered(sinogram, db, **kwargs)


LEVELS = (16, 8, 4, 2, 1)   # band-limit divisors: effective resolutions n/16 … n


@dataclass(frozen=True)
class GridResult:
    """Result of ``rnorm_grid``.

    value: ≈ ‖f‖_R (∞ when status is "diverging"); estimate_error: the error budget of
    ``engine.rnorm.grid_error`` (sum of ``error_parts``: quadrature, band limit, angles, tail,
    rounding); error_is_bound: True when the estimate is a bound (status "converged": the band-limit
    increments shrink and the estimate is ≤ tol·value), False otherwise; status "converged",
    "unresolved" (f too rough for the grid, or converging slowly, e.g. a (1 − r²)₊² bump in d = 2) or
    "diverging" (‖f‖_R = ∞: a jump of ∇f along a line or curve, or growth at every refinement);
    reason: one sentence saying why. Show it as value ± estimate_error, marked "not a bound" unless
    error_is_bound. mu (n_angles, n_b): the measure μ(θ_a, b_k) (γ_2 included); sinogram Rf(θ_a, b_k);
    thetas, bs the grids; values_by_resolution maps an effective resolution (band limit
    n_eff·π/(2E)) to the norm there; converged = (status == "converged")."""
    value: float
    mu: np.ndarray = field(repr=False)
    sinogram: np.ndarray = field(repr=False)
    thetas: np.ndarray = field(repr=False)
    bs: np.ndarray = field(repr=False)
    converged: bool
    estimate_error: float
    values_by_resolution: dict
    status: str = "converged"
    error_parts: dict = field(default_factory=dict)
    error_is_bound: bool = False
    reason: str = ""

    def density_at(self, theta: float, b: float) -> float:
        """μ at the grid sample nearest to (θ, b), θ in radians taken modulo π (the grid covers [0, π);
        μ(θ + π, −b) = μ(θ, b), as σ(−z) and σ(z) differ by an affine term)."""
        theta, b = fold(theta, b)
        a = int(np.argmin(np.abs(self.thetas - theta)))
        return float(self.mu[a, int(np.argmin(np.abs(self.bs - b)))])


def rnorm_grid(f, extent: float = 8.0, resolution: int = 256, angles=256, *, tol: float = 1e-2,
               taper: float = 0.25, upsample: int = 2) -> GridResult:
    """‖f‖_R of a 2-D function on [−E, E]² (E = ``extent``), with an error estimate and a divergence check.

    ‖f‖_R = 2∫_0^π∫|μ| db dθ: a trapezoid sum over θ_a = aπ/m; in b, μ and ∂_bμ (exact FFT samples of
    the band-limited μ, ``upsample``× finer than h) feed the cubic Hermite rule of
    ``grid_quadrature.abs_integral_hermite`` (O(db⁴) with the kinks of |μ| at its zeros handled
    exactly) on |b| ≤ R ≈ 1.75E√2, and the far-field series of μ gives |b| > R
    (``grid_quadrature.tail_integrals``). The same data with the band limit divided by 2, 4, 8, 16
    play the rôle of resolutions n/2 … n/16 (``values_by_resolution``). See
    ``engine.rnorm.grid_error.error_budget`` for the error estimate and the statuses.
    Cost (bench/rnorm.py): 256² with 256 angles ≈ 1.1× the pre-issue-13 trapezoid version (350 vs
    331 ms), the estimate included; ``upsample=4`` (16× smaller quadrature error) costs 1.3–2× more.

    Parameters
    ----------
    f : callable or ndarray
        f(x, y) on arrays (evaluated on ``grid_points(extent, resolution)`` in meshgrid 'xy' layout) or an
        (n, n) array laid out as ``values[i, j] = f(x_j, y_i)`` (then ``resolution`` = n). f should be
        negligible near the boundary of the square (the transform sees f·1_square).
    extent : float, optional
    resolution : int, optional
    angles : int or array_like, optional
        A count m (θ_a = aπ/m) or the angles in radians.
    tol : float, optional
        Relative error below which the estimate counts as converged.
    taper : float, optional
        Width of the filter's taper (fraction of the band).
    upsample : int, optional
        Offsets per grid spacing of the quadrature in b.

    Returns
    -------
    GridResult
        ``value``, ``status`` ("converged", "diverging", …), ``estimate_error`` and whether it is a bound,
        the sinogram and the measure μ.

    References
    ----------
    Ongie et al., ICLR 2020 (‖f‖_R = γ_d‖R{(−Δ)^{(d+1)/2} f}‖₁); docs/design.md §2.
    """
    extent = number(extent, "extent", 1e-300)
    m = count(angles, "angles", 1, 1 << 16) if np.ndim(angles) == 0 else np.size(angles)
    if callable(f):
        n = count(resolution, "resolution", 4, 1 << 16)
        memory(grid_bytes(n, m), f"the R-norm grid estimate at resolution {n} with {m} angles")
        xs = grid_points(extent, n)
        values = np.asarray(f(*np.meshgrid(xs, xs)), dtype=float)
        if values.shape != (len(xs), len(xs)):
            raise DataError("f(x, y) must return an array shaped like its (meshgrid) inputs")
    else:
        values = _check_values(f)
        memory(grid_bytes(values.shape[0], m), f"the R-norm grid estimate at resolution {values.shape[0]} with {m} angles")
    values = _check_values(values)
    n = values.shape[0]
    h = 2.0 * extent / n
    up = max(int(upsample), 1)
    n_b = 32 * int(np.ceil(2.0 * extent * np.sqrt(2.0) / h / 16.0))     # ±2E√2, a multiple of 32 samples
    sino, bs = radon(values, extent, angles, n_b=n_b)
    thetas = _check_angles(angles)
    dtheta = np.pi / thetas.size
    spectrum, omega, n_fft = _cubed_spectrum(sino, h)
    spectrum *= GAMMA_2
    radius = 16 * h * np.floor(0.875 * (n_b // 2) / 16)                  # a multiple of every db used
    tails, tail_err = tail_integrals(sino, bs, h, radius, GAMMA_2, support=extent * np.sqrt(2.0) + h)
    by_res, parts = {}, {}
    for level in LEVELS:   # band limit π/(h·level), sampled at db = h·max(level/2, 1)/up (coarse levels: cheap)
        length = up * n_fft // max(level // 2, 1)        # n and n/2 share db: the band part is the band
        spec = spectrum[:, :length // 2 + 1] * _window(omega[:length // 2 + 1], np.pi / (h * level), taper)
        mu = np.fft.irfft(spec, n=length, axis=-1) * (length / n_fft)
        dmu = np.fft.irfft(spec * (1j * omega[:length // 2 + 1]), n=length, axis=-1) * (length / n_fft)
        db = h * n_fft / length
        lo, hi = int(round((-radius - bs[0]) / db)), int(round((radius - bs[0]) / db))
        inner = abs_integral_hermite(mu[:, lo:hi + 1], dmu[:, lo:hi + 1], db)
        by_res[n // level] = float(2.0 * dtheta * np.sum(inner + tails))
        if level == 1:
            coarser = [abs_integral_hermite(mu[:, lo:hi + 1:k], dmu[:, lo:hi + 1:k], k * db) for k in (2, 4, 8)]
            parts = dict(inner=np.array([inner, *coarser]), mu=mu[:, ::up][:, :n_b])
    outside = np.abs(bs) > extent * np.sqrt(2.0) + 2 * h          # Rf of f·1_square vanishes there
    alias = float(np.abs(sino[:, outside]).max(initial=0.0) / max(np.abs(sino).max(), 1e-300))
    budget = error_budget(by_res, parts["inner"], tails, tail_err, dtheta, alias=alias, tol=tol,
                          uniform_angles=np.ndim(angles) == 0, values=values, h=h)
    return GridResult(value=budget["value"], mu=parts["mu"], sinogram=sino, thetas=thetas, bs=bs,
                      converged=budget["status"] == "converged", estimate_error=budget["error"],
                      values_by_resolution=by_res, status=budget["status"], error_parts=budget["parts"],
                      error_is_bound=budget["bound"], reason=budget["reason"])
