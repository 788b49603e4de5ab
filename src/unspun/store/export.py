"""Export a store table as JSON Lines, CSV or Parquet, streamed in batches, to a file or standard output."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from unspun.errors import InputError, UnspunError
from unspun.store.store import Store

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
_BATCH = 5000


def export_table(store: Store, table: str, fmt: str, out: Path | None) -> int:
    """Write every row of the table to out (None: standard output, as sqlite-utils does); returns the row count."""
    if out is None and fmt == "parquet" and sys.stdout.isatty():
        raise InputError("Parquet is binary: give --out FILE, or pipe standard output into a program")
    rows = store.export_rows(table)
    if fmt == "jsonl":
        return _jsonl(rows, out)
    if fmt == "csv":
        return _csv(rows, out)
    return _parquet(rows, out)


@contextlib.contextmanager
def _text_output(out: Path | None) -> Iterator[IO[str]]:
    """The file to write, or standard output (left open); newline="" so csv writes its own line ends."""
    if out is None:
        sys.stdout.flush()
        yield sys.stdout
        sys.stdout.flush()
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _jsonl(rows: Any, out: Path | None) -> int:
    count = 0
    with _text_output(out) as handle:
        for row in rows:
            handle.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _csv(rows: Any, out: Path | None) -> int:
    count = 0
    with _text_output(out) as handle:
        writer: csv.DictWriter | None = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(row))
                writer.writeheader()
            writer.writerow({k: _plain(v) for k, v in row.items()})
            count += 1
    return count


def _parquet(rows: Any, out: Path | None) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise UnspunError("Parquet export needs pyarrow: pip install 'unspun[parquet]'") from exc
    writer = None
    count = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal writer
        table = pa.Table.from_pylist([{k: _plain(v) for k, v in r.items()} for r in batch])
        if writer is None:
            sink = sys.stdout.buffer if out is None else str(out)
            writer = pq.ParquetWriter(sink, table.schema)
        writer.write_table(table.cast(writer.schema))
        batch.clear()

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= _BATCH:
            flush()
    if batch or writer is None:
        flush()
    if writer is not None:
        writer.close()
    return count
