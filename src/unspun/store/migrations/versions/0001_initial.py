"""Articles, analyses and their results, with full-text search.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def _results_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        *columns,
    )
    op.create_index(f"ix_{name}_article", name, ["article_id"])


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("site", sa.String(255)),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published", sa.String(10)),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_articles_site_published", "articles", ["site", "published"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_table(
        "analyses",
        sa.Column("article_id", sa.String(255), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("pipeline_version", sa.String(128), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False)
          for name in ("quotes", "named", "anonymous", "unnamed", "document", "unknown")),
        sa.Column("share_unidentified", sa.Float, nullable=False),
        sa.Column("named_sources", sa.Text, nullable=False),
        sa.Column("featured_not_quoted", sa.Text, nullable=False),
    )
    op.create_index("ix_analyses_pipeline_version", "analyses", ["pipeline_version"])
    _results_table(
        "quotes",
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cue_text", sa.Text), sa.Column("cue_start", sa.Integer), sa.Column("cue_end", sa.Integer),
        sa.Column("speaker_text", sa.Text), sa.Column("speaker_start", sa.Integer),
        sa.Column("speaker_end", sa.Integer), sa.Column("speaker_name", sa.Text),
        sa.Column("speaker_type", sa.String(16), nullable=False), sa.Column("speaker_role", sa.String(32)),
        sa.Column("speaker_affiliation", sa.Text), sa.Column("speaker_resolved_by", sa.String(16)),
        sa.Column("continuation", sa.Boolean, nullable=False), sa.Column("group_no", sa.Integer),
    )
    op.create_index("ix_quotes_speaker_type", "quotes", ["speaker_type"])
    _results_table("entities", sa.Column("label", sa.String(16), nullable=False), sa.Column("name", sa.Text, nullable=False))
    op.create_index("ix_entities_name", "entities", ["name"])
    _results_table("dates", sa.Column("value", sa.String(32)))
    _results_table("hedges", sa.Column("kind", sa.String(16), nullable=False))
    _full_text_search()


def _full_text_search() -> None:
    if op.get_context().dialect.name == "sqlite":
        # An external-content FTS5 index over articles, kept in step by triggers.
        op.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', "
                   "content_rowid='rowid', tokenize='porter unicode61')")
        op.execute("CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
                   "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END")
        op.execute("CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
                   "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
                   "VALUES ('delete', old.rowid, old.title, old.text); END")
        op.execute("CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN "
                   "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
                   "VALUES ('delete', old.rowid, old.title, old.text); "
                   "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END")
    else:
        op.execute("ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
                   "(to_tsvector('english', coalesce(title, '') || ' ' || text)) STORED")
        op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS articles_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("hedges", "dates", "entities", "quotes", "analyses", "articles"):
        op.drop_table(table)
