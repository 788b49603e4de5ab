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
    # Statistics for the new indexes, so that the version check reads ix_story_features_version (covering)
    # instead of the wide rows; every ingest refreshes them afterwards (Store.optimize).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=1000")
    op.execute("ANALYZE story_features")


def downgrade() -> None:
    op.drop_index("ix_story_features_version", "story_features")
    op.drop_index("ix_story_features_fingerprint", "story_features")
    op.drop_index("ix_story_features_published", "story_features")
