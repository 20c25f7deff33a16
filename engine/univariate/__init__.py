"""Univariate ReLU-network function spaces: costs, exact min-norm solvers, solution sets, references."""
