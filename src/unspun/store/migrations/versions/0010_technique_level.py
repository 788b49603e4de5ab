"""Paragraph techniques (issue #15): a technique row is a phrase ("span") or a whole paragraph ("paragraph").
Rows stored before this revision are spans.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    # A plain ADD COLUMN with its default, as in 0009 (no table copy).
    op.add_column("techniques", sa.Column("level", sa.String(16), nullable=False, server_default="span"))


def downgrade() -> None:
    with op.batch_alter_table("techniques") as batch:
        batch.drop_column("level")
