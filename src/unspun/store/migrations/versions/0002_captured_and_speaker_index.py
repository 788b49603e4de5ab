"""Capture dates of archived or fetched pages; an index for quote queries by speaker name.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("captured", sa.String(10)))
    op.create_index("ix_quotes_speaker_name", "quotes", ["speaker_name"])


def downgrade() -> None:
    op.drop_index("ix_quotes_speaker_name", "quotes")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("captured")
