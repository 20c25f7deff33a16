"""Results on disk: one Parquet file per sweep, written incrementally so that a killed sweep loses
nothing and duplicates nothing.

While a sweep runs, finished rows go into part files in ``OUT.parts/`` (each written to a temporary
name and renamed, so a part is either whole or absent); ``consolidate`` merges OUT, if any, and the
parts into a new OUT (again written aside and renamed over it), then deletes the parts it merged. A row
is known by its ``row`` key (``spec.row_key``): consolidation keeps one row per key — a row without an
error before one with, else the latest — and orders them as the spec does. So a sweep killed at any
moment is resumed by running it again: the rows found in OUT or in the parts, without an error, are
skipped; rows that failed are tried again.

The file's schema metadata (key ``relu_atlas.sweep``) holds JSON: ``spec``, ``rows``,
``rows_expected``, ``complete``, ``versions`` and ``machine`` of the last run, and ``runs``: every run
that contributed rows (its start time, versions, machine and cluster, rows computed).
"""
from __future__ import annotations

import fcntl
import io
import itertools
import json
import os
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from engine.sweep.spec import Spec, row_key
from engine.validation import DataError

META_KEY = b"relu_atlas.sweep"
ROW_COLUMNS = {"seconds": pa.float64(), "device": pa.string(), "worker": pa.string(), "error": pa.string(),
               "row": pa.string()}
TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string(),
         "floats": pa.list_(pa.float64())}
PARAM_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "choice": pa.string()}


def schema(spec: Spec) -> pa.Schema:
    """Parameter columns, ``seed``, result columns, then seconds, device, worker, error, row."""
    exp = spec.experiment
    fields = [(name, PARAM_TYPES[p.kind]) for name, p in exp.params.items()] + [("seed", pa.int64())]
    fields += [(name, TYPES[kind]) for name, kind in exp.results.items()] + list(ROW_COLUMNS.items())
    return pa.schema(fields)


def _sweep_meta(table_schema: pa.Schema, where: str) -> dict:
    raw = (table_schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise DataError(f"{where} is a Parquet file but not a sweep's results (no {META_KEY.decode()} metadata)")
    return json.loads(raw)


class Store:
    """The results file ``path`` of ``spec`` and its part files."""

    def __init__(self, path, spec: Spec):
        self.path = Path(path)
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.spec = spec
        self.schema = schema(spec)
        self.order = {row_key(spec.experiment.name, r): i for i, r in enumerate(spec.rows())}
        self._count = itertools.count()
        if self.path.is_dir():
            raise DataError(f"{self.path} is a folder; --out needs a file name")
        if self.path.exists():
            self._check(self._read_out())

    def _read_out(self) -> pa.Table:
        try:
            table = pq.read_table(self.path)
        except (pa.ArrowInvalid, OSError) as err:
            raise DataError(f"{self.path} exists but cannot be read as Parquet ({err}); choose another --out") from None
        meta = _sweep_meta(table.schema, str(self.path))
        name = meta.get("spec", {}).get("experiment")
        if name != self.spec.experiment.name or table.schema.remove_metadata() != self.schema:
            raise DataError(f"{self.path} holds results of another experiment or version ({name}); choose another --out")
        return table

    def _check(self, table: pa.Table):
        foreign = set(table.column("row").to_pylist()) - self.order.keys()
        if foreign:
            raise DataError(f"{self.path} holds {len(foreign)} row(s) that are not in this spec; choose another --out")

    def _tables(self) -> list[pa.Table]:
        tables = [self._read_out()] if self.path.exists() else []
        for part in sorted(self.parts.glob("*.parquet")) if self.parts.is_dir() else []:
            tables.append(pq.read_table(part, schema=self.schema))
        return tables

    def finished(self) -> set[str]:
        """Keys of the rows already computed without an error (in OUT or in the parts)."""
        done = set()
        for t in self._tables():
            keys, errors = t.column("row").to_pylist(), t.column("error").to_pylist()
            done.update(k for k, e in zip(keys, errors) if e is None)
        return done & self.order.keys()

    def add(self, rows: list[dict], run: dict) -> None:
        """Write finished rows as one part file (atomically), with ``run`` in its metadata."""
        if not rows:
            return
        table = pa.Table.from_pylist(rows, schema=self.schema)
        table = table.replace_schema_metadata({META_KEY: json.dumps({"run": run})})
        self.parts.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._count):06d}.parquet"
        tmp = self.parts / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.parts / name)

    def consolidate(self, run: dict | None = None) -> pd.DataFrame:
        """Merge OUT and the parts into OUT (one row per key, the spec's order); returns the rows.
        Holds an exclusive lock (``.OUT.lock`` beside it) meanwhile: two consolidations at once (a
        stopped run still saving while the next one starts) must not drop each other's parts."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._consolidate(run)

    def _consolidate(self, run: dict | None) -> pd.DataFrame:
        parts = sorted(self.parts.glob("*.parquet")) if self.parts.is_dir() else []
        old = _sweep_meta(pq.read_schema(self.path), str(self.path)) if self.path.exists() else {}
        runs = {r["id"]: r for r in old.get("runs", [])}
        tables = [self._read_out()] if self.path.exists() else []
        for part in parts:
            t = pq.read_table(part)
            r = json.loads(t.schema.metadata[META_KEY])["run"]
            runs.setdefault(r["id"], r)
            tables.append(t.replace_schema_metadata(None).cast(self.schema))
        if run is not None:
            runs[run["id"]] = run
        table = pa.concat_tables([t.replace_schema_metadata(None) for t in tables]) if tables \
            else self.schema.empty_table()
        keys = pd.DataFrame({"row": table.column("row").to_pandas(), "bad": table.column("error").is_valid().to_pandas()})
        keys["age"] = -pd.RangeIndex(len(keys))
        keep = keys.sort_values(["bad", "age"], kind="stable").drop_duplicates("row")
        keep = keep.assign(at=keep["row"].map(self.order)).dropna(subset=["at"]).sort_values("at")
        table = table.take(pa.array(keep.index.to_numpy()))
        latest = runs[run["id"]] if run is not None else (max(runs.values(), key=lambda r: r["started"]) if runs else {})
        failed = sum(e is not None for e in table.column("error").to_pylist())
        meta = {"format": 1, "spec": self.spec.raw, "rows": table.num_rows, "rows_expected": len(self.order),
                "failed": failed, "complete": table.num_rows == len(self.order) and failed == 0,
                "versions": latest.get("versions", {}), "machine": latest.get("machine", {}),
                "runs": sorted(runs.values(), key=lambda r: r["started"])}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        pq.write_table(table.replace_schema_metadata({META_KEY: json.dumps(meta)}), tmp)
        os.replace(tmp, self.path)
        for part in parts:
            part.unlink()
        if self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()
        return table.to_pandas()


def read_results(source) -> tuple[pd.DataFrame, dict]:
    """A sweep's results file (a path or bytes) as (rows, metadata); DataError if it is not one."""
    where = str(source) if isinstance(source, (str, Path)) else "the file"
    try:
        table = pq.read_table(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except (pa.ArrowInvalid, OSError) as err:
        raise DataError(f"{where} cannot be read as Parquet ({err})") from None
    return table.to_pandas(), _sweep_meta(table.schema, where)
