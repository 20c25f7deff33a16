"""Caches shared by every session, bounded by entries *and* bytes (issue 12).

Streamlit's ``st.cache_data`` / ``st.cache_resource`` bound only the number of entries (``max_entries``);
an R-norm grid result is ~12 MB at 512², a trained CNN a few MB, so an entry count alone lets a few users
fill the server's memory. ``BoundedCache`` is a least-recently-used map with both bounds; ``bounded_cache``
decorates a function like ``st.cache_resource`` (results shared, never copied: callers must not modify
them). Sizes are estimated by ``nbytes`` (numpy arrays and torch tensors by their buffers, containers,
dataclasses and plain objects by walking their fields); an entry larger than ``max_bytes`` is returned
but not kept.

Pages are scripts that Streamlit runs again on every rerun, so a cache lives here, in ``CACHES`` (name →
cache), not in the page: ``BoundedCache.named`` and ``bounded_cache`` return the cache already made under
that name (the decorator names it by the function's file and name).
"""
from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import types
from collections import OrderedDict
from typing import Any, Callable, Hashable

import numpy as np

MiB = 1 << 20
CACHES: dict[str, "BoundedCache"] = {}
_NAMES = threading.Lock()
_OPAQUE = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
           functools.partial, threading.Lock().__class__)


def nbytes(obj: Any) -> int:
    """Estimated memory held by ``obj`` and what it references (each object counted once; shared numpy
    bases counted by the views' own sizes: an upper estimate)."""
    total, seen, stack = 0, set(), [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen or o is None:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            total += o.nbytes + 112
        elif hasattr(o, "element_size") and hasattr(o, "nelement"):   # a torch tensor (torch imported lazily)
            total += o.element_size() * o.nelement() + 72
        elif isinstance(o, (str, bytes, bytearray, int, float, complex, bool, np.generic)):
            total += sys.getsizeof(o)
        elif isinstance(o, dict):
            total += sys.getsizeof(o)
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            total += sys.getsizeof(o)
            stack.extend(o)
        elif isinstance(o, _OPAQUE):
            continue   # code, not data
        else:
            total += sys.getsizeof(o)
            if dataclasses.is_dataclass(o):
                stack.extend(getattr(o, f.name, None) for f in dataclasses.fields(o))
            if hasattr(o, "__dict__"):
                stack.extend(vars(o).values())
            for slot in getattr(type(o), "__slots__", ()):
                stack.append(getattr(o, slot, None))
    return total


class BoundedCache:
    """A thread-safe LRU map holding at most ``max_entries`` entries and ``max_bytes`` bytes (by ``nbytes``)."""

    def __init__(self, name: str, max_entries: int, max_bytes: int, sizeof: Callable[[Any], int] = nbytes):
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("a cache needs room for at least one entry")
        self.name, self.max_entries, self.max_bytes, self.sizeof = name, max_entries, max_bytes, sizeof
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        CACHES[name] = self

    @classmethod
    def named(cls, name: str, max_entries: int, max_bytes: int) -> "BoundedCache":
        """The cache called ``name`` (made on first use; later calls update its bounds)."""
        with _NAMES:
            cache = CACHES[name] if name in CACHES else cls(name, max_entries, max_bytes)
            cache.max_entries, cache.max_bytes = max_entries, max_bytes
            return cache

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __getitem__(self, key: Hashable) -> Any:
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.put(key, value)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key`` (evicting the least recently used entries to stay within both
        bounds; a value larger than ``max_bytes`` is not kept); returns ``value``."""
        size = self.sizeof(value)
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if size > self.max_bytes:
                return value
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]
        return value

    def pop(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            value, size = self._items.pop(key)
            self._bytes -= size
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def bounded_cache(max_entries: int, max_bytes: int, name: str | None = None):
    """Decorator: cache ``fn(*args)`` (hashable positional arguments) in a ``BoundedCache`` shared by all
    sessions (the same cache on every rerun of a page). Two sessions asking for the same new key at once may both compute it (no lock is held while
    computing); the result is the same. The decorated function has ``.cache`` (its BoundedCache)."""
    def wrap(fn):
        cache = BoundedCache.named(name or f"{fn.__code__.co_filename}:{fn.__qualname__}", max_entries, max_bytes)
        missing = object()

        @functools.wraps(fn)
        def cached(*args):
            value = cache.get(args, missing)
            return cache.put(args, fn(*args)) if value is missing else value

        cached.cache = cache
        return cached
    return wrap
