r"""Multi-task minimum-norm interpolation in general: biases penalised with T ≥ 2 tasks, and tasks
observed at different inputs (docs/design.md §2; Nakhleh, Shenouda & Nowak 2024; Boursier & Flammarion 2023).

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
Reading the solution. Kinks of one interval (or across an input) that are positively collinear are
merged at their mass-weighted position (strictly cheaper, Jensen, as in ``bias_penalised``): far from
0 the interior point leaves such pairs, and the gain is below its tolerance. A split counts only if
its two extremes differ visibly (SPLIT) and cost the same (CHECK). The function is rebuilt through its
breakpoints, so it interpolates to rounding (of its terms: very uneven spacing makes the canonical
form itself lose digits).
Biases penalised, interpolation (docs/univariate.md §6): with every task at every input the
active-set method of ``multitask_active`` (connect-the-dots, Newton on the KKT system, merging the end
kinks of intervals where the dual leaves the sphere) answers first, with no conic program; otherwise
the semidefinite program is read as above and then polished by Newton on its active structure
(``multitask_polish``), so knots and jumps are exact to rounding. Uniqueness is decided from the
polished dual (``multitask_unique``): the saturation set {‖η(t)‖ = ω(t)}, wholly saturated intervals
(‖a‖ = ‖b‖ = 1, a ⟂ b: the measure there can be re-spread when its moment index is ≥ 3/2) and
injectivity of the amounts on it. For T ≥ 2 such intervals occur with positive probability (about
one random two-task problem in five): those answers are really not unique.
Uniqueness of the values at unobserved inputs (bias free): the dual test
``multitask_unique.values_unique`` (saturated nodes and injectivity), face probes
(``multitask_program.face_probes``) only where it cannot tell; a task seen at one input keeps a free
slope (``free_slopes``); ``unique`` is None where neither can tell.
Accuracy: interior point at tolerance 1e-12 and the polish: biases penalised, the cost matches cvxpy
on a grid refined around the knots to 1e-9 relative and the certificate's gap is ~1e-15. Fits
(lam > 0) with biases penalised are not polished: far from 0 (|x| ≳ 50) or on very uneven spacing the
cost pins their knots only weakly.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from engine.univariate.bias_free import connect_the_dots, scaled_regions, solve_bias_free
from engine.univariate.costs import representation_cost, weight
from engine.univariate.interpolant import Interpolant, relu
from engine.univariate.multitask_program import Program, certificate, face_probes
from engine.univariate.multitask_active import solve_active
from engine.univariate.multitask_polish import Grids
from engine.univariate.multitask_unique import decide, refine, values_unique
from engine.univariate.regularised import affine_fit, second_differences

FLAT = 1e-7       # kinks below FLAT × the largest are interior-point noise
READINGS = (1e-7, 1e-5, 1e-3)   # noise levels for Z₁₂/√(Z₁₁Z₂₂), det Z/(Z₁₁Z₂₂) and end masses
SNAP = (1e-5, 1e-7)   # a kink within SNAP × the interval of an input is placed at the input (both read)
SPLIT = 1e-7      # minimisers closer than SPLIT × the data scale everywhere count as one
TIGHT = 1e-6      # relative gap below which the dual counts as on the sphere (a split may be real)
CHECK = 1e-7      # alternative minimisers must cost at most (1 + CHECK) × the answer
MERGE = 1e-6      # 1 − cos(angle) below which two kinks of one interval are merged (positively collinear)


def solve_multitask(u, Y, observed, bias_penalty: bool, lam: float = 0.0, *, active: bool = True) -> Interpolant:
    """Exact solution on inputs ``u`` (sorted, distinct) with values ``Y`` (T, n) where ``observed``
    (T, n) is True. Returns an ``Interpolant``; ``fitted`` holds its values at ``u``. ``active=False``
    skips the active-set method (tests of the semidefinite route)."""
    Y = np.where(observed, Y, 0.0)
    notes = []
    scale = float(np.abs(Y).max()) or 1.0
    affine = affine_fit(u, Y, observed)
    if lam == 0 and np.abs(np.where(observed, affine[:, :1] + affine[:, 1:] * u - Y, 0.0)).max() <= 1e-12 * scale:
        # every task's points lie on a line: that line, at cost 0 (the solver would leave noise kinks)
        sol = Interpolant.line(affine, u, bias_penalty=bias_penalty, certificate={"interpolation_residual": 0.0})
        return free_slopes(sol, u, observed)
    Ys = Y / scale
    if active and bias_penalty and lam == 0 and observed.all():   # the chain's active set first: no conic program
        fast = solve_active(u, Ys)
        answer = decide(Grids.of(u, Ys, observed), *fast) if fast is not None else None
        if answer is not None and answer[0].unique is not None:
            return _finished(u, Y, observed, scale, True, lam, *answer, notes)
    program = Program(u, Ys, observed, bias_penalty, lam / scale)
    best = program.solve()
    if lam == 0:   # the pinned values exactly, not to the solver's tolerance
        best.Z[observed] = Ys[observed]
    multipliers, decided = best.multipliers, False
    if bias_penalty:
        dual = best.multipliers if lam == 0 else np.where(observed, Ys - best.Z, 0.0) / (lam / scale)
        sol, alternatives = _penalised_function(u, best, dual)
        if lam == 0:   # Newton on the active structure, then the dual test of uniqueness
            refined = refine(u, Ys, observed, sol, best.multipliers)
            if refined is not None and _acceptable(refined[0], sol, u, Ys, observed):
                sol, alternatives, multipliers = refined
                decided = sol.unique is not None   # (it covers the values at unobserved inputs too)
    else:
        best.Z = _project_flat(u, best.Z, Ys, observed, lam / scale)
        sol, alternatives = solve_bias_free(u, best.Z), []
    if not bias_penalty and lam == 0 and not observed.all():   # the dual test first, then (if it cannot tell) probes
        decided = values_unique(u, best.Z, observed, best.multipliers) is True
    if not observed.all() and not decided:   # are the values at the unobserved inputs determined?
        if lam == 0:
            probes = face_probes(program, observed, best.value)
        else:   # the fitted values are unique (strictly convex loss): the optimal set is that of their
            probes = face_probes(Program(u, np.where(observed, best.Z, 0.0), observed, bias_penalty, 0.0),
                                  observed)   # minimum-cost interpolants
        if probes and not alternatives:   # the probes' functions must be minimisers too, or the
            others = [_function(u, probe, bias_penalty)[0] for probe in probes]   # probes were noise
            probes = others if _all_minimisers(sol, others) else None
        if probes is None and sol.unique is not False:   # (a split already shows two minimisers)
            sol = replace(sol, unique=None)
            notes.append("could not decide whether the values at unobserved inputs are unique")
        elif probes:
            sol = replace(sol, unique=False)
            alternatives = alternatives or probes
    if bias_penalty and alternatives and not _all_minimisers(sol, alternatives):   # a split misread
        sol, alternatives = replace(sol, unique=None), []
        notes.append("could not decide whether the minimiser is unique")
    return _finished(u, Y, observed, scale, bias_penalty, lam, sol, alternatives, multipliers, notes)


def _finished(u, Y, observed, scale, bias_penalty, lam, sol, alternatives, multipliers, notes) -> Interpolant:
    """Back to data units, costs, free slopes and the certificate (each step a new frozen object)."""
    penalty = "bias_penalised" if bias_penalty else "bias_free"
    extremes = []
    for f in sol.extremes or alternatives:
        if f is not sol:   # (readings are cached: the answer may be among its alternatives)
            f = replace(_rescaled(f, scale), bias_penalty=bias_penalty, lam=lam)
            extremes.append(replace(f, cost=representation_cost(f, penalty)))
    sol = _rescaled(sol, scale)
    sol = replace(sol, bias_penalty=bias_penalty, lam=lam, fitted=sol(u).reshape(Y.shape), extremes=extremes,
                  notes=list(notes))
    sol = free_slopes(replace(sol, cost=representation_cost(sol, penalty)), u, observed)
    if isinstance(multipliers, tuple):   # (λ, η at the inputs, Σ e·δ in scaled units) from the polish
        multipliers, nodes, dual = multipliers
        return replace(sol, certificate=certificate(u, Y, observed, sol, multipliers, lam, nodes=nodes,
                                                    dual=dual * scale))
    return replace(sol, certificate=certificate(u, Y, observed, sol, multipliers, lam))


def free_slopes(sol: Interpolant, u, observed) -> Interpolant:
    """A task seen at a single input x₀ is, in every minimiser, affine through its point (any kink of
    its own would only add to ‖J_k‖) with a free slope: adding v·(x − x₀) changes neither the data
    nor the cost. So the minimiser is not unique; the answer shows the task flat, the extremes tilted
    either way."""
    loose = np.flatnonzero(observed.sum(axis=1) < 2)
    if len(loose) == 0:
        return sol
    x0 = np.array([u[observed[k]][0] for k in loose])
    y0 = np.atleast_2d(sol(x0))[loose, np.arange(len(loose))]

    def flat(f):   # f with the loose tasks flat through their points (new arrays: f is not changed)
        jumps, affine = f.jumps.copy(), f.affine.copy()
        jumps[:, loose] = 0.0
        affine[loose] = np.column_stack([y0, np.zeros(len(loose))])
        g = replace(f, jumps=jumps, affine=affine)
        return replace(g, cost=representation_cost(g, "bias_penalised" if g.bias_penalty else "bias_free"))

    extremes = [flat(f) for f in sol.extremes]
    sol = flat(sol)
    if not extremes:
        tilt = np.zeros_like(sol.affine)
        size = max(np.abs(sol(u)).max(), 1.0) / max(u[-1] - u[0], 1e-300)
        tilt[loose, 0], tilt[loose, 1] = -size * x0, size
        extremes = [Interpolant(sol.knots, sol.jumps, sol.affine + sign * tilt, cost=sol.cost, unique=False,
                                bias_penalty=sol.bias_penalty, lam=sol.lam) for sign in (1.0, -1.0)]
    return replace(sol, unique=False, extremes=extremes,
                   fitted=None if sol.fitted is None else np.atleast_2d(sol(u)).reshape(sol.fitted.shape),
                   notes=[*sol.notes, *(f"task {k + 1} is seen at one input: its slope is free" for k in loose)])


def _acceptable(polished: Interpolant, read: Interpolant, u, Ys, observed) -> bool:
    """The polished answer interpolates (to 1e-12 of the data scale, or as well as the reading: large
    kinks round) and costs no more than the reading."""
    def miss(f):
        return np.abs(np.where(observed, np.atleast_2d(f(u)) - Ys, 0.0)).max()

    return miss(polished) <= max(1e-12 * max(np.abs(Ys).max(), 1e-300), 2 * miss(read)) and \
        _penalised_cost(polished) <= _penalised_cost(read) * (1 + 1e-12)


def _all_minimisers(sol: Interpolant, others) -> bool:
    """Do the other functions cost at most (1 + CHECK) × the answer (all interpolate by construction)?"""
    penalty = "bias_penalised" if sol.bias_penalty else "bias_free"
    ceiling = representation_cost(sol, penalty) * (1 + CHECK) + 1e-300
    return all(representation_cost(f, penalty) <= ceiling for f in others)


def _rescaled(f: Interpolant, scale: float) -> Interpolant:
    """f in data units: values (jumps, affine part, the regions' heights) times ``scale`` (a new object)."""
    return replace(f, jumps=f.jumps * scale, affine=f.affine * scale, regions=scaled_regions(f.regions, scale))


def _function(u, solution, bias_penalty):
    if bias_penalty:
        return _penalised_function(u, solution)
    return connect_the_dots(u, solution.Z), []


def _project_flat(u, Z, Ys, observed, lam):
    """Slope changes at the solver's noise level are zeros of the solution: project Z (per task, in
    least squares) onto {δ_i(z) = 0 there, z = y at the pinned entries (observed, when lam = 0)}. Kept
    only if the objective (cost, plus ½‖z − y‖²/lam on observed entries when fitting) does not grow:
    kinks span many decades where inputs are very unevenly spaced, and one below FLAT × the largest
    may be real."""
    D = second_differences(u).tocsr()
    norms = np.linalg.norm(D @ Z.T, axis=1)
    flat = norms <= FLAT * max(norms.max(initial=0), 1e-300)
    fixed = observed if lam == 0 else np.zeros_like(observed)
    out = Z.copy()
    if not flat.any():   # nothing to flatten: the projection only pins the fixed values
        out[fixed] = Ys[fixed]
        return out
    for task in range(Z.shape[0]):
        G = sp.vstack([D[flat], sp.eye(len(u), format="csr")[np.flatnonzero(fixed[task])]]).tocsr()
        if G.shape[0]:
            resid = G @ Z[task] - np.r_[np.zeros(flat.sum()), Ys[task, fixed[task]]]
            out[task] = Z[task] - spla.lsqr(G, resid, atol=1e-15, btol=1e-15, iter_lim=10 * len(u))[0]
    out[fixed] = Ys[fixed]

    def objective(V):
        fit = 0.5 * float((np.where(observed, V - Ys, 0.0) ** 2).sum()) / lam if lam > 0 else 0.0
        return fit + float(np.linalg.norm(D @ V.T, axis=1).sum())

    return out if objective(out) <= objective(Z) * (1 + 1e-12) else Z


# -- biases penalised: the function from the semidefinite solution --------------------------------
def _atoms(J, P_local, A_local, tol, tight=True):
    """Kinks of one interval in the local coordinate s ∈ [−½, ½] and whether they are forced.
    Z = B⁻¹A'B⁻ᵀ, B = [(1, −½) (1, ½)]: Z diagonal → kinks at the ends; rank one → one kink inside;
    rank two with Z₁₂ > 0 → one of many splits (two are returned: the extremes), but only where the
    dual is ``tight`` on the whole interval (else Z₁₂ is noise and the ends are read)."""
    a11, a12, a22 = A_local
    p = max(a11 / 4 - a12 + a22, 0.0)      # Z₁₁: left end
    q = max(a11 / 4 + a12 + a22, 0.0)      # Z₂₂: right end
    r = max(a11 / 4 - a22, 0.0)            # Z₁₂
    split = r > tol * np.sqrt(p * q)
    if min(p, q) <= tol * (p + q) or (split and p * q - r * r <= tol * p * q):
        # rank one: a single kink, at the end that carries the mass or inside (possibly a hair from
        # an end: Z = (p, r)(p, r)ᵀ/p with r ≪ p puts it at s = −½ + r/p, which no end test may swallow)
        return [[(float(np.clip(P_local @ J / max(J @ J, 1e-300), -0.5, 0.5)), J)]], True
    split &= tight
    if not split:
        choices = [[-0.5, 0.5]]
    else:   # Z = (q − r²/p)e₂e₂ᵀ + (p, r)(p, r)ᵀ/p  or  (p − r²/q)e₁e₁ᵀ + (r, q)(r, q)ᵀ/q
        choices = [[(r - p) / (2 * (p + r)), 0.5], [-0.5, (q - r) / (2 * (q + r))]]
    out = []
    for ss in choices:
        U = np.linalg.solve(np.array([[1.0, 1.0], ss]), np.vstack([J, P_local]))
        out.append(_merged([(s, U[i]) for i, s in enumerate(ss)]))
    if split and all(len(atoms) == 1 for atoms in out):   # every split merges: one kink, forced
        return out[:1], True
    return out, not split


def _merged(atoms):
    """Two positively collinear kinks of one interval merged into one at their mass-weighted
    position: the moments (J, P) are unchanged and the cost strictly drops (Jensen, √(1+t²) strictly
    convex). The optimum never holds such a pair, but far from 0 the interior-point solution does (the
    gain is tiny there), and it is the only splitting one task can show."""
    (s0, u0), (s1, u1) = atoms
    n0, n1 = np.linalg.norm(u0), np.linalg.norm(u1)
    if n0 == 0 or n1 == 0 or u0 @ u1 < (1 - MERGE) * n0 * n1:
        return atoms
    return [((n0 * s0 + n1 * s1) / (n0 + n1), u0 + u1)]


def _penalised_function(u, sol, dual=None):
    """The minimiser read off the semidefinite solution (and, where the measure can be split in many
    ways, a second one: the extremes). Which masses are solver noise is read at several levels (as
    in ``bias_penalised``) and the cheapest reading wins, its verdict included; connect-the-dots of
    the values is always feasible and is the fallback. ``dual`` (T, n): multipliers λ of the data, to
    tell real splits."""
    tight = np.ones(len(u) - 1, bool) if dual is None else _tight(u, dual)
    best, cache = None, {}
    for tol in READINGS:
        reading = min((_read_measure(u, sol, tol, snap, cache, tight) for snap in SNAP),
                      key=lambda reading: _penalised_cost(reading[0][0]))
        if best is None or _penalised_cost(reading[0][0]) < _penalised_cost(best[0][0]) * (1 - 1e-12):
            best = reading
    # the cheapest reading decides (a coarse one may call a real split a single kink, and cost more);
    # splits of noise are kept out by the dual (``tight``), and by SPLIT here and CHECK in the caller
    functions, unique = best
    if not unique and _distance(functions[0], functions[1]) <= SPLIT * max(np.abs(sol.Z).max(), 1e-300):
        functions, unique = functions[:1], True   # a split of noise-level masses: no visible freedom
    dots = replace(connect_the_dots(u, sol.Z), bias_penalty=True)
    if _penalised_cost(dots) < _penalised_cost(functions[0]) * (1 - 1e-9):
        functions = [dots]
    return replace(functions[0], unique=unique), functions[1:]


def _read_measure(u, sol, tol, snap, cache, tight):
    """The functions (one, or the two extremes of a split) of one reading; ``cache`` keeps those of
    readings already built (the levels often agree, and each build is a dense least squares)."""
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
            choices, forced = _atoms(J, P_local, A_local[k], tol, tight[k])
            unique &= forced
        for v in (0, 1):
            variants[v].append([(mid + h * s, jump) for s, jump in choices[min(v, len(choices) - 1)]])
    out = []
    for atoms in (variants if not unique else variants[:1]):
        key = (snap, repr([[(t, tuple(jump)) for t, jump in interval] for interval in atoms]))
        if key not in cache:
            cache[key] = _jensen_merged(u, Z, _breakpoint_function(u, Z, sigma, atoms, snap))
        out.append(cache[key])
    return out, unique


def _tight(u, dual):
    """Per interval: is η(t) = Σ_i λ_i (u_i − t)₊ on the dual sphere ‖η‖ = √(1+t²) all along it (at
    s = −¼, 0, ¼ to TIGHT)? A split (the measure spread over the interval) needs that."""
    eta1 = -np.cumsum(dual[:, ::-1], axis=1)[:, ::-1][:, 1:]
    eta0 = np.cumsum((dual * u)[:, ::-1], axis=1)[:, ::-1][:, 1:]
    out = np.ones(len(u) - 1, bool)
    for s in (-0.25, 0.0, 0.25):
        t = (u[:-1] + u[1:]) / 2 + s * np.diff(u)
        out &= 1 - np.linalg.norm(eta0 + t * eta1, axis=0) / weight(t) <= TIGHT
    return out


def _distance(f, g) -> float:
    """max |f − g| over the real line for two piecewise-linear functions with equal slopes outside
    their knots (minimisers agree on the data, hence outside): the maximum sits at a knot."""
    at = np.union1d(f.knots, g.knots)
    return float(np.abs(np.atleast_2d(f(at)) - np.atleast_2d(g(at))).max(initial=0))


def _penalised_cost(f):
    return float((weight(f.knots) * np.linalg.norm(f.jumps, axis=1)).sum())


def _breakpoint_function(u, Z, sigma, atoms_per_interval, snap) -> Interpolant:
    """The linear spline through the data values and each interior kink (placed on the line it
    starts from); kinks at the noise level are dropped and the jumps get the least-norm correction
    that makes f interpolate the values Z to rounding, unless then f would not (the spline is kept)."""
    bx, bz = list(u), list(Z.T)
    for k, atoms in enumerate(atoms_per_interval):
        slope, x0, z0 = sigma[:, k].copy(), u[k], Z[:, k].copy()
        eps = snap * (u[k + 1] - u[k])   # nearer to a data point than this: a kink at the data point
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
    affine = np.stack([bz[:, 0] - slopes[:, 0] * bx[0], slopes[:, 0]], axis=1)
    live, keep = norms > 0, norms > FLAT * norms.max(initial=0)
    full = Interpolant(bx[1:-1][live], d[:, live].T, affine, bias_penalty=True)   # interpolates as built
    drop = live & ~keep
    if not drop.any():
        return full
    # noise kinks dropped (and the rest corrected to interpolate), unless they matter at the data
    size = max(np.abs(Z).max(), 1e-300)
    if np.abs(relu(u[:, None] - bx[1:-1][drop][None, :]) @ d[:, drop].T).max() > 1e-9 * size:
        return full
    f = _interpolating(u, Z, bx[1:-1][keep], d[:, keep].T, affine)
    return f if np.abs(np.atleast_2d(f(u)) - Z).max() <= 1e-12 * size else full


def _interpolating(u, Z, knots, jumps, affine) -> Interpolant:
    """f with these knots and jumps (m, T), given the least-norm correction of its jumps that makes its
    slope changes at the inputs those of Z (T, n), and the affine part through the first two values:
    banded (the slope change of (x − t)₊ at u_i is the hat function H_i(t), two per knot, so HHᵀ is
    tridiagonal), never a dense least squares. ``affine`` is recomputed."""
    grids = Grids.of(u, Z, np.ones(Z.shape, bool))
    T, n = Z.shape
    if n < 3 or not len(knots):
        return Interpolant(knots, jumps, grids.affine(knots, jumps), bias_penalty=True)
    r, j, k, w, _ = grids.hats(knots)
    first = k == 0
    H = sp.csr_matrix((w[first], (r[first], j[first])), shape=(n - 2, len(knots)))
    resid = grids.delta.reshape(T, n - 2).T - H @ jumps          # (n − 2, T)
    HHt = (H @ H.T).tocsr()
    HHt = HHt + sp.identity(n - 2) * (1e-15 * max(HHt.diagonal().max(initial=0.0), 1e-300))
    jumps = jumps + H.T @ spla.spsolve(HHt.tocsc(), resid).reshape(n - 2, T)
    return Interpolant(knots, jumps, grids.affine(knots, jumps), bias_penalty=True)


def _jensen_merged(u, Z, f: Interpolant) -> Interpolant:
    """Runs of positively collinear kinks with no input strictly between them merged into one kink
    at their mass-weighted position (as ``bias_penalised.jensen_merge`` for one task): f is unchanged
    at the inputs and the cost strictly drops. Far from 0 the interior-point solution leaves such
    runs (a kink at an input next to one just inside the interval), and only this exact rule finds
    the gain, which is far below the solver's tolerance there."""
    merged = []   # [position, jump]
    for t, jump in zip(f.knots.tolist(), f.jumps):
        while merged and np.searchsorted(u, t, "left") == np.searchsorted(u, merged[-1][0], "right"):
            t0, j0 = merged[-1]
            n0, n1 = np.linalg.norm(j0), np.linalg.norm(jump)
            if n0 == 0 or n1 == 0 or j0 @ jump < (1 - MERGE) * n0 * n1:
                break
            merged.pop()
            t, jump = (n0 * t0 + n1 * t) / (n0 + n1), j0 + jump
        merged.append((t, jump))
    if len(merged) == len(f.knots):
        return f
    knots = np.array([t for t, _ in merged])
    g = Interpolant(knots, np.array([j for _, j in merged]).reshape(len(knots), -1), f.affine, bias_penalty=True)
    if np.abs(np.atleast_2d(g(u)) - Z).max() <= 1e-12 * max(np.abs(Z).max(), 1e-300):
        return g   # (exactly collinear kinks: the moments, hence the data, are kept)
    return _interpolating(u, Z, g.knots, g.jumps, g.affine)
