"""Weight sharing by k-means (Deep Compression / deep k-means), see docs/design.md §2 "Deep k-means".

The public face. Importing it stays free of torch: the names of the torch modules (``kmeans_torch``,
``share_weight``, ``compress``, ``train_baseline``, the digits CNN …) load their module on first use
(PEP 562 ``__getattr__``). The light ones are imported at once:

    from engine.compress import kmeans_1d, share_neurons, compression_ratio   # numpy (+ ckwrap)
    from engine.compress import kmeans_torch, compress                        # loads torch

One name is deliberately not here: the numpy front end of Lloyd's algorithm, ``kmeans``, shares its name
with its module ``engine.compress.kmeans``, and Python rebinds a package attribute to a submodule when
that submodule is first imported (here: lazily, by ``shallow`` or a user), so a lazily re-exported
``kmeans`` could silently turn into a module. Import it as ``from engine.compress.kmeans import kmeans``.
``kmeans_1d`` is safe: it is imported here, eagerly, so its module is loaded before the name is bound.
"""
from importlib import import_module

from engine.compress.baseline import load_baseline, stored, summary
from engine.compress.kmeans_1d import MAX_KMEANS_OPS, KMeansResult, kmeans_1d
from engine.compress.methods import BASES, METHODS
from engine.compress.metrics import (LayerBits, LayerEnergy, compression_ratio, entropy_bits, full_adders,
                                     index_bits, layer_energy, total_ratio)
from engine.compress.shallow import (NeuronSharing, data_knots, exact_knot_count, knots, share_neurons,
                                     sharing_errors)

_LAZY = {  # name → module (each imports torch)
    "kmeans_torch": "kmeans",
    "SharedWeight": "sharing", "share_weight": "sharing", "SCHEMES": "sharing",
    "DigitsData": "digits", "load_data": "digits", "DigitsCNN": "digits", "accuracy": "digits",
    "CONV_LAYERS": "digits",
    "Progress": "deep_kmeans", "Result": "deep_kmeans", "train_baseline": "deep_kmeans", "compress": "deep_kmeans",
    "cluster_counts": "deep_kmeans", "shared_layers": "deep_kmeans", "sweep": "deep_kmeans",
}

__all__ = ["kmeans_1d", "KMeansResult", "MAX_KMEANS_OPS", "METHODS", "BASES",
           "index_bits", "entropy_bits", "compression_ratio", "LayerBits", "total_ratio", "full_adders",
           "LayerEnergy", "layer_energy", "NeuronSharing", "share_neurons", "sharing_errors", "exact_knot_count",
           "data_knots", "knots", "load_baseline", "stored", "summary", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
