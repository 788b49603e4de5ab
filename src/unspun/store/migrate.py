"""Bring a database to the newest schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from unspun.errors import StoreError

Begin = Callable[[], AbstractContextManager[Connection]]


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("unspun.store").joinpath("migrations")))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_schema(connection: Connection, label: str, readonly: bool) -> bool:
    """True when the schema is the newest; StoreError when it never can be here: written by a newer unspun,
    another program's SQLite database, or (read-only) missing or older."""
    current = current_revision(connection)
    head = head_revision()
    if current == head:
        return True
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(f"the database {label} was written by a newer unspun (schema {current}; this one knows "
                         f"up to {head}): upgrade unspun to use it")
    if current is None and connection.dialect.name == "sqlite" and inspect(connection).get_table_names():
        raise StoreError(f"the database {label} has tables but no unspun schema: it belongs to another program "
                         f"(or its creation was interrupted); give another --db")
    if readonly and current is None:
        raise StoreError(f"the database {label} holds no unspun store yet, and it is open read-only: store "
                         f"articles in it first with `unspun ingest`")
    if readonly:
        raise StoreError(f"the database {label} has an older schema ({current}; this unspun needs {head}) and is "
                         f"open read-only: run a command that writes (e.g. `unspun ingest`) where you may write "
                         f"it, once, to upgrade it")
    return False


def upgrade(engine: Engine, revision: str = "head", begin: Begin | None = None) -> None:
    """Run every migration the database has not had yet (no-op when current, and then nothing is written).

    `begin` opens the transaction the migrations run in: the store's, which takes the write lock first, so two
    processes opening a new store at once never both create it (the second finds it made)."""
    if revision == "head":
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                return
    with (begin or engine.begin)() as connection:
        if revision == "head" and current_revision(connection) == head_revision():
            return  # another process migrated it while this one waited for the lock
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
