"""Bring a database to the newest schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration the database has not had yet (no-op when current)."""
    with engine.begin() as connection:
        if revision == "head" and current_revision(connection) == head_revision():
            return
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
