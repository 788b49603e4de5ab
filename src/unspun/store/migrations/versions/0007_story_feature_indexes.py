"""Indexes that let a stories update read only the new articles' date window and check feature versions
without reading the wide feature rows.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_index("ix_story_features_published", "story_features", ["published"])
    op.create_index("ix_story_features_fingerprint", "story_features", ["fingerprint"])
    op.create_index("ix_story_features_version", "story_features", ["article_id", "version"])


def downgrade() -> None:
    op.drop_index("ix_story_features_version", "story_features")
    op.drop_index("ix_story_features_fingerprint", "story_features")
    op.drop_index("ix_story_features_published", "story_features")
