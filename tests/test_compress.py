"""Compression engine: docs/design.md §5 arithmetic, the Deep k-means regulariser, sharing, digits CNN,
neuron sharing of shallow nets, CLI."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from engine.compress import dkm
from engine.compress.metrics import (LayerBits, compression_ratio, entropy_bits, full_adders, index_bits,
                                     layer_energy, total_ratio)
from engine.compress.sharing import share_weight


# --- docs/design.md §5 ---------------------------------------------------------------------------------
def test_design_compression_ratio_row_wise_conv():
    n_rows = 3 * 64 * 64          # 3×3 conv, 64→64: N = s·c·m filter rows of length s = 3
    assert n_rows == 12288
    layer = LayerBits("conv", n_rows, 3, 64, 32)
    assert layer.original == 1_179_648 and layer.compressed() == 79_872
    assert compression_ratio(n_rows, 64, 32, row=3) == pytest.approx(14.769230769, rel=1e-9)


def test_design_full_adders():
    assert full_adders(9, 8, 8) == 728
    assert full_adders(1, 8, 8) == 64      # one multiplication, no additions


def test_index_and_entropy_bits():
    assert [index_bits(k) for k in (1, 2, 3, 4, 16, 17)] == [0, 1, 2, 2, 4, 5]
    assert entropy_bits(np.arange(16).repeat(5), 16) == pytest.approx(4.0)
    assert entropy_bits(np.zeros(10, int)) == 0.0
    skewed = np.r_[np.zeros(90, int), np.ones(10, int)]
    h = -(0.9 * np.log2(0.9) + 0.1 * np.log2(0.1))
    assert entropy_bits(skewed, 2) == pytest.approx(h)
    layer = LayerBits("x", 100, 1, 2, 32, entropy=h)
    assert layer.ratio(True) == pytest.approx(3200 / (100 * h + 64))


def test_total_ratio_counts_uncompressed_layers():
    layers = [LayerBits("a", 1000, 1, 16), LayerBits("a.bias", 10, 1, 0)]
    assert total_ratio(layers) == pytest.approx((32000 + 320) / (4000 + 16 * 32 + 320))


def test_layer_energy_dense_and_shared():
    e = layer_energy("fc", dot_products=10, d=512, n_weights=5120, uses_per_weight=1)
    assert e.compute == 10 * full_adders(512) and e.weights == 5120 * 8 and e.activations == 10 * 512 * 8
    shared = layer_energy("fc", 10, 512, 5120, 1, k=16)
    assert shared.compute == e.compute and shared.weights == 5120 * 4 + 16 * 8


# --- the regulariser --------------------------------------------------------------------------------
def _kmeans_sse(W, labels, k):
    return sum(((W[:, labels == j] - W[:, labels == j].mean(1, keepdims=True)) ** 2).sum()
               for j in range(k) if (labels == j).any())


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(2, 40), st.integers(1, 8), st.integers(0, 10**6))
def test_hard_basis_regulariser_is_kmeans_sse(s, n, k, seed):
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(s, n, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, k, (n,), generator=gen)
    value = dkm.regulariser(W, dkm.hard_basis(labels, k), lam=2.0)   # (λ/2)·SSE with λ = 2
    assert float(value) == pytest.approx(_kmeans_sse(W.numpy(), labels.numpy(), k), rel=1e-10, abs=1e-12)


def test_hard_basis_is_trace_form():
    """(λ/2)[Tr(WᵀW) − Tr(FᵀWᵀWF)] with the explicit cluster matrix F_{jk} = [label_j = k]/√n_k."""
    gen = torch.Generator().manual_seed(1)
    W = torch.randn(3, 30, generator=gen, dtype=torch.float64)
    labels = torch.arange(30) % 4
    Fm = torch.zeros(30, 4, dtype=torch.float64)
    Fm[torch.arange(30), labels] = 1.0
    Fm /= Fm.sum(0).sqrt()
    assert torch.allclose(Fm.T @ Fm, torch.eye(4, dtype=torch.float64))
    trace_form = 0.5 * 0.3 * (torch.trace(W.T @ W) - torch.trace(Fm.T @ W.T @ W @ Fm))
    assert float(dkm.regulariser(W, dkm.hard_basis(labels, 4), 0.3)) == pytest.approx(float(trace_form), rel=1e-12)


def test_svd_basis_regulariser_is_tail_of_singular_values():
    gen = torch.Generator().manual_seed(2)
    W = torch.randn(6, 50, generator=gen, dtype=torch.float64)
    sing = torch.linalg.svdvals(W)
    for k in (1, 2, 3, 5):
        value = float(dkm.regulariser(W, dkm.svd_basis(W, k), lam=2.0))
        assert value == pytest.approx(float((sing[k:] ** 2).sum()), rel=1e-10)
    for k in (6, 7, 64):   # K ≥ s = rank: exactly zero right after the refresh
        assert float(dkm.regulariser(W, dkm.svd_basis(W, k), lam=2.0)) == pytest.approx(0.0, abs=1e-20 + 1e-12 * float((sing**2).sum()))


@pytest.mark.parametrize("kind", ["svd", "hard"])
def test_regulariser_gradient(kind):
    gen = torch.Generator().manual_seed(3)
    W = torch.randn(3, 20, generator=gen, dtype=torch.float64)
    basis = dkm.svd_basis(W, 2) if kind == "svd" else dkm.hard_basis(torch.arange(20) % 5, 5)
    lam = 0.7
    Wv = W.clone().requires_grad_(True)
    dkm.regulariser(Wv, basis, lam).backward()
    closed = lam * (W - basis.project(W))                 # λ W (I − FFᵀ)
    assert torch.allclose(Wv.grad, closed, atol=1e-12)
    eps, fd = 1e-6, torch.zeros_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            E = torch.zeros_like(W)
            E[i, j] = eps
            fd[i, j] = (dkm.regulariser(W + E, basis, lam) - dkm.regulariser(W - E, basis, lam)) / (2 * eps)
    assert torch.allclose(fd, closed, atol=1e-8)


def test_conv_rows_roundtrip():
    weight = torch.randn(8, 4, 3, 3)
    W = dkm.conv_rows(weight)
    assert W.shape == (3, 8 * 4 * 3)
    assert torch.equal(W[:, 0], weight[0, 0, 0]) and torch.equal(W[:, 5], weight[0, 1, 2])
    assert torch.equal(dkm.rows_to_conv(W, weight.shape), weight)


# --- sharing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme,k", [("rows", 5), ("scalar", 7)])
def test_shared_layer_has_at_most_k_distinct_values(scheme, k):
    weight = torch.randn(16, 8, 3, 3, generator=torch.Generator().manual_seed(0))
    shared = share_weight(weight, k, scheme, seed=0)
    dense = shared()
    assert dense.shape == weight.shape
    row = 3 if scheme == "rows" else 1
    assert torch.unique(dense.reshape(-1, row), dim=0).shape[0] <= k
    assert shared.usage().sum() == weight.numel() // row
    # sse of the sharing = ‖W − shared‖²
    assert shared.sse == pytest.approx(float(((weight - dense.detach()) ** 2).sum()), rel=1e-5)


def test_share_weight_is_deterministic():
    weight = torch.randn(16, 8, 3, 3, generator=torch.Generator().manual_seed(0))
    a, b = share_weight(weight, 6, "rows", seed=3), share_weight(weight, 6, "rows", seed=3)
    assert torch.equal(a.labels, b.labels) and torch.equal(a.centres, b.centres)


def test_bad_scheme():
    with pytest.raises(ValueError, match="scheme"):
        share_weight(torch.zeros(3, 3), 2, "columns")
