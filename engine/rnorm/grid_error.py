"""Error budget and status of the grid R-norm (``engine.rnorm.grid.rnorm_grid``; issue 13.1, 13.6).

The value V = 2∫_0^π∫|μ| db dθ on an n × n grid with m angles carries these errors, each estimated
from the same data by refining one discretisation at a time over four levels (Richardson's idea:
the increments d₁ (finest), d₂, d₃ of a converging sequence tell how far its finest member is from
the limit; ``extrapolated``):

- quadrature in b (Hermite rule, O(db⁴)): V at db, 2db, 4db, 8db (every 2nd, 4th, 8th sample of μ, μ');
- band limit (resolution): V(n), V(n/2), V(n/4), V(n/8), the band limit π/h halved three times;
- angles (periodic trapezoid in θ): V with m, m/2, m/4, m/8 angles; infinite — no bound — when the
  angles are not a uniform grid with m divisible by 8. Increments below the raw
  quadrature change |V_db − V_2db| plus the interpolation part below are noise (the quadrature error
  wobbles with θ as the zeros of μ cross grid nodes, the aliases with the slice direction) and count
  10× as error;
- far-field series of μ beyond |b| = R: the size of its last eight terms;
- interpolation in frequency (``radon``'s cubic splines at oversample 4 leave aliased copies of f of
  relative size ~(x/8E)⁴, the same at every n, so no refinement above sees them): α·|V| with α the
  largest |Rf| where Rf must vanish (|b| > E√2) over max|Rf|. Measured (bench/rnorm.py): α ≈ 2.5e-7
  for centred Gaussians, whose errors level off at ≤ 4.4e-8·V for n = 256…512;
- rounding: ROUNDING·V; increments below NOISE·V (interpolation aliases, ~1e-9·V) count as converged.

``estimate_error`` is their sum. It is a bound (``error_is_bound``, status "converged") only when every
part is in the asymptotic regime (|d₁| ≤ ASYMPTOTIC·|d₂| and |d₂| ≤ ASYMPTOTIC·|d₃|) and the sum is ≤ tol·|V|. Tested in
tests/test_rnorm_grid_error.py against the Fourier-slice closed forms of scaled, rotated, shifted and
summed Gaussians: |true − V| ≤ estimate, and estimate ≤ 100·|true − V| above rounding.
Status: "diverging" (``value`` = ∞) when the samples show a jump of ∇f along a curve
(``engine.rnorm.kinks``) or when V grew at all four refinements n/16 → … → n by increments that did not
shrink below SHRINK × the previous one (a log divergence has ratio ~1, the cone's ~2); "converged" as
above; else "unresolved" (f too rough for the grid or converging slowly, e.g. the (1 − r²)₊² bump in
d = 2; ``estimate_error`` is then only the size of the observed changes, not a bound).
"""
from __future__ import annotations

import numpy as np

from engine.rnorm.kinks import gradient_jump

ASYMPTOTIC = 0.5   # the last increment must be at most this fraction of the one before
SAFETY = 3.0       # multiplies each extrapolated error
SHRINK = 0.85      # increment ratio above which growth under refinement counts as divergence
ROUNDING = 1e-12   # relative rounding floor of the FFT pipeline
NOISE = 1e-8       # relative level below which erratic increments count as converged (interpolation aliases)


def extrapolated(increments, noise: float = 0.0) -> tuple[float, bool]:
    """Error of the finest member of a sequence from its increments, finest first (d₁, d₂, d₃, …;
    at least two). Asymptotic regime: every ratio rₖ = |dₖ/dₖ₊₁| ≤ ASYMPTOTIC (two in a row when
    three increments are given: one small ratio after a growing step is a coincidence, not
    convergence). Then the error of the finest value shrinks at the next refinement by r = r₁
    (algebraic O(hᵖ) has constant ratios 2⁻ᵖ; spectral convergence shrinking ones, so r₁ then
    over-estimates — up to ~200× at 2–3 grid points per σ of a Gaussian; extrapolating the shrinking
    ratios instead under-estimated the O(db⁴) quadrature, whose ratios wobble around 1/16), so the
    finest value is off by at most
    |d₁|·r/(1 − r), multiplied by SAFETY. Otherwise the estimate 10·|d₁| is no bound — unless every
    increment is below ``noise`` (the pipeline's noise floor: nothing left to resolve), then
    10·max|dₖ| counts as one. Returns (estimate, asymptotic)."""
    d = np.abs(np.asarray(increments, dtype=float))
    if d[0] == 0.0:
        return 0.0, True
    if d.max() <= noise:
        return 10.0 * float(d.max()), True
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(d[1:] > 0, d[:-1] / d[1:], np.inf)
    if float(ratios.max()) <= ASYMPTOTIC:
        r = float(ratios[0])
        return SAFETY * float(d[0]) * r / (1.0 - r), True
    return 10.0 * float(d[0]), False


def error_budget(by_res, inner, tails, tail_err, dtheta, *, alias, tol, uniform_angles, values, h):
    """dict(value, error, parts, status, bound, reason) for ``rnorm_grid`` (see the module docstring).
    by_res: {effective resolution: V}; inner: (4, n_angles) ∫_{|b|≤R}|μ| per angle at db, 2db, 4db, 8db;
    tails, tail_err: the far-field integrals and their truncation bounds per angle; alias: the largest
    |Rf| outside the support relative to max|Rf| (interpolation aliases); values: the samples."""
    res = sorted(by_res)
    seq = np.array([by_res[r] for r in res])
    value = float(seq[-1])
    scale = max(abs(value), 1e-300)
    steps = np.diff(seq)
    quad = [float(2.0 * dtheta * np.sum(np.abs(inner[k] - inner[k + 1]))) for k in range(len(inner) - 1)]
    parts, regime, noise = {}, {}, NOISE * scale
    parts["quadrature"], regime["quadrature"] = extrapolated(quad, noise)
    parts["band limit"], regime["band limit"] = extrapolated(steps[::-1][:3], noise)
    per_angle = inner[0] + tails
    m = per_angle.size
    if uniform_angles and m % 8 == 0:
        by_angles = [2.0 * np.pi / (m // k) * np.sum(per_angle[::k]) for k in (1, 2, 4, 8)]
        # the b-quadrature error varies with θ as the zeros of μ cross grid nodes, the interpolation
        # aliases with the direction of the slice: below their size the angle sequence is noise
        parts["angles"], regime["angles"] = extrapolated(-np.diff(by_angles), noise + quad[0] + alias * scale)
    else:
        parts["angles"], regime["angles"] = float("inf"), False
    parts["tail"] = float(2.0 * dtheta * np.sum(tail_err))
    parts["interpolation"] = alias * scale
    parts["rounding"] = ROUNDING * scale
    error = float(sum(parts.values()))
    off = [k for k, ok in regime.items() if not ok]
    kink, why = gradient_jump(values, h)
    growing = bool((steps > 0).all() and (steps[1:] >= SHRINK * steps[:-1]).all())
    negligible = abs(value) < 1e-12 * max(np.max(np.abs(values)), 1e-300)
    if kink or (growing and not negligible):
        reason = why or ("the value grew at each of four refinements by increments that do not shrink "
                         f"({', '.join(f'{s:.3g}' for s in steps)}): ‖f‖_R = ∞ (e.g. kinks along lines)")
        return dict(value=float("inf"), error=float("inf"), parts=parts, status="diverging", bound=False,
                    reason=reason)
    if negligible:
        return dict(value=value, error=error, parts=parts, status="converged", bound=True,
                    reason="f is zero on the grid (to rounding)")
    if not off and error <= tol * scale:
        return dict(value=value, error=error, parts=parts, status="converged", bound=True,
                    reason="asymptotic regime in b-spacing, band limit and angles; the estimate sums the "
                           "extrapolated quadrature, band-limit, angle errors and the tail, interpolation and "
                           "rounding bounds")
    why = (f"not in the asymptotic regime ({', '.join(off)}: the last change is more than "
           f"{ASYMPTOTIC:g}× the one before)" if off else
           f"the estimated error {error:.2g} exceeds tol·|value| = {tol * scale:.2g}")
    return dict(value=value, error=error, parts=parts, status="unresolved", bound=False,
                reason=f"not converged: {why}; refine the grid (the error estimate is not a bound)")
