r"""Exact minimum-norm ReLU interpolation and fitting when the biases are penalised.

Problem (Boursier & Flammarion, NeurIPS 2023): over continuous piecewise-linear f with a free affine
part, minimise  C(f) = ∫ √(1+t²) d|f''|(t)  subject to f(x_i) = y_i  (or, for lam > 0, minimise
½Σ(f(x_i) − y_i)² + lam·C(f)). The minimiser is unique and its knots are generally not data points.

Exact finite reformulation (our derivation; no grid, no relaxation)
-------------------------------------------------------------------
1. *Perspective.* A kink of size J at t costs √(1+t²)|J| = ‖(J, Jt)‖₂: a Euclidean norm of the
   pair (mass, first moment).
2. *One interval at a time.* Kinks left of x_1 or right of x_N are affine on the data, so they are
   never needed. The data only see the restriction μ_k of f'' to [x_k, x_{k+1}] through its moments
   (J_k, P_k) = (∫dμ_k, ∫t dμ_k). The cheapest μ_k with given moments costs
       C_k(J, P) = max(‖(J, P)‖₂, |α_k J + β_k P|),  β_k = (w_k + w_{k+1})/(x_{k+1} − x_k),
       α_k = w_{k+1} − β_k x_{k+1},  w = √(1+x²):
   a single kink at t = P/J when that lies in the interval (‖·‖ ≤ ∫w d|μ| by the triangle inequality,
   with equality for one atom), otherwise two opposite kinks at the ends (the linear term). Geometrically
   {C_k ≤ 1} is the unit disc cut by a slab: the convex hull of the arcs ±(1, t)/w(t), t ∈ [x_k, x_{k+1}].
3. *Chain variables.* Let σ_k be the slope of f just right of x_k (the line through (x_k, y_k) that f
   follows there). Then J_k = σ_{k+1} − σ_k and P_k = (y_k − σ_k x_k) − (y_{k+1} − σ_{k+1} x_{k+1}), and
   every choice of σ ∈ ℝᴺ is a feasible interpolant. So the problem is exactly
       min_σ Σ_k C_k(J_k(σ), P_k(σ)),
   a second-order cone program with N−1 cones of dimension 3 and a banded constraint matrix. (With
   lam > 0 the values z_k = f(x_k) become variables too, with the quadratic loss.) We solve it with an
   interior-point method to 1e-11 and then read the knots off (J_k, P_k), merge kinks that meet at a
   data point, and refit the jumps and the affine part to the data by least squares on those knots,
   so the returned function interpolates to rounding error.
4. *Certificate.* The multipliers λ of the interpolation constraints give η(t) = Σ_i λ_i (x_i − t)₊;
   optimality holds iff |η(t)| ≤ √(1+t²) for all t, with equality on the knots, and Σλ_i y_i = C(f).
   η is linear between data points, so max_t(|η(t)| − w(t)) has a closed form per interval; we report
   it together with the duality gap.
Knots that are not data points sit where η touches ±w tangentially: at most one per interval.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from engine.univariate.conic import soc_cones, solve_conic
from engine.univariate.costs import representation_cost, weight
from engine.univariate.interpolant import Interpolant, relu

REFIT_MAX_POINTS = 400   # above this, skip the dense least-squares clean-up (O(N³))


def _program(x, y, lam):
    """Sparse data (P, q, A, b, cones) of the SOCP in variables u = [σ (N), z (N), t (N−1)]."""
    import clarabel

    n_pts = len(x)
    k = np.arange(n_pts - 1)
    iS, iZ, iT = 0, n_pts, 2 * n_pts
    w = weight(x)
    beta = (w[:-1] + w[1:]) / np.diff(x)
    rows, cols, vals, blocks, cones = [], [], [], [], []

    def block(nrows, entries):
        # entries: (row offsets within the block, variable columns, coefficients), as arrays
        for r, c, v in entries:
            rows.append(sum(blocks) + r)
            cols.append(c)
            vals.append(np.broadcast_to(v, c.shape).astype(float))
        blocks.append(nrows)

    b_parts = []
    if lam == 0:   # z = y  (s = b − Au = 0)
        block(n_pts, [(np.arange(n_pts), iZ + np.arange(n_pts), 1.0)])
        b_parts.append(y)
        cones.append(clarabel.ZeroConeT(n_pts))
    # ℓ_k = w_k σ_k + w_{k+1} σ_{k+1} + β_k (z_k − z_{k+1});  s = t_k ∓ ℓ_k ≥ 0 (A = −coefficients)
    ell = [(iS + k, w[:-1]), (iS + k + 1, w[1:]), (iZ + k, beta), (iZ + k + 1, -beta)]
    entries = [(2 * k + r, iT + k, -1.0) for r in (0, 1)]
    for col, coef in ell:
        entries += [(2 * k, col, coef), (2 * k + 1, col, -coef)]
    block(2 * len(k), entries)
    b_parts.append(np.zeros(2 * len(k)))
    cones.append(clarabel.NonnegativeConeT(2 * len(k)))
    # SOC: (t_k, J_k, P_k),  J_k = σ_{k+1} − σ_k,  P_k = z_k − z_{k+1} − x_k σ_k + x_{k+1} σ_{k+1}
    block(3 * len(k), [
        (3 * k, iT + k, -1.0),
        (3 * k + 1, iS + k + 1, -1.0), (3 * k + 1, iS + k, 1.0),
        (3 * k + 2, iZ + k, -1.0), (3 * k + 2, iZ + k + 1, 1.0),
        (3 * k + 2, iS + k, x[:-1]), (3 * k + 2, iS + k + 1, -x[1:]),
    ])
    b_parts.append(np.zeros(3 * len(k)))
    cones += soc_cones(len(k), 3)
    n = 2 * n_pts + len(k)
    A = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(sum(blocks), n))
    q = np.zeros(n)
    q[iT:] = 1.0
    P = None
    if lam > 0:   # (1/2lam)‖z − y‖²
        P = sp.diags(np.r_[np.zeros(n_pts), np.full(n_pts, 1 / lam), np.zeros(len(k))])
        q[iZ:iT] = -y / lam
    return P, q, A, np.concatenate(b_parts), cones


def _atoms(x, J, P, C, B, rel_drop):
    """Kinks (position, mass) of the cheapest measure on each interval with moments (J_k, P_k).
    With B given, a kink strictly inside an interval is placed where the dual η touches ±w
    (t = ±B/√(1−B²), B the slope of η there) instead of at t = P/J: an interior-point primal knows
    t = P/J only to about √tol, the dual often better."""
    drop = rel_drop * max(C.sum(), 1e-300)
    atoms = []
    for k in np.flatnonzero(C > drop):
        a, b = x[k], x[k + 1]
        eps = 1e-7 * (b - a)
        if J[k] != 0 and a - eps <= P[k] / J[k] <= b + eps:
            t = P[k] / J[k]
            if B is not None and a + eps < t < b - eps and abs(B[k]) < 1:
                t = np.sign(J[k]) * B[k] / np.sqrt(1 - B[k] ** 2)
            atoms.append((min(max(t, a), b), J[k]))
        else:   # two opposite kinks at the ends of the interval
            right = (P[k] - J[k] * a) / (b - a)
            atoms += [(a, J[k] - right), (b, right)]
    atoms.sort()
    merged = []
    for t, m in atoms:
        if merged and abs(t - merged[-1][0]) <= 1e-9 * (1 + abs(t)):
            merged[-1][1] += m
        else:
            merged.append([t, m])
    merged = [(t, m) for t, m in merged if abs(m) * weight(t) > drop]
    return np.array([t for t, m in merged]), np.array([m for t, m in merged])


def _refit(x, target, knots, jumps):
    """Affine part and jumps on fixed knots that reproduce ``target`` at x: the solver's jumps plus
    the least-squares (minimum-norm) correction, so rounding is removed without moving mass."""
    basis = np.column_stack([np.ones_like(x), x, relu(x[:, None] - knots[None, :])])
    affine0, *_ = np.linalg.lstsq(basis[:, :2], target - basis[:, 2:] @ jumps, rcond=None)
    coef0 = np.r_[affine0, jumps]
    fix, *_ = np.linalg.lstsq(basis, target - basis @ coef0, rcond=None)
    coef = coef0 + fix
    return coef[:2], coef[2:], np.abs(basis @ coef - target).max()


def _through_breakpoints(x, target, sigma, knots):
    """O(N) alternative to ``_refit`` for large N: f is the linear interpolant of the data and of the
    interior knots (valued on the solver's line through the data point to their left), so it
    interpolates exactly; its slope changes at the breakpoints give the canonical form."""
    inner = knots[~np.isin(knots, x)]
    k = np.clip(np.searchsorted(x, inner) - 1, 0, len(x) - 2)
    bx = np.r_[x, inner]
    by = np.r_[target, target[k] + sigma[k] * (inner - x[k])]
    order = np.argsort(bx, kind="stable")
    bx, by = bx[order], by[order]
    s = np.diff(by) / np.diff(bx)
    d = np.diff(s)
    keep = np.abs(d) * weight(bx[1:-1]) > 1e-12 * (np.abs(d) * weight(bx[1:-1])).sum()
    return np.array([by[0] - s[0] * bx[0], s[0]]), bx[1:-1][keep], d[keep]


def eta_slopes(x, lam_dual):
    """Slope B_k of η(t) = Σλ_i(x_i − t)₊ on each interval [x_k, x_{k+1}]: B_k = −Σ_{i>k} λ_i."""
    return -np.cumsum(lam_dual[::-1])[::-1][1:]


def _polished_dual(x, lam_dual, knots, jumps):
    """Dual values e_k = η(x_k) made exact on the optimal structure: η = ±w at a data-point kink and
    η = the tangent line of ±w at an interior kink. Returns λ (the slope changes of η, negated)."""
    B = eta_slopes(x, lam_dual)
    e = -np.r_[np.cumsum((B * np.diff(x))[::-1])[::-1], 0.0]   # η(x_k), integrating back from η(x_N) = 0
    for t, m in zip(knots, jumps):
        sgn = np.sign(m)
        k = int(np.clip(np.searchsorted(x, t) - 1, 0, len(x) - 2))
        at = np.flatnonzero(np.abs(x - t) <= 1e-9 * (1 + abs(t)))
        if len(at):
            e[at[0]] = sgn * weight(t)
        else:   # tangent line of sgn·w at t, evaluated at both ends of its interval
            e[k:k + 2] = sgn * (1 + t * x[k:k + 2]) / weight(t)
    e[0] = e[-1] = 0.0
    slopes = np.r_[0.0, np.diff(e) / np.diff(x), 0.0]
    return np.diff(slopes)


def certificate(x, y, lam_dual):
    """Check η(t) = Σλ_i(x_i − t)₊ against |η| ≤ √(1+t²): max violation, dual objective, moments."""
    # On [x_k, x_{k+1}]: η = A_k + B_k t with A_k = Σ_{i>k} λ_i x_i, B_k = −Σ_{i>k} λ_i.
    A = np.cumsum((lam_dual * x)[::-1])[::-1][1:]
    B = eta_slopes(x, lam_dual)
    worst = -np.inf
    for sgn in (1.0, -1.0):
        a, b = sgn * A, sgn * B
        # a + b t − √(1+t²) is concave; its maximiser is t* = b/√(1−b²) (|b| < 1), clipped.
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = np.where(np.abs(b) < 1, b / np.sqrt(np.clip(1 - b * b, 1e-300, None)),
                             np.sign(b) * np.inf)
        t = np.clip(tstar, x[:-1], x[1:])
        worst = max(worst, float(np.max(a + b * t - weight(t))))
    return {
        "max_violation": max(worst, 0.0),
        "dual_objective": float(lam_dual @ y),
        "moment_residual": float(max(abs(lam_dual.sum()), abs(lam_dual @ x))),
    }


def solve_bias_penalised(x, y, lam: float = 0.0) -> Interpolant:
    """Exact minimiser for one task (x sorted, distinct; y shape (N,)); see the module docstring."""
    scale = float(np.abs(y).max()) or 1.0
    ys = y / scale
    P, q, A, b, cones = _program(x, ys, lam / scale)
    u, z = solve_conic(P, q, A, b, cones)
    n = len(x)
    sigma, zs, C = u[:n], (ys if lam == 0 else u[n:2 * n]), np.maximum(u[2 * n:], 0)
    lam_dual = -z[:n] if lam == 0 else (ys - zs) / (lam / scale)
    c = zs - sigma * x
    J, Pm = np.diff(sigma), c[:-1] - c[1:]
    target = zs * scale
    if n > REFIT_MAX_POINTS:
        knots, _ = _atoms(x, J, Pm, C, None, 1e-9)
        affine, knots, jumps = _through_breakpoints(x, target, sigma * scale, knots)
        resid = 0.0
    else:
        best = None
        tol = 1e-9 * (1 + np.abs(target).max())
        for B in (None, eta_slopes(x, lam_dual)):   # primal knots, or dual-tangent knots
            for rel_drop in (1e-7, 1e-9, 0.0):      # dropping solver noise, or not
                knots, masses = _atoms(x, J, Pm, C, B, rel_drop)
                affine, jumps, resid = _refit(x, target, knots, masses * scale)
                cost = float((weight(knots) * np.abs(jumps)).sum())
                key = (resid > tol, cost)            # the cheapest candidate that interpolates
                if best is None or key < best[0]:
                    best = key, knots, affine, jumps, resid
        _, knots, affine, jumps, resid = best
    sol = Interpolant(knots, jumps[:, None], affine[None, :], unique=True, bias_penalty=True,
                      lam=lam, fitted=target[None, :])
    sol.cost = representation_cost(sol, "bias_penalised")
    certs = [certificate(x, target, d) for d in (lam_dual, _polished_dual(x, lam_dual, knots, jumps))]
    for cert in certs:
        cert["duality_gap"] = abs(sol.cost - cert["dual_objective"]) / max(sol.cost, 1e-300)
    cert = min(certs, key=lambda c: max(c["max_violation"], c["duality_gap"]))
    cert["interpolation_residual"] = float(resid)
    sol.certificate = cert
    return sol
