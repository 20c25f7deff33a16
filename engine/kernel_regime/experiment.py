"""What a page of the multi-task kernel-regime experiment calls: pure functions of arrays and nets.

The networks come from the trainer ``engine.train.train(x, Y, *, width, lam, bias_penalty, optimizer,
lr, steps, seed, device, snapshot_every, grid, grid_tasks)``, whose snapshots carry ``.net`` (an
``engine.network.ShallowNet``; any object with numpy attributes a (K, T), w (K, d), b (K,), v (d, T),
c (T,) works here). The experiment of
Nakhleh, Shenouda & Nowak (NeurIPS 2024): train on ``data.square_data()`` alone (T = 1) and together
with ``data.bernoulli_tasks(100, 8, seed)`` (T = 101) for several seeds; ``kernel_view`` then shows how
close task 1 of each net is to kernel interpolation with the net's own neural kernel, and
``exact_view`` the exact single-task minimum-cost network for comparison.
"""
from __future__ import annotations

import numpy as np

from engine.kernel_regime.group_lasso import solve_group_lasso
from engine.kernel_regime.neural_kernel import function_distance, kernel_interpolate, neural_kernel
from engine.network import ShallowNet


def kernel_view(net, X, y, grid_points, *, task: int = 0, leave_task_out: bool = False) -> dict:
    """Compare task ``task`` of ``net`` with the minimum-norm interpolant of (X, y) in the RKHS of the
    net's neural kernel plus a free affine part (``neural_kernel.kernel_interpolate``).

    The kernel weights units by ‖a_k‖ over all tasks, or over all tasks but ``task`` if
    ``leave_task_out`` (then T ≥ 2 is needed). Returns a dict:
    ``net`` (M,) and ``kernel`` (M,): values on ``grid_points`` (M, d); ``distance``:
    function_distance(net, kernel) (relative RMS over the grid); ``gram`` (N, N) = K(X, X);
    ``condition``: its 2-norm condition number (inf if singular); ``kernel_residual`` and
    ``net_residual``: max_i |·(x_i) − y_i| of the interpolant and of the net; ``active_units``: units
    with nonzero kernel weight that are active on at least one data point.
    """
    X = np.asarray(X, float)
    X = X.reshape(len(X), -1)
    net = ShallowNet.of(net)
    K = neural_kernel(net, task if leave_task_out else None)
    fit = kernel_interpolate(K, X, y, grid_points)
    net_grid = net(grid_points)[:, task]
    gram = K(X, X)
    return {
        "net": net_grid,
        "kernel": fit.values,
        "distance": function_distance(net_grid, fit.values),
        "gram": gram,
        "condition": float(np.linalg.cond(gram)),
        "kernel_residual": fit.residual,
        "net_residual": float(np.max(np.abs(net(X)[:, task] - np.asarray(y, float)))),
        "active_units": int(np.sum((K.weights > 0) & np.any(X @ net.w.T - net.b >= 0, axis=0))),
    }


def exact_view(X, y, grid_points, lam: float = 0.0) -> dict:
    """The exact minimum-cost single-task network (``group_lasso.solve_group_lasso``) and its values.

    Returns {"result": GroupLassoResult, "values": (M,) values on ``grid_points``}.
    """
    result = solve_group_lasso(X, y, lam)
    return {"result": result, "values": result(grid_points)}
