"""The SQLAlchemy engine of a store URL: SQLite read-write, or read-only without writing a byte; PostgreSQL.

A SQLite store is opened read-write where that is possible, and read-only when asked or when the user may
not write the file (or its folder, where the write-ahead log lives): then with ``mode=ro``, or ``immutable=1``
where even the log cannot be opened (a read-only folder or mount), so reading never creates nor changes a file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection

from unspun.store.locking import BUSY_CODES, sqlite_code

Mode = Literal["", "rw", "ro", "immutable"]
_CANNOT_WRITE = (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)


@dataclass
class SqliteOpener:
    """Connections to one SQLite file. The first connection decides the mode (see the module docstring);
    every later one follows it, so a store is read-write or read-only throughout."""

    path: Path | None  # None: an in-memory database
    timeout_s: float
    readonly: bool | None  # True: read-only; False: read-write or fail; None: read-write where possible
    mode: Mode = ""
    reason: str = ""  # why the store is read-only, for messages

    def connect(self) -> sqlite3.Connection:
        if self.mode == "":
            return self._first()
        if self.mode == "rw":
            return self._read_write()
        return self._read_only(self.mode == "immutable")

    def _first(self) -> sqlite3.Connection:
        if self.readonly:
            return self._fall_back("opened read-only, as asked")
        if self.readonly is None and self.path is not None and not writable(self.path):
            return self._fall_back("you may not write the file or its folder")
        try:
            conn = self._read_write()
        except sqlite3.OperationalError as exc:
            if self.readonly is not None or not _is_existing_file(self.path) or \
                    sqlite_code(exc) not in _CANNOT_WRITE:
                raise
            return self._fall_back(f"it cannot be opened for writing: {exc}")
        self.mode = "rw"
        return conn

    def _fall_back(self, reason: str) -> sqlite3.Connection:
        """The first read-only connection: mode=ro, or immutable when the write-ahead log cannot be opened."""
        self.reason = reason
        try:
            conn = self._read_only(immutable=False)
            self.mode = "ro"
        except sqlite3.OperationalError as exc:
            if sqlite_code(exc) != sqlite3.SQLITE_CANTOPEN or not _is_existing_file(self.path):
                raise
            conn = self._read_only(immutable=True)
            self.mode = "immutable"
        return conn

    # check_same_thread=False: the pool hands a connection to one thread at a time, but not always the thread
    # that opened it (the web server answers requests on a pool of worker threads).
    def _read_write(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path or ":memory:"), timeout=self.timeout_s, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now if it cannot be read
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _read_only(self, immutable: bool) -> sqlite3.Connection:
        if self.path is None:
            raise sqlite3.OperationalError("an in-memory database cannot be opened read-only")
        uri = f"file:{quote(str(self.path.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the log now, not mid-command
        except sqlite3.Error:
            conn.close()
            raise
        return conn


def enable_wal(engine: Engine, wait_s: float) -> None:
    """Switch a SQLite store to the write-ahead log (kept in the file): readers never block the writer, and a
    killed writer leaves the store whole. Done once the file is known to be a store, never to another file."""
    deadline = time.monotonic() + wait_s
    with engine.connect() as conn:
        raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
        while raw.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                raw.execute("PRAGMA journal_mode=WAL")  # outside any transaction, where SQLite allows the switch
            except sqlite3.OperationalError as exc:
                # Two processes switching a new file at once can deadlock, and SQLite then answers "locked"
                # without waiting: try again until the store's lock wait is over.
                if sqlite_code(exc) not in BUSY_CODES or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


def writable(path: Path) -> bool:
    """Whether this user may write a SQLite file that exists (a missing one counts as writable) and, unless its
    write-ahead log files exist already, create them beside it; False on a read-only mount, even for root."""
    if not path.exists():
        return True
    if not os.access(path, os.W_OK):
        return False
    folder = path.absolute().parent
    if os.access(folder, os.W_OK | os.X_OK):
        return True
    logs = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    return all(log.exists() and os.access(log, os.W_OK) for log in logs)


def sqlite_engine(url: URL, opener: SqliteOpener) -> Engine:
    engine = create_engine(url, creator=opener.connect, pool_pre_ping=True)
    event.listen(engine, "begin", begin_sqlite)
    return engine


def postgres_engine(url: URL, readonly: bool) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 5}
    if readonly:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def begin_sqlite(conn: Connection) -> None:
    """Begin SQLite transactions ourselves (the driver runs in autocommit mode, isolation_level=None), so a
    transaction starts before its first read rather than at its first write; a write transaction began
    already with BEGIN IMMEDIATE (locking.write_transaction) and is adopted as it is."""
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    if not raw.in_transaction:
        raw.execute("BEGIN")


def _is_existing_file(path: Path | None) -> bool:
    return path is not None and path.is_file() and path.stat().st_size > 0
