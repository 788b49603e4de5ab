"""Database URLs: the default, the environment variable, and the driver each backend uses."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from unspun.errors import StoreError

DEFAULT_URL = "sqlite:///unspun.db"
ENV_VAR = "UNSPUN_DB"


def resolve_url(url: str | None = None) -> URL:
    """--db, else $UNSPUN_DB, else ./unspun.db; a bare path means a SQLite file."""
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        raw = f"sqlite:///{Path(raw)}"
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"{raw!r} is not a database URL (sqlite:///file.db or postgresql://user@host/db)") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise StoreError(f"unsupported database {backend!r}: use sqlite:///file.db or postgresql://user@host/db")
    return parsed


def describe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another backend."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def label(url: URL) -> str:
    """How messages name a store: a SQLite file by its path, a server database by its URL (no password)."""
    path = sqlite_path(url)
    return str(path) if path is not None else describe(url)
