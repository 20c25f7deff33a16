"""What /univariate draws for a point set and its options: the network solutions, the kernel interpolants and
the figure, without Streamlit state, so that the page's script and the live route (``ui/live.py``) build the
same figure from the same caches.

``Options`` are the sidebar's choices, checked again when they come back from a browser (``from_json``); the
solutions are cached across sessions (bounded, never modified).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

from engine import DataError
from engine.univariate import KERNELS, SolverError, interpolate, rkhs_interpolate
from ui.bounded_cache import MiB, bounded_cache
from ui.kernel_text import KERNEL_TEXT
from ui.univariate_figure import figure, window

LAMS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
NETWORKS = (("free", False, "bias-free"), ("pen", True, "biases-penalised"))
BANDWIDTHS = (0.1, 5.0)
HEIGHT = 600


@dataclass(frozen=True)
class Options:
    """The sidebar's choices that change the figure (``view``: the plot's view revision)."""
    free: bool = True
    pen: bool = True
    set: bool = True
    kernels: tuple[str, ...] = ("h1", "h2")
    bw: float = 1.0
    lam: float = 0.0
    view: int = 0
    dark: bool = False

    def to_json(self) -> dict:
        return {**asdict(self), "kernels": list(self.kernels)}

    @classmethod
    def from_json(cls, data) -> "Options":
        """Options sent back by a browser, checked: DataError on anything the page could not have sent."""
        if not isinstance(data, dict) or set(data) - set(cls.__dataclass_fields__):
            raise DataError("the figure options are malformed")
        kernels = data.get("kernels", [])
        if not isinstance(kernels, list) or not all(isinstance(k, str) and k in KERNELS for k in kernels) \
                or len(set(kernels)) != len(kernels):
            raise DataError("unknown or repeated kernel in the figure options")
        flags = {k: data.get(k, getattr(cls, k)) for k in ("free", "pen", "set", "dark")}
        bw, lam, view = data.get("bw", 1.0), data.get("lam", 0.0), data.get("view", 0)
        if not all(isinstance(v, bool) for v in flags.values()) or not isinstance(view, int) \
                or isinstance(view, bool) or not isinstance(bw, (int, float)) or not isinstance(lam, (int, float)) \
                or not (math.isfinite(bw) and BANDWIDTHS[0] <= bw <= BANDWIDTHS[1]) or lam not in LAMS:
            raise DataError("the figure options are out of range")
        return cls(**flags, kernels=tuple(kernels), bw=float(bw), lam=float(lam), view=view)


# Results are shared by every session (no copy per hit; bounded in entries and bytes) and never modified.
@bounded_cache(max_entries=2048, max_bytes=128 * MiB)
def solve(x, y, bias_penalty, lam):
    start = time.perf_counter()
    sol = interpolate(list(x), list(y), bias_penalty=bias_penalty, lam=lam)
    return sol, time.perf_counter() - start


@bounded_cache(max_entries=4096, max_bytes=128 * MiB)
def kernel_fit(x, y, name, bandwidth):
    return rkhs_interpolate(list(x), list(y), name, bandwidth=bandwidth if KERNELS[name].needs_bandwidth else 1.0)


@dataclass(frozen=True)
class Curves:
    """networks: {"free" | "penalised": (label, Interpolant)}; kernels: {name: (label, KernelInterpolant)};
    errors: messages for the page; seconds: engine time of the network solves."""
    networks: dict
    kernels: dict
    errors: list
    seconds: float


def curves(x, y, opts: Options) -> Curves:
    """The curves ``opts`` asks for (only those are computed: every click pays for what it draws)."""
    networks, errors, seconds = {}, [], 0.0
    for key, bias_penalty, label in NETWORKS:
        if getattr(opts, key) and len(x) >= 2:
            try:
                sol, took = solve(tuple(x), tuple(y), bias_penalty, opts.lam)
                seconds += took
                networks["free" if key == "free" else "penalised"] = (f"{label} {'fit' if opts.lam else 'interpolant'}",
                                                                      sol)
            except (DataError, SolverError) as err:
                errors.append(f"The {label} solver failed ({err}); your points are kept.")
    kernels = {}
    for name in opts.kernels if len(x) >= 2 else ():
        try:
            kernels[name] = (KERNEL_TEXT[name].label, kernel_fit(tuple(x), tuple(y), name, opts.bw))
        except ValueError as err:
            errors.append(f"{KERNEL_TEXT[name].label}: {err}")
    for label, ker in kernels.values():
        if ker.residual > 1e-6 * (1 + max(map(abs, y))):
            errors.append(f"The {label} misses the data by up to {ker.residual:.2g}: its Gram matrix is numerically "
                          "singular for these points (try another bandwidth).")
    return Curves(networks, kernels, errors, seconds)


def draw(x, y, opts: Options, found: Curves | None = None) -> dict:
    """The explorer's figure (a plain dict for ``ui.click_plot``)."""
    found = found or curves(x, y, opts)
    xr, yr = window(x, y)
    return figure((x, y), found.networks, found.kernels, shade_set=opts.set, xr=xr, yr=yr, height=HEIGHT,
                  view=opts.view, dark=opts.dark)


def live(x, y, opts: Options) -> dict:
    """The live route's answer to an edit: {plot key: (figure, options JSON)}."""
    return {"uv_plot": (draw(x, y, opts), opts.to_json())}
