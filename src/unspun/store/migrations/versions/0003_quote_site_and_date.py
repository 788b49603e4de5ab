"""Quotes carry their article's site and date, so filtered quote queries need no join.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("site", sa.String(255)))
        batch.add_column(sa.Column("published", sa.String(10)))
    op.execute("UPDATE quotes SET site = (SELECT site FROM articles WHERE articles.id = quotes.article_id), "
               "published = (SELECT published FROM articles WHERE articles.id = quotes.article_id)")
    op.create_index("ix_quotes_type_published", "quotes", ["speaker_type", "published"])
    op.create_index("ix_quotes_site_published", "quotes", ["site", "published"])
    op.create_index("ix_quotes_published", "quotes", ["published"])


def downgrade() -> None:
    for name in ("ix_quotes_published", "ix_quotes_site_published", "ix_quotes_type_published"):
        op.drop_index(name, "quotes")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("published")
        batch.drop_column("site")
