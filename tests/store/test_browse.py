"""What the web interface browses, on both backends: search with filters and facets, the newest articles, quotes
and stories paged by keyset (every row once, in order), and the plans that keep those pages off a full scan."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.test_store import make_analysis, make_article
from unspun.store import browse, open_store
from unspun.store.narratives import NarrativeFilter, narrative_evidence
from unspun.store.store import QuoteQuery, Store
from unspun.stories.cluster import Story

DAYS = ["2026-03-01", "2026-03-01", "2026-03-02", None, "2026-02-27", "2026-03-02", None, "2026-03-05"]


def fill(store: Store) -> None:
    entries = []
    for n, day in enumerate(DAYS):
        article = make_article(f"a{n}", f"Ferry talks number {n} resumed in Riga on a cold day.",
                               site=f"site{n % 3}.example", published=day)
        entries.append((article, make_analysis(article, "named" if n % 2 else "anonymous")))
    store.add(entries, "test")


def every_page(fetch: Any) -> list[Any]:
    """All items of a keyset-paged list, fetching page after page."""
    items, after = [], None
    while True:
        page = fetch(after)
        items += page.items
        if page.after is None:
            return items
        after = page.after


def test_browse_latest_articles_newest_first_undated_last(store_url: str) -> None:
    with open_store(store_url) as store:
        fill(store)
        found = every_page(lambda after: browse.latest_articles(store, browse.SearchFilter(), after, limit=3))
    expected = sorted(((d or "", f"a{n}") for n, d in enumerate(DAYS)), reverse=True)
    assert [a.id for a in found] == [i for _, i in expected]
    assert [a.published for a in found][-2:] == [None, None]


def test_browse_search_filters_facets_and_pages(store_url: str) -> None:
    with open_store(store_url) as store:
        fill(store)
        everything = browse.search(store, browse.SearchFilter(query="ferry Riga"), limit=50)
        paged = every_page(lambda after: browse.search(store, browse.SearchFilter(query="ferry Riga"), after, 3))
        named = browse.search(store, browse.SearchFilter(query="ferry", source_type="named"), limit=50)
        dated = browse.search(store, browse.SearchFilter(since="2026-03-01", until="2026-03-02"), limit=50)
        site = browse.search(store, browse.SearchFilter(query="ferry", site="site1.example"), limit=50)
    assert [a.id for a in paged] == [a.id for a in everything.items] and len(paged) == len(DAYS)
    assert dict(everything.facets["site"]) == {"site0.example": 3, "site1.example": 3, "site2.example": 2}
    assert dict(everything.facets["source_type"]) == {"anonymous": 4, "named": 4}
    assert {a.id for a in named.items} == {f"a{n}" for n in range(1, 8, 2)}
    assert {a.published for a in dated.items} == {"2026-03-01", "2026-03-02"} and len(dated.items) == 4
    assert {a.site for a in site.items} == {"site1.example"}
    for article in everything.items:
        assert [article.snippet[s:e].lower() for s, e in article.matched] and \
            {article.snippet[s:e].lower() for s, e in article.matched} <= {"ferry", "riga"}


def test_browse_quotes_and_narrative_evidence_page_without_gaps(store_url: str) -> None:
    with open_store(store_url) as store:
        fill(store)
        article = make_article("b", "Second quote article. More words here for the quote.", published="2026-03-01")
        analysis = make_analysis(article)
        extra = replace(analysis.quotes[0], text="More words", start=22, end=32)
        store.add([(article, replace(analysis, quotes=[analysis.quotes[0], extra]))], "test")
        everything = store.quotes(QuoteQuery(limit=100))
        pages: list[Any] = []
        after = None
        while hits := store.quotes(QuoteQuery(limit=2), after):
            pages += hits
            after = (hits[-1].published or "", hits[-1].article_id, hits[-1].position)
        evidence = narrative_evidence(store, NarrativeFilter(), limit=100)
    assert [(h.article_id, h.position) for h in pages] == [(h.article_id, h.position) for h in everything]
    assert len(everything) == len(DAYS) + 2
    assert [h.position for h in everything if h.article_id == "b"] == [0, 1]  # an article's quotes in order
    days = [h.published or "" for h in everything]
    assert days == sorted(days, reverse=True)
    assert [h.published or "" for h in evidence] == sorted((h.published or "" for h in evidence), reverse=True)


def test_browse_stories_by_size_and_latest(store_url: str) -> None:
    from unspun.store.stories import replace_stories

    with open_store(store_url) as store:
        fill(store)
        stories = [Story(id="story:a0", articles=["a0", "a1", "a2"], roles={"a0": "origin", "a1": "derived",
                                                                          "a2": "independent"}, origin="a0",
                         origin_confidence=0.8),
                   Story(id="story:a4", articles=["a4", "a7"], roles={"a4": "origin", "a7": "derived"}, origin="a4",
                         origin_confidence=0.6)]
        replace_stories(store, stories, [])
        by_size = browse.stories(store, limit=1)
        second = browse.stories(store, by_size.after, limit=1)
        latest = browse.stories(store, order="latest")
        member = browse.membership(store, "a1")
    assert [s.id for s in by_size.items + second.items] == ["story:a0", "story:a4"] and second.after is None
    assert [(s.id, s.first_published, s.last_published) for s in latest.items] == [
        ("story:a4", "2026-02-27", "2026-03-05"), ("story:a0", "2026-03-01", "2026-03-02")]
    assert member == browse.Membership("story:a0", "derived", 3, "a0", 0.8, None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())), min_size=1, max_size=12),
       size=st.integers(1, 5))
def test_browse_keyset_pages_cover_every_article_once(tmp_path_factory: pytest.TempPathFactory, days: list[str | None],
                                                      size: int) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('keyset') / 'k.db'}"
    with open_store(url) as store:
        store.add([(make_article(f"k{n:02d}", f"Text {n}.", published=d), None) for n, d in enumerate(days)], "t")
        found = every_page(lambda after: browse.latest_articles(store, browse.SearchFilter(), after, limit=size))
    assert sorted(a.id for a in found) == sorted(f"k{n:02d}" for n in range(len(days)))
    assert [a.published or "" for a in found] == sorted((a.published or "" for a in found), reverse=True)


def test_browse_lists_read_off_their_indexes(tmp_path: Any) -> None:
    """The plans, not timings: the newest-first lists scan an index (no sort of the whole table)."""
    from sqlalchemy import select

    from unspun.store import schema

    with open_store(f"sqlite:///{tmp_path / 'plan.db'}") as store:
        fill(store)  # no statistics yet, as in a new store: the plan follows from the indexes alone
        a, q = schema.articles, schema.quotes
        day, qday = schema.day_of(a.c.published), schema.day_of(q.c.published)
        queries = {
            "ix_articles_day": select(a.c.id).order_by(day.desc(), a.c.id.desc()).limit(5),
            "ix_quotes_day": select(q.c.id).order_by(qday.desc(), q.c.article_id.desc(), q.c.position).limit(5),
            "ix_quotes_type_day": select(q.c.id).where(q.c.speaker_type == "named")
            .order_by(qday.desc(), q.c.article_id.desc(), q.c.position).limit(5),
        }
        with store.engine.connect() as conn:
            for index, query in queries.items():
                compiled = query.compile(store.engine)
                plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params[k] for k in compiled.positiontup or ())))
                assert index in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
