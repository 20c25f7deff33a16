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
   lam > 0 the values z_k = f(x_k) become variables too, with the loss ½‖z − y‖².)
4. *Solve exactly on the chain.* On the box where every slope lies between its two chords (``chain``),
   the problem is smooth with a tridiagonal Hessian; projected Newton from connect-the-dots reaches the
   minimiser in O(N) per step. f is read off σ (knots P_k/J_k, jumps J_k). Finally, any two same-sign
   kinks with no data point between them are merged at their mass-weighted position: that keeps the
   fit and strictly lowers the cost (Jensen), which far from 0 is the only reliable test (there
   √(1+t²) is nearly linear and the gain drops below rounding error).
5. *Certificate* (``certificate``): the dual that complementary slackness implies on f's structure,
   scaled into the dual ball; the duality gap is computed from f's own cost, so it is a true bound.
   Should it exceed ``CERTIFIED`` (the box claim failed, e.g. an interval straddling 0 widely), the
   SOCP is solved by an interior point (Clarabel), its structure polished by Newton (``chain_polish``),
   and the better certified answer kept.
Knots that are not data points sit where η touches ±w tangentially: at most one per interval.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from engine.univariate.certificate import fit_certificate, interpolation_certificate, node_values, structure_dual
from engine.univariate.chain_polish import breakpoint_form, classify, moments, objective, polish
from engine.univariate.conic import soc_cones, solve_conic
from engine.univariate.costs import representation_cost, weight
from engine.univariate.interpolant import Interpolant, relu

CERTIFIED = 1e-9   # relative duality gap above which the chain answer gets the interior-point check


def _program(x, y, lam):
    """Sparse data (P, q, A, b, cones, A_z) of the SOCP. Variables u = [σ (N), t (N−1)] when
    interpolating (the values z = y are substituted), u = [σ (N), z (N), t (N−1)] when lam > 0.
    A_z holds the columns of z in the cone rows: λ = A_zᵀ(cone duals) are the multipliers of z = y."""
    import clarabel

    n_pts, m = len(x), len(x) - 1
    k = np.arange(m)
    iS, iZ, iT = 0, n_pts, 2 * n_pts
    w = weight(x)
    beta = (w[:-1] + w[1:]) / np.diff(x)
    # Rows (s = b − Au): 2m slab rows t_k ∓ ℓ_k ≥ 0, ℓ_k = w_k σ_k + w_{k+1} σ_{k+1} + β_k (z_k − z_{k+1});
    # then m cones (t_k, J_k, P_k), J_k = σ_{k+1} − σ_k, P_k = z_k − z_{k+1} − x_k σ_k + x_{k+1} σ_{k+1}.
    entries = [(2 * k + r, iT + k, -1.0) for r in (0, 1)]
    for col, coef in ((iS + k, w[:-1]), (iS + k + 1, w[1:]), (iZ + k, beta), (iZ + k + 1, -beta)):
        entries += [(2 * k, col, coef), (2 * k + 1, col, -coef)]
    soc = 2 * m + 3 * k
    entries += [(soc, iT + k, -1.0), (soc + 1, iS + k + 1, -1.0), (soc + 1, iS + k, 1.0),
                (soc + 2, iZ + k, -1.0), (soc + 2, iZ + k + 1, 1.0),
                (soc + 2, iS + k, x[:-1]), (soc + 2, iS + k + 1, -x[1:])]
    rows = np.concatenate([r for r, _, _ in entries])
    cols = np.concatenate([c for _, c, _ in entries])
    vals = np.concatenate([np.broadcast_to(v, c.shape) for _, c, v in entries]).astype(float)
    A = sp.csc_matrix((vals, (rows, cols)), shape=(5 * m, 2 * n_pts + m))
    cones = [clarabel.NonnegativeConeT(2 * m)] + soc_cones(m, 3)
    A_z = A[:, iZ:iT]
    q = np.r_[np.zeros(2 * n_pts), np.ones(m)]
    if lam == 0:   # substitute z = y
        keep = np.r_[np.arange(n_pts), np.arange(iT, iT + m)]
        return None, q[keep], A[:, keep], -(A_z @ y), cones, A_z
    P = sp.diags(np.r_[np.zeros(n_pts), np.ones(n_pts), np.zeros(m)])   # ½‖z − y‖² + lam Σ t
    q[iZ:iT], q[iT:] = -y, lam
    return P, q, A, np.zeros(5 * m), cones, A_z


def jensen_merge(x, knots, jumps):
    """Merge every run of same-sign kinks with no data point strictly between them into one kink at
    their mass-weighted position (where the outer lines meet): f is unchanged outside the run, so the
    data are still fitted, and by strict convexity of √(1+t²) the cost strictly drops (Jensen;
    docs/univariate.md §2). The optimum has no such run, but far from 0 the gain is below rounding
    error (√(1+t²) is nearly linear there), so only this exact rule, not a cost comparison, can find
    it. Compiled: ``chain_certificate.jensen_merge``."""
    from engine.univariate.chain_certificate import jensen_merge as merge

    return merge(x, knots, jumps)


def _least_squares_on_knots(x, target, knots):
    """Affine part (c, v) and jumps on the given knots that fit ``target`` best (least squares)."""
    basis = np.column_stack([np.ones_like(x), x, relu(x[:, None] - knots[None, :])])
    coef, *_ = np.linalg.lstsq(basis, target, rcond=None)
    return coef[:2], coef[2:]


def _data_kink_cost(x, y):
    """Σ √(1+x_i²)|δ_i|: the penalised cost of the data's own slope changes (a scale for noise)."""
    s = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
    return float((weight(x[1:-1]) * np.abs(s[1:] - s[:-1])).sum())


def _best_structure(x, zs, sigma):
    """Slopes σ and interval kinds after polishing: the structure (which intervals hold a kink,
    inside or at an end) is read from the interior-point masses at several noise levels, each
    reading is polished, and the lowest true cost wins (the raw solution if none beats it)."""
    J, Pm = moments(x, zs, sigma)
    C = np.hypot(J, Pm)
    readings = {}
    for drop in (1e-5, 1e-7, 1e-9):
        reading = classify(x, J, Pm, C, drop)
        readings.setdefault(reading.tobytes(), reading)   # identical readings polish alike
    best, best_sigma, best_kind = objective(x, zs, sigma) * (1 + 1e-12), sigma, classify(x, J, Pm, C, 0.0)
    for reading in readings.values():
        trial = polish(x, zs, sigma, reading)
        value = objective(x, zs, trial)
        if value < best:
            best, best_sigma, best_kind = value, trial, reading
    return best_sigma, best_kind


def _interpolant(x, y, knots, jumps, affine) -> Interpolant:
    knots, jumps = jensen_merge(x, knots, jumps)
    sol = Interpolant(knots, jumps[:, None], affine[None, :], unique=True, bias_penalty=True, lam=0.0,
                      fitted=y[None, :].astype(float))
    return replace(sol, cost=representation_cost(sol, "bias_penalised"))


def _certified(x, y, sol, *candidates) -> Interpolant:
    """Attach the best true certificate from the candidate dual node values (and f's own structure)."""
    floor = 1e-12 * _data_kink_cost(x, y)
    certs = [interpolation_certificate(x, y, sol, e, True, sol.cost, floor)
             for e in (structure_dual(x, sol.knots, sol.jumps[:, 0]), *candidates)]
    return replace(sol, certificate=max(certs, key=lambda c: c["dual_objective"]))


def _interior_point(x, y, scale):
    """Clarabel on the SOCP, its structure read at several noise levels and polished by Newton.
    Returns the interpolant and the dual node values of Clarabel's multipliers."""
    ys = y / scale
    P, q, A, b, cones, A_z = _program(x, ys, 0.0)
    u, duals = solve_conic(P, q, A, b, cones)
    sigma, kind = _best_structure(x, ys, u[:len(x)])
    affine, knots, jumps = breakpoint_form(x, y, sigma * scale, kind)
    return _interpolant(x, y, knots, jumps, affine), node_values(x, A_z.T @ duals)


_KERNELS = ()


def _kernels():
    """The compiled kernels, imported on first use (numba's import and cache load take about a second,
    which engine users that never interpolate should not pay); later calls skip the import machinery."""
    global _KERNELS
    from engine.univariate.chain import solve_read
    from engine.univariate.chain_certificate import certify_read

    _KERNELS = (solve_read, certify_read)
    return _KERNELS


def solve_bias_penalised(x, y, lam: float = 0.0) -> Interpolant:
    """Exact minimiser for one task (x sorted, distinct; y shape (N,)); see the module docstring.
    The chain solve, its read-off, the merge and the certificate are two compiled calls
    (``chain.solve_read``, ``chain_certificate.certify_read``)."""
    solve_read, certify_read = _KERNELS or _kernels()
    x, y = np.ascontiguousarray(x, float), np.ascontiguousarray(y, float)
    collinear, scale, affine, knots, jumps = solve_read(x, y)
    if collinear:   # the line
        line = Interpolant.line(affine, x, bias_penalty=True, lam=lam, fitted=y[None, :].copy())
        return replace(line, certificate={**line.certificate,
                                          "interpolation_residual": float(np.abs(line(x) - y).max())})
    if lam > 0:
        return _fit(x, y, lam)
    knots, jumps, affine, cost, dual, gap, violation, residual, mass = certify_read(x, y, affine, knots, jumps, scale)
    sol = Interpolant(knots, jumps[:, None], affine[None, :], cost=cost, unique=True, bias_penalty=True,
                      lam=0.0, fitted=y[None, :].copy(),
                      certificate={"primal_objective": cost, "dual_objective": dual, "duality_gap": gap,
                                   "max_violation": violation, "interpolation_residual": residual})
    if gap <= CERTIFIED and residual <= _tolerance(x, scale, mass):
        return sol
    other, multipliers = _interior_point(x, y, scale)
    best = min((sol, other), key=lambda f: (not _acceptable(x, y, f, scale), f.cost))
    # any feasible dual bounds the optimum, whichever solution it came from: certify with the best
    rival = other if best is sol else sol
    return _certified(x, y, best, multipliers, structure_dual(x, rival.knots, rival.jumps[:, 0]))


def _tolerance(x, scale, mass) -> float:
    """The interpolation residual accepted: 1e-9 of the data scale, or the float floor of the knots
    (a kink J at t moves values by up to |J|·eps·|t|; ``mass`` = Σ|J|)."""
    return max(1e-9 * scale, 10 * 1e-15 * mass * (1 + max(-float(x[0]), float(x[-1]))))


def _acceptable(x, y, sol, scale) -> bool:
    """Interpolates to ``_tolerance``; a certified ``sol`` has its residual in the certificate already."""
    residual = sol.certificate.get("interpolation_residual")
    residual = float(np.abs(sol(x) - y).max()) if residual is None else residual
    return residual <= _tolerance(x, scale, float(np.abs(sol.jumps).sum()))


def _fit(x, y, lam):
    """Regularised fit: the interior-point solve gives the fitted values z. Two candidates: the exact
    minimum-cost interpolant of z itself, and that of z with the kinks at the solver's noise level
    dropped (least squares on the rest); either can only lower ½‖f(x) − y‖² + lam·cost(f) below the
    interior point's, and the lower objective is kept and certified by its residuals."""
    scale = float(np.abs(y).max()) or 1.0
    ys = y / scale
    P, q, A, b, cones, _ = _program(x, ys, lam / scale)
    # fits with a tiny lam are ill-conditioned (z ≈ y within lam): solve them tightly
    u, _ = solve_conic(P, q, A, b, cones, tol=1e-10)
    n = len(x)
    zs, sigma = u[n:2 * n], u[:n]
    sigma, kind = _best_structure(x, zs, sigma)
    affine, knots, jumps = breakpoint_form(x, zs * scale, sigma * scale, kind)
    knots = knots[weight(knots) * np.abs(jumps) > 1e-8 * _data_kink_cost(x, y)]
    affine, jumps = _least_squares_on_knots(x, zs * scale, knots)
    cleaned = affine[0] + affine[1] * x + relu(x[:, None] - knots[None, :]) @ jumps

    def objective(f):
        return 0.5 * float(((f(x) - y) ** 2).sum()) + lam * f.cost

    sol = min((solve_bias_penalised(x, z, 0.0) for z in (zs * scale, cleaned)), key=objective)
    sol = replace(sol, lam=lam)
    return replace(sol, certificate=fit_certificate(x, y, sol, lam, True, sol.cost))   # the residuals certify the fit
