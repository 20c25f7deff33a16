r"""Newton polish of a biases-penalised multi-task interpolant on its active structure
(docs/univariate.md §6).

Setting. Task τ is seen at its own inputs g_τ,0 < … < g_τ,n_τ−1 (all tasks at all inputs when the
inputs are shared) with values y_τ. f = affine + Σ_j J_j (x − t_j)₊, J_j ∈ ℝᵀ. Interpolation is,
per task, two anchor values (they fix the affine part) and the slope changes at the interior inputs:
    Σ_j J_jτ H_τi(t_j) = δ_τi,   H_τi the hat function of node i on the grid g_τ
(the slope change of (x − t)₊ at g_τi is H_τi(t)): each atom touches at most two rows per task, so
the system is banded. Cost Σ_j ω(t_j)‖J_j‖, ω(t) = √(1+t²). With node multipliers e_τi (the values
of the dual function η_τ(t) = Σ_i e_τi H_τi(t) at the nodes, docs/univariate.md §4) the KKT system
of a fixed structure (which atoms sit at inputs, which move inside an interval) is
    ω(t_j) J_j/‖J_j‖ = η(t_j)                        (T rows per atom: the atom is on the dual sphere)
    ω'(t_j)‖J_j‖ = ⟨J_j, η'(t_j)⟩                   (one row per moving atom: η touches the sphere)
    Σ_j J_jτ H_τi(t_j) = δ_τi                        (interpolation)
a square sparse system, the Hessian block-diagonal per atom. Newton on it from the conic program's
answer (positions good to about the square root of its tolerance) converges quadratically; the
answer is kept only if it interpolates and costs no more than what it started from.
References: Boursier & Flammarion, NeurIPS 2023 (the penalised cost); Nakhleh, Shenouda & Nowak,
NeurIPS 2024 (T tasks); chain_polish (the same idea for T = 1).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from engine.univariate.costs import weight
from engine.univariate.interpolant import Interpolant

SNAP = 1e-9   # an atom this close (× its interval) to an input sits at the input


@dataclass
class Grids:
    """Per task: indices of its inputs in the union ``u``, and the rows of its interior nodes."""
    u: np.ndarray
    Y: np.ndarray            # (T, n) values (0 where unobserved)
    idx: list                # idx[τ]: indices into u of task τ's inputs
    offset: np.ndarray       # first row of task τ
    rows: int
    delta: np.ndarray        # (rows,) slope changes of the data

    @classmethod
    def of(cls, u, Y, observed):
        idx = [np.flatnonzero(o) for o in observed]
        sizes = np.array([max(len(i) - 2, 0) for i in idx])
        offset = np.r_[0, np.cumsum(sizes)[:-1]]
        delta = []
        for k, i in enumerate(idx):
            s = np.diff(Y[k, i]) / np.diff(u[i])
            delta.append(np.diff(s))
        return cls(u, Y, idx, offset, int(sizes.sum()), np.concatenate(delta) if delta else np.zeros(0))

    def hats(self, t):
        """Entries (row, atom, task, H, H') of the interpolation rows for atoms at positions t."""
        T = len(self.idx)
        if T > 1 and self.rows == T * (len(self.u) - 2) and len(self.u) >= 3:   # every task at every input
            r, j, _, w, dw = Grids(self.u, self.Y[:1], self.idx[:1], self.offset[:1], len(self.u) - 2,
                                   self.delta[:len(self.u) - 2]).hats(t)
            k = np.repeat(np.arange(T), len(r))
            return (np.tile(r, T) + k * (len(self.u) - 2), np.tile(j, T), k, np.tile(w, T), np.tile(dw, T))
        out = []
        for k, i in enumerate(self.idx):
            g = self.u[i]
            if len(g) < 3:
                continue
            p = np.searchsorted(g, t, "right") - 1
            ok = (p >= 0) & (p <= len(g) - 2)
            j, p = np.flatnonzero(ok), p[ok]
            h = g[p + 1] - g[p]
            wl, wr = (g[p + 1] - t[j]) / h, (t[j] - g[p]) / h
            for node, w, dw in ((p, wl, -1 / h), (p + 1, wr, 1 / h)):
                row = (node >= 1) & (node <= len(g) - 2)
                out.append((self.offset[k] + node[row] - 1, j[row], np.full(row.sum(), k), w[row], dw[row]))
        if not out:
            z = np.zeros(0)
            return z.astype(int), z.astype(int), z.astype(int), z, z
        return tuple(np.concatenate(c) for c in zip(*out))

    def eta(self, e, t):
        """η(t) and η'(t) (T, len(t)) from the node values e (rows)."""
        r, j, k, w, dw = self.hats(t)
        T = self.Y.shape[0]
        eta, deta = np.zeros((T, len(t))), np.zeros((T, len(t)))
        np.add.at(eta, (k, j), e[r] * w)
        np.add.at(deta, (k, j), e[r] * dw)
        return eta, deta

    def affine(self, knots, jumps):
        """(c, v) per task from its first two inputs (the anchors), given the kinks."""
        T = self.Y.shape[0]
        out = np.zeros((T, 2))
        for k, i in enumerate(self.idx):
            x = self.u[i[:2]]
            if len(x) < 2:
                continue
            ramp = np.maximum(x[:, None] - knots[None, :], 0.0) @ jumps[:, k]
            out[k] = np.linalg.solve(np.column_stack([np.ones(2), x]), self.Y[k, i[:2]] - ramp)
        return out


def structure(u, knots, jumps):
    """Split the kinks of a function into atoms at inputs (fixed) and atoms inside intervals (moving);
    two kinks in one open interval stay as they are (a split measure: both move)."""
    k = np.clip(np.searchsorted(u, knots) - 1, 0, len(u) - 2)
    near = np.minimum(np.abs(knots - u[k]), np.abs(knots - u[k + 1])) <= SNAP * (u[k + 1] - u[k])
    snapped = np.where(np.abs(knots - u[k]) <= np.abs(knots - u[k + 1]), u[k], u[k + 1])
    t = np.where(near, snapped, knots)
    order = np.argsort(t, kind="stable")
    t, J, moving = t[order], jumps[order], ~near[order]
    # kinks snapped onto one input are summed
    keep = np.r_[True, (np.diff(t) != 0) | moving[1:] | moving[:-1]]
    groups = np.cumsum(keep) - 1
    Jsum = np.zeros((groups[-1] + 1 if len(groups) else 0, J.shape[1]))
    np.add.at(Jsum, groups, J)
    return t[keep], Jsum, moving[keep]


def polish(grids: Grids, knots, jumps, e0, steps: int = 30):
    """Newton on the KKT system of the structure of (knots, jumps); returns (knots, jumps, e) or None
    when it does not converge (singular structure, an atom leaving its interval or vanishing)."""
    u = grids.u
    t, J, moving = structure(u, np.asarray(knots, float), np.asarray(jumps, float))
    drop = np.linalg.norm(J, axis=1) <= 1e-12 * max(np.abs(J).max(initial=0.0), 1e-300)
    t, J, moving = t[~drop], J[~drop], moving[~drop]
    if len(t) == 0 or grids.rows == 0:
        return None
    m, T = J.shape
    mov = np.flatnonzero(moving)
    lo = u[np.clip(np.searchsorted(u, t) - 1, 0, len(u) - 2)]
    hi = u[np.clip(np.searchsorted(u, t) - 1, 0, len(u) - 2) + 1]
    e = np.asarray(e0, float).copy()
    nJ, q, R = m * T, len(mov), grids.rows
    tcol = np.full(m, -1)
    tcol[mov] = nJ + np.arange(q)

    def residual(t, J, e):
        r, j, k, w, dw = grids.hats(t)
        cons = np.zeros(R)
        np.add.at(cons, r, J[j, k] * w)
        cons -= grids.delta
        eta, deta = grids.eta(e, t)
        norm = np.linalg.norm(J, axis=1)
        om = weight(t)
        FJ = om[:, None] * J / norm[:, None] - eta.T
        Ft = (t / om * norm - (J * deta.T).sum(1))[mov]
        return np.concatenate([FJ.ravel(), Ft, cons]), (r, j, k, w, dw), eta, deta, norm, om

    F, hat, eta, deta, norm, om = residual(t, J, e)
    phi = float(F @ F)
    scale = max(float(np.abs(grids.delta).max(initial=0.0)), 1.0)
    for _ in range(steps):
        if np.abs(F).max() <= 1e-14 * scale:
            break
        r, j, k, w, dw = hat
        # Hessian of the Lagrangian (block per atom) ...
        Jh = J / norm[:, None]
        rows, cols, vals = [], [], []
        blk = (om / norm)[:, None, None] * (np.eye(T)[None] - Jh[:, :, None] * Jh[:, None, :])
        base = np.arange(nJ).reshape(m, T)
        ii, jj = np.repeat(base[:, :, None], T, axis=2), np.repeat(base[:, None, :], T, axis=1)
        rows.append(ii.ravel()); cols.append(jj.ravel()); vals.append(blk.ravel())
        cross = (t / om)[:, None] * Jh - deta.T                        # ∂²L/∂J∂t
        if q:
            cj = (mov[:, None] * T + np.arange(T)[None, :]).ravel()
            ct = np.repeat(tcol[mov], T)
            rows += [cj, ct, tcol[mov]]
            cols += [ct, cj, tcol[mov]]
            vals += [cross[mov].ravel(), cross[mov].ravel(), norm[mov] / om[mov] ** 3]
        # ... and the constraint Jacobian A (rows: interpolation), in [[H, −Aᵀ], [A, 0]]
        n_th = nJ + q
        ar, ac, av = [r, ], [j * T + k], [w]
        sel = tcol[j] >= 0
        ar.append(r[sel]); ac.append(tcol[j[sel]]); av.append((J[j, k] * dw)[sel])
        ar, ac, av = np.concatenate(ar), np.concatenate(ac), np.concatenate(av)
        rows += [n_th + ar, ac]
        cols += [ac, n_th + ar]
        vals += [av, -av]
        K = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_th + R, n_th + R))
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", spla.MatrixRankWarning)
                step = spla.spsolve(K, -F)
        except (RuntimeError, ValueError):
            return None
        if not np.isfinite(step).all():
            return None
        dJ, dt, de = step[:nJ].reshape(m, T), step[nJ:n_th], step[n_th:]
        a, accepted = 1.0, False
        while a > 1e-4:
            t2 = t.copy()
            t2[mov] += a * dt
            J2 = J + a * dJ
            if ((t2[mov] > lo[mov]) & (t2[mov] < hi[mov])).all() and ((J2 * J).sum(1) > 0).all():
                res = residual(t2, J2, e + a * de)
                if float(res[0] @ res[0]) < phi:
                    t, J, e = t2, J2, e + a * de
                    F, hat, eta, deta, norm, om = res
                    phi, accepted = float(F @ F), True
                    break
            a /= 2
        if not accepted:
            break
    if np.abs(F).max() > 1e-9 * scale:
        return None
    return t, J, e


def node_duals(grids: Grids, multipliers):
    """Node values e (rows) of η from multipliers λ (T, n) of the data: η_τ(g_i) = Σ_{l>i} λ_l (g_l − g_i)."""
    e = np.zeros(grids.rows)
    for k, i in enumerate(grids.idx):
        if len(i) < 3:
            continue
        g, lam = grids.u[i], multipliers[k, i]
        tail = np.cumsum(lam[::-1])[::-1]
        tail_x = np.cumsum((lam * g)[::-1])[::-1]
        e[grids.offset[k]:grids.offset[k] + len(g) - 2] = tail_x[2:] - g[1:-1] * tail[2:]
    return e


def multipliers_of(grids: Grids, e):
    """λ = Dᵀe (T, n): the multipliers of the data whose η has node values e."""
    T, n = grids.Y.shape
    lam = np.zeros((T, n))
    for k, i in enumerate(grids.idx):
        if len(i) < 3:
            continue
        g = grids.u[i]
        h = np.diff(g)
        ek = np.r_[0.0, e[grids.offset[k]:grids.offset[k] + len(g) - 2], 0.0]
        slope = np.diff(ek) / h          # η' on each interval, 0 outside: λ_i is its change at g_i
        lam[k, i] = np.diff(np.r_[0.0, slope, 0.0])
    return lam


def function(grids: Grids, t, J) -> Interpolant:
    order = np.argsort(t, kind="stable")
    t, J = t[order], J[order]
    return Interpolant(t, J, grids.affine(t, J), bias_penalty=True)
