"""Lloyd k-means in torch (CPU or CUDA), batched over groups, weighted, memory-bounded; numpy front end.

``kmeans_torch`` clusters X of shape (n, p), or a batch (G, n, p) of G independent problems at once (e.g.
the layers of a network, padded to a common n with weight 0). Design choices, all deliberate:

* Initialisation: "k-means++" — greedy D² sampling as in scikit-learn (Arthur & Vassilvitskii 2007; each
  step draws 2 + ⌊ln k⌋ candidates ∝ w·D² and keeps the one that lowers the potential most; the first centre
  is drawn ∝ w); "linear" — Deep Compression's linear init (Han et al. 2016): k centres evenly spaced from
  min to max, endpoints included (k = 1: the midpoint); for p > 1 along the diagonal of the (weighted-
  support) bounding box, c_j = lo + j/(k−1)·(hi − lo) per coordinate; or an explicit (k, p) / (G, k, p)
  tensor.
* Randomness: group g of a batch uses its own CPU ``torch.Generator`` seeded with ``seed + g``, and all its
  uniforms are drawn before the run and copied to the device. Hence (i) no global RNG is touched, (ii) a
  run is deterministic for a seed on a given device, (iii) group g of a batch reproduces
  ``kmeans_torch(X[g][w[g] > 0], k, seed=seed + g)`` (padding points have weight 0, are never sampled and
  carry no mass; the sampling is done by inverse CDF on a float64 cumulative sum, so interleaved zeros do
  not change it), and (iv) CPU and CUDA draw the same candidates.
* Memory: distances are computed in chunks of points so that no (G, chunk, k) block exceeds
  ``chunk_elems`` elements (k-means++ candidates likewise). For p = 1 the assignment sorts the k centres
  and uses ``torch.searchsorted`` on the midpoints: O(n log k), no n×k matrix at all. What is kept in full
  is O(G·n): labels (int64), the current per-point cost, and during k-means++ one float64 cumulative sum.
  10⁷ points × k = 16 × p = 3 thus needs a few hundred MB, not n·k. On CPU blocks are moreover capped at
  2¹⁸ elements, which keeps them in cache (2²⁴-element blocks measured 3× slower on a 2-core VM).
* Centre update: weighted means, accumulated in float64. On CPU with ``scatter_add_`` (deterministic); on
  CUDA with a one-hot matrix product per chunk, because CUDA scatter-add uses atomics whose summation order
  (hence the last bits) varies from run to run.
* Empty clusters (zero total weight after an assignment) are re-seeded at the points with the largest
  current squared distance to their centre (among points of positive weight; the e-th empty cluster of a
  group gets the e-th farthest point), as scikit-learn does.
* Stopping: a group stops when Σ_j ‖c_j^new − c_j^old‖² ≤ tol·s with s the mean over coordinates of the
  weighted variance of the group's data (scikit-learn's rule with weights; scikit-learn itself takes the
  unweighted variance, which the front end passes as ``thr``), or when its labels did not change, or at
  max_iter. A stopped group is frozen while others go on, so batching does not change any group's result.
  A final assignment makes labels consistent with the returned centres.
* sse = Σ_i w_i ‖x_i − c_{label_i}‖², accumulated in float64.
* Translation: every group is shifted by its weighted mean before anything else (and the centres back at
  the end), as scikit-learn does; otherwise ‖c‖² − 2c·x and the prefix sums of the sorted 1-D path
  cancel catastrophically for data far from 0 (10⁹ + O(1)). ``kmeans`` moreover divides the data by a
  power of two (exact) so that squares neither underflow nor overflow (|x| ≲ 1e-154 or ≳ 1e154).

``engine.compress.kmeans.kmeans`` is the numpy front end (validation, device choice, several inits, the
"fewer distinct points than k" rule); it passes scikit-learn's threshold as ``thr``.
"""
from __future__ import annotations

import math

import torch

from engine.compress.kmeans_1d import MAX_KMEANS_OPS, check_kmeans_work
from engine.validation import DataError

__all__ = ["kmeans_torch"]


def _acc_dtype(device):
    return torch.float32 if device.type == "mps" else torch.float64   # MPS has no float64


_CPU_BLOCK = 2 ** 18   # on CPU, large blocks fall out of cache: 2**24-element blocks measured 3x slower


def _chunk_rows(n, per_point, chunk_elems, device):
    """How many points per chunk so that a block of chunk × per_point elements stays ≤ chunk_elems."""
    cap = int(chunk_elems) if device.type != "cpu" else min(int(chunk_elems), _CPU_BLOCK)
    return max(1, min(n, cap // max(1, per_point)))


def _assign(X, w, C, chunk_elems, acc, onehot, want_sse=False):
    """Nearest centre for every point, plus the weighted sums per cluster.

    X (G, n, p), w (G, n), C (G, k, p). Returns labels (G, n) int64, sums (G, k, p) and mass (G, k) in
    ``acc``, and (if want_sse) sse (G,) in ``acc`` from exact squared distances ‖x − c_label‖².
    """
    G, n, p = X.shape
    k = C.shape[1]
    dev = X.device
    labels = torch.empty((G, n), dtype=torch.int64, device=dev)
    sums = torch.zeros((G, k, p), dtype=acc, device=dev)
    mass = torch.zeros((G, k), dtype=acc, device=dev)
    sse = torch.zeros(G, dtype=acc, device=dev)
    offs = (torch.arange(G, device=dev) * k)[:, None]
    if p == 1 and k > 1:
        cs, order = torch.sort(C[:, :, 0], dim=1)
        mid = ((cs[:, 1:] + cs[:, :-1]) / 2).contiguous()
        m = _chunk_rows(n, G * 4, chunk_elems, dev)
    else:
        c2 = (C * C).sum(-1)                                       # (G, k)
        m = _chunk_rows(n, G * k, chunk_elems, dev)
    for s in range(0, n, m):
        x = X[:, s:s + m]
        if p == 1 and k > 1:
            pos = torch.searchsorted(mid, x[:, :, 0].contiguous())   # index into the sorted centres
            lab = order.gather(1, pos)
        elif k == 1:
            lab = torch.zeros(x.shape[:2], dtype=torch.int64, device=dev)
        else:
            # ‖c‖² − 2c·x (‖x‖² does not change the argmin), one (G, k, m) block; min over dim 1 is
            # the fastest of the layouts/reductions we measured on CPU
            d = torch.baddbmm(c2[:, :, None], C, x.transpose(1, 2), alpha=-2.0)
            lab = d.min(dim=1).indices
        labels[:, s:s + m] = lab
        wa = w[:, s:s + m].to(acc)
        if want_sse:
            cx = C.gather(1, lab[:, :, None].expand(-1, -1, p))     # (G, m, p) chosen centres
            sse += (wa * ((x - cx) ** 2).sum(-1).to(acc)).sum(1)
        wx = x.to(acc) * wa[:, :, None]
        if onehot:   # deterministic on CUDA (scatter/bincount use atomics): (G, k, m) @ (G, m, p + 1)
            oh = (lab[:, None, :] == torch.arange(k, device=dev)[None, :, None]).to(acc)
            r = torch.bmm(oh, torch.cat([wx, wa[:, :, None]], dim=2))
            sums += r[:, :, :p]
            mass += r[:, :, p]
        else:        # CPU: bincount on flattened (group, label) ids, deterministic and the fastest here
            ids = (lab + offs).reshape(-1)
            for j in range(p):
                sums[:, :, j] += torch.bincount(ids, weights=wx[:, :, j].reshape(-1), minlength=G * k).view(G, k)
            mass += torch.bincount(ids, weights=wa.reshape(-1), minlength=G * k).view(G, k)
    return labels, sums, mass, sse


def _sq_dist_to(X, c):
    """Squared distances (G, n) from every point to one centre per group c (G, p)."""
    return ((X - c[:, None, :]) ** 2).sum(-1)


def _kmeanspp(X, w, k, gens, chunk_elems, acc):
    """Greedy k-means++ (scikit-learn's variant) for each group; returns centres (G, k, p) in X's dtype."""
    G, n, p = X.shape
    dev = X.device
    trials = 2 + int(math.log(k))
    # all uniforms up front, per group, on the CPU → the same draws on every device
    U = torch.stack([torch.rand(1 + (k - 1) * trials, generator=g, dtype=torch.float64) for g in gens]).to(dev)
    wa = w.to(acc)
    gi = torch.arange(G, device=dev)
    cum_w = torch.cumsum(wa, dim=1)

    def draw(cum, u):   # inverse CDF: first index with cum > u·total, never a zero-weight point
        tot = cum[:, -1:]
        idx = torch.searchsorted(cum, (u * tot).contiguous(), right=True)
        last = torch.searchsorted(cum, tot.contiguous(), right=False)   # last point with positive mass
        return torch.minimum(idx, last)

    first = draw(cum_w, U[:, :1])[:, 0]
    C = torch.empty((G, k, p), dtype=X.dtype, device=dev)
    C[:, 0] = X[gi, first]
    closest = _sq_dist_to(X, C[:, 0]).to(acc)        # (G, n), O(n) memory
    m = _chunk_rows(n, G * trials, chunk_elems, dev)
    x2 = (X * X).sum(-1)                            # (G, n)
    for j in range(1, k):
        pot_pts = wa * closest
        cum = torch.cumsum(pot_pts, dim=1)
        u = U[:, 1 + (j - 1) * trials: 1 + j * trials]
        cand = draw(cum, u)
        # where the potential is 0 (every point sits on a centre) fall back to sampling ∝ w
        zero = cum[:, -1] <= 0
        if bool(zero.any()):
            cand = torch.where(zero[:, None], draw(cum_w, u), cand)
        cx = X[gi[:, None], cand]                                   # (G, T, p)
        cx2 = (cx * cx).sum(-1)
        pot = torch.zeros((G, trials), dtype=acc, device=dev)
        for s in range(0, n, m):   # few passes, in place: this loop is memory-bound on CPU
            x = X[:, s:s + m]
            if p == 1:
                d = (x[:, None, :, 0] - cx[:, :, None, 0]).square_()                  # (G, T, m)
            else:
                d = torch.baddbmm(cx2[:, :, None], cx, x.transpose(1, 2), alpha=-2.0)
                d.add_(x2[:, None, s:s + m]).clamp_min_(0)
            d = d.to(acc)
            torch.minimum(d, closest[:, None, s:s + m], out=d)
            pot += torch.bmm(d, wa[:, s:s + m, None])[:, :, 0]                    # Σ_i w_i min(·)
        best = pot.argmin(dim=1)                                    # first minimum, as numpy
        C[:, j] = cx[gi, best]
        closest = torch.minimum(closest, _sq_dist_to(X, C[:, j]).to(acc))
    return C


def _linear_init(X, w, k):
    pos = (w > 0)[:, :, None]
    big = torch.finfo(X.dtype).max
    lo = torch.where(pos, X, torch.full_like(X, big)).amin(dim=1)    # (G, p)
    hi = torch.where(pos, X, torch.full_like(X, -big)).amax(dim=1)
    if k == 1:
        t = torch.full((1,), 0.5, dtype=X.dtype, device=X.device)
    else:
        t = torch.arange(k, dtype=X.dtype, device=X.device) / (k - 1)
    return lo[:, None, :] + t[None, :, None] * (hi - lo)[:, None, :]


def _lloyd(Xb, wb, C, thr, max_iter, chunk_elems, acc, onehot, n_iter, active):
    """Lloyd iterations for the groups still ``active`` (see the module docstring); returns (C, n_iter)."""
    G, n, p = Xb.shape
    prev = None
    active = active & (n_iter < max_iter)
    while bool(active.any()):
        labels, sums, mass, _ = _assign(Xb, wb, C, chunk_elems, acc, onehot)
        empty = mass <= 0
        newC = torch.where(empty[:, :, None], C.to(acc), sums / mass.clamp_min(1e-300)[:, :, None])
        if bool(empty.any()):
            for g in torch.nonzero(empty.any(1)).flatten().tolist():
                ids = torch.nonzero(empty[g]).flatten()
                dist = ((Xb[g] - C[g][labels[g]]) ** 2).sum(-1)         # exact, only when needed
                cost = torch.where(wb[g] > 0, dist, torch.full_like(dist, -1.0))
                far = torch.topk(cost, min(len(ids), n)).indices     # farthest points first
                newC[g, ids[:len(far)]] = Xb[g, far].to(acc)
        newC = newC.to(Xb.dtype)
        shift = ((newC.to(acc) - C.to(acc)) ** 2).sum((1, 2))
        same = torch.zeros_like(active) if prev is None else (labels == prev).all(1)
        C = torch.where(active[:, None, None], newC, C)
        n_iter = n_iter + active.to(n_iter.dtype)                    # per group: groups may start late
        active = active & ~(shift <= thr) & ~same & (n_iter < max_iter)
        prev = labels
    return C, n_iter


def _lloyd_sorted_1d(x, w, C, thr, max_iter, acc, n_iter, active):
    """Lloyd for scalars on sorted data: the same iterations as ``_lloyd`` (a point x goes to centre j when
    m_{j−1} < x ≤ m_j for the midpoints m of the sorted centres; same stopping rule) at O(k log n) per
    iteration instead of O(n). After one O(n log n) sort, the k clusters are runs of the sorted data cut at
    searchsorted(x_sorted, m, right=True), and their masses and sums are differences of prefix sums.
    (scikit-learn's Lloyd works point by point in every iteration; on 10⁶ scalars this path makes the
    iterations free, and the time is the sort.) A group in which a cluster empties is handed back (returned
    as still to do) and ``_lloyd``, which re-seeds empty clusters, goes on from there; the others go on here.
    Returns (C, n_iter, handed_back)."""
    G, n = x.shape
    xs, order = torch.sort(x, dim=1)
    ws = w.gather(1, order).to(acc)
    zero = torch.zeros((G, 1), dtype=acc, device=x.device)
    M = torch.cat([zero, ws.cumsum(1)], 1)                        # (G, n + 1) prefix masses
    S = torch.cat([zero, (ws * xs.to(acc)).cumsum(1)], 1)         # prefix weighted sums
    ends = torch.full((G, 1), n, dtype=torch.int64, device=x.device)
    starts = torch.zeros_like(ends)
    prev = None
    handed = torch.zeros_like(active)
    while bool(active.any()):
        cs, corder = torch.sort(C, dim=1)
        mid = ((cs[:, 1:] + cs[:, :-1]) / 2).contiguous()
        cuts = torch.searchsorted(xs, mid, right=True)            # (G, k − 1): #points ≤ each midpoint
        lo, hi = torch.cat([starts, cuts], 1), torch.cat([cuts, ends], 1)
        mass = M.gather(1, hi) - M.gather(1, lo)                   # per sorted centre
        empty = (mass <= 0).any(1) & active
        handed |= empty                                            # let _lloyd re-seed these groups
        active = active & ~empty
        new_sorted = (S.gather(1, hi) - S.gather(1, lo)) / mass.clamp_min(1e-300)
        newC = torch.empty_like(new_sorted).scatter_(1, corder, new_sorted).to(C.dtype)
        shift = ((newC.to(acc) - C.to(acc)) ** 2).sum(1)
        key = torch.cat([cuts, corder], 1)                         # same cuts and order ⇔ same labels
        same = torch.zeros_like(active) if prev is None else (key == prev).all(1)
        C = torch.where(active[:, None], newC, C)
        n_iter = n_iter + active.to(n_iter.dtype)
        active = active & ~(shift <= thr) & ~same & (n_iter < max_iter)
        prev = key
    return C, n_iter, handed


def kmeans_torch(X, k, *, seed=0, init="k-means++", weights=None, max_iter=300, tol=1e-6, chunk_elems=2 ** 24,
                 max_ops=MAX_KMEANS_OPS, thr=None):
    """Weighted Lloyd k-means on torch tensors, single (n, p) or batched (G, n, p); see the module docstring.

    weights: None, (n,) or (G, n), non-negative; weight 0 marks padding. init: "k-means++", "linear" or a
    (k, p) / (G, k, p) tensor. Returns (centers (k, p) or (G, k, p) in X's floating dtype, labels int64
    (n,) or (G, n), sse float64 tensor () or (G,), n_iter int64 tensor () or (G,)), all on X's device.
    Labels of padding points are computed like any other (nearest centre) and may be ignored.
    max_ops bounds ``kmeans_work`` (DataError beyond it; None: no bound). thr: the absolute stopping threshold
    on Σ_j ‖Δc_j‖² (a number, or (G,) per group), in place of tol × the mean weighted variance.
    """
    if not torch.is_tensor(X):
        raise TypeError("X must be a torch tensor (use kmeans() for numpy input)")
    batched = X.dim() == 3
    if X.dim() not in (2, 3):
        raise DataError(f"X must have shape (n, p) or (G, n, p), got {tuple(X.shape)}")
    if not X.is_floating_point():
        X = X.to(torch.get_default_dtype())
    Xb = X if batched else X[None]
    G, n, p = Xb.shape
    k = int(k)
    if n == 0 or p == 0:
        raise DataError(f"X is empty (shape {tuple(X.shape)})")
    if not 1 <= k <= n:
        raise DataError(f"need 1 <= k <= n, got k = {k}, n = {n}")
    check_kmeans_work(G * n, p, k, init, int(max_iter), max_ops)
    dev = Xb.device
    acc = _acc_dtype(dev)
    if weights is None:
        wb = torch.ones((G, n), dtype=Xb.dtype, device=dev)
    else:
        wb = torch.as_tensor(weights, device=dev).to(Xb.dtype)
        wb = wb if wb.dim() == 2 else wb[None].expand(G, n)
        if wb.shape != (G, n):
            raise DataError(f"weights must have shape ({n},) or ({G}, {n}), got {tuple(weights.shape)}")
        if bool((wb < 0).any()) or not bool((wb.sum(1) > 0).all()):
            raise DataError("weights must be non-negative with a positive sum in every group")
    wb = wb.contiguous()

    # convergence threshold per group: tol × mean weighted variance of the coordinates
    wa = wb.to(acc)
    W = wa.sum(1)
    mean = (wa[:, :, None] * Xb.to(acc)).sum(1) / W[:, None]
    var = (wa[:, :, None] * (Xb.to(acc) - mean[:, None, :]) ** 2).sum(1) / W[:, None]
    thr = tol * var.mean(1) if thr is None else torch.as_tensor(thr, dtype=acc, device=dev).expand(G)   # (G,)
    # work on data translated by the weighted mean (k-means is translation invariant; scikit-learn does
    # the same): ‖c‖² − 2c·x and the prefix sums of the sorted 1-D path cancel catastrophically for data
    # far from 0 (10⁹ + N(0, 1): 15× the SSE, max_iter reached, without this)
    ref = mean.to(Xb.dtype)[:, None, :]                              # (G, 1, p)
    Xb = (Xb - ref).contiguous()

    if isinstance(init, str) and init == "k-means++":
        gens = [torch.Generator(device="cpu").manual_seed(int(seed) + g) for g in range(G)]
        C = _kmeanspp(Xb, wb, k, gens, chunk_elems, acc)
    elif isinstance(init, str) and init == "linear":
        C = _linear_init(Xb, wb, k)
    elif isinstance(init, str):
        raise DataError(f"init must be 'k-means++', 'linear' or a tensor of centres, got {init!r}")
    else:
        C = torch.as_tensor(init, device=dev).to(Xb.dtype)
        C = C if C.dim() == 3 else C[None].expand(G, -1, -1)
        if C.shape != (G, k, p):
            raise DataError(f"init centres must have shape ({k}, {p}) or ({G}, {k}, {p}), got {tuple(C.shape)}")
        C = C - ref

    onehot = dev.type != "cpu"
    active = torch.ones(G, dtype=torch.bool, device=dev)
    n_iter = torch.zeros(G, dtype=torch.int64, device=dev)
    if p == 1 and k > 1:
        C, n_iter, active = _lloyd_sorted_1d(Xb[:, :, 0], wb, C[:, :, 0], thr, int(max_iter), acc, n_iter, active)
        C = C[:, :, None].to(Xb.dtype)
    if bool(active.any()):
        C, n_iter = _lloyd(Xb, wb, C, thr, int(max_iter), chunk_elems, acc, onehot, n_iter, active)
    labels, _, _, sse = _assign(Xb, wb, C, chunk_elems, acc, onehot, want_sse=True)
    C = C + ref
    if batched:
        return C, labels, sse.to(torch.float64), n_iter
    return C[0], labels[0], sse[0].to(torch.float64), n_iter[0]
