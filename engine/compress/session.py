"""The digits-CNN compression page's finished results as versioned JSON (its session files: "Save view"
with results), read back without recomputing.

Format (``FORMAT``, version ``VERSION``)::

    {"format": "relu-atlas/compress-results", "v": 1,
     "baseline": {"seed", "epochs", "device"},            # which uncompressed CNN the runs compressed
     "runs": [Result.to_dict(), ...],                      # the accuracy–ratio points (Compress, Compare)
     "last": null or {"result": Result.to_dict(), "history": [...], "usage": {layer: [sizes]},
                      "shared": deep_kmeans.shared_layers(model)}}   # the last compression, to redraw it

Non-finite numbers (the entropy of an unshared layer is NaN) are written as null. ``load`` checks every
field without torch (``DataError`` naming the first bad one); ``rebuild`` turns ``last["shared"]`` back into
a runnable compressed model on top of the baseline (raises ``DataError`` if its shapes do not fit).
"""
from __future__ import annotations

import math

import numpy as np

from engine.compress.methods import METHODS
from engine.validation import DataError, count, finite_array, number

FORMAT, VERSION = "relu-atlas/compress-results", 1
MAX_RUNS = 500
MAX_LAYERS = 16
MAX_VALUES = 2_000_000   # labels and centres of one compressed model


def _plain(value):
    """JSON-ready: NaN/inf → None, numpy scalars → Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def dump(baseline: dict, runs: list[dict], last: dict | None) -> dict:
    """``baseline`` {"seed", "epochs", "device"}, ``runs`` (Result dicts), ``last`` {"result": Result,
    "history", "usage", "model": the compressed DigitsCNN} or None."""
    out = {"format": FORMAT, "v": VERSION, "baseline": _plain(baseline), "runs": _plain(runs), "last": None}
    if last is not None:
        from engine.compress.deep_kmeans import shared_layers

        out["last"] = _plain({"result": last["result"].to_dict(), "history": last["history"], "usage": last["usage"],
                              "shared": shared_layers(last["model"])})
    return out


def _get(data, key, where):
    if not isinstance(data, dict) or key not in data:
        raise DataError(f"{where} lacks {key!r}")
    return data[key]


def _name(value, where) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 40:
        raise DataError(f"{where} must be a short name")
    return value


def _numbers(row, where, text=(), nullable=()) -> dict:
    if not isinstance(row, dict) or len(row) > 40:
        raise DataError(f"{where} must be an object of numbers")
    out = {}
    for k, v in row.items():
        if k in text:
            out[k] = _name(v, f"{where}: {k}")
        elif v is None and (k in nullable or "*" in nullable):
            out[k] = math.nan
        else:
            out[k] = number(v, f"{where}: {k}")
    return out


def _result(raw, where) -> dict:
    method = _get(raw, "method", where)
    if method not in (*METHODS, "original"):
        raise DataError(f"{where}: method must be one of {', '.join(METHODS)}")
    ks = _get(raw, "ks", where)
    if not isinstance(ks, dict) or len(ks) > MAX_LAYERS:
        raise DataError(f"{where}: ks must map layers to cluster counts")
    layers, energy, reg = (_get(raw, k, where) for k in ("layers", "energy", "regulariser"))
    if not all(isinstance(v, list) and len(v) <= 1000 for v in (layers, energy, reg)):
        raise DataError(f"{where}: layers, energy and regulariser must be lists")
    device = _get(raw, "device", where)
    if device not in ("cpu", "cuda"):
        raise DataError(f"{where}: device must be cpu or cuda")
    return {"method": method, "ks": {_name(k, f"{where}: a layer"): count(v, f"{where}: K", 1, 1 << 20)
                                     for k, v in ks.items()},
            "accuracy": number(_get(raw, "accuracy", where), f"{where}: accuracy", 0, 1),
            "ratio": number(_get(raw, "ratio", where), f"{where}: ratio", 1e-9),
            "ratio_entropy": number(_get(raw, "ratio_entropy", where), f"{where}: ratio_entropy", 1e-9),
            "layers": [_numbers(r, f"{where}: a layer", text=("name",), nullable=("entropy",)) for r in layers],
            "energy": [_numbers(r, f"{where}: an energy row", text=("layer",)) for r in energy],
            "seconds": number(_get(raw, "seconds", where), f"{where}: seconds", 0),
            "device": device,
            "regulariser": [_numbers(r, f"{where}: a regulariser row") for r in reg]}


def _shared(raw) -> dict:
    if not isinstance(raw, dict) or not 0 < len(raw) <= MAX_LAYERS:
        raise DataError("last: shared must map the layers to their centres and labels")
    out, total = {}, 0
    for name, layer in raw.items():
        where = f"last: shared layer {_name(name, 'last: a shared layer')}"
        centres = finite_array(_get(layer, "centres", where), f"{where}: centres")
        labels = finite_array(_get(layer, "labels", where), f"{where}: labels")
        shape = _get(layer, "shape", where)
        bias = finite_array(_get(layer, "bias", where), f"{where}: bias")
        total += centres.size + labels.size
        if total > MAX_VALUES:
            raise DataError(f"last: shared: at most {MAX_VALUES:,} centres and labels")
        if not (isinstance(shape, list) and 1 <= len(shape) <= 4):
            raise DataError(f"{where}: shape must be a list of 1 to 4 sizes")
        shape = [count(s, f"{where}: shape", 1, 1 << 20) for s in shape]
        if centres.ndim != 2 or labels.ndim != 1 or bias.ndim != 1 or not len(centres):
            raise DataError(f"{where}: centres (K, row), labels and bias must be lists")
        if np.any(labels != np.round(labels)) or labels.min(initial=0) < 0 or labels.max(initial=0) >= len(centres):
            raise DataError(f"{where}: labels must be whole numbers below K = {len(centres)}")
        if len(labels) * centres.shape[1] != math.prod(shape):
            raise DataError(f"{where}: {len(labels)} labels of rows of {centres.shape[1]} do not fill {shape}")
        out[name] = {"centres": centres, "labels": labels.astype(np.int64), "shape": shape, "bias": bias}
    return out


def load(data) -> dict:
    """The checked content of a ``dump`` dict: {"baseline", "runs" (Result dicts), "last" (None or
    {"result": Result dict, "history", "usage", "shared": arrays})}."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError("these are not compression results")
    v = data.get("v")
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= VERSION:
        raise DataError(f"compression results of version {v!r}: this app reads version {VERSION}")
    base = _get(data, "baseline", "the results")
    baseline = {"seed": count(_get(base, "seed", "baseline"), "baseline: seed", 0, 10_000),
                "epochs": count(_get(base, "epochs", "baseline"), "baseline: epochs", 1, 200),
                "device": _get(base, "device", "baseline")}
    if baseline["device"] not in ("cpu", "cuda"):
        raise DataError("baseline: device must be cpu or cuda")
    runs = _get(data, "runs", "the results")
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        raise DataError(f"runs must be a list of at most {MAX_RUNS} results")
    out = {"baseline": baseline, "runs": [_result(r, f"run {i}") for i, r in enumerate(runs, 1)], "last": None}
    last = data.get("last")
    if last is not None:
        history, usage = _get(last, "history", "last"), _get(last, "usage", "last")
        if not isinstance(history, list) or len(history) > 10_000 or not all(isinstance(h, dict) for h in history):
            raise DataError("last: history must be a list of epochs")
        hist = []
        for h in history:
            reg = h.get("regulariser", {})
            row = _numbers({k: v for k, v in h.items() if k not in ("stage", "regulariser")}, "last: an epoch")
            hist.append({"stage": _name(h.get("stage"), "last: an epoch's stage"), **row,
                         **({"regulariser": _numbers(reg, "last: an epoch's regulariser")} if "regulariser" in h else {})})
        if not isinstance(usage, dict) or len(usage) > MAX_LAYERS:
            raise DataError("last: usage must map layers to cluster sizes")
        out["last"] = {"result": _result(_get(last, "result", "last"), "last"), "history": hist,
                       "usage": {_name(k, "last: a layer"): [count(n, "last: a cluster size", 0, 1 << 30) for n in
                                                              (sizes if isinstance(sizes, list) else [None])]
                                 for k, sizes in usage.items()},
                       "shared": _shared(_get(last, "shared", "last"))}
    return out


def result(checked: dict):
    """A ``deep_kmeans.Result`` from a checked Result dict."""
    from engine.compress.deep_kmeans import Result

    return Result(**checked)


def rebuild(base_model, shared: dict):
    """A copy of ``base_model`` (DigitsCNN) compressed with the checked ``shared`` layers (its biases too)."""
    import copy

    import torch

    from engine.compress.sharing import SharedWeight

    model = copy.deepcopy(base_model)
    model.shared = torch.nn.ModuleDict()
    device = next(base_model.parameters()).device
    layers = model.layers()
    if set(shared) != set(layers):
        raise DataError(f"the compressed layers {sorted(shared)} are not the CNN's {sorted(layers)}")
    for name, s in shared.items():
        layer = layers[name]
        if list(layer.weight.shape) != s["shape"] or layer.bias.numel() != len(s["bias"]):
            raise DataError(f"layer {name}: shape {s['shape']} does not fit the CNN's {list(layer.weight.shape)}")
        dtype = layer.weight.dtype
        with torch.no_grad():
            layer.bias.copy_(torch.as_tensor(s["bias"], dtype=dtype))
        model.shared[name] = SharedWeight(torch.as_tensor(s["centres"], dtype=dtype),
                                          torch.as_tensor(s["labels"]), s["shape"]).to(device)
    return model
