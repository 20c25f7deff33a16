"""Full-batch training of a wide shallow ReLU net with weight decay, streaming snapshots.

Objective (docs/design.md §2, network f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c with a free skip (v, c)):

    L = ½ Σ_i ‖f(x_i) − y_i‖² + (λ/2) Σ_k (‖a_k‖² + ‖w_k‖² [+ b_k²  when biases are penalised]).

Rescaling a unit (a, w, b) → (sa, w/s, b/s) leaves f unchanged, and its minimum over s > 0 turns the
penalty into Σ_k‖a_k‖‖w_k‖ (resp. ‖a_k‖‖(w_k, b_k)‖); so over wide nets min L = min_f ½Σ‖f(x_i) − y_i‖²
+ λ·R(f), with R the representation cost: Σ‖J_k‖ for d = 1 bias free (Savarese et al. 2019; ℓ2 over
tasks, Nakhleh et al. 2024), Σ√(1+t_k²)‖J_k‖ with biases penalised (Boursier & Flammarion 2023). For
d = 1 that minimum is what ``engine.interpolate(x, Y, lam=λ, bias_penalty=…)`` computes exactly:
½‖sol.fitted − Y‖² + λ·sol.cost. λ = 0 is allowed (plain least squares; then no norm is minimised and
the function is whatever the dynamics pick from the small initialisation).

Optimiser: Adam or plain gradient descent, full batch, on the gradient written out in ``_run`` (no
autograd: about twice as fast for these small problems), with a cosine decay of the learning rate to
lr·FINAL_LR_RATIO at the last step, so that the iterates settle at a minimum instead of hovering.
Measured (tests/test_train.py): on 5 points, width 200, λ = 1e-2, 3000 Adam steps reach L within
~1e-5 (bias free, T = 2) and ~2e-6 (biases penalised) of the exact minimum, relative.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch

from engine.network import ShallowNet
from engine.validation import DataError, at_most, lam as check_lam

MAX_WIDTH = 20000
MAX_SAMPLES = 100_000   # training points N
MAX_TASKS = 1000        # rows of Y
MAX_DIM = 100           # input dimension d
MAX_STEPS = 1_000_000
MAX_GRID = 100_000      # points of the reporting grid
# steps · N · K · (d + T): the multiply-adds of all forward passes (a third of the work). 5·10¹⁰ leaves
# room for the largest run the multi-task page offers (10⁴ steps, width 2000, 20 points, 54 tasks:
# 2.2·10¹⁰) and refuses runs that would take hours.
MAX_TRAIN_WORK = 5e10
OPTIMIZERS = ("adam", "gd")
FINAL_LR_RATIO = 1e-4
DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass
class Snapshot:
    """The state after ``step`` optimiser steps."""

    step: int
    loss: float            # L (the training objective above)
    data_loss: float       # ½Σ‖f(x_i) − y_i‖²
    weight_norm: float     # ½Σ(‖a_k‖² + ‖w_k‖² [+ b_k²])
    cost: float            # representation cost of the current function (ShallowNet.representation_cost)
    elapsed: float         # seconds since training started
    values: np.ndarray | None   # (tasks shown, G) on the grid, or None
    net: ShallowNet        # numpy copy of the weights
    device: str
    done: bool = False
    stopped: bool = False


def default_device() -> str:
    """"cuda" when torch sees a GPU, else "cpu"."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _inputs(x, name="x"):
    try:
        X = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numbers") from None
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise DataError(f"{name} must have shape (N,) or (N, d), got {np.shape(x)}")
    if not np.isfinite(X).all():
        raise DataError(f"{name} contains NaN or infinite values")
    return X


def _check(x, Y, width, lam, steps, snapshot_every, optimizer, dtype, grid, grid_tasks):
    X = _inputs(x)
    try:
        Y = np.asarray(Y, dtype=float)
    except (TypeError, ValueError):
        raise DataError("Y must be numbers") from None
    Y = Y.reshape(1, -1) if Y.ndim == 1 else Y
    if Y.ndim != 2 or Y.shape[1] != len(X):
        raise DataError(f"Y must have shape ({len(X)},) or (T, {len(X)}), got {Y.shape}")
    if not np.isfinite(Y).all():
        raise DataError("Y contains NaN or infinite values")
    if not (isinstance(width, (int, np.integer)) and 1 <= width <= MAX_WIDTH):
        raise DataError(f"width must be an integer in [1, {MAX_WIDTH}]")
    if not (isinstance(steps, (int, np.integer)) and 0 < steps <= MAX_STEPS):
        raise DataError(f"steps must be an integer in [1, {MAX_STEPS}]")
    if not (isinstance(snapshot_every, (int, np.integer)) and snapshot_every > 0):
        raise DataError("snapshot_every must be a positive integer")
    at_most(len(X), MAX_SAMPLES, "training points")
    at_most(X.shape[1], MAX_DIM, "input dimension")
    at_most(len(Y), MAX_TASKS, "tasks (rows of Y)")
    work = float(steps) * len(X) * width * (X.shape[1] + len(Y))
    if work > MAX_TRAIN_WORK:
        raise DataError(f"training would take about {work:.1e} multiply-adds (steps · points · width · (d + tasks); "
                        f"limit {MAX_TRAIN_WORK:.0e}): fewer steps, a smaller width or fewer points")
    lam = check_lam(lam)
    if optimizer not in OPTIMIZERS:
        raise DataError(f"optimizer must be one of {OPTIMIZERS}, not {optimizer!r}")
    if dtype not in DTYPES:
        raise DataError(f"dtype must be one of {sorted(DTYPES)}, not {dtype!r}")
    G = None
    if grid is not None:
        G = _inputs(grid, "grid")
        at_most(len(G), MAX_GRID, "grid points")
        if G.shape[1] != X.shape[1]:
            raise DataError(f"grid must have shape (G, {X.shape[1]}) like x")
    tasks = np.arange(len(Y)) if grid_tasks is None else np.asarray(grid_tasks, int).reshape(-1)
    if tasks.size and (tasks.min() < 0 or tasks.max() >= len(Y)):
        raise DataError(f"grid_tasks must be task indices in [0, {len(Y) - 1}]")
    return X, Y, lam, G, tasks


def initial_net(X, Y, width, init_scale, seed) -> ShallowNet:
    """Small initialisation with knots spread over the data: a_k ~ N(0, s²I_T), w_k ~ N(0, s²I_d)
    (s = init_scale), b_k = w_kᵀp_k with p_k uniform on the data's bounding box, so unit k's hyperplane
    passes through p_k; the skip is the least-squares affine fit, the exact minimiser for large λ, so
    the units only have the residual to fit."""
    gen = torch.Generator().manual_seed(int(seed))
    K, d, T = width, X.shape[1], Y.shape[0]
    lo, hi = X.min(axis=0), X.max(axis=0)
    a, w = (torch.randn(K, m, generator=gen, dtype=torch.float64).numpy() for m in (T, d))
    p = lo + (hi - lo) * torch.rand(K, d, generator=gen, dtype=torch.float64).numpy()
    skip = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), Y.T, rcond=None)[0]
    return ShallowNet(init_scale * a, init_scale * w, init_scale * (w * p).sum(axis=1), skip[:-1], skip[-1])


def _device(device: str) -> torch.device:
    try:
        dev = torch.device(default_device() if device == "auto" else device)
    except (RuntimeError, TypeError):
        raise DataError(f"unknown device {device!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise DataError("device 'cuda' asked for, but torch sees no GPU")
    return dev


def train(x, Y, *, width: int = 200, lam: float = 1e-3, bias_penalty: bool = False, optimizer: str = "adam",
          lr: float | None = None, steps: int = 5000, seed: int = 0, device: str = "auto",
          dtype: str = "float64", snapshot_every: int = 100, grid=None, grid_tasks=None,
          init_scale: float = 1e-2, stop: Callable[[], bool] | None = None) -> Iterator[Snapshot]:
    """Check the arguments (DataError at once) and return a generator that trains, yielding a
    ``Snapshot`` at step 0, every ``snapshot_every`` steps, and at the end (``done=True``; also
    ``stopped=True`` when ``stop()``, asked before each step, returned True).

    x: (N,) or (N, d); Y: (N,) or (T, N) (rows are tasks); grid: (G,) or (G, d) where ``values`` are
    reported for the tasks ``grid_tasks`` (default all). Closing the generator simply ends training.
    lr None: 2e-2 for Adam (suits data of order one), 1/‖[x 1]‖₂² for gradient descent (the inverse
    curvature of the data term in the skip). Raises FloatingPointError if the loss stops being finite.
    """
    X, Y, lam, G, tasks = _check(x, Y, width, lam, steps, snapshot_every, optimizer, dtype, grid, grid_tasks)
    dev = _device(device)
    if lr is None:
        lr = 2e-2 if optimizer == "adam" else 1 / np.linalg.norm(np.hstack([X, np.ones((len(X), 1))]), 2) ** 2
    if not (isinstance(lr, (int, float, np.number)) and np.isfinite(lr) and lr > 0):
        raise DataError("lr must be a finite number > 0")
    if not (isinstance(init_scale, (int, float, np.number)) and np.isfinite(init_scale) and init_scale > 0):
        raise DataError("init_scale must be a finite number > 0")
    net0 = initial_net(X, Y, width, init_scale, seed)
    return _run(net0, X, Y, G, tasks, lam, bias_penalty, optimizer, float(lr), steps, dev, DTYPES[dtype],
                snapshot_every, stop)


SMALL = 1_000_000   # N·K·max(T, d) below which one CPU thread is as fast as several


def _run(net0, X, Y, G, tasks, lam, bias_penalty, optimizer, lr, steps, dev, kind, snapshot_every, stop):
    """The training loop behind ``train`` (arguments already checked). Small problems on the CPU run
    on one thread: several threads gain nothing on them and, when the CPU is shared (a web server,
    other sessions), their spin-waits made training 10× slower in our measurements."""
    threads = torch.get_num_threads()
    if dev.type == "cpu" and len(X) * net0.width * max(Y.shape[0], X.shape[1]) < SMALL:
        torch.set_num_threads(1)
    try:
        yield from _loop(net0, X, Y, G, tasks, lam, bias_penalty, optimizer, lr, steps, dev, kind, snapshot_every, stop)
    finally:
        torch.set_num_threads(threads)


def _loop(net0, X, Y, G, tasks, lam, bias_penalty, optimizer, lr, steps, dev, kind, snapshot_every, stop):
    params = [torch.tensor(getattr(net0, n), dtype=kind, device=dev) for n in "awbvc"]
    a, w, b, v, c = params
    for p in params:
        p.grad = torch.zeros_like(p)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(params, lr=lr, fused=True)
    Xt, Yt = (torch.tensor(M, dtype=kind, device=dev) for M in (X, Y.T))
    Gt = None if G is None else torch.tensor(G, dtype=kind, device=dev)
    rows = torch.as_tensor(tasks, device=dev)
    start = time.perf_counter()

    def snapshot(step, R, done=False, stopped=False):
        net = ShallowNet(*(p.cpu().double().numpy().copy() for p in params))
        data, norm = 0.5 * float((R.double() ** 2).sum()), net.weight_norm(bias_penalty=bias_penalty)
        if not np.isfinite(data + norm):
            raise FloatingPointError(f"training diverged by step {step}: lower lr")
        values = None if Gt is None else (torch.relu(Gt @ w.T - b) @ a + Gt @ v + c).T[rows].cpu().double().numpy()
        return Snapshot(step, data + lam * norm, data, norm, net.representation_cost(bias_penalty=bias_penalty),
                        time.perf_counter() - start, values, net, str(dev), done, stopped)

    for step in range(steps + 1):   # the tensors need no autograd: the gradient is written out below
        Z = Xt @ w.T - b                        # (N, K) pre-activations
        H = torch.relu(Z)
        R = H @ a + Xt @ v + c - Yt             # (N, T) residuals
        stopped = stop is not None and step < steps and bool(stop())
        if stopped or step == steps:
            yield snapshot(step, R, done=True, stopped=stopped)
            return
        if step % snapshot_every == 0:
            yield snapshot(step, R)
        # ∇L: a: HᵀR + λa;  w: GᵀX + λw;  b: −Σ_i G_i (+ λb);  v: XᵀR;  c: Σ_i R_i,  G = (R aᵀ)⊙[Z > 0]
        torch.addmm(a, H.T, R, beta=lam, out=a.grad)
        Gz = (R @ a.T) * (Z > 0)
        torch.addmm(w, Gz.T, Xt, beta=lam, out=w.grad)
        torch.sum(Gz, 0, out=b.grad).neg_()
        if bias_penalty:
            b.grad.add_(b, alpha=lam)
        torch.mm(Xt.T, R, out=v.grad)
        torch.sum(R, 0, out=c.grad)
        for group in opt.param_groups:
            group["lr"] = lr * _decay(step / steps)
        opt.step()


def _decay(progress: float) -> float:
    """Cosine decay from 1 to FINAL_LR_RATIO over the run."""
    return FINAL_LR_RATIO + (1 - FINAL_LR_RATIO) * 0.5 * (1 + math.cos(math.pi * progress))


def steps_per_second(width: int = 1000, n: int = 20, tasks: int = 1, d: int = 1, device: str = "auto",
                     dtype: str = "float64", steps: int = 500, repeats: int = 3) -> float:
    """Optimiser steps per second (Adam, full batch, no snapshots in between) on random data: the median
    of ``repeats`` timings of ``steps`` steps, each after its own setup, following an untimed warm-up run
    (the first steps pay for lazy initialisation: a 50-step timing without it read 10× too slow)."""
    rng = np.random.default_rng(0)
    x, Y = rng.uniform(-3, 3, (n, d)), rng.normal(size=(tasks, n))
    rates = []
    for i in range(repeats + 1):
        run = train(x, Y, width=width, steps=steps, snapshot_every=steps, device=device, dtype=dtype)
        next(run)   # step 0: setup done
        start = time.perf_counter()
        for _ in run:
            pass
        if i:   # run 0 is the warm-up
            rates.append(steps / (time.perf_counter() - start))
    return float(np.median(rates))
