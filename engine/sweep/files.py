"""Where the app keeps sweeps' results: one directory chosen by the server, files named by a slug.

The app never takes a path from its user (issue 12, docs/limits.md). A sweep started from the page
writes ``<results_dir()>/<experiment>-<hash of the spec>.parquet``; the page lists the ``.parquet``
files of that directory by name and opens the one picked. A name is refused unless it matches
``NAME`` (letters, digits, ``.``, ``_``, ``-``; no separator, no leading dot, at most 100 characters),
and the resolved path must lie inside the directory (a symbolic link pointing out of it is refused too).

The directory is ``$RELU_ATLAS_RESULTS_DIR`` or ``results/`` in the repository (read at each call, so
a test or a deployment can point it elsewhere; the Docker image sets it to the app user's home).
The CLI (``python -m engine sweep SPEC --out FILE``) is a local tool run by the machine's own user and
keeps its free choice of paths.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from engine.validation import DataError

ENV = "RELU_ATLAS_RESULTS_DIR"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SUFFIX = ".parquet"
MAX_LISTED = 200   # files the page lists (the newest first)
_DEFAULT = Path(__file__).resolve().parents[2] / "results"


def results_dir() -> Path:
    """The server's results directory (not created here).

    Returns
    -------
    pathlib.Path
        ``$RELU_ATLAS_RESULTS_DIR`` if set (and not empty), else ``<repository>/results``, absolute.
    """
    return Path(os.environ.get(ENV) or _DEFAULT).resolve()


def check_name(name) -> str:
    """``name`` if it is a safe file name (``NAME``, ending in ``.parquet``); else DataError.

    Parameters
    ----------
    name : str
        A file name as listed by ``list_results`` (never a path).

    Returns
    -------
    str
    """
    if not isinstance(name, str) or not NAME.fullmatch(name) or not name.endswith(SUFFIX) or ".." in name:
        shown = repr(name)[:60] if isinstance(name, str) else type(name).__name__
        raise DataError(f"{shown} is not a results file name (letters, digits, '.', '_', '-' ending in {SUFFIX})")
    return name


def resolve(name, root: Path | None = None) -> Path:
    """The path of the results file ``name`` inside ``root`` (default ``results_dir()``), verified to
    stay inside it after resolving links; DataError otherwise.

    Parameters
    ----------
    name : str
    root : pathlib.Path, optional

    Returns
    -------
    pathlib.Path
    """
    root = (root or results_dir()).resolve()
    path = (root / check_name(name)).resolve()
    if path.parent != root:
        raise DataError(f"{name!r} does not lie inside the results directory")
    return path


def list_results(root: Path | None = None) -> list[str]:
    """The names of the results files in ``root`` (default ``results_dir()``), newest first, at most
    ``MAX_LISTED``; names that ``check_name`` refuses and links out of the directory are left out.

    Parameters
    ----------
    root : pathlib.Path, optional

    Returns
    -------
    list of str
    """
    root = (root or results_dir()).resolve()
    if not root.is_dir():
        return []
    found = []
    for path in root.glob(f"*{SUFFIX}"):
        try:
            resolve(path.name, root)
            found.append((path.stat().st_mtime, path.name))
        except (DataError, OSError):
            continue
    return [name for _, name in sorted(found, reverse=True)[:MAX_LISTED]]
