"""Database tables (SQLAlchemy Core). Rows stay here; records cross the store boundary (store/rows.py)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    literal_column,
    true,
)

from unspun.records import NO_NARRATIVE

metadata = MetaData()


def day_of(column: ColumnElement[str] | Column[str]) -> ColumnElement[str]:
    """A publication date that sorts undated last in a descending list: the date, or "" for none. Written
    with a literal '' (not a bound parameter) so that the database matches it to the expression indexes."""
    return func.coalesce(column, literal_column("''"))


articles = Table(
    "articles",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("url", Text),
    Column("site", String(255)),
    Column("title", Text),
    Column("author", Text),
    Column("published", String(10)),  # YYYY-MM-DD: sorts and compares as text
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source", Text),
    Column("captured", String(10)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index("ix_articles_site_published", "site", "published"),
    Index("ix_articles_published", "published"),
    Index("ix_articles_content_hash", "content_hash"),
)
# Newest first with undated last, paged by keyset off the index (migration 0008).
Index("ix_articles_day", day_of(articles.c.published), articles.c.id)

analyses = Table(
    "analyses",
    metadata,
    Column("article_id", String(255), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("pipeline_version", String(128), nullable=False),
    Column("analysed_at", DateTime(timezone=True), nullable=False),
    Column("quotes", Integer, nullable=False),
    Column("named", Integer, nullable=False),
    Column("anonymous", Integer, nullable=False),
    Column("unnamed", Integer, nullable=False),
    Column("document", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
    Column("share_unidentified", Float, nullable=False),
    Column("named_sources", Text, nullable=False),  # JSON list
    Column("featured_not_quoted", Text, nullable=False),  # JSON list
    Index("ix_analyses_pipeline_version", "pipeline_version"),
)


def _span_columns(prefix: str) -> list[Column]:
    return [Column(f"{prefix}text", Text), Column(f"{prefix}start", Integer), Column(f"{prefix}end", Integer)]


def _results_table(name: str, *columns: Column | Index) -> Table:
    """A table of spans found in an article: its offsets and text, plus the columns of its kind."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("article_id", String(255), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        Column("text", Text, nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        *columns,
        Index(f"ix_{name}_article", "article_id"),
    )


quotes = _results_table(
    "quotes",
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    *_span_columns("cue_"),
    *_span_columns("speaker_"),
    Column("speaker_name", Text),
    Column("speaker_type", String(16), nullable=False),
    Column("speaker_role", String(32)),
    Column("speaker_affiliation", Text),
    Column("speaker_resolved_by", String(16)),
    Column("continuation", Boolean, nullable=False),
    Column("group_no", Integer),
    # copied from the article so that filtered, dated quote queries need no join (migration 0003)
    Column("site", String(255)),
    Column("published", String(10)),
    Index("ix_quotes_speaker_type", "speaker_type"),
    Index("ix_quotes_speaker_name", "speaker_name"),
    Index("ix_quotes_type_published", "speaker_type", "published"),
    Index("ix_quotes_site_published", "site", "published"),
    Index("ix_quotes_published", "published"),
)
Index("ix_quotes_day", day_of(quotes.c.published), quotes.c.article_id)
Index("ix_quotes_type_day", quotes.c.speaker_type, day_of(quotes.c.published), quotes.c.article_id)
entities = _results_table("entities", Column("label", String(16), nullable=False), Column("name", Text, nullable=False),
                          Index("ix_entities_name", "name"))
dates = _results_table("dates", Column("value", String(32)))
hedges = _results_table("hedges", Column("kind", String(16), nullable=False))
artefacts = _results_table("artefacts", Column("kind", String(16), nullable=False),
                           Column("pattern", Text, nullable=False))  # migration 0005

techniques = _results_table("techniques", Column("technique", String(64), nullable=False),
                            Column("name", Text, nullable=False), Column("score", Float, nullable=False),
                            Column("shown", Boolean, nullable=False, server_default=true()),  # migration 0009
                            Column("level", String(16), nullable=False, server_default="span"),  # migration 0010
                            Index("ix_techniques_technique", "technique"))  # migration 0006

# One row per narrative label of an article (the abstention "Other" included), best first (migration 0006).
narratives = Table(
    "narratives",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(255), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("sub_narratives", Text, nullable=False),  # JSON: [{"label", "score"}]
    Column("evidence", Text, nullable=False),  # JSON: [{"text", "start", "end", "score"}]
    Column("shown", Boolean, nullable=False, server_default=true()),  # migration 0009
    Index("ix_narratives_article", "article_id"),
    Index("ix_narratives_label", "label"),
)

RESULT_TABLES = (quotes, entities, dates, hedges, artefacts, techniques, narratives)


def shown_narrative(n: Table = narratives) -> ColumnElement[bool]:
    """A row that counts as a narrative in every count and list: not the abstention "Other", and shown (its
    confidence reached the threshold chosen for precision, migration 0009)."""
    return and_(n.c.label != NO_NARRATIVE, n.c.shown.is_(True))

# Stories (migration 0004): what story matching needs of each article, kept so that new articles join
# stories without re-embedding or re-clustering what is stored; and the stories themselves.
story_features = Table(
    "story_features",
    metadata,
    Column("article_id", String(255), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(64), nullable=False),  # encoder and shingling; another version is recomputed
    Column("language", String(16)),
    Column("published", String(10)),
    Column("words", Integer, nullable=False),
    Column("fingerprint", String(40), nullable=False),
    Column("names", Text, nullable=False),  # space-separated name keys
    Column("numbers", Text, nullable=False),
    Column("attributed", Text, nullable=False),  # JSON: {"credited": [outlets], "carried": [outlets]}
    Column("sentence_numbers", Text, nullable=False),  # JSON: per sentence, its numbers
    Column("signature", LargeBinary),  # MinHash, uint32 x num_perm; null without words
    Column("vector", LargeBinary, nullable=False),  # mean sentence vector, float16
    Column("sentences", LargeBinary, nullable=False),  # sentence vectors, float16, n x dimensions
    # Migration 0008: the vectors of its quotes (diff.quote_units), so that the versions of a stored story are
    # compared without the encoder; null for articles embedded before, or stored without analysis.
    Column("quote_texts", Text),  # JSON list
    Column("quote_vectors", LargeBinary),  # float16, one row per text
    # Migration 0007: an update reads the features of the new articles' date window (and of copies of them),
    # and checks versions from an index rather than from the wide rows.
    Index("ix_story_features_published", "published"),
    Index("ix_story_features_fingerprint", "fingerprint"),
    Index("ix_story_features_version", "article_id", "version"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("origin", String(255)),
    Column("origin_confidence", Float, nullable=False),
    Column("attributed_source", Text),
    Column("evidence", Text, nullable=False),  # JSON: "a|b" -> sentence alignment
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("first_published", String(10)),  # of its versions (migration 0008)
    Column("last_published", String(10)),
    Index("ix_stories_size", "size"),
)
Index("ix_stories_last", day_of(stories.c.last_published), stories.c.id)

story_members = Table(
    "story_members",
    metadata,
    Column("article_id", String(255), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("derived_from", String(255)),
    Column("note", Text),
    Index("ix_story_members_story", "story_id"),
)

STORY_TABLES = (story_features, stories, story_members)
