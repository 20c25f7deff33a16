"""Reading and writing point sets and solutions (CSV and JSON), with readable errors.

Accepted uploads: CSV with two numeric columns x, y (an optional header row; lines may end in \n,
\r\n or \r), or JSON as {"x": [...], "y": [...]} or [[x, y], ...], UTF-8, at most 1 MB. JSON is read
by ``engine.validation.load_json`` (nesting and integer length bounded). Everything is validated by
``as_points``; every refusal is a DataError.
"""
from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from engine.univariate.interpolant import Interpolant
from engine.univariate.validation import MAX_POINTS, DataError, as_points, numbers
from engine.validation import load_json

MAX_UPLOAD_BYTES = 1_000_000


def parse_points(raw: bytes, filename: str = "points.csv"):
    """Points from an uploaded CSV or JSON file (one task; formats in the module docstring).

    Parameters
    ----------
    raw : bytes
        The file's content, at most ``MAX_UPLOAD_BYTES``.
    filename : str, optional
        Its name: ".json" (or content starting with [ or {) selects JSON, anything else CSV.

    Returns
    -------
    x, y : ndarray, shape (N,)
        Sorted, duplicates merged.
    notes : list of str
        What was merged.

    Raises
    ------
    DataError
        Unreadable or refused content; the message names the line or key.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise DataError(f"file too large (limit {MAX_UPLOAD_BYTES // 1000} kB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("the file is not UTF-8 text") from None
    if not text.strip():
        raise DataError("the file is empty")
    if filename.lower().endswith(".json") or text.lstrip()[0] in "[{":
        data = load_json(text, "the file", MAX_UPLOAD_BYTES)
        if isinstance(data, dict) and {"x", "y"} <= data.keys():
            x, y = numbers(data["x"], "x"), numbers(data["y"], "y")
        elif isinstance(data, list) and all(isinstance(p, list) and len(p) == 2 for p in data):
            x, y = numbers([p[0] for p in data], "x"), numbers([p[1] for p in data], "y")
        else:
            raise DataError('JSON must be {"x": [...], "y": [...]} or a list of [x, y] pairs')
    else:
        reader = csv.reader(io.StringIO(text, newline=""))   # newline="": \r, \r\n and \n all end a line
        try:
            rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
        except csv.Error as err:   # e.g. a NUL byte, an unterminated quote at the end, a huge field
            raise DataError(f"CSV line {reader.line_num} cannot be read: {err}") from None
        if rows and not any(_numeric([c]) for c in rows[0][1]):
            rows = rows[1:]   # a header: no cell of the first row is a number
        if len(rows) > MAX_POINTS:
            raise DataError(f"at most {MAX_POINTS} points are supported (got {len(rows)})")
        for line, r in rows:
            if len(r) < 2 or not _numeric(r[:2]):
                raise DataError(f"CSV line {line} is not two finite numbers x, y")
        rows = [r for _, r in rows]
        x, y = [float(r[0]) for r in rows], [float(r[1]) for r in rows]
    if isinstance(y, list) and y and isinstance(y[0], list):
        raise DataError("uploads hold one task: y must be a flat list")
    xs, Y, notes = as_points(x, y)
    return xs, Y[0], notes


def _numeric(cells) -> bool:
    """All cells are finite numbers ("nan" or "inf" in a header is a name, not a number)."""
    try:
        return all(math.isfinite(float(c)) for c in cells)
    except (ValueError, OverflowError):
        return False


def points_csv(x, y) -> str:
    """The points as CSV with a header row "x,y" (floats written exactly, by ``repr``).

    Parameters
    ----------
    x, y : sequence of float

    Returns
    -------
    str
    """
    return "x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(map(float, x), map(float, y)))


def points_json(x, y) -> str:
    """The points as JSON {"x": [...], "y": [...]} (what ``parse_points`` reads back).

    Parameters
    ----------
    x, y : sequence of float

    Returns
    -------
    str
    """
    return json.dumps({"x": list(map(float, x)), "y": list(map(float, y))})


def solution_csv(curves: dict[str, Interpolant], xs) -> str:
    """Curves evaluated on ``xs``: columns x, then one per curve (task 1 of each).

    Parameters
    ----------
    curves : dict of str to Interpolant
    xs : array_like, shape (M,)

    Returns
    -------
    str
    """
    xs = np.asarray(xs, float)
    cols = [xs] + [np.atleast_2d(f(xs))[0] for f in curves.values()]
    lines = [",".join(["x", *curves])] + [",".join(repr(float(v)) for v in row) for row in zip(*cols)]
    return "\n".join(lines) + "\n"


def solution_json(curves: dict[str, Interpolant]) -> str:
    """The solutions as JSON {name: ``Interpolant.to_dict()``} (the CLI's output contract per curve).

    Parameters
    ----------
    curves : dict of str to Interpolant

    Returns
    -------
    str
    """
    return json.dumps({name: f.to_dict() for name, f in curves.items()}, indent=1)
