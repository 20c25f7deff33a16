"""Results are immutable: ``Interpolant`` (and ``SolutionRegion``) are frozen dataclasses, built once;
every solver route returns frozen objects, extremes included (issue 15, deliverable 4)."""
import dataclasses

import numpy as np
import pytest

from engine.univariate import interpolate
from engine.univariate.interpolant import Interpolant, SolutionRegion


def _assert_frozen(f: Interpolant):
    for name, value in (("cost", 1.0), ("knots", np.zeros(0)), ("unique", None), ("notes", ["x"]),
                        ("certificate", {}), ("lam", 2.0), ("extremes", [])):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(f, name, value)
    for g in f.extremes:
        with pytest.raises(dataclasses.FrozenInstanceError):
            g.cost = 0.0
    for region in f.regions:
        with pytest.raises(dataclasses.FrozenInstanceError):
            region.polygon = np.zeros((3, 2))


def test_assigning_an_attribute_raises():
    f = Interpolant([1.0], [[2.0]], [[0.0, 1.0]], cost=2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.cost = 3.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.jumps = np.ones((1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        SolutionRegion(0, (1, 2), np.zeros((3, 2))).task = 1
    assert f.cost == 2.0 and f.jumps.tolist() == [[2.0]]


def test_replace_builds_a_new_normalised_object():
    f = Interpolant([1, 2], [3, -1], [0, 1])                  # lists in, (m,), (m, T), (T, 2) arrays out
    g = dataclasses.replace(f, cost=4.0, notes=[*f.notes, "changed"], jumps=[1, 1])
    assert g is not f and g.cost == 4.0 and g.notes == ["changed"] and g.jumps.shape == (2, 1)
    assert np.isnan(f.cost) and f.notes == [] and f.jumps[:, 0].tolist() == [3.0, -1.0]
    assert g(np.array([3.0])).tolist() == [6.0]             # c + v·3 + 1·(3 − 1) + 1·(3 − 2) = 0 + 3 + 2 + 1


X = [0.0, 1.0, 2.0, 3.0, 4.0]
Y = [0.0, 1.0, 0.0, 2.0, 5.0]


@pytest.mark.parametrize("x, y, kwargs", [
    ([0, 1, 2, 3], [0, 0, 1, 3], {}),                                             # bias free, not unique
    (X, Y, {"bias_penalty": True}),                                               # biases penalised
    (X, Y, {"lam": 0.3}),                                                         # regularised, bias free
    (X, Y, {"bias_penalty": True, "lam": 0.3}),                                   # regularised, penalised
    (X, [Y, [1.0, 0.0, 2.0, 0.0, 1.0]], {"bias_penalty": True}),                   # two tasks
    (X, [Y, [1.0, 0.0, 2.0, 0.0, 1.0]], {"bias_penalty": True, "lam": 0.2}),       # two tasks, a fit
    ([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]], [[0, 0, 1, 3, 6], [0, 0, 2, 6, 12, 20]], {}),   # own inputs
    ([[0, 1, 2, 3], [0.5]], [[0, 1, 0, 2], [2]], {"bias_penalty": True}),         # a task seen once
    ([0, 1, 1, 2], [0, 1, 1, 0], {}),                                             # duplicates merged: notes
])
def test_interpolate_results_are_frozen(x, y, kwargs):
    f = interpolate(x, y, **kwargs)
    assert isinstance(f, Interpolant)
    _assert_frozen(f)
    cost = f.cost
    g = dataclasses.replace(f, cost=cost + 1.0)
    assert f.cost == cost and g.cost == cost + 1.0


def test_routes_with_extremes_regions_and_notes_are_covered():
    """The cases above reach the fields a solver used to patch in: extremes and regions (bias free,
    rescaled in the multi-task route), notes (free slope, merged duplicates), a fit's lam."""
    own = interpolate([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]], [[0, 0, 1, 3, 6], [0, 0, 2, 6, 12, 20]])
    assert own.unique is False and len(own.regions) and len(own.extremes) == 2
    once = interpolate([[0, 1, 2, 3], [0.5]], [[0, 1, 0, 2], [2]], bias_penalty=True)
    assert once.unique is False and any("slope is free" in note for note in once.notes)
    assert interpolate([0, 1, 1, 2], [0, 1, 1, 0]).notes
    assert interpolate(X, Y, bias_penalty=True, lam=0.3).lam == 0.3
