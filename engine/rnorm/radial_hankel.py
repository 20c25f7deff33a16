"""The Fourier/Hankel route of ``engine.rnorm.radial`` for smooth, decaying radial profiles g (no compact
support), batched over the dimension d (see that module for the reduction to one dimension).

Fourier/Hankel route, which needs only values of g,
  batched over d (``radial_rnorm_curve``; odd and even d form two groups sharing everything below).
  F_d(ω) = Σ_i v_i j_ν(ω r_i), v_i = (2π)^{d/2} g(r_i) r_i^{d−1} w_i, by composite Gauss–Legendre in r on
  [0, R] (R = max_d R_eff, R_eff where |g| r^{d−1} < 1e−18·max): g sampled once, j_ν(z) = z^{−ν}J_ν(z)
  for all orders of a group from two ``jv`` calls plus recurrences (``jfun_family``).  Ω_d: F_d on a
  uniform scan of [0, W], W doubled from 40/R until ω^{d+1}|F_d| drops below 1e−13 of its peak or below
  30× the rounding noise ε·Σ|quadrature terms| in the first 3/4 of [0, W].  h_d(b) = Σ_k c_k cos(ω_k b),
  c_k = w_k ω_k^{d+1} F_d(ω_k)/π on Gauss–Legendre nodes in ω on [0, max Ω] (shared by the group; c_k = 0
  beyond Ω_d; F_d summed directly at the nodes — a Chebyshev interpolant of F adds ~1e−15·F(0) at large
  ω, which ω^{d+1} amplifies to ~1e−7 relative for d ≈ 15).  ∫_0^B|h_d| = Σ_j |H(p_{j+1}) − H(p_j)| with
  the exact antiderivative H(b) = Σ_k c_k sin(ω_k b)/ω_k and p_j the roots of h_d (sign changes on a grid
  where |h| > 1e−13 max|h|, then bracketed Newton, vectorised), B = (4 for even d, else 1.5)·R_eff + 20/Ω;
  for even d plus the tail ∫_B^∞ |h| from the large-|b| expansion
  h(b) ≈ (1/π) Σ_k a_k Γ(d+2+2k) cos(π(d+2+2k)/2)/b^{d+2+2k}, a_k = F^{(2k)}(0)/(2k)!
  = (2π)^{d/2}(−1)^k ∫g r^{d−1+2k}dr / (4^k k! Γ(ν+k+1) 2^ν) (moments on the r-nodes; up to 4 terms while
  they decrease; from (1/π)∫_0^∞ ω^{α} cos(ωb) dω = Γ(α+1) cos(π(α+1)/2)/(π b^{α+1})).  ``error_estimate``
  compares with a run at 0.6× every quadrature size.  A known transform may be passed as ``fourier=F``
  (then per d: F on a scan, ∫|h| between the roots of h on [0, B] with B doubled until the two-term
  expansion holds, ``fourier_route``).

Accuracy and time: see ``engine.rnorm.radial``.
"""
from __future__ import annotations

from math import gamma, pi, sqrt

import numpy as np
from numpy.polynomial import Chebyshev
from scipy.optimize import brentq
from scipy.special import j0, j1, jv

from engine.validation import DataError

def _gl(a, b, panels, n=24):
    x, w = np.polynomial.legendre.leggauss(n)
    edges = np.linspace(a, b, panels + 1)
    h = np.diff(edges)[:, None] / 2
    mid = (edges[:-1] + edges[1:])[:, None] / 2
    return (mid + h * x).ravel(), (h * w).ravel()


def jfun(nu, z):
    """z^{−ν} J_ν(z), with its limit 1/(2^ν Γ(ν+1)) at z = 0."""
    z = np.asarray(z, dtype=float)
    out = np.full(z.shape, 1.0 / (2 ** nu * gamma(nu + 1)))
    nz = z > 1e-6
    out[nz] = jv(nu, z[nz]) / z[nz] ** nu
    small = ~nz
    out[small] *= 1 - z[small] ** 2 / (4 * (nu + 1))
    return out


def _integrate_abs(h, B, n_grid=40001):
    """2∫_0^B |h| for an even vectorised h, splitting at sign changes found on a fine grid."""
    t = np.linspace(0.0, B, n_grid)
    v = h(t)
    idx = np.nonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0)[0]
    hs = lambda s: float(h(np.array([s]))[0])
    roots = []
    for i in idx:
        lo, hi = t[i], t[i + 1]
        roots.append(brentq(hs, lo, hi, xtol=1e-15) if hs(lo) * hs(hi) < 0 else (lo + hi) / 2)
    pts = np.r_[0.0, roots, B]
    total = 0.0
    for lo, hi in zip(pts[:-1], pts[1:]):
        panels = max(1, int(np.ceil(200 * (hi - lo) / B)))
        x, w = _gl(lo, hi, panels)
        total += abs(np.dot(w, h(x)))
    return 2 * total


def decay_radius(g, d):
    """R_eff where |g(r)| r^{d−1} < 1e−18·max (sampled on [1e−4, 1e4]); ValueError if g does not decay."""
    r = np.geomspace(1e-4, 1e4, 4000)
    a = np.abs(g(r)) * r ** (d - 1)
    if not np.all(np.isfinite(a)):
        raise DataError("profile returned non-finite values")
    if a[-1] > 1e-12 * a.max():
        raise DataError("profile does not decay; give support= or a faster-decaying profile")
    big = np.nonzero(a > 1e-18 * a.max())[0]
    return float(r[big[-1] + 1]) if big[-1] + 1 < len(r) else float(r[-1])


def fourier_route(g, d, fourier, res):
    nu = d / 2 - 1
    if fourier is None:
        R_eff = decay_radius(g, d)
        def F_upto(om_max):
            rr, wr = _gl(0.0, R_eff, int(np.ceil(res * (om_max * R_eff / pi + 8))), 16)
            gw = g(rr) * rr ** (d - 1) * wr * (2 * pi) ** (d / 2)

            def F(om, noise=False):
                om = np.atleast_1d(np.asarray(om, dtype=float))
                v = gw if not noise else np.abs(gw) * 1e-16
                return np.concatenate([(np.abs if noise else (lambda x: x))(
                    jfun(nu, np.outer(om[s:s + 256], rr))) @ v for s in range(0, len(om), 256)])
            return F, (lambda om: F(om, noise=True))
    else:
        R_eff = None
        F_upto = lambda om_max: (fourier, lambda om: 1e-16 * np.abs(fourier(om)))
    # Ω: double the scan range until ω^{d+1}|F| is negligible (or under the rounding floor) beyond Ω
    scale = R_eff if R_eff else 1.0
    Om, om_max = None, 40.0 / scale
    while Om is None and om_max <= 5000.0 / scale:
        F, noise = F_upto(om_max)
        om = np.linspace(0.0, om_max, 401)
        val = om ** (d + 1) * np.abs(F(om))
        p = int(np.argmax(val))
        small = np.nonzero(val[p:] <= np.maximum(1e-13 * val[p], 30 * om[p:] ** (d + 1) * noise(om[p:])))[0]
        if len(small) and small[0] + p < 300:
            Om = float(om[p + small[0]])
        om_max *= 2
    if Om is None:
        raise DataError("Fourier transform of the profile decays too slowly (non-smooth profile?);"
                         " give support= for compactly supported profiles")
    if R_eff is not None:  # smooth F on [0, Ω]: Chebyshev interpolant replaces most Hankel quadratures
        F = Chebyshev.interpolate(F_upto(Om)[0], int(res * (Om * R_eff + 60)), domain=[0.0, Om])
    dl = 1e-3 * Om
    F0 = float(F(np.array([0.0]))[0])
    F2 = 2 * (float(F(np.array([dl]))[0]) - F0) / dl ** 2
    sg = (-1) ** ((d + 2) // 2)

    def asym(b):  # two-term large-|b| expansion of h (even d), see module docstring
        return sg * (F0 * gamma(d + 2) / b ** (d + 2) - F2 / 2 * gamma(d + 4) / b ** (d + 4)) / pi

    # b-range [0, B]: fixed from R_eff (Hankel route: h noise would defeat a test); with a given F,
    # doubled until h (odd d) or (h − asym)·B/B₀ (even d) is negligible on [B/2, B]
    B = (R_eff or 40.0 / Om) * (4 if d % 2 == 0 else 1.5) + 20 / Om
    while True:
        wo_x, wo_w = _gl(0.0, Om, int(res * max(40, Om * B / pi)))
        coef = wo_w * wo_x ** (d + 1) * F(wo_x) / pi

        def h(b):
            b = np.atleast_1d(b)
            return np.concatenate([np.cos(np.outer(b[s:s + 2048], wo_x)) @ coef
                                   for s in range(0, len(b), 2048)])
        hb = np.linspace(B / 2, B, 201)
        rest = np.abs(h(hb) - (asym(hb) if d % 2 == 0 else 0.0)).max()
        hmax, B0 = np.abs(h(np.linspace(0, B / 2, 201))).max(), (R_eff or 40.0 / Om)
        if R_eff is not None or rest * max(B / B0, 1.0) ** (d % 2 == 0) <= 1e-12 * hmax or B > 8 * B0:
            break
        B *= 2
    total = _integrate_abs(h, B, n_grid=int(4000 * res) + 1)
    tail = 0.0
    if d % 2 == 0:  # ∫_B^∞ |asym| (no sign change beyond B once the expansion is accurate)
        tail = 2 * abs(F0 * gamma(d + 2) / ((d + 1) * B ** (d + 1))
                       - F2 / 2 * gamma(d + 4) / ((d + 3) * B ** (d + 3))) / pi
    return total + tail, dict(Omega=Om, B=B, R_eff=R_eff, tail=tail)


def jfun_family(nus, z):
    """{ν: z^{−ν}J_ν(z)} for orders ν of one family (all integers or all half-integers), z ≥ 0, with two
    ``jv`` calls per family instead of one per order.  For z < ν_top + 2: the two highest orders by ``jv``
    and the downward recurrence j_{ν−1} = 2ν j_ν − z² j_{ν+1} (J_ν is minimal for increasing ν, so downward
    is stable there); for z ≥ ν_top + 2 (oscillatory regime, both directions stable): upward,
    j_{ν+1} = (2ν j_ν − j_{ν−1})/z², from j_{−1/2} = √(2/π) cos z, j_{1/2} = √(2/π) sin z/z or J₀, J₁/z.
    Measured against ``jv``: ≤ 1e−14 of max|j_ν| (ω r ≤ 320)."""
    fam = sorted(set(nus))
    top, base = fam[-1], (-0.5 if fam[0] % 1 else 0.0)
    out = {nu: np.empty(np.shape(z)) for nu in fam}
    small = z < top + 2 if top > base else np.zeros(np.shape(z), dtype=bool)
    zb = z[~small]
    with np.errstate(divide="ignore", invalid="ignore"):   # z = 0 only where top = base (no division used)
        if base < 0:
            lo, cur = sqrt(2 / pi) * np.cos(zb), sqrt(2 / pi) * np.sin(zb) / zb
        else:
            lo, cur = j0(zb), j1(zb) / zb
    if base in out:
        out[base][~small] = lo
    nu, iz2 = base + 1, (1 / (zb * zb) if top > base + 1 else None)
    while nu <= top + 1e-9:
        if nu in out:
            out[nu][~small] = cur
        if nu >= top - 1e-9:
            break
        lo, cur, nu = cur, (2 * nu * cur - lo) * iz2, nu + 1
    zs = z[small]
    if zs.size:
        nu, hi = top, jfun(top, zs)
        out[top][small] = hi
        if len(fam) > 1:
            nu, cur, z2 = nu - 1, (jfun(nu - 1, zs) if nu - 1 > base else
                                   (sqrt(2 / pi) * np.cos(zs) if base < 0 else j0(zs))), zs * zs
            while True:
                if nu in out:
                    out[nu][small] = cur
                if nu <= fam[0] + 1e-9:
                    break
                hi, cur, nu = cur, 2 * nu * cur - z2 * hi, nu - 1
    return {nu: out[nu] for nu in nus}


def _hankel_parts(g, r, w, dims):
    """Per d: the Hankel-quadrature weights v = (2π)^{d/2} g(r) r^{d−1} w, so F_d(ω) = Σ v_i j_ν(ω r_i)."""
    gr = g(r)
    return {d: (2 * pi) ** (d / 2) * gr * r ** (d - 1) * w for d in dims}


def _hankel_sums(om, r, V, noise=False):
    """{d: F_d(om)} (and, with noise, {d: ε·Σ_i|v_i j_ν(ω r_i)|}, the rounding level of the sum), the
    Bessel matrices built in blocks of ω (bounded memory) by ``jfun_family``, one call per parity."""
    F = {d: np.empty(len(om)) for d in V}
    N = {d: np.empty(len(om)) for d in V} if noise else None
    step = max(1, 200_000 // max(len(r), 1))
    for parity in (1, 0):
        ds = [d for d in V if d % 2 == parity]
        if not ds:
            continue
        for s in range(0, len(om), step):
            J = jfun_family([d / 2 - 1 for d in ds], np.outer(om[s:s + step], r))
            for d in ds:
                F[d][s:s + step] = J[d / 2 - 1] @ V[d]
                if noise:
                    N[d][s:s + step] = 1e-16 * (np.abs(J[d / 2 - 1]) @ np.abs(V[d]))
    return (F, N) if noise else F


def _hankel_group(g, dims, R_eff, res, W=None):
    """Unscaled ∫|h_d| (value/c_d) for dims of one parity by the Fourier/Hankel route (module docstring),
    sharing the samples of g, the Bessel evaluations (``jfun_family``), the ω nodes and the cos/sin
    matrices across d.  W: first scan range for Ω (default 40/R).  Returns ({d: (value, details)}, W
    of the successful scan)."""
    nus = {d: d / 2 - 1 for d in dims}
    R = max(R_eff[d] for d in dims)
    # Ω_d: scan F_d on [0, W] (direct Hankel sums), doubling W until, for every d, ω^{d+1}|F_d| drops
    # below 1e−13 of its peak or below 30× the rounding noise ε·Σ|terms| within the first 3/4 of [0, W]
    W, Om, n_s = W or 40.0 / R, {}, 121
    while len(Om) < len(dims):
        if W > 5000.0 / R:
            raise DataError("Fourier transform of the profile decays too slowly (non-smooth profile?);"
                             " give support= for compactly supported profiles")
        rr, wr = _gl(0.0, R, int(np.ceil(res * (0.35 * W * R / pi + 4))), 16)
        V = _hankel_parts(g, rr, wr, dims)
        om = np.linspace(0.0, W, n_s)
        F, N = _hankel_sums(om, rr, V, noise=True)
        Om = {}
        for d in dims:
            val, noise = om ** (d + 1) * np.abs(F[d]), N[d]
            p = int(np.argmax(val))
            small = np.nonzero(val[p:] <= np.maximum(1e-13 * val[p], 30 * om[p:] ** (d + 1) * noise[p:]))[0]
            if len(small) and small[0] + p < 0.75 * (n_s - 1):
                Om[d] = float(om[p + small[0]])
        W *= 2
    W /= 2
    even = dims[0] % 2 == 0
    B = {d: R_eff[d] * (4 if even else 1.5) + 20 / Om[d] for d in dims}
    Omax, Bmax = max(Om.values()), max(B.values())
    # F_d at Gauss–Legendre nodes in ω on [0, Ω_max] (direct Hankel sums; a Chebyshev interpolant of F
    # would add rounding ~1e−15·F(0) at large ω, amplified by ω^{d+1}); h_d = Σ_k c_k cos(ω_k b)
    rr, wr = _gl(0.0, R, int(np.ceil(res * (0.35 * Omax * R / pi + 4))), 16)
    V = _hankel_parts(g, rr, wr, dims)
    wo, ww = _gl(0.0, Omax, int(np.ceil(res * ((Bmax + R) * Omax / (12 * pi) + 4))), 24)
    F = _hankel_sums(wo, rr, V)
    cw = np.array([ww * wo ** (d + 1) * F[d] * (wo <= Om[d]) / pi for d in dims])   # (nd, nω)
    # roots of h_d: sign changes on a grid, then bracketed Newton (vectorised over all roots and d)
    bg = np.linspace(0.0, Bmax, int(res * max(2000, 8 * Omax * Bmax / pi)))
    step = max(1, 200_000 // len(wo))
    hg = np.concatenate([np.cos(np.outer(bg[s:s + step], wo)) @ cw.T for s in range(0, len(bg), step)])
    lo, hi, di = [], [], []
    for i, d in enumerate(dims):
        v = hg[bg <= B[d], i]   # sign changes where |h| < 1e−13 max|h| are rounding noise: they (and
        # the roots they may hide) change ∫|h| by < 2e−13·max|h|·B, so they are not split at
        idx = np.nonzero((np.sign(v[:-1]) * np.sign(v[1:]) < 0)
                         & (np.maximum(np.abs(v[:-1]), np.abs(v[1:])) > 1e-13 * np.abs(v).max()))[0]
        lo.append(bg[idx]), hi.append(bg[idx + 1]), di.append(np.full(len(idx), i))
    lo, hi, di = np.concatenate(lo), np.concatenate(hi), np.concatenate(di)
    if len(di):
        cr = cw[di]
        hlo = (np.cos(np.outer(lo, wo)) * cr).sum(1)
        x, act = (lo + hi) / 2, np.arange(len(di))
        for _ in range(60):   # bracketed Newton on the roots not yet converged
            arg = np.outer(x[act], wo)
            hx = (np.cos(arg) * cr[act]).sum(1)
            dh = -(np.sin(arg) * (cr[act] * wo)).sum(1)
            left = np.sign(hx) == np.sign(hlo[act])
            lo[act], hlo[act] = np.where(left, x[act], lo[act]), np.where(left, hx, hlo[act])
            hi[act] = np.where(left, hi[act], x[act])
            with np.errstate(divide="ignore", invalid="ignore"):
                xn = x[act] - hx / dh
            xn = np.where((xn > lo[act]) & (xn < hi[act]), xn, (lo[act] + hi[act]) / 2)
            moved = np.abs(xn - x[act]) > 4e-16 * Bmax
            x[act] = xn
            act = act[moved]
            if not len(act):
                break
    # ∫|h_d| = Σ |H(p_{j+1}) − H(p_j)| between roots, H(b) = Σ_k c_k sin(ω_k b)/ω_k the exact antiderivative
    out = {}
    for i, d in enumerate(dims):
        pts = np.r_[0.0, np.sort(x[di == i]) if len(di) else [], B[d]]
        total = 2 * np.abs(np.diff(np.sin(np.outer(pts, wo)) @ (cw[i] / wo))).sum()
        tail = 0.0
        if even:   # ∫_B^∞ |h| from the large-b expansion of h (no sign change beyond B)
            nu = nus[d]
            terms = []
            for k in range(4):   # a_k = F^{(2k)}(0)/(2k)! from the moments ∫ g r^{d−1+2k} dr
                a_k = (-1) ** k * (V[d] @ rr ** (2 * k)) / (4 ** k * gamma(k + 1) * gamma(nu + k + 1) * 2 ** nu)
                t = (-1) ** (d // 2 + 1 + k) * a_k * gamma(d + 2 + 2 * k) / ((d + 1 + 2 * k) * B[d] ** (d + 1 + 2 * k))
                if terms and abs(t) >= abs(terms[-1]):
                    break
                terms.append(t)
            tail = 2 * abs(sum(terms)) / pi
        out[d] = (total + tail, dict(Omega=Om[d], B=B[d], R_eff=R_eff[d], tail=tail, nodes_r=len(rr),
                                     nodes_omega=len(wo), roots=int(np.sum(di == i))))
    return out, W


def hankel_route(g, dims, res, W=None, step=None):
    """({d: (∫|h_d| db, details)}, {parity: W}) for all dims at once (odd and even d in separate
    groups); W: first Ω-scan range per parity (from a previous run); step(dims): called after each group."""
    R_eff = {d: decay_radius(g, d) for d in dims}
    out, W_used = {}, {}
    for parity in (1, 0):
        group = [d for d in dims if d % 2 == parity]
        if group:
            part, W_used[parity] = _hankel_group(g, group, R_eff, res, (W or {}).get(parity))
            out.update(part)
            if step:
                step(group)
    return out, W_used
