"""Training speed of the torch trainer (engine.train): full-batch Adam steps per second.

Width 1000, N = 20 random points (x ~ U[−3, 3], y ~ N(0, 1), fixed seed), d = 1, T = 1 and T = 10, in
float32 and float64, on the CPU and, in the same run, on CUDA when torch sees a GPU. The gradient is
written out (no autograd) and Adam is torch's fused implementation; no snapshots are taken in between.
Run: `python -m bench.train [--width 1000] [--points 20] [--steps 2000]`.
"""
from __future__ import annotations

import argparse

import torch

from engine.train import steps_per_second


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--tasks", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
          + (f", GPU: {torch.cuda.get_device_name()}" if "cuda" in devices else ", no GPU"))
    print(f"{'device':7} {'dtype':8} {'width':>6} {'N':>4} {'T':>3} {'steps/s':>9}")
    for device in devices:
        for dtype in ("float32", "float64"):
            for tasks in args.tasks:
                rate = steps_per_second(width=args.width, n=args.points, tasks=tasks, d=1, device=device, repeats=1,
                                        dtype=dtype, steps=args.steps)
                print(f"{device:7} {dtype:8} {args.width:6d} {args.points:4d} {tasks:3d} {rate:9.0f}", flush=True)


if __name__ == "__main__":
    main()
