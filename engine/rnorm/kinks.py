"""Is ∇f discontinuous? A sampled-data test for the functions whose R-norm in d = 2 is infinite although
every grid gives a finite number (issue 13.6: relu(1 − |x|)·relu(1 − |y|) returned 27.39).

Why kinks make ‖f‖_R infinite (d = 2, f vanishing near the boundary of the square): a jump J(s) of the
normal derivative along a segment of a line w₀ᵀx = b₀ puts a term J-weighted δ on that segment into
∂²f. At directions θ = θ₀ + ε its Radon transform spreads over an offset interval of width ~|ε|·L, so
∂_b² Rf has a bump of height ~1/|ε| there and ∫|R{(−Δ)^{3/2} f}| db ~ 1/|ε|: the θ-integral diverges
logarithmically. Only a kink of constant jump along a *whole* line (a ReLU ridge σ(wᵀx − b), which
does not decay) has finite norm; kinks along curves (the cone's circle, (1 − r²)₊) are infinite by the
radial reduction (edge order ν = 1 < ⌊d/2⌋ + 1 = 2: engine/rnorm/radial_compact.py; Ongie, Willett,
Soudry & Srebro, ICLR 2020).

Test (scaling of second differences, no derivatives needed): with D²_s f(x) = f(x + s e) − 2f(x) + f(x − s e)
along both axes, K(s) = (h²Σ_x |D²_s f|²)^{1/2}/(s h)² is a discrete L² norm of ∂²f at scale s·h.
For f ∈ C² it converges (K(s)/K(2s) → 1); for a jump of ∇f along a curve of length L it is
≈ |J|(2L/(3 s h))^{1/2} (the band |dist| < s h carries D² ≈ |J|(s h − |dist|)), so K(s)/K(2s) → √2
(averaged over kink positions; a kink halfway between samples gives 1.26 at s = 1);
for a jump of f itself, 2^{3/2}; for a feature narrower than the grid (unresolved, not singular), 4.
``gradient_jump`` reports a singularity when the three finest ratios all lie in [RATIO_LO, RATIO_HI]
and the two finest agree to STABLE (tested in tests/test_rnorm_kinks.py on kinks, jumps, smooth and
unresolved functions).
"""
from __future__ import annotations

import numpy as np

__all__ = ["gradient_jump", "RATIO_LO", "RATIO_HI"]

RATIO_LO, RATIO_HI = 1.2, 3.2
STABLE = 1.3   # K(2)/K(4) ≤ STABLE·K(1)/K(2): a singularity scales alike at every scale, an unresolved
               # smooth feature's ratio climbs from 1 towards 4 as the scale grows past its width
SCALES = (1, 2, 4, 8)


def second_difference_norms(values, h: float, scales=SCALES) -> np.ndarray:
    """K(s) for s in ``scales`` (in samples): (h²Σ|D²_s f|²)^{1/2}/(s h)² over both axes."""
    v = np.asarray(values, dtype=float)
    out = []
    for s in scales:
        dx = v[:, 2 * s:] - 2.0 * v[:, s:-s] + v[:, :-2 * s]
        dy = v[2 * s:, :] - 2.0 * v[s:-s, :] + v[:-2 * s, :]
        out.append(h * np.sqrt(np.sum(dx * dx) + np.sum(dy * dy)) / (s * h) ** 2)
    return np.array(out)


def gradient_jump(values, h: float) -> tuple[bool, str]:
    """(True, reason) when the samples show a jump of ∇f (or of f) along a curve, by the scaling of
    K(s) described in the module docstring; (False, "") otherwise (smooth, or too coarse to tell)."""
    v = np.asarray(values, dtype=float)
    if min(v.shape) <= 2 * SCALES[-1] + 1:
        return False, ""
    norms = second_difference_norms(v, h)
    if not np.all(np.isfinite(norms)) or norms[-1] <= 1e-12 * max(np.abs(v).max(), 1e-300) / (SCALES[-1] * h) ** 2:
        return False, ""
    ratios = norms[:-1] / norms[1:]
    if np.all((ratios >= RATIO_LO) & (ratios <= RATIO_HI)) and ratios[1] <= STABLE * ratios[0]:
        kind = "a jump of f" if ratios[0] > 2.2 else "a kink (jump of the gradient)"
        return True, (f"the samples show {kind} along a line or curve: the discrete L² norm of ∂²f grows "
                      f"by {', '.join(f'{r:.2f}' for r in ratios[::-1])}× per halving of the scale "
                      f"(√2 ≈ 1.41 for a kink, 1 for a smooth f); such f have ‖f‖_R = ∞ in d = 2")
    return False, ""
