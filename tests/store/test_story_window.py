"""A stories update reads only the new articles' date window (plus undated articles and copies of the new
texts) and still places them as a clustering of the whole store would. SQLite and PostgreSQL."""

from __future__ import annotations

from tests.store.test_store import make_article
from tests.stories.test_cluster import ORIGIN, REWRITE, UNRELATED, bag_of_words
from unspun.store import open_store
from unspun.store.stories import Window, load_index, load_stories, unplaced
from unspun.stories.build import build_stories
from unspun.stories.update import date_window, update_stories


def test_date_window_merges_ranges_and_falls_back_to_the_whole_store() -> None:
    new = [("a", "2026-11-20", "f1"), ("b", "2026-11-22", "f2"), ("c", "2026-12-20", "")]
    assert date_window(new, 4) == Window((("2026-11-16", "2026-11-26"), ("2026-12-16", "2026-12-24")), ("f1", "f2"))
    assert date_window([*new, ("d", None, "f3")], 4) is None  # an undated article may match any date
    assert date_window([*new, ("d", "November", "f3")], 4) is None
    assert date_window(new, 4, max_ranges=1) is None  # spread out: one pass over the store is cheaper


def test_load_index_reads_the_window_undated_articles_and_copies(store_url: str) -> None:
    articles = [make_article("in", ORIGIN, published="2026-11-18"), make_article("early", REWRITE, published="2026-10-01"),
                make_article("undated", UNRELATED, published=None),
                make_article("old-copy", ORIGIN + " ", published="2025-01-01")]
    with open_store(store_url) as store:
        store.add([(a, None) for a in articles])
        update_stories(store, bag_of_words)
        fingerprints = {a: f for a, _, f in _features(store)}
        window = Window((("2026-11-14", "2026-11-22"),), (fingerprints["in"],))
        index = load_index(store, window)
        assert sorted(index.ids) == ["in", "old-copy", "undated"]  # "early" is 48 days out and not a copy
        assert set(index.story_of) == set(index.ids) and unplaced(store) == []
        assert len(load_index(store).ids) == 4


def _features(store: object) -> list[tuple[str, str | None, str]]:
    from sqlalchemy import select

    from unspun.store import schema

    f = schema.story_features
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return [tuple(r) for r in conn.execute(select(f.c.article_id, f.c.published, f.c.fingerprint))]


def test_windowed_update_places_articles_as_a_whole_clustering_does(store_url: str) -> None:
    stored = [make_article("origin", ORIGIN, published="2026-11-17"),
              make_article("old-copy", ORIGIN + " ", site="mirror.example", published="2026-09-01"),
              make_article("old-rewrite", REWRITE + " The ministry gave no further details.", site="old.example",
                           published="2026-10-01"),
              make_article("unrelated", UNRELATED, published=None)]
    new = [make_article("rewrite", REWRITE, site="new.example", published="2026-11-18"),
           make_article("copy", ORIGIN, site="copy.example", published="2027-03-01")]
    with open_store(store_url) as store:
        store.add([(a, None) for a in stored])
        update_stories(store, bag_of_words)
        store.add([(a, None) for a in new])
        summary = update_stories(store, bag_of_words)
        incremental = {frozenset(s.articles) for s, _ in load_stories(store)}
    batch = {frozenset(s.articles) for s in build_stories([*stored, *new], embed=bag_of_words)}
    assert summary.matched == 2 and incremental == batch
    assert frozenset({"origin", "old-copy", "rewrite", "copy"}) in incremental  # copies join whatever their date
    assert frozenset({"old-rewrite"}) in incremental  # 6 weeks earlier: another event by the date veto
