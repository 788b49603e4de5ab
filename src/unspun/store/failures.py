"""Driver exceptions (sqlite3, psycopg) turned into one-line StoreErrors that name the store and say what to do.

Every connection and statement of a store's engine passes through ErrorTranslator (SQLAlchemy's handle_error
event), so no command ends in a driver traceback, whichever store function it called:

    translator = ErrorTranslator("corpus.db", wait_s=300)
    translator.install(engine)       # sqlite3.DatabaseError: database disk image is malformed
                                     # -> StoreError: the database corpus.db is damaged (...); restore it ...
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from unspun.errors import StoreError
from unspun.store.locking import BUSY_CODES, locked_error, sqlite_code

_READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read_only_sql_transaction


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@dataclass
class ErrorTranslator:
    """Turns the driver errors of one store into StoreErrors; while `opening`, an unclassified failure reads
    "cannot open the database ..."."""

    label: str
    wait_s: float
    opening: bool = True

    def install(self, engine: Engine) -> None:
        event.listen(engine, "handle_error", self._on_error)

    def _on_error(self, context: ExceptionContext) -> StoreError | None:
        error = context.original_exception
        if context.is_pre_ping or not isinstance(error, context.dialect.loaded_dbapi.Error):
            return None  # a stale pooled connection (SQLAlchemy reconnects), or not the driver's error
        return self.translate(error)

    def translate(self, exc: Exception) -> StoreError:
        if isinstance(exc, sqlite3.Error):
            return StoreError(self._sqlite_message(exc))
        reason = first_line(exc)
        if getattr(exc, "sqlstate", None) == _READ_ONLY_SQLSTATE:
            return StoreError(f"the database {self.label} refuses writes here ({reason}): this command writes to "
                              f"the store; connect as a user who may write")
        if self.opening:
            return StoreError(f"cannot open the database {self.label}: {reason}")
        return StoreError(f"the database {self.label} failed: {reason}")

    def _sqlite_message(self, exc: sqlite3.Error) -> str:
        code = sqlite_code(exc)
        reason, name = first_line(exc), self.label
        if code in BUSY_CODES:
            return str(locked_error(name, self.wait_s))
        if code == sqlite3.SQLITE_NOTADB:
            return (f"the database {name} is damaged, or is not a SQLite database at all ({reason}): restore it "
                    f"from a backup, or give another --db (a new file starts an empty store)")
        if code == sqlite3.SQLITE_CORRUPT:
            return (f"the database {name} is damaged ({reason}): restore it from a backup, or save what is "
                    f"still readable with `sqlite3 {name} .recover | sqlite3 recovered.db` and use that")
        if code == sqlite3.SQLITE_READONLY:
            return (f"the database {name} is read-only here ({reason}): this command writes to the store; run "
                    f"it where you may write the file and its folder, or on a writable copy")
        if code == sqlite3.SQLITE_CANTOPEN:
            return (f"cannot open the database {name} ({reason}): check that its folder exists and that you "
                    f"may read it")
        if code == sqlite3.SQLITE_FULL:
            return (f"cannot write to the database {name}: the disk is full ({reason}); free some space and run "
                    f"the command again (what was stored before is kept)")
        if code == sqlite3.SQLITE_IOERR:
            return f"cannot read or write the database {name} ({reason}): check the disk that holds it"
        if self.opening:
            return f"cannot open the database {name}: {reason}"
        return f"the database {name} failed: {reason}"
