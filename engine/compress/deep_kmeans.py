"""Compressing the digits CNN by weight sharing, streaming progress (docs/design.md §2–3).

Methods (each ends with hard sharing of every weight layer; biases stay at 32 bits):
* ``kmeans``: no retraining — conv filter rows clustered by k-means++ (row-wise, Deep k-means' scheme),
  the dense layer's weights as scalars with linear initialisation;
* ``scalar``: Deep Compression (Han et al. 2016) — every layer's weights clustered as scalars, linear init;
* ``dkm``: Deep k-means (Wu et al. 2018) — retrain with loss + Σ_conv layers (λ/2)[Tr(WᵀW) − Tr(FᵀWᵀWF)]
  (``dkm.regulariser``), F refreshed every ``refresh`` epochs (truncated SVD, or hard k-means labels),
  then row-wise sharing as in ``kmeans`` (the dense layer is not penalised and is shared as scalars).
Optionally the shared centres are fine-tuned afterwards (Deep Compression §3.3: the gradient of a centre
is the sum of the gradients of the weights that share it). Every stage yields ``Progress``.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch
from torch.nn import functional as F

from engine.compress import dkm
from engine.compress.digits import CONV_LAYERS, DigitsCNN, DigitsData, accuracy
from engine.compress.methods import BASES, METHODS
from engine.compress.metrics import total_ratio
from engine.compress.sharing import share_weight
from engine.train.trainer import default_device
from engine.validation import DataError, count, lam as check_lam, number

MAX_EPOCHS = 200        # training, retraining and fine-tuning epochs of one run (40 epochs ≈ 10 s on CPU)
MAX_SWEEP_RUNS = 60     # methods × K values of one sweep
MAX_CHANNELS = 256

__all__ = ["METHODS", "Progress", "Result", "train_baseline", "compress", "cluster_counts", "shared_layers"]



@dataclass
class Result:
    """A compressed (or the original) model and its figures."""

    method: str
    ks: dict[str, int]
    accuracy: float
    ratio: float                 # fixed-length indexes
    ratio_entropy: float         # entropy-coded indexes
    layers: list[dict]           # LayerBits.to_dict() per layer
    energy: list[dict]           # per layer: compute, weights, activations
    seconds: float
    device: str
    regulariser: list[dict] = field(default_factory=list)   # per epoch: {"epoch", layer: value}

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Progress:
    stage: str                   # "train", "retrain", "share", "finetune", "done"
    epoch: int
    epochs: int
    loss: float
    accuracy: float
    elapsed: float
    device: str
    regulariser: dict[str, float] = field(default_factory=dict)   # (λ/2)‖W − WFFᵀ‖² per layer, epoch end
    refreshed: dict[str, float] | None = None   # the same right after this epoch's F refresh (if any)
    usage: dict[str, list[int]] = field(default_factory=dict)     # cluster sizes per shared layer
    model: DigitsCNN | None = None
    result: Result | None = None


def cluster_counts(model: DigitsCNN, method: str, k: int | None = None, rate: float | None = None,
                   per_layer: dict[str, int] | None = None) -> dict[str, int]:
    """K per layer: a global K, a cluster rate 0 < rate ≤ 1 (K = max(2, ⌈rate·rows⌉), rows = shared vectors
    of the layer under the method's scheme), or explicit per-layer values (which override); K = 16 when none
    is given. Every K is capped at the layer's rows (``share_weight`` cannot use more clusters than rows)."""
    if k is not None and not k >= 1:
        raise DataError(f"K must be at least 1, got {k!r}")
    if rate is not None and not 0 < rate <= 1:
        raise DataError(f"the cluster rate must lie in (0, 1], got {rate!r}")
    ks, rows = {}, {}
    for name, layer in model.layers().items():
        rows[name] = layer.weight.numel() // (1 if _scheme(method, name) == "scalar" else layer.weight.shape[-1])
        # round first: 0.07·100 is 7.000000000000001 in floating point, whose ceiling would be 8
        ks[name] = int(k) if k is not None else (max(2, math.ceil(round(float(rate) * rows[name], 9)))
                                                  if rate is not None else 16)
    unknown = set(per_layer or {}) - set(ks)
    if unknown:
        raise DataError(f"unknown layer(s) {sorted(unknown)}; the layers are {sorted(ks)}")
    ks.update({name: int(v) for name, v in (per_layer or {}).items()})
    if min(ks.values()) < 1:
        raise DataError("every layer needs K ≥ 1")
    return {name: min(value, rows[name]) for name, value in ks.items()}


def _scheme(method: str, name: str) -> str:
    return "rows" if method in ("kmeans", "dkm") and name in CONV_LAYERS else "scalar"


def _epochs(model, data, epochs, lr, gen, batch, params, penalty=None) -> Iterator[float]:
    """Adam over shuffled mini-batches; yields the mean training loss of each epoch."""
    opt = torch.optim.Adam(params, lr=lr)
    n = len(data.y_train)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=gen).to(data.x_train.device)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            loss = F.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
            if penalty is not None:
                loss = loss + penalty()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        yield total / n


def train_baseline(data: DigitsData, *, epochs: int = 40, lr: float = 3e-3, batch: int = 64, seed: int = 0,
                   channels=(16, 32, 32), device: str | None = None,
                   stop: Callable[[], bool] | None = None) -> Iterator[Progress]:
    """Train the uncompressed CNN; the last Progress carries ``model`` and ``result``."""
    epochs = count(epochs, "epochs", 0, MAX_EPOCHS)
    batch = count(batch, "batch", 1, 100_000)
    seed = count(seed, "seed", 0, 2**63 - 1)
    number(lr, "lr", 1e-12, 10.0)
    if len(channels) != 3:
        raise DataError(f"channels must be three whole numbers in 1..{MAX_CHANNELS}")
    channels = tuple(count(c, "channels", 1, MAX_CHANNELS) for c in channels)
    device = device or default_device()
    data = data.to(device)
    model = DigitsCNN(channels, seed=seed).to(device)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    epoch = 0
    for epoch, loss in enumerate(_epochs(model, data, epochs, lr, gen, batch, model.parameters()), 1):
        yield Progress("train", epoch, epochs, loss, accuracy(model, data.x_test, data.y_test),
                       time.perf_counter() - start, device)
        if stop and stop():
            break
    result = _result(model, "original", {}, data, start, device)
    yield Progress("done", epoch, epochs, float("nan"), result.accuracy, result.seconds, device,
                   model=model, result=result)


def compress(model: DigitsCNN, data: DigitsData, method: str, ks: dict[str, int], *, lam: float = 1e-3,
             epochs: int = 10, refresh: int = 2, basis: str = "svd", finetune_epochs: int = 0,
             lr: float = 1e-3, batch: int = 64, seed: int = 0,
             stop: Callable[[], bool] | None = None) -> Iterator[Progress]:
    """Compress a copy of ``model`` by ``method`` with ``ks[layer]`` clusters; streams Progress, the last
    one carries the compressed model and its ``Result``. ``epochs``/``refresh``/``lam``/``basis`` apply
    to Deep k-means retraining only. ``stop()`` ends the current stage early (the run still finishes
    with sharing, so the last Progress is always a runnable compressed model)."""
    if method not in METHODS:
        raise DataError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    if basis not in BASES:
        raise DataError(f"basis must be one of {BASES}, got {basis!r}")
    epochs, finetune_epochs = count(epochs, "epochs", 0, MAX_EPOCHS), count(finetune_epochs, "finetune_epochs", 0, MAX_EPOCHS)
    refresh, batch, seed = count(refresh, "refresh", 1, MAX_EPOCHS), count(batch, "batch", 1, 100_000), count(seed, "seed", 0, 2**63 - 1)
    lam, lr = check_lam(lam), number(lr, "lr", 1e-12, 10.0)
    device = next(model.parameters()).device.type
    data = data.to(device)
    model = copy.deepcopy(model)
    model.shared = torch.nn.ModuleDict()
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    history: list[dict] = []
    stopped = False
    if method == "dkm" and epochs > 0:
        for progress in _retrain(model, data, ks, lam, epochs, refresh, basis, lr, batch, seed, gen, start,
                                 device, history):
            yield progress
            if stop and stop():
                stopped = True
                break
    for name, layer in model.layers().items():
        model.shared[name] = share_weight(layer.weight, ks[name], _scheme(method, name), seed=seed)
    yield Progress("share", 0, 0, float("nan"), accuracy(model, data.x_test, data.y_test),
                   time.perf_counter() - start, device, usage=_usage(model))
    if finetune_epochs and not stopped:
        params = [p for p in model.shared.parameters()] + [layer.bias for layer in model.layers().values()]
        tune = _epochs(model, data, finetune_epochs, lr, gen, batch, params)
        for epoch, loss in enumerate(tune, 1):
            yield Progress("finetune", epoch, finetune_epochs, loss, accuracy(model, data.x_test, data.y_test),
                           time.perf_counter() - start, device, usage=_usage(model))
            if stop and stop():
                break
    result = _result(model, method, ks, data, start, device, history)
    yield Progress("done", 0, 0, float("nan"), result.accuracy, result.seconds, device, usage=_usage(model),
                   model=model, result=result)


def _retrain(model, data, ks, lam, epochs, refresh, basis, lr, batch, seed, gen, start, device, history):
    """Deep k-means retraining: F per layer refreshed every ``refresh`` epochs; yields Progress per epoch
    with the regulariser right after the refresh ("…@refresh") and at the end of the epoch."""
    rows = {name: _rows(model, name) for name in CONV_LAYERS}   # the penalty is per conv layer
    bases: dict[str, dkm.Basis] = {}

    def refresh_bases():
        for name in rows:
            W = rows[name]()
            if basis == "svd":
                bases[name] = dkm.svd_basis(W, ks[name])
            else:
                shared = share_weight(W.T, ks[name], "rows", seed=seed)
                bases[name] = dkm.hard_basis(shared.labels, ks[name])

    def values():
        with torch.no_grad():
            return {name: float(dkm.regulariser(rows[name](), bases[name], lam)) for name in rows}

    def penalty():
        return sum(dkm.regulariser(rows[name](), bases[name], lam) for name in rows)

    trainer = _epochs(model, data, epochs, lr, gen, batch, model.parameters(), penalty)   # one Adam state
    for epoch in range(1, epochs + 1):
        fresh = (epoch - 1) % max(1, refresh) == 0
        if fresh:
            refresh_bases()
            after_refresh = values()
        loss = next(trainer)   # penalty() reads ``bases`` at each step, so the refresh takes effect
        now = values()
        history.append({"epoch": epoch, **now, **{f"{k}@refresh": v for k, v in after_refresh.items()}})
        yield Progress("retrain", epoch, epochs, loss, accuracy(model, data.x_test, data.y_test),
                       time.perf_counter() - start, device, regulariser=now,
                       refreshed=after_refresh if fresh else None)


def _rows(model: DigitsCNN, name: str) -> Callable[[], torch.Tensor]:
    """W ∈ ℝ^{s×N} of a conv layer as a live view: its filter rows (``dkm.conv_rows``)."""
    layer = getattr(model, name)
    return lambda: dkm.conv_rows(layer.weight)


def _usage(model: DigitsCNN) -> dict[str, list[int]]:
    return {name: shared.usage().tolist() for name, shared in model.shared.items()}


def _result(model, method, ks, data, start, device, history=()) -> Result:
    bits = model.layer_bits()
    return Result(method, dict(ks), accuracy(model, data.x_test, data.y_test), total_ratio(bits),
                  total_ratio(bits, entropy_coded=True), [b.to_dict() for b in bits],
                  [{"layer": e.name, "compute": e.compute, "weights": e.weights, "activations": e.activations}
                   for e in model.energy()],
                  time.perf_counter() - start, device, list(history))


def sweep(model: DigitsCNN, data: DigitsData, methods, ks_values, *, stop: Callable[[], bool] | None = None,
          progress: Callable[[int, int, Progress], None] | None = None,
          **options) -> Iterator[tuple[int, int, Result]]:
    """Accuracy against compression ratio: every method at every global K (``compress`` with the same
    ``options``). Yields (done, total, Result) after each finished run; ``progress(i, total, Progress)``
    sees every step of run i (0-based). ``stop()`` ends the sweep at once: the run it interrupts is
    dropped (a run cut short is not a point of the curve), the ones finished before are already yielded."""
    runs = [(method, k) for method in methods for k in ks_values]
    if len(runs) > MAX_SWEEP_RUNS:
        raise DataError(f"a sweep runs at most {MAX_SWEEP_RUNS} compressions (got {len(runs)} methods × K values)")
    for i, (method, k) in enumerate(runs):
        for last in compress(model, data, method, cluster_counts(model, method, k=k), stop=stop, **options):
            if progress is not None:
                progress(i, len(runs), last)
        if stop and stop():
            return
        yield i + 1, len(runs), last.result


def shared_layers(model: DigitsCNN) -> dict[str, dict]:
    """A compressed model as plain lists: per layer its centres, labels, weight shape and bias."""
    return {name: {"centres": s.centres.detach().cpu().tolist(), "labels": s.labels.cpu().tolist(),
                   "shape": list(s.shape), "bias": getattr(model, name).bias.detach().cpu().tolist()}
            for name, s in model.shared.items()}
