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
4. *Solve, then make exact.* An interior-point solve (Clarabel, tolerance 1e-9) tells which
   intervals hold no kink, one inside, or kinks at the ends; on that structure the problem is smooth
   and a few Newton steps in σ reach the optimum to rounding error (``chain_polish``). Finally, any
   two same-sign kinks with no data point between them are merged at their mass-weighted position:
   that keeps the fit and strictly lowers the cost (Jensen), which far from 0 is the only reliable
   test (there √(1+t²) is nearly linear and the gain drops below rounding error). f is built from
   its breakpoints, so it interpolates to rounding error.
5. *Certificate.* The multipliers λ of the interpolation constraints give η(t) = Σ_i λ_i (x_i − t)₊;
   optimality holds iff |η(t)| ≤ √(1+t²) for all t, with equality on the knots, and Σλ_i y_i = C(f).
   η is linear between data points, so max_t(|η(t)| − w(t)) has a closed form per interval; we report
   it together with the duality gap.
Knots that are not data points sit where η touches ±w tangentially: at most one per interval.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np
import scipy.sparse as sp

from engine.univariate.bias_free import kink_floor
from engine.univariate.chain_polish import breakpoint_form, classify, moments, objective, polish
from engine.univariate.conic import soc_cones, solve_conic
from engine.univariate.costs import representation_cost, weight
from engine.univariate.interpolant import Interpolant, relu


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
    DESIGN.md §2). The optimum has no such run, but far from 0 the gain is below rounding error
    (√(1+t²) is nearly linear there), so only this exact rule, not a cost comparison, can find it."""
    xs = x.tolist()

    def no_data_between(a, b):
        return bisect_left(xs, b) == bisect_right(xs, a)

    merged = []   # [position, mass]
    for t, m in zip(knots.tolist(), jumps.tolist()):
        while m != 0 and merged and np.sign(merged[-1][1]) == np.sign(m) and no_data_between(merged[-1][0], t):
            t0, m0 = merged.pop()
            t, m = (t0 * m0 + t * m) / (m0 + m), m0 + m
        merged.append([t, m])
    return np.array([t for t, _ in merged]), np.array([m for _, m in merged])


def _least_squares_on_knots(x, target, knots):
    """Affine part (c, v) and jumps on the given knots that fit ``target`` best (least squares)."""
    basis = np.column_stack([np.ones_like(x), x, relu(x[:, None] - knots[None, :])])
    coef, *_ = np.linalg.lstsq(basis, target, rcond=None)
    return coef[:2], coef[2:]


def _data_kink_cost(x, y):
    """Σ √(1+x_i²)|δ_i|: the penalised cost of the data's own slope changes (a scale for noise)."""
    return float((weight(x[1:-1]) * np.abs(np.diff(np.diff(y) / np.diff(x)))).sum())


def eta_slopes(x, lam_dual):
    """Slope B_k of η(t) = Σλ_i(x_i − t)₊ on each interval [x_k, x_{k+1}]: B_k = −Σ_{i>k} λ_i."""
    return -np.cumsum(lam_dual[::-1])[::-1][1:]


def _polished_dual(x, lam_dual, knots, jumps):
    """Dual values e_k = η(x_k) made exact on the optimal structure: η = ±w at a data-point kink and
    η = the tangent line of ±w at an interior kink. Returns λ (the slope changes of η)."""
    B = eta_slopes(x, lam_dual)
    e = -np.r_[np.cumsum((B * np.diff(x))[::-1])[::-1], 0.0]   # η(x_k), integrating back from η(x_N) = 0
    sgn = np.sign(jumps)
    k = np.clip(np.searchsorted(x, knots) - 1, 0, len(x) - 2)
    at = np.isclose(knots, x[k + 1], rtol=0, atol=1e-9 * (1 + np.abs(knots))) | \
        np.isclose(knots, x[k], rtol=0, atol=1e-9 * (1 + np.abs(knots)))
    inner = ~at   # tangent line of sgn·w at t, evaluated at both ends of its interval
    for end in (0, 1):
        e[k[inner] + end] = sgn[inner] * (1 + knots[inner] * x[k[inner] + end]) / weight(knots[inner])
    on_data = np.searchsorted(x, knots[at])
    e[on_data] = sgn[at] * weight(knots[at])
    e[0] = e[-1] = 0.0
    slopes = np.r_[0.0, np.diff(e) / np.diff(x), 0.0]
    return np.diff(slopes)


def dual_slack(x, lam_dual):
    """Per interval, max_t (|η(t)| − √(1+t²)) for η = Σλ_i(x_i − t)₊ (positive = violated)."""
    # On [x_k, x_{k+1}]: η = A_k + B_k t with A_k = Σ_{i>k} λ_i x_i, B_k = −Σ_{i>k} λ_i.
    A = np.cumsum((lam_dual * x)[::-1])[::-1][1:]
    B = eta_slopes(x, lam_dual)
    best = np.full(len(A), -np.inf)
    for sgn in (1.0, -1.0):
        a, b = sgn * A, sgn * B
        # a + b t − √(1+t²) is concave; its maximiser is t* = b/√(1−b²) (|b| < 1), clipped.
        with np.errstate(divide="ignore", invalid="ignore"):
            tstar = np.where(np.abs(b) < 1, b / np.sqrt(np.clip(1 - b * b, 1e-300, None)),
                             np.sign(b) * np.inf)
        t = np.clip(tstar, x[:-1], x[1:])
        best = np.maximum(best, a + b * t - weight(t))
    return best


def certificate(x, y, lam_dual):
    """Check η(t) = Σλ_i(x_i − t)₊ against |η| ≤ √(1+t²): max violation, dual objective, moments."""
    slack = dual_slack(x, lam_dual)
    return {
        "max_violation": max(float(slack.max()), 0.0),
        "dual_objective": float(lam_dual @ y),
        "moment_residual": float(max(abs(lam_dual.sum()), abs(lam_dual @ x))),
    }


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


def _certify(x, target, lam_dual, sol, floor):
    """The better of two dual certificates: the solver's multipliers, and the same made exact on the
    solution's structure; the gap is relative to the cost (or to ``floor`` when that is ~0)."""
    certs = [certificate(x, target, d) for d in (lam_dual, _polished_dual(x, lam_dual, sol.knots, sol.jumps[:, 0]))]
    for cert in certs:
        cert["duality_gap"] = abs(sol.cost - cert["dual_objective"]) / max(sol.cost, abs(cert["dual_objective"]), floor)
    cert = min(certs, key=lambda c: max(c["max_violation"], c["duality_gap"]))
    cert["interpolation_residual"] = float(np.abs(sol(x) - target).max())
    return cert


def solve_bias_penalised(x, y, lam: float = 0.0) -> Interpolant:
    """Exact minimiser for one task (x sorted, distinct; y shape (N,)); see the module docstring."""
    s_y = np.diff(y) / np.diff(x)
    if np.abs(np.diff(s_y)).max(initial=0) <= kink_floor(s_y, np.diff(s_y)):   # collinear data: the line
        line = np.array([[y[0] - s_y[0] * x[0], s_y[0]]])
        return Interpolant.line(line, x, bias_penalty=True, lam=lam, fitted=y[None, :].copy())
    if lam > 0:
        return _fit(x, y, lam)
    scale = float(np.abs(y).max()) or 1.0
    ys = y / scale
    P, q, A, b, cones, A_z = _program(x, ys, 0.0)
    u, duals = solve_conic(P, q, A, b, cones)
    lam_dual = A_z.T @ duals   # multipliers of the interpolation constraints
    sigma, kind = _best_structure(x, ys, u[:len(x)])
    affine, knots, jumps = breakpoint_form(x, y, sigma * scale, kind)
    knots, jumps = jensen_merge(x, knots, jumps)
    sol = Interpolant(knots, jumps[:, None], affine[None, :], unique=True, bias_penalty=True,
                      lam=0.0, fitted=y[None, :].astype(float))
    sol.cost = representation_cost(sol, "bias_penalised")
    sol.certificate = _certify(x, y, lam_dual, sol, 1e-12 * _data_kink_cost(x, y))
    return sol


def _fit(x, y, lam):
    """Regularised fit: the interior-point solve gives the fitted values z; kinks at its noise level
    are dropped (least squares on the rest); the returned f is then the exact minimum-cost
    interpolant of its own fitted values, which can only lower ½‖f(x) − y‖² + lam·cost(f)."""
    scale = float(np.abs(y).max()) or 1.0
    ys = y / scale
    P, q, A, b, cones, _ = _program(x, ys, lam / scale)
    # fits with a tiny lam are ill-conditioned (z ≈ y within lam): solve them tightly
    u, _ = solve_conic(P, q, A, b, cones, tol=1e-10)
    n = len(x)
    zs, sigma = u[n:2 * n], u[:n]
    sigma, kind = _best_structure(x, zs, sigma)
    affine, knots, jumps = breakpoint_form(x, zs * scale, sigma * scale, kind)
    data_cost = _data_kink_cost(x, y)
    knots = knots[weight(knots) * np.abs(jumps) > 1e-8 * data_cost]
    affine, jumps = _least_squares_on_knots(x, zs * scale, knots)
    fitted = affine[0] + affine[1] * x + relu(x[:, None] - knots[None, :]) @ jumps
    sol = solve_bias_penalised(x, fitted, 0.0)
    sol.lam = lam
    lam_dual = (y - sol(x)) / lam   # the fit's own KKT multipliers certify the whole fit
    sol.certificate = _certify(x, sol(x), lam_dual, sol, 1e-3 * data_cost)
    return sol
