"""Weight sharing for wide shallow ReLU nets: cluster the neurons, merge each cluster into one neuron.

A unit a σ(wᵀx − b) of f(x) = Σ_k a_k σ(w_kᵀx − b_k) + vᵀx + c is A σ(nᵀx − β) with n = w/‖w‖,
β = b/‖w‖, A = a‖w‖ (σ is positively homogeneous); flipping to a canonical orientation of n moves an
affine term into the skip (σ(−z) = σ(z) − z; ``engine.network.canonical_units``). The first-layer
rows (n_k, β_k) — for d = 1 just the knots t_k = β_k — are clustered into K centres, weighted by the
cost share ‖A_k‖ (k-means on (n, β); for d = 1 the *exact* weighted 1-D k-means of the knots). All units
of a cluster then share the centre's row, and since they share it they add up: the compressed network
has K neurons, neuron c = (Σ_{k∈c} A_k) σ(n_cᵀx − β_c), so its output weights are the cluster sums.

Why this loses little for nets trained with weight decay: the penalty drives the net towards a minimum
of the representation cost (Savarese et al. 2019; Ongie et al. 2020), whose minimisers have few knots
(for d = 1 at most one per data interval, ``engine.interpolate``); the trained neurons pile up at those
knots, so K = the exact minimiser's number of knots recovers the function almost exactly, while a net
trained without the penalty spreads its knots and loses more.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import ShallowNet, canonical_units
from engine.validation import DataError

__all__ = ["NeuronSharing", "share_neurons", "sharing_errors", "exact_knot_count", "data_knots", "knots"]


@dataclass
class NeuronSharing:
    net: ShallowNet          # the compressed net, width K (runnable: net(x))
    labels: np.ndarray       # cluster of each original unit, −1 for units with w = 0 (constants) and
                             # units folded into the skip (affine on the inputs' hull)
    sse: float               # Σ ‖A_k‖·‖(n_k, β_k) − centre‖² (the clustering objective)
    ratio: float             # parameter bits before / after (32-bit floats)

    @property
    def k(self) -> int:
        return self.net.width


def _params(net: ShallowNet) -> int:
    return net.width * (net.dim + 1 + net.tasks) + (net.dim + 1) * net.tasks


def share_neurons(net: ShallowNet, k: int, *, inputs=None, seed: int = 0) -> NeuronSharing:
    """Cluster the neurons of ``net`` into at most K shared rows and merge each cluster (see above).

    ``inputs`` (N, d) or (N,): the data. A unit whose hyperplane does not separate them is affine on
    their convex hull (σ(z) = z where z ≥ 0 on all of them, 0 where z ≤ 0): it is folded into the skip
    (or dropped) before clustering, which leaves f unchanged on the hull — units that gradient training
    left with far-away knots would otherwise be clusters of their own."""
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise DataError("K must be a positive integer")
    n, beta, A, sgn, keep = canonical_units(net.w, net.b, net.a)
    # flipped units: Aσ(−(nᵀx − β)) = Aσ(nᵀx − β) − A(nᵀx − β); constant units (w = 0): a·σ(−b)
    flip = sgn < 0
    v = net.v - n[flip].T @ A[flip]
    c = net.c + beta[flip] @ A[flip] + np.maximum(-net.b[~keep], 0.0) @ net.a[~keep]
    labels = np.full(net.width, -1)
    if inputs is not None:
        X = np.asarray(inputs, float).reshape(-1, net.dim)
        z = X @ n.T - beta                               # (N, units)
        on, off = (z >= 0).all(axis=0), (z <= 0).all(axis=0)
        v = v + n[on].T @ A[on]                          # Aσ(z) = A(nᵀx − β) on the hull
        c = c - beta[on] @ A[on]
        inside = ~(on | off)
        idx = np.flatnonzero(keep)
        keep = keep.copy()
        keep[idx[~inside]] = False
        n, beta, A = n[inside], beta[inside], A[inside]
    if not len(n):   # every unit was constant or affine on the data: an affine net (skip only)
        out = ShallowNet(np.zeros((0, net.tasks)), np.zeros((0, net.dim)), np.zeros(0), v, c)
        return NeuronSharing(out, labels, 0.0, _params(net) / _params(out))
    weight = np.linalg.norm(A, axis=1)
    weight = np.where(weight > 0, weight, 1e-300)
    rows = np.c_[n, beta]
    k = min(int(k), len(rows))
    if net.dim == 1:   # all n = 1 after orientation: cluster the knots exactly
        from engine.compress.kmeans_1d import kmeans_1d
        res = kmeans_1d(beta, k, weights=weight)
        centres = np.c_[np.ones(res.centers.shape[0]), res.centers]
    else:
        from engine.compress.kmeans import kmeans
        res = kmeans(rows, k, seed=seed, weights=weight, device="cpu")
        centres = np.asarray(res.centers).reshape(-1, net.dim + 1)
    lab = np.asarray(res.labels)
    labels[keep] = lab
    used = np.unique(lab)
    a_new = np.stack([A[lab == j].sum(axis=0) for j in used])
    out = ShallowNet(a_new, centres[used, :-1], centres[used, -1], v, c)
    sse = float((weight * ((rows - centres[lab]) ** 2).sum(axis=1)).sum())
    return NeuronSharing(out, labels, sse, _params(net) / _params(out))


def sharing_errors(net: ShallowNet, inputs, ks, *, seed: int = 0) -> np.ndarray:
    """max_i ‖f_K(x_i) − f(x_i)‖ at the data for each K in ``ks``: how much sharing K neurons
    (``share_neurons``) changes the network where it was trained."""
    X = np.asarray(inputs, float)
    before = net(X)
    return np.array([np.abs(share_neurons(net, int(k), inputs=X, seed=seed).net(X) - before).max() for k in ks])


def exact_knot_count(x, y, lam: float) -> int:
    """Number of knots of the exact minimiser of ½Σ(f(x_i) − y_i)² + λ∫|f''| (bias free, d = 1;
    ``engine.interpolate``): the K at which neuron sharing of a well-trained net should lose nothing."""
    from engine.univariate.interpolate import interpolate
    return int(len(interpolate(x, y, lam=lam).knots))


def data_knots(net: ShallowNet, x) -> tuple[np.ndarray, np.ndarray]:
    """For d = 1: the knots t_k = β_k of the units inside the data range [min x, max x] and their cost
    shares ‖A_k‖ (``canonical_units``; units with knots outside are affine on the data)."""
    x = np.asarray(x, float)
    _, beta, A, _, _ = canonical_units(net.w, net.b, net.a)
    inside = (beta > x.min() - 1e-9) & (beta < x.max() + 1e-9)
    return beta[inside], np.linalg.norm(A, axis=1)[inside]


def knots(net: ShallowNet) -> np.ndarray:
    """For d = 1: the knot b_k / w_k of every unit with w_k ≠ 0."""
    w = net.w[:, 0]
    return net.b[w != 0] / w[w != 0]
