"""Hard weight sharing: a layer's weights replaced by K shared centres and an index per weight (or row).

Two schemes (docs/design.md §2):
* scalar (Han, Mao & Dally, "Deep Compression", ICLR 2016, §3): the n weights of a layer are clustered
  as scalars, centres initialised linearly between min and max (their finding: linear initialisation
  keeps the rare large weights, which matter most);
* row-wise (Wu et al., "Deep k-Means", ICML 2018): the N = m·c·s filter rows of length s of a conv
  weight (columns of W ∈ ℝ^{s×N}, see ``dkm.conv_rows``) are clustered as vectors (k-means++).
The shared layer stores ``centres`` (K, row) and ``labels`` (number of rows,), and is runnable: the dense
weight is centres[labels] reshaped. Centres are a torch Parameter, so training them afterwards
(Deep Compression's centroid fine-tuning) sums the gradients of all weights that share a centre.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.compress.kmeans_torch import kmeans_torch
from engine.validation import DataError

__all__ = ["SharedWeight", "share_weight", "SCHEMES"]

SCHEMES = ("scalar", "rows")


class SharedWeight(nn.Module):
    """weight = centres[labels].reshape(shape); ``row`` = 1 (scalar) or s (row-wise)."""

    def __init__(self, centres: torch.Tensor, labels: torch.Tensor, shape, sse: float = float("nan")):
        super().__init__()
        self.centres = nn.Parameter(centres.detach().clone())
        self.register_buffer("labels", labels.detach().to(torch.long).clone())
        self.shape = tuple(shape)
        self.sse = float(sse)

    @property
    def k(self) -> int:
        return self.centres.shape[0]

    @property
    def row(self) -> int:
        return self.centres.shape[1]

    def forward(self) -> torch.Tensor:
        return self.centres[self.labels].reshape(self.shape)

    def usage(self) -> torch.Tensor:
        """How many weights (rows) use each centre: (K,)."""
        return torch.bincount(self.labels, minlength=self.k)

    def distinct_rows(self) -> int:
        return int(torch.unique(self.forward().reshape(-1, self.row), dim=0).shape[0])


def share_weight(weight: torch.Tensor, k: int, scheme: str = "rows", *, seed: int = 0,
                 init: str | None = None) -> SharedWeight:
    """Cluster a layer's weight (scalar: all entries; rows: the rows of length weight.shape[-1]) into
    at most K centres and return the shared layer. Default init: "linear" for scalar, "k-means++" for rows."""
    if scheme not in SCHEMES:
        raise DataError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    w = weight.detach()
    points = w.reshape(-1, 1) if scheme == "scalar" else w.reshape(-1, w.shape[-1])
    k = max(1, min(int(k), points.shape[0]))
    init = init or ("linear" if scheme == "scalar" else "k-means++")
    centres, labels, sse, _ = kmeans_torch(points, k, seed=seed, init=init)
    return SharedWeight(centres.to(w.dtype), labels, w.shape, sse=float(sse))
