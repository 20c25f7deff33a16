"""A thin call into Clarabel (interior-point conic solver) for the small sparse programs we build.

We call Clarabel directly instead of through cvxpy: the programs here have a fixed, known structure,
so building the sparse matrices with numpy takes microseconds, where cvxpy's canonicalisation takes
tens of milliseconds. Standard form: minimise ½uᵀPu + qᵀu subject to Au + s = b, s ∈ K.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class SolverError(RuntimeError):
    """The conic solver did not reach an optimal solution."""


def solve_conic(P, q, A, b, cones, tol: float = 1e-9):
    """Solve with Clarabel; returns (u, z) = primal solution and dual multipliers of the rows of A."""
    import clarabel

    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = tol
    settings.tol_feas = settings.tol_ktratio = tol
    settings.max_iter = 120
    n = A.shape[1]
    P = sp.csc_matrix((n, n)) if P is None else sp.triu(sp.csc_matrix(P)).tocsc()
    for equilibrate in (True, False):   # Clarabel's rescaling occasionally stalls it: retry without
        settings.equilibrate_enable = equilibrate
        solver = clarabel.DefaultSolver(P, np.asarray(q, float), sp.csc_matrix(A), np.asarray(b, float),
                                        cones, settings)
        sol = solver.solve()
        status = str(sol.status)
        if status in ("Solved", "AlmostSolved"):
            break
    else:
        raise SolverError(f"the optimisation did not converge (solver status {status}); the data may be "
                          "badly scaled")
    return np.asarray(sol.x), np.asarray(sol.z)


def soc_cones(count: int, dim: int):
    import clarabel

    return [clarabel.SecondOrderConeT(dim) for _ in range(count)]


class ConicRows:
    """Sparse constraint rows s = b − A·u ∈ K, appended cone by cone (Clarabel's standard form)."""

    def __init__(self, n_vars: int):
        self.n, self.count, self.cones = n_vars, 0, []
        self._r, self._c, self._v, self._b = [], [], [], []

    def add(self, cone, height: int, entries, b=None):
        """``entries``: (row within the block, column, coefficient of u in the cone value s)."""
        for row, col, coef in entries:
            row, col, coef = np.broadcast_arrays(np.asarray(row), np.asarray(col), np.asarray(coef, float))
            self._r.append(self.count + row.ravel())
            self._c.append(col.ravel())
            self._v.append(-coef.ravel())
        self._b.append(np.zeros(height) if b is None else np.asarray(b, float))
        self.cones.append(cone)
        self.count += height

    def add_blocks(self, cone, count: int, height: int, rows, cols, coefs):
        """``count`` cones ``cone()`` of ``height`` rows each at once; ``rows`` (within a block), ``cols``
        and ``coefs``: arrays (count, entries), one row per block."""
        rows, cols, coefs = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(coefs, float))
        self._r.append((self.count + height * np.arange(count)[:, None] + rows).ravel())
        self._c.append(cols.ravel())
        self._v.append(-coefs.ravel())
        self._b.append(np.zeros(count * height))
        self.cones.extend(cone() for _ in range(count))
        self.count += count * height

    def matrices(self):
        A = sp.csc_matrix((np.concatenate(self._v), (np.concatenate(self._r), np.concatenate(self._c))),
                          shape=(self.count, self.n))
        return A, np.concatenate(self._b)
