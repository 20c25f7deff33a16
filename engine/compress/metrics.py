"""Compression and energy metrics for weight sharing (docs/design.md §2; Han et al. 2016; Wu et al. 2018).

Compression ratio of one layer with n weights of b bits shared through K centres (Han, Mao & Dally,
"Deep Compression", ICLR 2016, §3): each weight is stored as an index of ⌈log₂K⌉ bits, plus the codebook
of K centres of b bits:

    CR = n·b / (n·⌈log₂K⌉ + K·b)                          (scalar sharing)
    CR = N·s·b / (N·⌈log₂K⌉ + K·s·b)                      (row-wise sharing of N rows of length s)

The entropy-coded variant replaces ⌈log₂K⌉ by the empirical entropy H = −Σ p_k log₂ p_k of the index
distribution (bits per index of an ideal entropy coder, e.g. Huffman to within 1 bit). Totals over a
network are ratios of summed bits, with layers left uncompressed counted at b bits per weight.

Energy (Wu, Wang, Wang & Wang, "Deep k-Means", ICML 2018, §4, after the full-adder model there): a
D-dimensional dot product of B_w-bit weights and B_x-bit activations costs

    D·B_w·B_x + (D − 1)(B_x + B_w + ⌈log₂D⌉ − 1)          1-bit full adders

(D multiplications as B_w·B_x adder arrays, then a tree of D − 1 additions of growing width); the
representational costs are N_w·|W|·B_w and N_x·|X|·B_x bits moved, N = the number of times each weight /
activation is used. With weight sharing a weight is fetched as its ⌈log₂K⌉-bit index (the codebook is
read once per layer), so sharing lowers the weight representational cost; the arithmetic still uses
B_w-bit centres, so the compute cost is unchanged (we do not assume products are precomputed).
"""
from __future__ import annotations

from dataclasses import dataclass, asdict
from math import ceil, log2

import numpy as np

from engine.validation import DataError

__all__ = ["index_bits", "entropy_bits", "compression_ratio", "LayerBits", "total_ratio",
           "full_adders", "LayerEnergy", "layer_energy"]


def index_bits(k: int) -> int:
    """⌈log₂K⌉ bits per index (0 for K = 1: nothing to store)."""
    if k < 1:
        raise DataError("K must be at least 1")
    return ceil(log2(k)) if k > 1 else 0


def entropy_bits(labels, k: int | None = None) -> float:
    """Empirical entropy −Σ p_k log₂ p_k of the cluster indexes, bits per index."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size == 0:
        return 0.0
    counts = np.bincount(labels, minlength=k or 0)
    p = counts[counts > 0] / labels.size
    return float(max(0.0, -(p * np.log2(p)).sum()))


@dataclass
class LayerBits:
    """Bits of one layer before and after sharing. ``rows`` = N indexed vectors of length ``row``
    (row = 1 for scalar sharing); ``k`` = 0 means the layer is not shared."""

    name: str
    rows: int
    row: int
    k: int
    bits: int = 32
    entropy: float = float("nan")   # bits per index of the entropy-coded variant

    @property
    def original(self) -> float:
        return float(self.rows * self.row * self.bits)

    def compressed(self, entropy_coded: bool = False) -> float:
        if self.k == 0:
            return self.original
        per_index = self.entropy if entropy_coded else index_bits(self.k)
        return float(self.rows * per_index + self.k * self.row * self.bits)

    def ratio(self, entropy_coded: bool = False) -> float:
        return self.original / self.compressed(entropy_coded)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(ratio=self.ratio(), ratio_entropy=self.ratio(True) if self.k else 1.0)
        return out


def compression_ratio(n: int, k: int, bits: int = 32, row: int = 1) -> float:
    """Han et al.: n·row·b / (n·⌈log₂K⌉ + K·row·b) for n indexed vectors of length ``row``."""
    return LayerBits("", n, row, k, bits).ratio()


def total_ratio(layers: list[LayerBits], entropy_coded: bool = False) -> float:
    """Σ original bits / Σ compressed bits over the network."""
    before = sum(layer.original for layer in layers)
    after = sum(layer.compressed(entropy_coded) for layer in layers)
    return before / after


def full_adders(d: int, bw: int = 8, bx: int = 8) -> int:
    """1-bit full adders of a D-dimensional dot product: D·B_w·B_x + (D−1)(B_x + B_w + ⌈log₂D⌉ − 1)."""
    if d < 1:
        raise DataError("the dot product needs D ≥ 1")
    return d * bw * bx + (d - 1) * (bx + bw + ceil(log2(d)) - 1)


@dataclass
class LayerEnergy:
    """Energy proxies of one layer per input example (full adders / bits moved)."""

    name: str
    compute: float          # dot products × full_adders(D)
    weights: float          # N_w·|W|·B_w (B_w → index bits when shared, plus the codebook once)
    activations: float      # N_x·|X|·B_x

    @property
    def total(self) -> float:
        return self.compute + self.weights + self.activations


def layer_energy(name: str, dot_products: int, d: int, n_weights: int, uses_per_weight: int,
                 bw: int = 8, bx: int = 8, k: int = 0, row: int = 1) -> LayerEnergy:
    """A layer computing ``dot_products`` D-dimensional dot products, each weight used
    ``uses_per_weight`` times (output positions for a convolution, 1 for a dense layer). Every dot
    product reads D activations, so N_x·|X| = dot_products·D (zero padding counted as reads). Shared (k > 0): each weight fetch reads
    an index of ⌈log₂K⌉ bits per row of length ``row``, and the codebook K·row·B_w once."""
    compute = dot_products * full_adders(d, bw, bx)
    if k:
        weights = uses_per_weight * (n_weights / row) * index_bits(k) + k * row * bw
    else:
        weights = uses_per_weight * n_weights * bw
    return LayerEnergy(name, float(compute), float(weights), float(dot_products * d * bx))
