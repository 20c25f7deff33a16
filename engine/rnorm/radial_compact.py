"""Compact-support part of the radial R-norm (``engine.rnorm.radial``): g(r) = 0 for r ≥ R.

Notation as in ``radial``: ρ(b) = (|S^{d−2}|/2) ∫_{b²}^{R²} G(u)(u − b²)^α du, G(u) = g(√u), α = (d−3)/2,
h = (−∂_b²)^{(d+1)/2} ρ and ‖f‖_R = c_d ∫|h| db.

Edge order.  If g(R − t) ~ c tᵛ, then ρ(b) ~ (R − |b|)^{(d−1)/2+ν}; finite iff ν ≥ ⌊d/2⌋ + 1.

Odd d (``compact_odd``): h = (−1)^{(d+1)/2} ρ^{(d+1)} is local.  Cauchy's repeated-integration formula
gives ρ(b) = (|S^{d−2}|/2) m! I_{m+1}(b²), m = (d−3)/2, I_{j+1}(u) = ∫_u^{R²} I_j, I_0 = G (a Chebyshev
series), so ρ is a Chebyshev series in b; point masses c_d|ρ^{(d)}(R−)| at b = ±R when ν = (d+1)/2.

Even d (``compact_even``): h = (−1)^{d/2} H[ρ^{(d+1)}], H f(x) = (1/π) p.v.∫ f(y)/(x − y) dy.  With
t = b/R, ρ̃(t) = ρ(Rt), the substitution u = b² + (R² − b²)s gives
    ρ̃(t) = (1 − t²)^{d+1/2} S(t),   S(t) = (|S^{d−2}|/2) R^{d−1+2μ} ∫_0^1 G̃(u) (1−s)^μ s^α ds,
with μ = d/2 + 1 and G̃(u) = G(u)/(R² − u)^μ (smooth when ν ≥ μ; Gauss–Jacobi in s).  Let
M(t) = √(1−t²) ρ̃^{(d+1)}(t) = Σ m_n T_n(t).  Integrating by parts d+1 times (ρ̃^{(j)}(±1) = 0, j ≤ d)
and T_n^{(d+1)} = n 2^d d! C_{n−d−1}^{(d+1)} (Gegenbauer) give
    m_n = −(2/π) n 2^d d! ∫_{−1}^1 (1 − t²)^{d+1/2} S(t) C_{n−d−1}^{(d+1)}(t) dt,   m_n = 0 for n ≤ d,
a Gegenbauer projection (Gauss–Gegenbauer quadrature; no repeated differentiation, which loses ~n^{2(d+1)}ε).
The Hilbert transforms of Chebyshev-weighted polynomials are closed form (Mason & Handscomb,
*Chebyshev Polynomials* (2003), §9.5; checked here against quad(weight='cauchy')):
    H[T_n/√(1−y²)](t) = −U_{n−1}(t) for |t| < 1,   = sgn(t)^{n+1} wⁿ/√(t²−1), w = |t| − √(t²−1), for |t| > 1.
Hence R^{d+1} h(Rt) = ∓Σ m_n U_{n−1}(t) inside and, with t = cosh θ, z = w = e^{−θ}, dt/√(t²−1) = dθ = −dz/z,
    ∫|h| db = R^{−d} [ ∫_{−1}^1 |Σ m_n U_{n−1}(t)| dt + 2 ∫_0^1 |Σ m_n z^{n−1}| dz ],
both polynomial |·|-integrals, done exactly by root splitting.  No point masses in even d: ρ^{(j)}, j ≤ d,
and the Hilbert transform's derivatives up to order d are continuous at |b| = R (h ~ |R − |b||^{ν−(d+3)/2}
is integrable); a jump of ρ^{(d)} would make h ~ 1/(|b| − R) there, i.e. an infinite norm.
"""
from __future__ import annotations

from math import factorial, pi

import numpy as np
from numpy.polynomial import Chebyshev, Polynomial
from scipy.special import eval_gegenbauer, roots_gegenbauer, roots_jacobi


def sphere_area(n: int) -> float:
    """|S^{n}| = 2π^{(n+1)/2}/Γ((n+1)/2) (surface area of the unit sphere in ℝ^{n+1}); |S^0| = 2."""
    from math import gamma
    return 2 * pi ** ((n + 1) / 2) / gamma((n + 1) / 2)


def rnorm_constant(d: int) -> float:
    """c_d = γ_d |S^{d−1}| with γ_d = 1/(2(2π)^{d−1})."""
    return sphere_area(d - 1) / (2 * (2 * pi) ** (d - 1))


def edge_order(g, R):
    """ν with g(R − t) ~ c tᵛ, from log-slopes at t = 1e−2 … 1e−5 R (rounded when within 0.05 of an integer)."""
    t = R * np.array([1e-2, 1e-3, 1e-4, 1e-5])
    v = np.abs(g(R - t))
    g0 = np.max(np.abs(g(np.linspace(0, R, 201))))
    if g0 == 0 or np.any(v <= 0):
        return float("inf")
    slopes = np.diff(np.log(v)) / np.diff(np.log(t))
    nu = float(np.median(slopes))
    return float(round(nu)) if abs(nu - round(nu)) < 0.05 else nu


def cheb_fit(fun, domain, tol=1e-15, max_deg=512):
    """Chebyshev interpolant of fun on domain, degree doubled until the tail is below tol·max, then chopped
    (coefficients under tol·max dropped from the end)."""
    for deg in (16, 32, 64, 128, 256, max_deg):
        c = Chebyshev.interpolate(fun, deg, domain=domain)
        co = np.abs(c.coef)
        if co[-4:].max() <= tol * max(co.max(), 1e-300) * 10:
            keep = np.nonzero(co > tol * co.max())[0]
            return Chebyshev(c.coef[: keep[-1] + 1] if len(keep) else [0.0], domain=domain)
    return c


def abs_integral_cheb(p, lo, hi):
    """∫_lo^hi |p| for a Chebyshev series p: antiderivative differences between its real roots."""
    roots = p.roots()
    roots = np.sort(roots[(np.abs(roots.imag) < 1e-9) & (roots.real > lo) & (roots.real < hi)].real)
    P = p.integ()
    return float(np.sum(np.abs(np.diff(P(np.r_[lo, roots, hi])))))


def compact_odd(g, d, R, nu):
    """(‖f‖_R, point mass) for odd d (module docstring); d = 1: 2∫_0^R|g''| + 2|g'(0)| + 2|g'(R−)|."""
    if d == 1:
        c = cheb_fit(g, [0, R])
        d1, d2 = c.deriv(1), c.deriv(2)
        pm = 2 * abs(d1(R)) if nu == 1 else 0.0
        return 2 * abs_integral_cheb(d2, 0, R) + 2 * abs(d1(0.0)) + pm, pm
    m = (d - 3) // 2
    I = cheb_fit(lambda u: g(np.sqrt(np.maximum(u, 0))), [0, R * R])
    for _ in range(m + 1):
        I = -I.integ(lbnd=R * R)
    P = I * (sphere_area(d - 2) / 2 * factorial(m))
    qc = np.zeros(2 * len(P.coef) - 1)  # u = b² ↦ t = 2b²/R² − 1 = T₂(b/R) and T_n∘T₂ = T_{2n}: exact
    qc[::2] = P.coef
    Q = Chebyshev(qc, domain=[-R, R])
    cd = rnorm_constant(d)
    pm = 2 * cd * abs(Q.deriv(d)(R)) if nu == (d + 1) / 2 else 0.0
    return cd * abs_integral_cheb(Q.deriv(d + 1), -R, R) + pm, pm


def _u_to_t(e):
    """Chebyshev-T coefficients of Σ e_k U_k (U_k = 2Σ_{j ≡ k mod 2, 0 < j ≤ k} T_j + [k even] T_0)."""
    c = np.zeros(len(e))
    for k, ek in enumerate(e):
        c[k::-2] += 2 * ek
        if k % 2 == 0:
            c[0] -= ek
    return c


def chebyshev_moments_even(g, d, R, tol):
    """m_n (n = 0 … N) of M(t) = √(1−t²) ρ̃^{(d+1)}(t) = Σ m_n T_n(t) for even d (module docstring);
    G̃ is fitted by ``cheb_fit`` with chopping tolerance tol (noise in G̃ is amplified ~n^{d+1})."""
    alpha, mu = (d - 3) / 2, d // 2 + 1
    Gt = cheb_fit(lambda u: g(np.sqrt(np.maximum(u, 0))) / (R * R - u) ** mu, [0, R * R], tol=tol)
    nG = Gt.degree()
    x, w = roots_jacobi(nG // 2 + 2, mu, alpha)   # weight (1−x)^μ(1+x)^α on [−1, 1]; s = (1+x)/2
    s, w = (1 + x) / 2, w / 2 ** (alpha + mu + 1)
    y, wy = roots_gegenbauer(2 * nG + 4, d + 1)   # weight (1 − y²)^{d+1/2}: exact for degree ≤ 4nG + 7
    v = (R * y[:, None]) ** 2
    Sy = sphere_area(d - 2) / 2 * R ** (d - 1 + 2 * mu) * (Gt(v + (R * R - v) * s) @ w)
    j = np.arange(2 * nG + 1)
    gam = eval_gegenbauer(j[:, None], d + 1, y[None, :]) @ (Sy * wy)
    n = j + d + 1
    m = np.zeros(n[-1] + 1)
    m[n] = -(2 / pi) * n * 2.0 ** d * factorial(d) * gam
    m[0::2] = 0.0   # ρ̃ even ⇒ M odd
    return m


def compact_even(g, d, R, tol=1e-13):
    """‖f‖_R for even d with compact support (module docstring); returns (value, pieces)."""
    m = chebyshev_moments_even(g, d, R, tol)
    inside = abs_integral_cheb(Chebyshev(_u_to_t(m[1:])), -1.0, 1.0)
    outside = 2 * abs_integral_cheb(Polynomial(m[1:]).convert(kind=Chebyshev, domain=[0, 1]), 0.0, 1.0)
    cd = rnorm_constant(d) * R ** (-d)
    return cd * (inside + outside), dict(inside=cd * inside, outside=cd * outside, modes=len(m))


def density_even(g, d, R, tol=1e-13):
    """h(b) = (−∂²)^{(d+1)/2} ρ (b) for even d with compact support, vectorised (module docstring):
    (−1)^{d/2} R^{−(d+1)} × [−Σ m_n U_{n−1}(b/R) inside, Σ m_n wⁿ/√(t²−1) at t = |b|/R > 1]."""
    m = chebyshev_moments_even(g, d, R, tol)
    inner, n = Chebyshev(-_u_to_t(m[1:])), np.arange(len(m))

    def h(b):
        t = np.abs(np.asarray(b, dtype=float)) / R
        out = np.empty_like(t)
        i = t < 1
        out[i] = inner(t[i])
        to = t[~i]
        w = to - np.sqrt(to * to - 1)
        out[~i] = (w[:, None] ** n @ m) / np.sqrt(to * to - 1)
        return (-1) ** (d // 2) * R ** (-d - 1) * out
    return h
