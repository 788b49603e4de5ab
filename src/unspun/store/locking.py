"""One writer at a time: the write lock every write transaction takes, and how long a command waits for it.

SQLite: ``BEGIN IMMEDIATE`` takes the file's write lock before the transaction reads anything, so what a batch
checks (which articles are stored already) stays true until it commits, and two processes never migrate the
schema at once. PostgreSQL: a transaction-scoped advisory lock does the same for unspun's writers. Readers
never wait for it (SQLite's write-ahead log, PostgreSQL's MVCC).

    lock = WriteLock("corpus.db", wait_s=lock_wait_s())
    with write_transaction(engine, lock, translate) as conn:   # BEGIN IMMEDIATE, waiting (and saying so)
        ...
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from unspun.errors import StoreError

LOCK_WAIT_ENV = "UNSPUN_LOCK_WAIT"
# How long a command waits for another process's write lock before it gives up with one line (seconds;
# $UNSPUN_LOCK_WAIT overrides it, and the tests shorten it). Not calibrated on a workload: unspun's own write
# transactions are short (one batch of articles, or one schema migration), so a second `ingest` waits out
# another's turn easily; the bound is there so that a forgotten `sqlite3` shell left inside BEGIN does not hang
# a scheduled job for ever, and is generous because giving up loses the work of the batch in hand.
LOCK_WAIT_S = 300.0
# Waits shorter than this are ordinary turn-taking between two writers and pass silently; a longer one is
# announced once on stderr, so that a command that seems stuck says why.
LOCK_NOTICE_S = 2.0
_PG_LOCK_KEY = 0x756E7370756E  # "unspun" in ASCII: the advisory lock every unspun writer of a database takes
_PG_POLL_S = 0.05
BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

Translate = Callable[[Exception], StoreError]


def lock_wait_s(given: float | None = None) -> float:
    """The wait bound: `given`, else $UNSPUN_LOCK_WAIT, else LOCK_WAIT_S."""
    if given is not None:
        return max(0.0, given)
    raw = os.environ.get(LOCK_WAIT_ENV, "").strip()
    if not raw:
        return LOCK_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise StoreError(f"${LOCK_WAIT_ENV} must be a number of seconds (0 or more), not {raw!r}")
    return value


def sqlite_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (0 when the error did not come from SQLite itself)."""
    return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF


def locked_error(label: str, waited_s: float) -> StoreError:
    return StoreError(f"the database {label} is still locked by another process after {waited_s:g} s: this step "
                      f"wrote nothing (what was stored before is kept); run the command again once that process "
                      f"has finished, or set ${LOCK_WAIT_ENV} to wait longer")


def notify(message: str) -> None:
    print(f"unspun: {message}", file=sys.stderr, flush=True)


@dataclass
class WriteLock:
    """The write lock of one store, as this process waits for it; the wait is announced at most once."""

    label: str
    wait_s: float
    notice: Callable[[str], None] = notify
    announced: bool = False

    def notice_after_s(self) -> float:
        return min(LOCK_NOTICE_S, self.wait_s / 2)

    def acquire_sqlite(self, raw: sqlite3.Connection, patient: bool = True) -> bool:
        """BEGIN IMMEDIATE on raw, waiting up to wait_s (announced after a while); not patient: give up after
        the silent wait and return False. Raises StoreError when the bound passes, sqlite3.Error otherwise."""
        start = time.monotonic()
        try:
            if _begin_immediate(raw, self.notice_after_s()):
                return True
            if not patient:
                return False
            remaining = self.wait_s - (time.monotonic() - start)
            if remaining > 0:
                self._announce()
                if _begin_immediate(raw, remaining):
                    return True
            raise locked_error(self.label, self.wait_s)
        finally:
            _set_busy_timeout(raw, self.wait_s)

    def acquire_postgres(self, conn: Connection, patient: bool = True) -> bool:
        """Take the store's advisory lock in conn's transaction, polling; the same waits as acquire_sqlite."""
        start = time.monotonic()
        query = text("SELECT pg_try_advisory_xact_lock(:key)")
        while not conn.execute(query, {"key": _PG_LOCK_KEY}).scalar():
            waited = time.monotonic() - start
            if waited >= self.notice_after_s():
                if not patient:
                    return False
                if waited >= self.wait_s:
                    raise locked_error(self.label, self.wait_s)
                self._announce()
            time.sleep(_PG_POLL_S)
        return True

    def _announce(self) -> None:
        if not self.announced:
            self.announced = True
            self.notice(f"waiting for the database {self.label}: another process holds its write lock "
                        f"(giving up after {self.wait_s:g} s)")


@contextmanager
def write_transaction(engine: Engine, lock: WriteLock, translate: Translate,
                      patient: bool = True) -> Iterator[Connection | None]:
    """A transaction holding the store's write lock; commits when the block ends, rolls back on an error.
    Yields None (and writes nothing) when not patient and another process holds the lock."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
            try:
                got = lock.acquire_sqlite(raw, patient)
            except sqlite3.Error as exc:
                raise translate(exc) from exc
            if not got:
                yield None
                return
            # SQLAlchemy's begin below finds the transaction open and adopts it (engines.begin_sqlite)
        with conn.begin():
            if conn.dialect.name != "sqlite" and not lock.acquire_postgres(conn, patient):
                yield None
                return
            yield conn


def _begin_immediate(raw: sqlite3.Connection, wait_s: float) -> bool:
    _set_busy_timeout(raw, wait_s)
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if sqlite_code(exc) in BUSY_CODES:
            return False
        raise
    return True


def _set_busy_timeout(raw: sqlite3.Connection, wait_s: float) -> None:
    raw.execute(f"PRAGMA busy_timeout = {max(0, int(wait_s * 1000))}")
