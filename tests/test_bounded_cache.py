"""ui.bounded_cache: caches shared by all sessions stay within their entry and byte bounds (issue 12), and
the sizes it estimates match what numpy and torch report."""
import threading

import numpy as np
import pytest

from ui.bounded_cache import CACHES, MiB, BoundedCache, bounded_cache, nbytes


def test_nbytes_counts_arrays_tensors_and_fields():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Result:
        mu: np.ndarray
        parts: dict

    a = np.zeros((512, 512))
    assert a.nbytes <= nbytes(a) <= a.nbytes + 1024
    r = Result(a, {"b": np.ones(1000), "again": a})   # a shared array is counted once
    assert a.nbytes + 8000 <= nbytes(r) <= a.nbytes + 8000 + 4096
    assert nbytes([r, r]) == pytest.approx(nbytes(r), abs=200)


def test_nbytes_of_a_torch_model():
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(100, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 10))
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    assert weights <= nbytes(model) <= weights + 64 * 1024


def test_entries_and_bytes_are_both_bounded():
    cache = BoundedCache("test.both", max_entries=3, max_bytes=10 * MiB)
    for i in range(10):   # small entries: the entry bound holds
        cache.put(i, np.zeros(10))
    assert list(cache._items) == [7, 8, 9] and len(cache) == 3
    cache.clear()
    for i in range(3):   # 4 MiB entries: only two fit in 10 MiB
        cache.put(i, np.zeros(MiB // 2))
    assert list(cache._items) == [1, 2] and cache.nbytes <= 10 * MiB
    big = np.zeros(2 * MiB)   # 16 MiB: returned, never kept
    assert cache.put("big", big) is big and "big" not in cache and list(cache._items) == [1, 2]


def test_least_recently_used_goes_first():
    cache = BoundedCache("test.lru", max_entries=2, max_bytes=MiB)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1   # a is now the most recent
    cache["c"] = 3
    assert "b" not in cache and cache["a"] == 1 and cache["c"] == 3
    with pytest.raises(KeyError):
        cache["b"]
    assert cache.get("b", "none") == "none"


def test_decorator_shares_one_cache_across_reruns():
    calls = []

    def define():   # a page script defines its function again on every rerun
        @bounded_cache(max_entries=2, max_bytes=MiB, name="test.rerun")
        def square(x):
            calls.append(x)
            return np.full(1000, x)
        return square

    assert define()(3)[0] == 3 and define()(3)[0] == 3
    assert calls == [3] and CACHES["test.rerun"] is define().cache
    for x in range(5):
        define()(x)
    assert len(CACHES["test.rerun"]) == 2


def test_decorator_default_names_differ_per_function():
    """Two pages may both call their function ``exact``: the name includes the file and qualified name."""
    def page_one():
        @bounded_cache(max_entries=1, max_bytes=MiB)
        def exact(x):
            return ("first", x)
        return exact

    def page_two():
        @bounded_cache(max_entries=1, max_bytes=MiB)
        def exact(x):
            return ("second", x)
        return exact

    assert page_one()(1) == ("first", 1) and page_two()(1) == ("second", 1)
    assert page_one().cache is not page_two().cache


def test_concurrent_puts_keep_the_bounds():
    cache = BoundedCache("test.threads", max_entries=50, max_bytes=2 * MiB)

    def work(offset):
        for i in range(200):
            cache.put((offset, i), np.zeros(1000))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) <= 50 and cache.nbytes <= 2 * MiB
    assert cache.nbytes == sum(size for _, size in cache._items.values())


def test_rnorm_grid_result_size_is_what_the_page_bounds():
    """At 512² a grid result is ~12 MB (issue 12): the R-norm page's cache (256 MiB) holds about 20."""
    from engine.rnorm.grid import rnorm_grid

    res = rnorm_grid(lambda x, y: np.exp(-(x * x + y * y) / 2), extent=6.0, resolution=128, angles=128)
    size = nbytes(res)
    assert 0.4 * MiB < size < 4 * MiB   # scales as n·max(m, n): ×16 at 512² ≈ 12 MB


def test_digits_page_entries_fit_its_bounds():
    """The digits page keeps 8 baselines in 64 MiB and 4 data splits in 64 MiB: each is well under 8 MiB."""
    pytest.importorskip("torch")
    from engine.compress.baseline import load_baseline
    from engine.compress.digits import load_data

    assert nbytes(load_baseline("cpu")) < 8 * MiB and nbytes(load_data(0)) < 16 * MiB
