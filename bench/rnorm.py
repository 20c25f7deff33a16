"""Grid R-norm in d = 2 (engine.rnorm.grid) vs the Gaussian closed form, and our Radon transform vs
scikit-image's.

For e^{−‖x‖²/2} and the anisotropic e^{−x²/(2·0.4²) − y²/(2·1.2²)} of issue 13 on [−8, 8]² (n² cell-centred
samples, m = n angles): median time of ``rnorm_grid`` (upsample 2, the default, and 4: 16× smaller
quadrature error), the time of its ``radon`` step alone in the same run (ratio: what the filtering, the
quadrature, the error budget and the kink test cost on top of the transform), the relative error vs
the closed forms 4.768562043993 and 8.452629175833193 (tests/test_rnorm_grid.py), and the relative
error estimate with whether it is a bound and bounds the true error. Then
``radon`` vs ``skimage.transform.radon`` (circle=False) on the same grid and angles for a shifted
anisotropic Gaussian: times, their ratio, and the max difference relative to the peak (skimage in pixel
units ×h, angle −θ in degrees, rotation centre at pixel (n//2, n//2) = (h/2, h/2), see the tests), plus
each one's max error vs the closed-form sinogram. Run: `python -m bench.rnorm [--sizes 128 256 512]`.
"""
from __future__ import annotations

import argparse

import numpy as np
from skimage.transform import radon as sk_radon

from bench.univariate import timed as timed_cpu
from engine.rnorm.grid import grid_points, radon, rnorm_grid


def timed(fn, repeats):
    """(best wall time, result)."""
    wall, _, out = timed_cpu(fn, repeats)
    return wall, out


GAUSS_2D = 4.768562043993
ANISO = 8.452629175833193   # aniso_closed_form(0.4, 1.2) in tests/test_rnorm_grid.py


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--extent", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    E = args.extent
    cases = {"gauss": (lambda x, y: np.exp(-(x * x + y * y) / 2), GAUSS_2D),
             "issue13": (lambda x, y: np.exp(-x * x / (2 * 0.4 ** 2) - y * y / (2 * 1.2 ** 2)), ANISO)}
    print(f"{'case':>8} {'n':>5} {'up':>3} {'R-norm [ms]':>12} {'radon [ms]':>11} {'ratio':>6} {'rel. error':>11} "
          f"{'rel. est.':>10} {'bound':>6} {'holds':>6} {'status':>10}")
    for n in args.sizes:
        h = 2 * E / n
        xs = grid_points(E, n)
        for name, (f, exact) in cases.items():
            values = f(*np.meshgrid(xs, xs))
            n_b = 32 * int(np.ceil(2.0 * E * np.sqrt(2.0) / h / 16.0))
            t_radon, _ = timed(lambda: radon(values, E, n, n_b=n_b), args.repeats)
            for up in (2, 4):
                t, res = timed(lambda: rnorm_grid(f, extent=E, resolution=n, angles=n, upsample=up), args.repeats)
                err = abs(res.value - exact)
                print(f"{name:>8} {n:5d} {up:3d} {1e3 * t:12.1f} {1e3 * t_radon:11.1f} {t / t_radon:5.1f}x "
                      f"{err / exact:11.2e} {res.estimate_error / exact:10.2e} {str(res.error_is_bound):>6} "
                      f"{str(err <= res.estimate_error):>6} {res.status:>10}", flush=True)
    print()
    print(f"{'n':>5} {'angles':>6} {'ours [ms]':>10} {'skimage [ms]':>13} {'ratio':>7} {'max diff':>9} "
          f"{'ours err':>9} {'skim err':>9}")
    s1, s2, c = 1.3, 0.8, np.array([1.0, 0.5])
    f = lambda x, y: np.exp(-((x - c[0]) / s1) ** 2 / 2 - ((y - c[1]) / s2) ** 2 / 2)
    for n in args.sizes:
        h = 2 * E / n
        xs = grid_points(E, n)
        X, Y = np.meshgrid(xs, xs)
        th = np.arange(n) * np.pi / n
        t_sk, sk = timed(lambda: sk_radon(f(X, Y), theta=-np.degrees(th), circle=False).T * h, args.repeats)
        shifted = f(X + h / 2, Y + h / 2)   # our grid b_k ↔ skimage's b_k + w·(h/2, h/2)
        t_ours, (ours, b) = timed(lambda: radon(shifted, E, th, n_b=sk.shape[1]), args.repeats)
        r = np.hypot(s1 * np.cos(th), s2 * np.sin(th))[:, None]
        wc = (np.cos(th) * c[0] + np.sin(th) * c[1])[:, None]
        b_sk = b + (h / 2) * (np.cos(th) + np.sin(th))[:, None]
        exact = lambda bb: s1 * s2 / r * np.sqrt(2 * np.pi) * np.exp(-(bb - wc) ** 2 / (2 * r * r))
        peak = np.abs(ours).max()
        print(f"{n:5d} {n:6d} {1e3 * t_ours:10.1f} {1e3 * t_sk:13.1f} {t_sk / t_ours:6.1f}x "
              f"{np.abs(ours - sk).max() / peak:9.1e} {np.abs(ours - exact(b_sk)).max() / peak:9.1e} "
              f"{np.abs(sk - exact(b_sk)).max() / peak:9.1e}", flush=True)


if __name__ == "__main__":
    main()
