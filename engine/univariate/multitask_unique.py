r"""Is the biases-penalised multi-task minimiser unique? A dual test (docs/univariate.md §6).

Criterion. Let e be an optimal dual (node values of η, ``multitask_polish``), η(t) ∈ ℝᵀ affine on
each interval [α, β] between consecutive inputs, η = a + b·t there, ω(t) = √(1+t²). Every minimiser
is a measure on the saturation set S = {t: ‖η(t)‖ = ω(t)} whose kink at t points along η(t)
(complementary slackness; Nakhleh, Shenouda & Nowak 2024; Boursier & Flammarion 2023 for T = 1), and
conversely every such measure that interpolates is a minimiser (its cost ∫ω d‖μ‖ = ∫⟨η, dμ⟩ = the
dual value). On an interval q(t) = ‖a + bt‖² − (1 + t²) ≤ 0 is a quadratic, so S ∩ [α, β] is
  * the ends and/or one interior tangent point (a double root of q), or
  * the whole interval, when q ≡ 0, i.e. ‖a‖ = ‖b‖ = 1, a ⟂ b (possible only for T ≥ 2).
On a whole saturated interval a kink at t with mass ν·ω(t) is ν(a + bt): the data see the measure
only through (m₀, m₁, m₂) = ∫(1, t, t²)dν, and its cost is m₀ + m₂. A measure on [α, β] is the only
one with its three moments iff its index is < 3/2 (interior atoms count 1, atoms at α or β count ½:
Krein & Nudelman, *The Markov moment problem*, ch. II, or Karlin & Studden 1966): one atom, or the
two ends. So the minimiser is unique iff
  (i) no wholly saturated interval carries a measure of index ≥ 3/2, and
  (ii) the linear map from the amounts (a mass per isolated point of S, three moments per wholly
       saturated interval) to the data's slope changes is injective.
Where (ii) fails but every point in the kernel's support carries mass, the minimiser is not unique
either; otherwise the test says None (cannot tell). Generic data: for T = 1 (i) cannot happen; for
T ≥ 2 both regimes occur with positive probability (a wholly saturated interval costs three
conditions on the dual and frees three moments), e.g. about one random two-task problem in five of
5–11 Gaussian points is not unique (checked against cvxpy on a fine grid, tests/test_multitask_unique.py).
Extremes. On such an interval the two principal representations of (m₀, m₁, m₂): an atom at α plus
one inside (lower) and one inside plus an atom at β (upper), both in closed form.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from engine.univariate.costs import weight
from engine.univariate.multitask_polish import Grids, function, multipliers_of, node_duals, polish, structure

SAT = 1e-9      # 1 − ‖η‖/ω below this: on the dual sphere
MASS = 1e-9     # masses below this × the largest are zero
RANK = 1e-11    # pivots of the normalised Gram matrix below this: rank deficient


def _pieces(grids: Grids, e):
    """η at the union inputs (T, n) and, per interval, (a, b) with η = a + b·t there."""
    u = grids.u
    eta, _ = grids.eta(e, u)
    b = np.diff(eta, axis=1) / np.diff(u)
    a = eta[:, :-1] - b * u[:-1]
    return eta, a, b


def _ratio(a, b, t):
    return np.linalg.norm(a + b * t, axis=0) / weight(t)


def verdict(grids: Grids, t, J, e, sat: float = SAT):
    """(unique, continua) for the polished atoms (t, J) and dual e: ``unique`` True/False/None,
    ``continua`` the intervals k whose measure can be re-spread (their index is ≥ 3/2)."""
    u = grids.u
    n = len(u)
    eta, a, b = _pieces(grids, e)
    ends = _ratio(eta, 0.0, u)
    whole = np.ones(n - 1, bool)
    for s in (0.0, 0.5, 1.0):
        whole &= 1 - _ratio(a, b, u[:-1] + s * np.diff(u)) <= sat
    mass = np.linalg.norm(J, axis=1) / weight(t)          # ν = ‖J‖/ω
    live = mass > MASS * mass.max(initial=0.0)
    k = np.clip(np.searchsorted(u, t, "right") - 1, 0, n - 2)
    at_input = np.isin(t, u)
    continua = []
    for c in np.flatnonzero(whole):
        inside = live & ~at_input & (k == c)
        at_end = live & at_input & ((t == u[c]) | (t == u[c + 1]))
        if inside.sum() + 0.5 * at_end.sum() >= 1.5:
            continua.append(int(c))
    if continua:
        return False, continua
    # (ii): columns for the isolated saturated points (atoms, saturated inputs) off whole intervals
    points = np.union1d(t, u[ends >= 1 - sat])
    covered = np.zeros(len(points), bool)
    for c in np.flatnonzero(whole):
        covered |= (points >= u[c]) & (points <= u[c + 1])
    points = points[~covered]
    r, j, kk, w, _ = grids.hats(points)
    direction, _ = grids.eta(e, points)
    direction = direction / np.maximum(np.linalg.norm(direction, axis=0), 1e-300)
    cols = [sp.csc_matrix((direction[kk, j] * w, (r, j)), shape=(grids.rows, len(points)))]
    for c in np.flatnonzero(whole):   # three moment columns: J(s) = ν(a + bs), H = h₀ + h₁s
        mid = np.array([(u[c] + u[c + 1]) / 2])
        r, _, kk, w, dw = grids.hats(mid)
        h0, h1 = w - dw * mid[0], dw
        ac, bc = a[kk, c], b[kk, c]
        cols.append(sp.csc_matrix((np.concatenate([ac * h0, ac * h1 + bc * h0, bc * h1]),
                                   (np.tile(r, 3), np.repeat([0, 1, 2], len(r)))), shape=(grids.rows, 3)))
    G = sp.hstack(cols).tocsc()
    if G.shape[1] == 0:
        return True, []
    norms = np.sqrt(np.asarray(G.multiply(G).sum(axis=0)).ravel())
    if (norms == 0).any():
        return None, []
    G = G @ sp.diags(1 / norms)
    position = np.r_[points, np.repeat((u[:-1] + u[1:])[whole] / 2, 3)]
    order = np.argsort(position, kind="stable")
    if _banded_full_rank(G[:, order]):
        return True, []
    if G.shape[1] > 600:
        return None, []
    gram = (G.T @ G).toarray()
    # rank deficient: not unique if the kernel moves only atoms that carry mass
    kernel = np.linalg.eigh(gram)[1][:, 0]
    support = np.abs(kernel[:len(points)]) > 1e-6
    carried = np.isin(points, t[live])
    return (False if (carried | ~support).all() else None), []


def _banded_full_rank(G):
    """Full column rank of G (columns ordered by position, so GᵀG is banded): the pivots of GᵀG's
    LU in its natural order without pivoting (= the LDLᵀ pivots of a positive semidefinite matrix;
    SuperLU, no dense BLAS). True, or None when a pivot is tiny (rank deficient or nearly so)."""
    import scipy.sparse.linalg as spla

    gram = (G.T @ G).tocsc()
    try:
        lu = spla.splu(gram, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
    except RuntimeError:   # exactly singular
        return None
    pivots = np.abs(lu.U.diagonal())
    return True if pivots.min(initial=np.inf) > RANK * max(pivots.max(initial=0.0), 1e-300) else None


def extremes(grids: Grids, t, J, e, continua):
    """The two principal representations (lower, upper) on each interval of ``continua``: atoms at
    α and t₁ (lower) or t₂ and β (upper) with the interval's moments; elsewhere the atoms as given."""
    u = grids.u
    _, a, b = _pieces(grids, e)
    out = []
    for side in (0, 1):
        tt, JJ = t.copy(), J.copy()
        for c in continua:
            lo, hi = u[c], u[c + 1]
            here = (tt >= lo) & (tt <= hi)
            nu = np.linalg.norm(JJ[here], axis=1) / weight(tt[here])
            m0, m1, m2 = nu.sum(), (nu * tt[here]).sum(), (nu * tt[here] ** 2).sum()
            end = lo if side == 0 else hi
            c1 = m1 - end * m0                       # moments about the end: ∫(s − end)ⁱ dν
            c2 = m2 - 2 * end * m1 + end * end * m0
            inner = end + c2 / c1
            q = c1 * c1 / c2
            pos, nus = np.array([end, inner]), np.array([m0 - q, q])
            new = nus[:, None] * (a[:, c][None, :] + b[:, c][None, :] * pos[:, None])
            tt, JJ = np.r_[tt[~here], pos], np.vstack([JJ[~here], new])
        order = np.argsort(tt, kind="stable")
        out.append((tt[order], JJ[order]))
    return out


def refine(u, Ys, observed, f, multipliers):
    """Polish ``f`` (read off the conic program, whose multipliers are given) and decide uniqueness.
    Returns (answer, alternatives, multipliers) or None where the polish does not converge. A wholly
    saturated interval holding three atoms makes the KKT system singular (the measure moves freely):
    such intervals are first put in their lower representation (read at the conic tolerance)."""
    grids = Grids.of(u, Ys, observed)
    e0 = node_duals(grids, multipliers)
    out = polish(grids, f.knots, f.jumps, e0)
    if out is None:
        t, J, _ = structure(u, f.knots, f.jumps)
        _, continua = verdict(grids, t, J, e0, sat=1e-6)
        if not continua:
            return None
        out = polish(grids, *extremes(grids, t, J, e0, continua)[0], e0)
        if out is None:
            return None
    return decide(grids, *out)


def decide(grids: Grids, t, J, e):
    """(answer, alternatives, dual) of polished atoms (t, J) with dual e: the verdict, and
    where an interval's measure can be re-spread, its lower representation with the upper one as
    the alternative."""
    unique, continua = verdict(grids, t, J, e)
    answer, alternatives = function(grids, t, J), []
    if continua:
        answer, *alternatives = [function(grids, *_repolished(grids, p, e)) for p in extremes(grids, t, J, e, continua)]
    answer = replace(answer, unique=unique)
    # the dual for the certificate: multipliers, η at the inputs and Σ e·δ, straight from e (the
    # multipliers alone lose digits on short intervals: they are slope changes of η)
    return answer, alternatives, (multipliers_of(grids, e), grids.eta(e, grids.u)[0], float(e @ grids.delta))


def _repolished(grids, atoms, e):
    """An extreme polished on its own structure (it interpolates to rounding then), else as built."""
    out = polish(grids, *atoms, e)
    return atoms if out is None else out[:2]


def values_unique(u, Z, observed, multipliers, sat: float = 1e-7):
    """Bias free, tasks at their own inputs: are the values Z at the unobserved inputs determined?
    With the dual's node values e_i = η(u_i) (‖e_i‖ ≤ 1), the optimal values are exactly the z with
    z = y where observed, δ_i(z) = r_i e_i (r_i ≥ 0) where ‖e_i‖ = 1 and δ_i(z) = 0 elsewhere
    (complementary slackness of min Σ‖δ_i(z)‖, docs/univariate.md §6). With every r_i > 0 they are
    unique iff the linear map (free values, r) ↦ (δ_i(z) − r_i e_i) is injective. Returns True, or
    None where the test cannot tell (degenerate, rank deficient: the caller probes the face)."""
    from engine.univariate.certificate import node_values
    from engine.univariate.regularised import second_differences

    T, n = Z.shape
    if n < 3:
        return None
    e = node_values(u, multipliers)[:, 1:-1]                 # (T, n − 2) at the interior inputs
    norms = np.linalg.norm(e, axis=0)
    D = second_differences(u).tocsr()
    delta = (D @ Z.T).T                                      # (T, n − 2)
    size = np.linalg.norm(delta, axis=0)
    tiny = 1e-9 * max(size.max(initial=0.0), 1e-300)
    on = norms >= 1 - sat
    if (size[~on] > tiny).any() or (size[on] <= tiny).any():
        return None   # a kink where the dual is inside the ball, or a saturated node without one
    direction = e[:, on] / norms[on]
    if np.abs(delta[:, on] - size[on] * direction).max(initial=0.0) > 1e-6 * max(size.max(initial=0.0), 1e-300):
        return None
    # columns ordered by position: free value (τ, j) at j, r_i at the node i + 1; rows (node, task)
    Dc = D.tocoo()
    free = np.flatnonzero(~observed.T.ravel())               # index j·T + τ
    fj, ft = free // T, free % T
    col_of = np.full(n * T, -1)
    col_of[free] = np.arange(len(free))
    cols_r, cols_c, cols_v = [], [], []
    sel = ~observed[:, Dc.col]                               # (T, nnz): task τ free at column j
    tt, kk = np.nonzero(sel)
    cols_r.append(Dc.row[kk] * T + tt)
    cols_c.append(col_of[Dc.col[kk] * T + tt])
    cols_v.append(Dc.data[kk])
    nodes = np.flatnonzero(on)
    rcol = len(free) + np.arange(len(nodes))
    cols_r.append((nodes[:, None] * T + np.arange(T)[None, :]).ravel())
    cols_c.append(np.repeat(rcol, T))
    cols_v.append(-direction.T.ravel())
    G = sp.csc_matrix((np.concatenate(cols_v), (np.concatenate(cols_r), np.concatenate(cols_c))),
                      shape=((n - 2) * T, len(free) + len(nodes)))
    position = np.r_[fj, nodes + 1]
    G = G[:, np.argsort(position, kind="stable")]
    norms_c = np.sqrt(np.asarray(G.multiply(G).sum(axis=0)).ravel())
    if (norms_c == 0).any():
        return None
    return _banded_full_rank(G @ sp.diags(1 / norms_c))
