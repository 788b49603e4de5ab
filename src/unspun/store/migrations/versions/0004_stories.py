"""Stories: stored matching features (signatures, sentence vectors) and story membership, so that new
articles join stories incrementally.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "story_features",
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("published", sa.String(10)),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("numbers", sa.Text, nullable=False),
        sa.Column("attributed", sa.Text, nullable=False),
        sa.Column("sentence_numbers", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("sentences", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(255)),
        sa.Column("origin_confidence", sa.Float, nullable=False),
        sa.Column("attributed_source", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stories_size", "stories", ["size"])
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("derived_from", sa.String(255)),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_story_members_story", "story_members", ["story_id"])


def downgrade() -> None:
    op.drop_table("story_members")
    op.drop_table("stories")
    op.drop_table("story_features")
