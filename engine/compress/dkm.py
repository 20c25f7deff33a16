"""The Deep k-means regulariser (Wu, Wang, Wang & Wang, "Deep k-Means: Re-Training and Parameter Sharing
with Harder Cluster Assignments for Compressing Deep Convolutions", ICML 2018, §3; docs/design.md §2).

A conv weight of shape (m, c, s, s) (torch layout: out, in, kh, kw) is reshaped to W ∈ ℝ^{s×N},
N = s·c·m, whose columns are the filter rows of length s. k-means with K clusters over the N columns has
cost (SSE) min_F Tr(WᵀW) − Tr(FᵀWᵀWF) over cluster matrices F ∈ ℝ^{N×K} (F_{jk} = 1/√n_k when column j
is in cluster k: then WFFᵀ replaces every column by its cluster mean); the paper relaxes F to any F with
FᵀF = I, whose optimum is the top-K right singular vectors of W (Ky Fan), and trains with

    loss + (λ/2)[Tr(WᵀW) − Tr(FᵀWᵀWF)],     gradient in W: λ W (I − FFᵀ)   (F held fixed),

refreshing F by a truncated SVD every few epochs. With the SVD F the term equals (λ/2)Σ_{i>K} σ_i²(W).
Since rank W ≤ s, it is exactly 0 right after each refresh whenever K ≥ s — for 3×3 convolutions (s = 3)
that is every useful K; the term then only grows again as W moves away from the span of F between
refreshes. We show that value rather than hide it, and also offer the *hard* F from k-means labels
(the unrelaxed objective: the term is then (λ/2)·SSE and its gradient λ(W − C), C the matrix of cluster
means), which keeps pulling the rows towards their centres for any K.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["conv_rows", "rows_to_conv", "Basis", "svd_basis", "hard_basis", "regulariser"]


def conv_rows(weight: torch.Tensor) -> torch.Tensor:
    """(m, c, kh, kw) → W ∈ ℝ^{kw × N}, N = m·c·kh: column j is filter row j (length s = kw)."""
    return weight.reshape(-1, weight.shape[-1]).T


def rows_to_conv(W: torch.Tensor, shape) -> torch.Tensor:
    """Inverse of ``conv_rows``."""
    return W.T.reshape(shape)


@dataclass
class Basis:
    """F, held fixed between refreshes: ``vectors`` (N, r) orthonormal (SVD kind) or ``labels`` (N,)
    of a hard cluster matrix with ``k`` clusters (hard kind)."""

    kind: str
    k: int
    vectors: torch.Tensor | None = None
    labels: torch.Tensor | None = None

    def project(self, W: torch.Tensor) -> torch.Tensor:
        """W F Fᵀ: the projection of the rows of W onto span F (SVD) or each column's cluster mean (hard)."""
        if self.kind == "svd":
            return (W @ self.vectors) @ self.vectors.T
        sums = torch.zeros(W.shape[0], self.k, dtype=W.dtype, device=W.device)
        sums.index_add_(1, self.labels, W)
        counts = torch.bincount(self.labels, minlength=self.k).clamp(min=1).to(W.dtype)
        return (sums / counts)[:, self.labels]


def svd_basis(W: torch.Tensor, k: int) -> Basis:
    """Top-min(K, rank) right singular vectors of W (s × N, s small): the relaxed optimum of
    max Tr(FᵀWᵀWF) over FᵀF = I. Columns beyond rank W would add nothing to Tr(FᵀWᵀWF), so they are
    left out; FFᵀ is then the same projector on the row space of W."""
    W = W.detach()
    _, sing, vh = torch.linalg.svd(W, full_matrices=False)
    rank = int((sing > sing[0] * 1e-12).sum()) if len(sing) and sing[0] > 0 else 0
    r = min(k, rank)
    return Basis("svd", k, vectors=vh[:r].T.contiguous())


def hard_basis(labels: torch.Tensor, k: int) -> Basis:
    """The cluster matrix F_{jk} = [label_j = k]/√n_k of a k-means assignment."""
    return Basis("hard", k, labels=labels.to(torch.long))


def regulariser(W: torch.Tensor, basis: Basis, lam: float) -> torch.Tensor:
    """(λ/2)[Tr(WᵀW) − Tr(FᵀWᵀWF)] = (λ/2)‖W − WFFᵀ‖²_F (FFᵀ is an orthogonal projector), as a
    differentiable scalar; its gradient is λW(I − FFᵀ)."""
    residual = W - basis.project(W)
    return 0.5 * lam * (residual * residual).sum()
