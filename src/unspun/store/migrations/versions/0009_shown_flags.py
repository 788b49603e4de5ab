"""Precision first (issue #15): whether reports show a narrative or a technique span. Rows stored before this
revision keep showing (true) until their articles are analysed again.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    # A plain ADD COLUMN (with its default, SQLite allows NOT NULL): batch mode would copy both tables and, by
    # reflecting the articles table they refer to, warn about its expression index on every new store.
    for table in ("narratives", "techniques"):
        op.add_column(table, sa.Column("shown", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    for table in ("narratives", "techniques"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("shown")
