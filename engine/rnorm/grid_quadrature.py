"""∫|μ(b)| db for a band-limited μ known with its derivative on a uniform grid (used by engine.rnorm.grid).

The integrand |μ| has kinks at the zeros of μ. The trapezoid rule on the piecewise-linear interpolant
(used before issue 13.1) has an O(db²) error there: −(db²/12)∫sign(μ)μ'' = (db²/6)Σ_zeros|μ'(z)| to leading
order (Euler–Maclaurin on each sign-constant piece), 2.1e-3 of 8.45 for an anisotropic Gaussian at the
default page grid (issue 13.1). Here μ is replaced on each cell [b_k, b_k + db] by its cubic Hermite
interpolant p (values and derivatives at both ends: exact samples, since μ' is an FFT away), and ∫|p| is
integrated exactly: p is split at its interior critical points (roots of the quadratic p'), so each piece
is monotone and holds at most one zero, found by bisection to machine precision; on each sign-constant
piece ∫|p| = |P(t₁) − P(t₀)| with P the antiderivative. Hermite interpolation has error
(db⁴/384) max|μ''''| (Burden & Faires, *Numerical Analysis*, Thm 3.9), so the rule is O(db⁴) globally,
zeros included. On cells without a sign change this is the Euler–Maclaurin corrected trapezoid
db(μ_k + μ_{k+1})/2 + db²(μ'_k − μ'_{k+1})/12.
"""
from __future__ import annotations

import numpy as np

__all__ = ["abs_integral_hermite"]

_BISECTIONS = 40   # root to 2⁻⁴⁰ ≈ 1e-12 of a cell: ∫|p| is stationary in the root, its error ~1e-24


def abs_integral_hermite(mu, dmu, db: float) -> np.ndarray:
    """∫|p| db along the last axis, p the piecewise cubic Hermite interpolant of samples ``mu`` with
    derivatives ``dmu`` (same shape, spacing ``db``). Returns an array with the last axis summed out."""
    mu, dmu = np.asarray(mu, dtype=float), np.asarray(dmu, dtype=float)
    m0, m1 = mu[..., :-1], mu[..., 1:]
    s0, s1 = db * dmu[..., :-1], db * dmu[..., 1:]
    cells = np.abs(0.5 * (m0 + m1) + (s0 - s1) / 12.0)          # |∫p|: exact where p keeps its sign
    # p = L + t(1 − t)[(s0 − Δ)(1 − t) − (s1 − Δ)t] with L the chord, Δ = m1 − m0, so |p − L| ≤
    # max(|s0 − Δ|, |s1 − Δ|)/4: where the chord stays farther than that from 0, p keeps its sign.
    delta = m1 - m0
    wiggle = 0.25 * np.maximum(np.abs(s0 - delta), np.abs(s1 - delta))
    where = np.nonzero((m0 * m1 <= 0) | (np.minimum(np.abs(m0), np.abs(m1)) <= wiggle))
    if where[0].size:
        a, b, e0, e1 = m0[where], s0[where], m1[where], s1[where]
        c = 3.0 * (e0 - a) - 2.0 * b - e1                           # p(t) = a + bt + ct² + dt³, t ∈ [0, 1]
        d = 2.0 * (a - e0) + b + e1
        cells[where] = _abs_cubic(a, b, c, d, _critical_points(b, c, d))
    return db * cells.sum(axis=-1)


def _critical_points(b, c, d):
    """Roots of p'(t) = b + 2ct + 3dt² in (0, 1) (nan elsewhere), by the cancellation-free formula."""
    A, B, C = 3.0 * d, 2.0 * c, b
    disc = B * B - 4.0 * A * C
    with np.errstate(all="ignore"):
        q = -0.5 * (B + np.where(B >= 0, 1.0, -1.0) * np.sqrt(np.maximum(disc, 0.0)))
        r1 = np.where(A != 0, q / A, np.nan)
        r2 = np.where(q != 0, C / q, np.nan)
    roots = np.stack([r1, r2], axis=-1)
    ok = (disc[..., None] >= 0) & (roots > 0) & (roots < 1)
    return np.where(ok, roots, np.nan)


def _abs_cubic(a, b, c, d, crit):
    """∫_0^1 |a + bt + ct² + dt³| dt for 1-D arrays of coefficients; crit: its critical points in (0, 1)."""
    k = len(a)
    poly = lambda t: a[:, None] + t * (b[:, None] + t * (c[:, None] + t * d[:, None]))
    anti = lambda t: t * (a[:, None] + t * (b[:, None] / 2 + t * (c[:, None] / 3 + t * d[:, None] / 4)))
    inner = np.sort(np.where(np.isnan(crit), 1.0, crit), axis=-1)
    knots = np.concatenate([np.zeros((k, 1)), inner, np.ones((k, 1))], axis=1)   # monotone pieces
    lo, hi = knots[:, :-1], knots[:, 1:]
    p_lo = poly(lo)
    has_root = p_lo * poly(hi) < 0
    left, right = lo.copy(), hi.copy()
    for _ in range(_BISECTIONS):
        mid = 0.5 * (left + right)
        same = poly(mid) * p_lo > 0
        left, right = np.where(same, mid, left), np.where(same, right, mid)
    roots = np.where(has_root, 0.5 * (left + right), hi)
    points = np.sort(np.concatenate([knots, roots], axis=1), axis=1)
    return np.abs(np.diff(anti(points), axis=1)).sum(axis=1)


TAIL_TERMS = 64      # terms of the far-field series of μ (its ratio is ≤ E√2/R ≈ 0.57 on rnorm_grid's window)
_TAIL_NODES = 96     # Gauss–Legendre nodes in u = R/|b| ∈ (0, 1]


def tail_integrals(sinogram, b_grid, db: float, radius: float, gamma: float, support: float):
    """∫_{|b|>R} |μ(w, b)| db per direction, from the far-field series of μ = γ·H(−∂_b³ Rf).

    For |b| beyond the support of Rf(w, ·), 1/(b − t) = Σ_k t^k/b^{k+1} in the Hilbert transform
    Hg(b) = (1/π) p.v.∫ g(t)/(b − t) dt, and ∫(−∂³Rf) t^k dt = k(k−1)(k−2) M_{k−3} (three integrations
    by parts) with M_j = ∫ Rf(w, t) t^j dt, so μ(w, b) = (γ/π) Σ_{k≥3} k(k−1)(k−2) M_{k−3} b^{−(k+1)}: the
    familiar 6γM₀/(πb⁴) tail plus the corrections that a single b⁻⁴ term misses (24M₁/b⁵ for an
    off-centre f, 60M₂/b⁶ for its spread). With u = R/|b| and m_j = M_j/R^j,
    ∫_R^∞ |μ(±b)| db = γ/(πR³) ∫_0^1 |Σ_k k(k−1)(k−2) m_{k−3} (±1)^{k+1} u^{k−1}| du (Gauss–Legendre).
    The moments are summed over |t| ≤ ``support`` (E√2 for f·1_square: Rf vanishes beyond; the
    sinogram's samples there are interpolation aliases, which the powers (t/R)^j would amplify).
    Returns (tails per direction, a bound on the series truncation error per direction: the sum of
    the last 8 terms' absolute integrals, which decay geometrically)."""
    inside = np.abs(np.asarray(b_grid, dtype=float)) <= support
    t = np.asarray(b_grid, dtype=float)[inside] / radius
    sinogram = np.asarray(sinogram, dtype=float)[:, inside]
    k = np.arange(3, 3 + TAIL_TERMS)
    powers = t[None, :] ** (k - 3)[:, None]                        # (K, n_b): (t/R)^j, j = k − 3
    m = db * sinogram @ powers.T           # (n_angles, K): m_j = M_j / R^j
    coef = k * (k - 1) * (k - 2) * m                                # coefficient of u^{k−1}
    nodes, weights = np.polynomial.legendre.leggauss(_TAIL_NODES)
    u = 0.5 * (nodes + 1.0)
    basis = u[:, None] ** (k - 1)[None, :]                          # (nodes, K)
    scale = gamma / (np.pi * radius ** 3)
    total = np.zeros(coef.shape[0])
    for side in (1.0, -1.0):
        series = (coef * side ** (k + 1)) @ basis.T                 # (n_angles, nodes)
        total += scale * 0.5 * np.abs(series) @ weights
    truncation = scale * 2.0 * np.sum(np.abs(coef[:, -8:]) / k[-8:], axis=1)
    return total, truncation
