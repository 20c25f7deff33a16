"""The multi-task neural kernel regime (Nakhleh, Shenouda & Nowak, NeurIPS 2024) in two dimensions:
data of the experiment, exact activation patterns, the exact convex (group-lasso) minimum-cost network,
the neural kernel of a trained net and kernel interpolation with it. numpy/scipy only at import time;
cvxpy loads inside ``solve_group_lasso``.
"""
from engine.kernel_regime.data import bernoulli_tasks, grid, square_data
from engine.kernel_regime.experiment import exact_view, kernel_view
from engine.kernel_regime.group_lasso import GroupLassoResult, solve_group_lasso
from engine.kernel_regime.neural_kernel import KernelFit, function_distance, kernel_interpolate, neural_kernel
from engine.kernel_regime.patterns import activation_patterns, cover_count

__all__ = ["square_data", "bernoulli_tasks", "grid", "activation_patterns", "cover_count",
           "solve_group_lasso", "GroupLassoResult", "neural_kernel",
           "kernel_interpolate", "KernelFit", "function_distance", "kernel_view", "exact_view"]
