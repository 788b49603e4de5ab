"""What the web interface needs on a large store: indexes to page articles and quotes newest first (undated
last, hence the coalesce) by keyset, each story's first and last publication date, and the vectors of each
article's quotes beside its sentence vectors (null until its features are next computed).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    day = sa.text("coalesce(published, '')")
    op.create_index("ix_articles_day", "articles", [day, sa.text("id")])
    op.create_index("ix_quotes_day", "quotes", [day, sa.text("article_id")])
    op.create_index("ix_quotes_type_day", "quotes", [sa.text("speaker_type"), day, sa.text("article_id")])
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("first_published", sa.String(10)))
        batch.add_column(sa.Column("last_published", sa.String(10)))
    op.execute("UPDATE stories SET "
               "first_published = (SELECT min(a.published) FROM story_members m JOIN articles a ON a.id = m.article_id "
               "WHERE m.story_id = stories.id), "
               "last_published = (SELECT max(a.published) FROM story_members m JOIN articles a ON a.id = m.article_id "
               "WHERE m.story_id = stories.id)")
    op.create_index("ix_stories_last", "stories", [sa.text("coalesce(last_published, '')"), sa.text("id")])
    with op.batch_alter_table("story_features") as batch:
        batch.add_column(sa.Column("quote_texts", sa.Text))
        batch.add_column(sa.Column("quote_vectors", sa.LargeBinary))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=1000")
    op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table("story_features") as batch:
        batch.drop_column("quote_vectors")
        batch.drop_column("quote_texts")
    op.drop_index("ix_stories_last", "stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("last_published")
        batch.drop_column("first_published")
    op.drop_index("ix_quotes_type_day", "quotes")
    op.drop_index("ix_quotes_day", "quotes")
    op.drop_index("ix_articles_day", "articles")
