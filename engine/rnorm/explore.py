"""What the R-norm explorer shows about one 2-D function, computed here so that the page only draws it.

* ``exact_value``: which exact value applies to a gallery entry — a finite net (Σ‖a_k‖‖w_k‖ after merging
  hyperplanes, ``finite``), a sum of ridges (Σ‖w_i‖∫|g_i''|, ``gallery.ridge_rnorm``), a radial profile
  (the one-dimensional reduction, ``radial``) or a closed form — and whether the square grid applies at all
  (a net or a ridge sum does not decay, so the grid sees f·1_square, not f).
* ``folded_atoms``: a finite net's neurons on the grid's half circle θ ∈ [0, π) (``halfcircle.fold``:
  μ(θ + π, −b) = μ(θ, b), the weight keeps its sign).
* ``Neuron``: the unit σ(cos θ·x + sin θ·y − b) at a point (θ, b) of the measure: its hyperplane
  {cos θ·x + sin θ·y = b} as a segment across the square, and the side where it is active.
* ``ridge_measure``: where the measure of a sum of ridges g_i(w_iᵀx) lives: on the lines θ = angle of w_i,
  with density ‖w_i‖²g_i''(‖w_i‖b) over b (its mass ‖w_i‖∫|g_i''| is the ridge's exact norm).
* ``verdict``: the grid estimate's status in one sentence, with the numbers that decide it.
* ``grid_summary`` / ``export``: the grid estimate as a ``GridSummary`` (``to_dict()``: plain JSON values),
  one object for the page's download and ``python -m engine rnorm`` (``engine.rnorm.cli``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine.rnorm.finite import Measure, network_measure, network_rnorm
from engine.rnorm.grid import GridResult, grid_points
from engine.rnorm.halfcircle import fold

__all__ = ["Exact", "exact_value", "sample", "edge_is_small", "Neuron", "folded_atoms", "reference", "GridSummary",
           "grid_summary", "export", "measure_csv", "radial_summary", "measure_view", "ridge_measure", "verdict"]


@dataclass(frozen=True)
class Exact:
    """An exact ‖f‖_R (``value``: None when none is known, inf when infinite) with how it was obtained;
    ``atoms``: the merged neurons of a finite net; ``grid_applies``: whether f decays inside the square."""
    value: float | None
    note: str = ""
    atoms: Measure | None = None
    grid_applies: bool = True


def exact_value(example, radial=None) -> Exact:
    """The exact value that applies to a gallery ``example``.

    Parameters
    ----------
    example : Example or None
        None: a custom formula (no exact value).
    radial : callable, optional
        radial(profile) returns the ``RadialResult`` of a radial profile in d = 2 (the caller may cache it).

    Returns
    -------
    Exact
    """
    if example is None:
        return Exact(None)
    if example.network:
        net = {k: np.asarray(v, float) for k, v in example.network.items()}
        return Exact(network_rnorm(net["w"], net["b"], net["a"]), "exact: Σ‖a_k‖‖w_k‖ after merging hyperplanes",
                     network_measure(net["w"], net["b"], net["a"]), grid_applies=False)
    if example.ridges:
        from engine.rnorm.gallery import ridge_rnorm

        return Exact(ridge_rnorm(example.ridges), "exact: Σ‖w_i‖∫|g_i''| (sum of ridge functions)",
                     grid_applies=False)
    if example.radial:
        if radial is None:
            from engine.rnorm.formula import parse
            from engine.rnorm.radial import formula_rnorm

            def radial(text):
                return formula_rnorm(parse(text, variables=("r",)), 2)[0]
        rad = radial(example.radial)
        if rad.finite and not np.isfinite(rad.value):
            return Exact(None, f"The exact radial value is not available here ({rad.reason}).")
        masses = f" ({rad.point_mass:.6g} from point masses)" if rad.finite and rad.point_mass else ""
        return Exact(rad.value if rad.finite else float("inf"), "exact: one-dimensional radial reduction" + masses)
    if example.closed_form is not None:
        return Exact(example.closed_form, example.note)
    return Exact(None)


def sample(formula, extent: float, resolution: int) -> np.ndarray:
    """values[i, j] = f(x_j, y_i) on the cell-centred grid of ``rnorm_grid`` (``grid_points``).

    Parameters
    ----------
    formula : Formula
        In x, y (and r).
    extent : float
    resolution : int

    Returns
    -------
    ndarray, shape (resolution, resolution)
    """
    gx, gy = np.meshgrid(grid_points(extent, resolution), grid_points(extent, resolution))
    return np.broadcast_to(np.asarray(formula(x=gx, y=gy), float), gx.shape)


def edge_is_small(values, rel: float = 1e-6) -> bool:
    """Whether max |f| on the boundary rows and columns is below ``rel`` · max |f|.

    Otherwise the grid sees the jump of f·1_square at the edge.

    Parameters
    ----------
    values : ndarray, shape (n, n)
    rel : float, optional

    Returns
    -------
    bool
    """
    values = np.asarray(values, float)
    edge = max(np.abs(values[[0, -1], :]).max(initial=0), np.abs(values[:, [0, -1]]).max(initial=0))
    return bool(edge <= rel * max(np.abs(values).max(initial=0), 1e-300))


def folded_atoms(atoms: Measure):
    """The atoms of a finite net's measure on the half circle θ ∈ [0, π) (``halfcircle.fold``).

    Parameters
    ----------
    atoms : Measure
        Of a net with d = 2.

    Returns
    -------
    theta : ndarray
        Degrees.
    b, a, mass : ndarray
        Offsets, weights (one task) and masses.
    """
    a = np.asarray(atoms.a, float).reshape(len(atoms.b), -1)[:, 0]
    theta, b = fold(atoms.theta, atoms.b)
    return np.degrees(theta), b, a, atoms.mass


@dataclass(frozen=True)
class Neuron:
    """σ(cos θ·x + sin θ·y − b) for θ ∈ [0°, 180°) (``at`` folds any clicked angle there)."""
    theta_deg: float
    b: float

    @classmethod
    def at(cls, theta_deg: float, b: float) -> "Neuron":
        theta, b = fold(np.radians(theta_deg), b)
        return cls(float(np.degrees(theta)), b)

    @property
    def normal(self) -> np.ndarray:
        th = np.radians(self.theta_deg)
        return np.array([np.cos(th), np.sin(th)])

    def line(self, extent: float):
        """Two points of the hyperplane {nᵀx = b} beyond the square [−E, E]² on both sides: (xs, ys)."""
        n = self.normal
        ends = self.b * n[:, None] + np.outer([-n[1], n[0]], [-3 * extent, 3 * extent])
        return ends[0], ends[1]

    def active_arrow(self, extent: float):
        """(foot, tip): from the hyperplane's point nearest 0 into the side where nᵀx − b > 0."""
        foot = self.b * self.normal
        return foot, foot + 0.15 * extent * self.normal


def ridge_measure(ridges, extent: float, n: int = 401):
    """The measure of f = Σ g_i(w_iᵀx) on the half circle: per ridge (θ in degrees, b, density). A ridge is an
    infinitely wide net whose neurons σ(ŵᵀx − b) all share the direction ŵ = w/‖w‖ (Ongie et al. 2020;
    docs/design.md §1): g(‖w‖t) = ∫ ‖w‖²g''(‖w‖b) σ(t − b) db + affine, so its density over b is
    ‖w‖²g''(‖w‖b) (second differences of g), on |b| ≤ E√2; θ ∈ [π, 2π) folds to (θ − π, −b)."""
    from engine.rnorm.formula import parse

    bs = np.linspace(-extent * np.sqrt(2.0), extent * np.sqrt(2.0), n)
    out = []
    for text, w in ridges:
        g, scale = parse(text, variables=("t",)), float(np.linalg.norm(w))
        h = 1e-3 / scale
        density = scale ** 2 * (g(t=scale * (bs + h)) - 2 * g(t=scale * bs) + g(t=scale * (bs - h))) / (scale * h) ** 2
        theta, folded = fold(np.full(n, np.arctan2(w[1], w[0])), bs)
        order = np.argsort(folded)
        out.append((float(np.degrees(theta[0])), folded[order], np.asarray(density, float)[order]))
    return out


def verdict(result: GridResult, edge_small: bool = True) -> str:
    """The status of a grid estimate in one sentence, with the numbers behind it: the relative change
    between the two finest effective resolutions (``values_by_resolution``: the same samples at half the
    band limit play the 2× coarser grid), the growth that signals ‖f‖_R = ∞, or the kink found in the
    samples (``engine.rnorm.grid_error``). ``edge_small``: whether f is negligible at the square's edge
    (``edge_is_small``); if not, the jump of f·1_square is named as the likely cause."""
    res = sorted(result.values_by_resolution)
    values = [result.values_by_resolution[r] for r in res]
    coarse, fine = res[-2], res[-1]
    change = abs(values[-1] - values[-2]) / max(abs(values[-1]), 1e-300)
    if result.status == "diverging":
        if result.reason.startswith("the samples show"):   # engine.rnorm.kinks found a jump of ∇f
            text = f"diverging: {result.reason.split(':')[0]}, so ‖f‖_R = ∞"
        else:
            text = (f"diverging: the norm grows with resolution ({' → '.join(f'{v:.3g}' for v in values)} from "
                    f"{res[0]}² to {fine}²), so it is probably infinite")
    elif result.status == "converged":
        if result.reason.startswith("f is zero"):
            return f"converged: {result.reason}."
        return (f"converged: the {coarse}² and {fine}² estimates agree to {change:.1e} (relative), and the "
                f"error budget ± {result.estimate_error:.1e} is a bound.")
    else:
        why = ("the changes do not yet shrink steadily" if "asymptotic" in result.reason else
               "the estimated error exceeds 1% of the value")
        text = (f"not converged: the {coarse}² and {fine}² estimates differ by {change:.1e} (relative) and {why}, "
                "so ± is only an estimate, not a bound; refine the grid")
    if not edge_small:
        text += "; f is not small at the square's edge, so the grid sees the jump of f·1_square: enlarge E"
    return text + "."


def reference(exact: Exact, grid: GridResult | None) -> float | None:
    """The value a fitted network's cost is compared with.

    Parameters
    ----------
    exact : Exact
    grid : GridResult or None

    Returns
    -------
    float or None
        The exact value if finite, else a converged grid estimate, else None.
    """
    if exact.value is not None and np.isfinite(exact.value):
        return float(exact.value)
    return grid.value if grid is not None and grid.status == "converged" else None


@dataclass(frozen=True)
class GridSummary:
    """The grid estimate in JSON terms (``GridResult``): ``rnorm`` (None when diverging: ‖f‖_R = ∞),
    ``converged``, ``status``, ``reason``, ``estimate_error`` (None when unknown), ``error_is_bound`` and
    ``error_parts`` (None for unknown parts). One object for the page's download and the CLI's answer."""

    rnorm: float | None
    converged: bool
    status: str
    reason: str
    estimate_error: float | None
    error_is_bound: bool
    error_parts: dict

    def to_dict(self) -> dict:
        """JSON-ready dict with the fields above (``python -m engine rnorm``'s answer for a function)."""
        return {**asdict(self), "error_parts": dict(self.error_parts)}


def grid_summary(result: GridResult) -> GridSummary:
    """The ``GridSummary`` of a grid estimate.

    Parameters
    ----------
    result : GridResult
        From ``rnorm_grid``.

    Returns
    -------
    GridSummary
    """
    finite = result.status != "diverging"
    return GridSummary(result.value if finite else None, bool(result.converged and finite), result.status,
                       result.reason, result.estimate_error if np.isfinite(result.estimate_error) else None,
                       result.error_is_bound,
                       {k: (v if np.isfinite(v) else None) for k, v in result.error_parts.items()})


def export(text: str, extent: float, resolution: int, grid: GridResult | None, exact: Exact) -> dict:
    """The page's results download: the function, the grid summary (or "not applicable") and the exact value.

    Parameters
    ----------
    text : str
        The formula.
    extent : float
    resolution : int
    grid : GridResult or None
    exact : Exact

    Returns
    -------
    dict
        JSON-ready {"formula", "extent", "resolution", "grid" (``GridSummary.to_dict()``), "exact"}.
    """
    return {"formula": text, "extent": extent, "resolution": resolution,
            "grid": grid_summary(grid).to_dict() if grid is not None else {"rnorm": None, "status": "not applicable"},
            "exact": exact.value if exact.value is not None and np.isfinite(exact.value) else None}


def measure_csv(result: GridResult) -> str:
    """μ(θ_a, b_k) as CSV: a header row "theta (rad)", b_0, b_1, … then one row per angle.

    Parameters
    ----------
    result : GridResult

    Returns
    -------
    str
    """
    import io

    out = io.StringIO()
    out.write(",".join(["theta (rad)", *(f"{b:.12g}" for b in result.bs)]) + "\n")
    np.savetxt(out, np.column_stack([result.thetas, result.mu]), fmt="%.12g", delimiter=",")
    return out.getvalue()


def radial_summary(dims, curve) -> dict:
    """A curve of ``RadialResult`` over the dimensions, as the page shows it.

    Parameters
    ----------
    dims : sequence of int
    curve : list of RadialResult

    Returns
    -------
    dict
        "values" (nan where infinite), "infinite" (the dims), "reason" (of the first infinite one),
        "worst_error" (of the finite values) and "table" (values and point masses).
    """
    values = [c.value if c.finite else np.nan for c in curve]
    infinite = [d for d, c in zip(dims, curve) if not c.finite]
    worst = max((c.error_estimate for c in curve if c.finite and np.isfinite(c.value)), default=0.0)
    return {"values": values, "infinite": infinite, "worst_error": worst,
            "reason": curve[list(dims).index(infinite[0])].reason if infinite else "",
            "table": {"‖f‖_R": [c.value if c.finite else float("inf") for c in curve],
                      "from point masses": [c.point_mass if c.finite else float("nan") for c in curve]}}


def measure_view(result: GridResult, extent: float, max_offsets: int = 256):
    """The sinogram and the measure for display.

    Offsets are cropped to |b| ≤ E√2 (where Rf lives; μ's tails beyond decay like 1/b⁴) and thinned to
    at most ``max_offsets``.

    Parameters
    ----------
    result : GridResult
    extent : float
    max_offsets : int, optional

    Returns
    -------
    theta : ndarray
        Degrees.
    b : ndarray
    Rf, mu : ndarray of float32, shape (offsets, angles)
    """
    keep = np.flatnonzero(np.abs(result.bs) <= extent * np.sqrt(2.0))
    keep = keep[::max(1, int(np.ceil(len(keep) / max_offsets)))]
    return (np.degrees(result.thetas), result.bs[keep], result.sinogram[:, keep].T.astype(np.float32),
            result.mu[:, keep].T.astype(np.float32))
