"""The store against real SQLite and a real PostgreSQL server: the same tests on both backends."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from unspun.errors import StoreError
from unspun.records import (
    Analysis,
    Artefact,
    Article,
    DateMention,
    Entity,
    Hedge,
    Narrative,
    NarrativeEvidence,
    Quote,
    Sourcing,
    Span,
    Speaker,
    SubNarrative,
    Technique,
)
from unspun.store import open_store
from unspun.store.migrate import current_revision, head_revision, upgrade
from unspun.store.schema import metadata
from unspun.store.store import QuoteQuery
from unspun.store.urls import resolve_url


def make_article(article_id: str, body: str, site: str = "example.com", published: str | None = "2026-11-20") -> Article:
    return Article(text=body, id=article_id, site=site, published=published, title=f"Title {article_id}",
                   content_hash=hashlib.sha256(body.encode()).hexdigest(), language="en", source="test")


def make_analysis(article: Article, speaker_type: str = "anonymous") -> Analysis:
    speaker = Speaker(type=speaker_type, text="a senior official", start=30, end=47, role="official",  # type: ignore[arg-type]
                      affiliation="Russia")
    quote = Quote(text="We will win", start=1, end=12, kind="direct", speaker=speaker, cue=Span("said", 25, 29),
                  continuation=False, group=None)
    return Analysis(
        article=article, quotes=[quote],
        sourcing=Sourcing(1, 0, 1, 0, 0, 0, 1.0, [], ["Ann Lee"]),
        entities=[Entity("Riga", 50, 54, "GPE", "Riga")], dates=[DateMention("Monday", 60, 66, "2026-11-16")],
        hedges=[Hedge("could", 70, 75, "modal")],
        artefacts=[Artefact("Monday", 60, 66, "template_slot", "Monday")], artefact_score=0.9,
        narratives=[Narrative("URW: Praise of Russia", 0.71, [SubNarrative("URW: Praise of Russia: Other", 0.6)],
                              [NarrativeEvidence("“We will win,” he said.", 0, 23, 0.7)]),
                    Narrative("URW: Russia is the Victim", 0.4)],
        techniques=[Technique("We will win", 1, 12, "Slogans", "slogan", 0.62)],
    )


BODY = "“We will win,” he said. “Soon.” said a senior official in Riga on Monday; it could rain in Latvia."


def test_store_add_is_idempotent(store_url: str) -> None:
    with open_store(store_url) as store:
        article = make_article("a1", BODY)
        first = store.add([(article, make_analysis(article))], "v1")
        again = store.add([(article, None)], "v1")
        assert first.inserted == ["a1"] and first.analysed == ["a1"]
        assert again.inserted == [] and again.present == ["a1"]
        assert store.counts()["articles"] == 1 and store.counts()["quotes"] == 1


def test_store_same_id_different_text_is_a_conflict(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add([(make_article("a1", BODY), None)])
        result = store.add([(make_article("a1", BODY + " Changed."), None), (make_article("a2", "Other text."), None)])
        assert [i for i, _ in result.conflicts] == ["a1"] and result.inserted == ["a2"]
        stored = store.article("a1")
        assert stored is not None and stored.text == BODY


def test_store_analysis_round_trips_as_records(store_url: str) -> None:
    with open_store(store_url) as store:
        article = make_article("a1", BODY)
        analysis = make_analysis(article)
        store.add([(article, analysis)], "v1")
        assert store.analysis("a1") == analysis
        assert store.analysis("missing") is None


def test_store_reanalysis_replaces_results(store_url: str) -> None:
    with open_store(store_url) as store:
        article = make_article("a1", BODY)
        store.add([(article, make_analysis(article, "anonymous"))], "v1")
        assert store.status(["a1", "nope"], "v2") == {"a1": "stale"}
        assert [a.id for a in store.iter_articles(stale_for="v2")] == ["a1"]
        store.save_analyses([make_analysis(article, "named")], "v2")
        assert store.status(["a1"], "v2") == {"a1": "current"}
        assert list(store.iter_articles(stale_for="v2")) == []
        assert store.counts()["quotes"] == 1
        stored = store.analysis("a1")
        assert stored is not None and stored.quotes[0].speaker.type == "named"


def test_store_full_text_search(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add([(make_article("a1", "The defence minister arrived in New Delhi for talks."), None),
                   (make_article("a2", "Football results from the weekend league."), None)])
        hits = store.search("minister talks")
        assert [h.id for h in hits] == ["a1"] and "[" in hits[0].snippet
        assert [h.id for h in store.search('minister" (*')] == ["a1"]  # search syntax in user text is just words
        assert store.search("") == []
        assert [h.id for h in store.search("league")] == ["a2"]


def test_store_quote_filters(store_url: str) -> None:
    with open_store(store_url) as store:
        one, two = make_article("a1", BODY, site="one.com", published="2026-01-05"), make_article(
            "a2", BODY + " 2", site="two.com", published="2026-03-01")
        store.add([(one, make_analysis(one, "anonymous")), (two, make_analysis(two, "named"))], "v1")
        assert {h.article_id for h in store.quotes(QuoteQuery(speaker_type="anonymous"))} == {"a1"}
        assert {h.article_id for h in store.quotes(QuoteQuery(site="two.com"))} == {"a2"}
        assert {h.article_id for h in store.quotes(QuoteQuery(since="2026-02-01"))} == {"a2"}
        assert {h.article_id for h in store.quotes(QuoteQuery(until="2026-02-01"))} == {"a1"}
        assert len(store.quotes(QuoteQuery(speaker="SENIOR"))) == 2
        assert store.quotes(QuoteQuery(speaker="nobody")) == []


def test_store_migrates_an_older_database(store_url: str) -> None:
    engine = create_engine(resolve_url(store_url))
    upgrade(engine, "0001")
    with engine.begin() as conn:
        assert current_revision(conn) == "0001"
        conn.execute(text("INSERT INTO articles (id, site, published, text, content_hash, ingested_at) "
                          "VALUES ('old', 'old.example', '2025-01-02', 'An old article.', 'h', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO quotes (article_id, text, start, \"end\", position, kind, speaker_type, "
                          "continuation) VALUES ('old', 'An old', 0, 6, 0, 'direct', 'unknown', false)"))
    engine.dispose()
    with open_store(store_url) as store:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
        assert "captured" in {c["name"] for c in inspect(store.engine).get_columns("articles")}
        old = store.article("old")
        assert old is not None and old.text == "An old article." and old.captured is None
        assert [h.id for h in store.search("old article")] == ["old"]
        [hit] = store.quotes(QuoteQuery(site="old.example", since="2025-01-01"))  # 0003 copied site and date
        assert hit.article_id == "old" and hit.published == "2025-01-02"


# SQLite cannot reflect expression indexes (ix_*_day): test_browse checks that the query plans use them.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_store_migrations_match_the_table_definitions(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # the full-text objects (FTS5 tables, the tsvector column) live only in the migrations
    diff = [d for d in diff if "fts" not in str(d) and "search" not in str(d)]
    assert diff == []


def test_store_unreachable_database_is_one_clear_error(closed_port: int) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(f"postgresql://nobody@127.0.0.1:{closed_port}/db")
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://u@localhost/db")
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store("sqlite:////nonexistent-dir/sub/unspun.db")


def test_store_bare_path_is_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with open_store(str(path)) as store:
        assert store.backend == "sqlite"
    assert path.exists()


_TEXT = st.characters(blacklist_categories=("Cs",))  # any Unicode text a decoder can produce


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(_TEXT, min_size=1, max_size=300), title=st.one_of(st.none(), st.text(_TEXT, max_size=40)))
def test_store_articles_round_trip_any_text(tmp_path: Path, body: str, title: str | None) -> None:
    with open_store(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db") as store:
        article = Article(text=body, id=hashlib.md5(body.encode()).hexdigest(), title=title,
                          content_hash=hashlib.sha256(body.encode()).hexdigest())
        store.add([(article, None)])
        assert store.article(article.id or "") == article


def test_store_migration_0009_keeps_stored_findings_shown(store_url: str) -> None:
    """Narratives and technique spans stored before precision first (revision 0008) stay shown after the upgrade,
    until their articles are analysed again."""
    engine = create_engine(resolve_url(store_url))
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO articles (id, text, content_hash, ingested_at) "
                          "VALUES ('old', 'A loaded old article.', 'h', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO analyses (article_id, pipeline_version, analysed_at, quotes, named, anonymous, "
                          "unnamed, document, unknown, share_unidentified, named_sources, featured_not_quoted) "
                          "VALUES ('old', 'v1', CURRENT_TIMESTAMP, 0, 0, 0, 0, 0, 0, 0.0, '[]', '[]')"))
        conn.execute(text("INSERT INTO narratives (article_id, position, label, score, sub_narratives, evidence) "
                          "VALUES ('old', 0, 'URW: Russia is the Victim', 0.7, '[]', '[]')"))
        conn.execute(text("INSERT INTO techniques (article_id, text, start, \"end\", technique, name, score) "
                          "VALUES ('old', 'loaded', 2, 8, 'Loaded_Language', 'loaded language', 0.9)"))
    engine.dispose()
    with open_store(store_url) as store:
        analysis = store.analysis("old")
    assert analysis is not None
    assert [n.label for n in analysis.shown_narratives] == ["URW: Russia is the Victim"]
    assert [t.text for t in analysis.shown_techniques] == ["loaded"]
    assert [t.level for t in analysis.techniques] == ["span"]  # migration 0010: rows stored before it are spans
