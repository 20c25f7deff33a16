r"""Multi-task minimum-norm interpolation in general: biases penalised with T ≥ 2 tasks, and tasks
observed at different inputs (DESIGN.md §2; Nakhleh, Shenouda & Nowak 2024; Boursier & Flammarion 2023).

Setting. f: ℝ → ℝᵀ, f(x) = c + v·x + Σ_k J_k (x − t_k)₊. The inputs of all tasks together are
u_1 < … < u_n; task τ is observed at a subset of them (``observed[τ]``), and f is free at the rest.
Minimise the cost (bias free Σ‖J_k‖, biases penalised Σ√(1+t_k²)‖J_k‖) subject to interpolation, or,
for lam > 0, ½Σ_observed (f_τ(u_i) − y_τi)² + lam·cost.

Bias free: kinks at the inputs suffice (our argument). On [u_k, u_{k+1}] the data see f'' only through
the moments M = (∫dμ, ∫t dμ) ∈ ℝ^{2×T}. The cheapest measure with given M is dual to
max ⟨Λ, M⟩ s.t. ‖Λᵀ(1, t)‖ ≤ 1 on the interval; ‖Λᵀ(1, t)‖ is convex in t, so it is largest at an end
and two kinks at the ends are always optimal. So f is a linear spline on the inputs and the program is
min_z Σ_i ‖δ_i(z)‖ over the values z at the unobserved inputs: a second-order cone program.

Biases penalised: a kink J at t costs ‖(1, t)‖·‖J‖, the nuclear norm of the rank-one moment matrix
(1, t)Jᵀ. So the cheapest measure on [a, b] with moments M is the atomic norm of M with atoms
(1, t)uᵀ, t ∈ [a, b], i.e. the nuclear norm with left factors in the cone K = cone{(1, a), (1, b)}:
    C(M) = min ½(tr A + tr C)  s.t.  [[A, M], [Mᵀ, C]] ⪰ 0,  A = B Z Bᵀ,  B = [(1, a) (1, b)],
                                 Z ⪰ 0, Z₁₂ ≥ 0   (Z doubly nonnegative = completely positive, 2×2)
(exact: from A = Σ w_j w_jᵀ with w_j ∈ K, the factorisation M = A^{½} R C^{½}, ‖R‖ ≤ 1, splits M into
atoms w_j z_jᵀ of total cost ≤ ½(tr A + tr C), and every measure gives a feasible (A, C) of its cost).
With the chain variables of ``bias_penalised`` (slopes σ_k at the inputs; J_k = σ_{k+1} − σ_k,
P_k = (z_k − σ_k u_k) − (z_{k+1} − σ_{k+1} u_{k+1})) the whole problem is one semidefinite program
with n − 1 blocks of size T + 2, solved by Clarabel. The atoms come from Z: Z diagonal → kinks at both
ends; rank one → a single kink inside; rank two with Z₁₂ > 0 → the dual polynomial ‖(1, t)‖² − ‖Λᵀ(1, t)‖²
vanishes on the whole interval, the measure can be split in infinitely many ways, and the minimiser
is *not unique* there (for T = 1 this cannot happen: Boursier & Flammarion's uniqueness).
Accuracy: interior-point (cost to ~1e-9 relative, certified by the reported duality gap); the
function is rebuilt through its breakpoints, so it interpolates to rounding.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from engine.univariate.bias_free import connect_the_dots, kink_floor, slope_changes, solve_bias_free
from engine.univariate.costs import representation_cost, weight
from engine.univariate.interpolant import Interpolant, relu
from engine.univariate.conic import SolverError
from engine.univariate.multitask_program import Program
from engine.univariate.regularised import second_differences

FLAT = 1e-7       # kinks below FLAT × the largest are interior-point noise
READINGS = (1e-7, 1e-5, 1e-3)   # noise levels for Z₁₂/√(Z₁₁Z₂₂), det Z/(Z₁₁Z₂₂) and end masses
SNAP = 1e-5      # a kink within SNAP × the interval of an input is placed at the input
MOVE = 1e-4       # values that move more than MOVE × the data scale on that face are not determined


def solve_multitask(u, Y, observed, bias_penalty: bool, lam: float = 0.0) -> Interpolant:
    """Exact solution on inputs ``u`` (sorted, distinct) with values ``Y`` (T, n) where ``observed``
    (T, n) is True. Returns an ``Interpolant``; ``fitted`` holds its values at ``u``."""
    Y = np.where(observed, Y, 0.0)
    notes = []
    scale = float(np.abs(Y).max()) or 1.0
    Ys = Y / scale
    program = Program(u, Ys, observed, bias_penalty, lam / scale)
    best = program.solve()
    if lam == 0:   # the pinned values exactly, not to the solver's tolerance
        best.Z[observed] = Ys[observed]
    if bias_penalty:
        sol, alternatives = _penalised_function(u, best)
    else:
        fixed = observed if lam == 0 else np.zeros_like(observed)
        best.Z = _project_flat(u, best.Z, Ys, fixed)
        sol, alternatives = solve_bias_free(u, best.Z), []
    if not observed.all():   # are the values at the unobserved inputs determined?
        probes = _face_probes(program, best, observed)
        if probes is None:
            sol.unique = None
            notes.append("could not decide whether the values at unobserved inputs are unique")
        elif probes:
            sol.unique = False
            alternatives = alternatives or [_function(u, probe, bias_penalty)[0] for probe in probes]
    sol = _rescaled(sol, scale)
    sol.extremes = sol.extremes or [_rescaled(f, scale) for f in alternatives]
    sol.bias_penalty, sol.lam, sol.fitted = bias_penalty, lam, sol(u).reshape(Y.shape)
    sol.cost = representation_cost(sol, "bias_penalised" if bias_penalty else "bias_free")
    for f in sol.extremes:
        f.bias_penalty, f.lam = bias_penalty, lam
        f.cost = representation_cost(f, "bias_penalised" if bias_penalty else "bias_free")
    sol.certificate = _certificate(u, Y, observed, sol, best.multipliers, lam)
    sol.notes = notes
    return sol


def _rescaled(f: Interpolant, scale: float) -> Interpolant:
    f.jumps, f.affine = f.jumps * scale, f.affine * scale
    for region in f.regions:
        region.polygon = region.polygon * np.array([1.0, scale])
    return f


def _function(u, solution, bias_penalty):
    if bias_penalty:
        return _penalised_function(u, solution)
    return connect_the_dots(u, solution.Z), []


def _project_flat(u, Z, Ys, fixed):
    """Slope changes at the solver's noise level are zeros of the solution: project Z (per task, in
    least squares) onto {δ_i(z) = 0 there, z = y at the fixed entries}."""
    D = second_differences(u).tocsr()
    norms = np.linalg.norm(D @ Z.T, axis=1)
    flat = norms <= FLAT * max(norms.max(initial=0), 1e-300)
    out = Z.copy()
    for task in range(Z.shape[0]):
        G = sp.vstack([D[flat], sp.eye(len(u), format="csr")[np.flatnonzero(fixed[task])]]).tocsr()
        if G.shape[0]:
            resid = G @ Z[task] - np.r_[np.zeros(flat.sum()), Ys[task, fixed[task]]]
            out[task] = Z[task] - spla.lsqr(G, resid, atol=1e-15, btol=1e-15, iter_lim=10 * len(u))[0]
    return out


def _face_probes(program: Program, best, observed):
    """Minimise and maximise a random functional of the unobserved values over the (slightly
    relaxed) optimal face. Returns the two solutions if they differ (the values are then not
    determined), [] if they agree, None if the solver cannot tell (the relaxed face is too thin)."""
    tilt = np.where(observed, 0.0, np.random.default_rng(0).normal(size=observed.shape))
    for slack in (1e-9, 1e-7):
        bound = best.value * (1 + slack) + 1e-14
        try:
            probes = [program.solve(tilt=sign * tilt, bound=bound) for sign in (1.0, -1.0)]
        except SolverError:
            continue
        spread = np.abs(probes[0].Z - probes[1].Z)[~observed].max(initial=0)
        move = max(MOVE, 30 * np.sqrt(slack))   # smooth directions move by ~√slack
        return probes if spread > move * max(np.abs(program.Ys).max(), 1e-300) else []
    return None


# -- biases penalised: the function from the semidefinite solution --------------------------------
def _atoms(J, P_local, A_local, tol):
    """Kinks of one interval in the local coordinate s ∈ [−½, ½] and whether they are forced.
    Z = B⁻¹A'B⁻ᵀ, B = [(1, −½) (1, ½)]: Z diagonal → kinks at the ends; rank one → one kink inside;
    rank two with Z₁₂ > 0 → one of many splits (two are returned: the extremes)."""
    a11, a12, a22 = A_local
    p = max(a11 / 4 - a12 + a22, 0.0)      # Z₁₁: left end
    q = max(a11 / 4 + a12 + a22, 0.0)      # Z₂₂: right end
    r = max(a11 / 4 - a22, 0.0)            # Z₁₂
    if min(p, q) <= tol * (p + q):         # one end carries no mass: a single kink at the other
        return [[(0.5 if q > p else -0.5, J)]], True
    split = r > tol * np.sqrt(p * q)
    if split and p * q - r * r <= tol * p * q:        # rank one: a single kink inside
        return [[(float(np.clip(P_local @ J / max(J @ J, 1e-300), -0.5, 0.5)), J)]], True
    if not split:
        choices = [[-0.5, 0.5]]
    else:   # Z = (q − r²/p)e₂e₂ᵀ + (p, r)(p, r)ᵀ/p  or  (p − r²/q)e₁e₁ᵀ + (r, q)(r, q)ᵀ/q
        choices = [[(r - p) / (2 * (p + r)), 0.5], [-0.5, (q - r) / (2 * (q + r))]]
    out = []
    for ss in choices:
        U = np.linalg.solve(np.array([[1.0, 1.0], ss]), np.vstack([J, P_local]))
        out.append([(s, U[i]) for i, s in enumerate(ss)])
    return out, not split


def _penalised_function(u, sol):
    """The minimiser read off the semidefinite solution (and, where the measure can be split in many
    ways, a second one: the extremes). Which masses are solver noise is read at several levels (as
    in ``bias_penalised``) and the cheapest reading wins; connect-the-dots of the values is always
    feasible and is the fallback."""
    best = None
    for tol in READINGS:
        functions, unique = _read_measure(u, sol, tol)
        if best is None or _penalised_cost(functions[0]) < _penalised_cost(best[0]) * (1 - 1e-12):
            best = functions
    # a split is real only if it stands at the coarsest reading; then that reading's two extremes
    functions = best if unique else [best[0]] + functions[1:]
    dots = connect_the_dots(u, sol.Z)
    if _penalised_cost(dots) < _penalised_cost(functions[0]) * (1 - 1e-9):
        functions = [dots]
    functions[0].unique = unique
    return functions[0], functions[1:]


def _read_measure(u, sol, tol):
    sigma, Z, A_local = sol.sigma, sol.Z, sol.A_local
    mass = A_local[:, 0] + A_local[:, 2]
    variants, unique = [[], []], True
    for k in range(len(u) - 1):
        h, mid = u[k + 1] - u[k], (u[k] + u[k + 1]) / 2
        if mass[k] <= FLAT * mass.max():
            choices = [[]]
        else:
            J = sigma[:, k + 1] - sigma[:, k]
            P_local = (sigma[:, k] + sigma[:, k + 1]) / 2 - (Z[:, k + 1] - Z[:, k]) / h
            choices, forced = _atoms(J, P_local, A_local[k], tol)
            unique &= forced
        for v in (0, 1):
            variants[v].append([(mid + h * s, jump) for s, jump in choices[min(v, len(choices) - 1)]])
    return [_breakpoint_function(u, Z, sigma, atoms) for atoms in (variants if not unique else variants[:1])], unique


def _penalised_cost(f):
    return float((weight(f.knots) * np.linalg.norm(f.jumps, axis=1)).sum())


def _breakpoint_function(u, Z, sigma, atoms_per_interval) -> Interpolant:
    """The linear spline through the data values and each interior kink (placed on the line it
    starts from); kinks at the noise level are dropped, then the jumps get the least-norm
    correction that makes f interpolate the values Z to rounding."""
    bx, bz = list(u), list(Z.T)
    for k, atoms in enumerate(atoms_per_interval):
        slope, x0, z0 = sigma[:, k].copy(), u[k], Z[:, k].copy()
        eps = SNAP * (u[k + 1] - u[k])   # nearer to a data point than this: a kink at the data point
        for t, jump in sorted(atoms, key=lambda a: a[0]):
            if u[k] + eps < t < u[k + 1] - eps:
                z0 = z0 + slope * (t - x0)
                x0 = t
                bx.append(t)
                bz.append(z0.copy())
            slope = slope + jump
    order = np.argsort(bx, kind="stable")
    bx, bz = np.asarray(bx)[order], np.asarray(bz)[order].T
    slopes = np.diff(bz, axis=1) / np.diff(bx)
    d = np.diff(slopes, axis=1)
    norms = weight(bx[1:-1]) * np.linalg.norm(d, axis=0)
    keep = norms > FLAT * norms.max(initial=0)
    knots = bx[1:-1][keep]
    basis = np.column_stack([np.ones_like(u), u, relu(u[:, None] - knots[None, :])])
    affine = np.stack([bz[:, 0] - slopes[:, 0] * bx[0], slopes[:, 0]], axis=1)
    coef = np.vstack([affine.T, d[:, keep].T])                  # (2 + m, T)
    coef = coef + np.linalg.lstsq(basis, Z.T - basis @ coef, rcond=None)[0]
    return Interpolant(knots, coef[2:], coef[:2].T, bias_penalty=True)


# -- certificate -------------------------------------------------------------------------------
def _certificate(u, Y, observed, sol, multipliers, lam) -> dict:
    """Dual check of optimality: η(t) = Σ_i λ_i (u_i − t)₊ must satisfy ‖η(t)‖ ≤ ω(t) (ω ≡ 1 bias
    free, √(1+t²) biases penalised); the dual objective Σ⟨λ_i, y_i⟩ (− lam/2‖λ‖² when fitting) then
    bounds the optimal value from below. λ: the solver's multipliers (lam = 0) or (y − f(u))/lam."""
    resid = np.where(observed, Y - sol.fitted, 0.0)
    lam_dual = resid / lam if lam > 0 else multipliers   # (a cost linear in y: λ needs no rescaling)
    eta1 = -np.cumsum(lam_dual[:, ::-1], axis=1)[:, ::-1][:, 1:]          # η = η0 + t·η1 on [u_k, u_{k+1}]
    eta0 = np.cumsum((lam_dual * u)[:, ::-1], axis=1)[:, ::-1][:, 1:]
    ends = [u[:-1], u[1:]]
    if sol.bias_penalty:   # ‖η0 + tη1‖² − (1 + t²) is quadratic: add its stationary point
        a2 = (eta1 ** 2).sum(0) - 1
        a1 = 2 * (eta0 * eta1).sum(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ends.append(np.clip(np.where(a2 < 0, -a1 / (2 * a2), u[:-1]), u[:-1], u[1:]))
    omega = weight if sol.bias_penalty else np.ones_like
    violation = max(float(np.max(np.linalg.norm(eta0 + t * eta1, axis=0) - omega(t))) for t in ends)
    if lam > 0:   # dual of ½‖f − y‖² + lam·cost: ⟨r, y⟩ − ½‖r‖² with r = lam·λ the residuals
        dual = float((resid * Y).sum()) - 0.5 * float((resid ** 2).sum())
    else:
        dual = float((lam_dual * Y).sum())
    primal = 0.5 * float((resid ** 2).sum()) + lam * sol.cost if lam > 0 else sol.cost
    return {"max_violation": max(violation, 0.0), "dual_objective": dual,
            "duality_gap": abs(primal - dual) / max(abs(primal), 1e-300),
            "interpolation_residual": float(np.abs(resid).max()) if lam == 0 else 0.0}
