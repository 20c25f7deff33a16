"""Shared test set-up."""


def pytest_sessionstart(session):
    # Compile (fresh checkout, ~20-40 s) or load the numba one-task solvers once, before any test is timed:
    # hypothesis deadlines and timed page runs must not pay for it.
    from ui.warm_up import warm_engine

    warm_engine()
