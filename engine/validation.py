"""The engine's one validation boundary: ``DataError`` and the shared checks of user input.

Every place where the engine refuses input raises ``DataError`` (a ``ValueError``) with one readable
line naming what was wrong; the CLI prints that line and exits 2, the app shows it and keeps the
user's data. The checks below are the shared vocabulary of those refusals: a number (finite, within
bounds), a whole count, the regularisation weight λ, a choice among options, a size limit, and a
memory estimate made *before* a large allocation. Limits are module constants of the engine package
that enforces them, and every refusal states the limit.

``load_json`` reads untrusted JSON text (uploads, CLI files) with its size, nesting depth and integer
lengths bounded: Python's ``json`` raises ``RecursionError`` on deep nesting and ``ValueError`` on
integers past ``sys.get_int_max_str_digits()`` (4300 digits); both become a ``DataError`` here.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np

MAX_JSON_BYTES = 50_000_000   # JSON input to the CLI (uploads have their own, smaller limit)
MAX_JSON_DEPTH = 64           # nesting of arrays/objects; the engine's inputs need at most 3
MAX_INT_DIGITS = 300          # longer integer literals are read as floats (then refused as too large)
MAX_WORK_BYTES = 1 << 30      # memory one request may allocate (estimated before it starts): 1 GiB


class DataError(ValueError):
    """The data cannot be used as given; the message says why in one line."""


def number(value, name: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    """A finite real number (int or float, not bool, not a string) in [lo, hi], as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DataError(f"{name} must be a number")
    try:
        v = float(value)
    except OverflowError:   # an int beyond double precision
        v = math.inf if value > 0 else -math.inf
    if not math.isfinite(v):
        raise DataError(f"{name} must be a finite number (got {_short(value)})")
    if not lo <= v <= hi:
        raise DataError(f"{name} must lie between {lo:g} and {hi:g} (got {v:g})")
    return v


def count(value, name: str, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] (an integral float such as 3.0 is accepted), as an int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DataError(f"{name} must be a whole number")
    if isinstance(value, (float, np.floating)) and not (math.isfinite(value) and value == int(value)):
        raise DataError(f"{name} must be a whole number")
    if not lo <= value <= hi:
        raise DataError(f"{name} must lie between {lo} and {hi} (got {_short(value)})")
    return int(value)


def lam(value, name: str = "lam") -> float:
    """The regularisation weight λ: a finite number ≥ 0 (numeric strings and numpy scalars accepted)."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if isinstance(value, (bool, np.bool_)) or not (math.isfinite(v) and v >= 0):
        raise DataError(f"{name} must be a finite number ≥ 0")
    return v


def choice(value, name: str, options):
    """One of ``options`` (compared with ==); the message lists them."""
    options = tuple(options)
    try:
        ok = value in options
    except (TypeError, ValueError):   # e.g. an array, whose == has no single truth value
        ok = False
    if not ok:
        raise DataError(f"{name} must be one of {', '.join(map(str, options))} (got {_short(value)})")
    return value


def at_most(size: int, limit: int, what: str) -> None:
    """Refuse ``size`` > ``limit``: '{what}: at most {limit} (got {size})'."""
    if size > limit:
        raise DataError(f"{what}: at most {limit:,} (got {size:,})")


def memory(estimate_bytes: float, what: str, limit: float = MAX_WORK_BYTES) -> None:
    """Refuse a computation whose estimated allocation exceeds ``limit`` bytes (checked before it
    starts; the message gives both in GiB/MiB)."""
    if not estimate_bytes <= limit:
        raise DataError(f"{what} would need about {_bytes(estimate_bytes)} of memory (limit {_bytes(limit)}); "
                        "ask for a smaller problem")


def finite_array(values, name: str, *, max_abs: float | None = None) -> np.ndarray:
    """``values`` as a float array with every entry finite (and |v| ≤ max_abs if given)."""
    try:
        arr = np.asarray(values, dtype=float)
    except OverflowError:
        raise DataError(f"{name}: a value does not fit in double precision (|v| < 1.8e308)") from None
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numbers (an array of equal-length rows)") from None
    if not np.isfinite(arr).all():
        raise DataError(f"{name} contains NaN, infinite or too large values (beyond double precision, ±1.8e308)")
    if max_abs is not None and arr.size and np.abs(arr).max() > max_abs:
        raise DataError(f"{name}: values must lie within ±{max_abs:g}")
    return arr


def _int_literal(text: str):
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)   # float('9' * 5000) = inf


_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def load_json(text: str, what: str = "the input", max_bytes: int = MAX_JSON_BYTES):
    """Parse untrusted JSON: at most ``max_bytes`` (UTF-8), nesting at most MAX_JSON_DEPTH (checked on
    the text before parsing), integer literals of more than MAX_INT_DIGITS digits read as floats
    (infinite if beyond double precision, which the finite checks then refuse). NaN/Infinity literals
    are read as floats (refused later by the finite checks). Every failure is a DataError."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise DataError(f"{what} is too large ({len(text):,} bytes; limit {max_bytes:,})")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(f"{what} is not UTF-8 text") from None
    if len(text) > max_bytes:
        raise DataError(f"{what} is too large ({len(text):,} characters; limit {max_bytes:,})")
    if json_depth(text) > MAX_JSON_DEPTH:
        raise DataError(f"{what} is nested too deeply (more than {MAX_JSON_DEPTH} levels of [ ] or {{ }})")
    try:
        return json.loads(text, parse_int=_int_literal)
    except json.JSONDecodeError as err:
        raise DataError(f"{what} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    except (RecursionError, ValueError) as err:   # safety net; json_depth should have caught these
        raise DataError(f"{what} cannot be read as JSON ({str(err).splitlines()[0][:80]})") from None


def json_depth(text: str) -> int:
    """Maximal nesting of [ and { in JSON text (strings skipped), in linear time without recursion."""
    bare = _STRINGS.sub('""', text) if '"' in text else text
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    step = np.zeros(256, dtype=np.int64)
    step[[ord("["), ord("{")]], step[[ord("]"), ord("}")]] = 1, -1
    return int(np.cumsum(step[codes]).max(initial=0))


def _short(value) -> str:
    if isinstance(value, int) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bytes(n: float) -> str:
    return f"{n / 2 ** 30:.1f} GiB" if n >= 2 ** 30 else f"{n / 2 ** 20:.0f} MiB"
