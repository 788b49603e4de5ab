"""Stories kept in a real store (SQLite and PostgreSQL): incremental joins equal a batch clustering, merges
replace the merged stories, and copies and very short articles are explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store.test_store import make_article
from tests.stories.test_cluster import INDEPENDENT, ORIGIN, REWRITE, UNRELATED, bag_of_words
from unspun.store import open_store
from unspun.store.stories import load_stories
from unspun.stories.build import build_stories
from unspun.stories.update import update_stories

SECOND_REWRITE = ("Minister Anatol Vessarin will visit Selvara, the defence ministry of Valdoria announced on Monday. "
                  "The minister will chair the fourteenth session of the joint military commission on December 3. "
                  "Critics say the visit shows that the old alliances of the region are crumbling fast.")


def articles() -> list:
    return [make_article(i, t, site=f"{i}.example", published="2026-11-18") for i, t in (
        ("origin", ORIGIN), ("rewrite", REWRITE), ("independent", INDEPENDENT), ("unrelated", UNRELATED),
        ("rewrite-2", SECOND_REWRITE))]


def partition(stories: list) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


def stored(store_url: str) -> list:
    with open_store(store_url) as store:
        return [story for story, _ in load_stories(store)]


def test_update_incremental_equals_batch(store_url: str) -> None:
    batch = build_stories(articles(), embed=bag_of_words)
    with open_store(store_url) as store:
        store.add([(a, None) for a in articles()[:3]])
        first = update_stories(store, bag_of_words)
        store.add([(a, None) for a in articles()[3:]])
        second = update_stories(store, bag_of_words)
        again = update_stories(store, bag_of_words)
    assert (first.embedded, second.embedded, again.embedded) == (3, 2, 0)
    assert again.matched == 0 and second.matched == 2
    incremental = stored(store_url)
    assert partition(incremental) == partition(batch)
    assert {a: r for s in incremental for a, r in s.roles.items()} == {a: r for s in batch for a, r in s.roles.items()}
    assert sorted(a for s in incremental for a in s.articles) == sorted(a.id for a in articles())
    family, batch_family = (next(s for s in stories if "rewrite" in s.articles) for stories in (incremental, batch))
    assert family.origin == batch_family.origin and family.derived_from == batch_family.derived_from
    assert family.evidence == batch_family.evidence and family.evidence["origin|rewrite"] == 1.0


def test_update_merge_replaces_the_merged_stories(store_url: str) -> None:
    """rewrite and rewrite-2 share little with each other; origin, stored last, joins both into one story."""
    with open_store(store_url) as store:
        store.add([(a, None) for a in articles() if a.id in ("rewrite", "rewrite-2", "unrelated")])
        update_stories(store, bag_of_words)
        before = {s.id for s in stored(store_url)}
        store.add([(a, None) for a in articles() if a.id == "origin"])
        summary = update_stories(store, bag_of_words)
    after = stored(store_url)
    family = next(s for s in after if "origin" in s.articles)
    assert {"rewrite", "rewrite-2"} <= set(family.articles) and summary.matched == 1
    assert sum(len(s.articles) for s in after) == 4 and len({s.id for s in after}) == len(after)
    assert "story:rewrite" in before and "story:rewrite-2" not in {s.id for s in after}


def test_update_rebuild_keeps_features_and_gives_the_same_stories(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add([(a, None) for a in articles()])
        update_stories(store, bag_of_words)
        first = stored(store_url)
        summary = update_stories(store, bag_of_words, rebuild=True)
    assert summary.embedded == 0 and summary.matched == 5
    assert partition(stored(store_url)) == partition(first)


def test_update_copies_and_short_articles_are_explained(store_url: str) -> None:
    copy = make_article("copy", ORIGIN.upper().replace(".", " ."), site="mirror.example", published=None)
    short = make_article("short", "Vessarin visits Selvara.", site="teaser.example")
    with open_store(store_url) as store:
        store.add([(a, None) for a in [*articles()[:1], copy, short]])
        update_stories(store, bag_of_words)
    by_article = {a: s for s in stored(store_url) for a in s.articles}
    assert by_article["copy"] is by_article["origin"]
    assert by_article["copy"].notes == {"origin": "same text as copy", "copy": "no publication date: placed by its text alone"}
    assert by_article["short"].articles == ["short"] and "too short" in by_article["short"].notes["short"]


def test_features_loaded_from_the_store_equal_those_built_in_memory(store_url: str) -> None:
    """The store keeps sentence vectors, not sentence texts: loading splits the article's text again, so the
    pair classifier sees the same sentences in an update as in a batch clustering."""
    from sqlalchemy import update

    from unspun.store import schema
    from unspun.store.stories import load_features
    from unspun.stories.features import article_features

    with open_store(store_url) as store:
        store.add([(a, None) for a in articles()])
        update_stories(store, bag_of_words)
        loaded = load_features(store, [a.id for a in articles()])
        for article in articles():
            built = article_features(article)
            assert built.sentences and loaded[article.id].features == built
            assert len(loaded[article.id].sentences) == len(built.sentences)
        with store.engine.begin() as conn:  # a text changed behind the stored features: no sentences, not wrong ones
            conn.execute(update(schema.articles).where(schema.articles.c.id == "origin")
                         .values(text=ORIGIN + " A further sentence that the stored vectors never saw."))
        stale = load_features(store, ["origin"])["origin"].features
    assert stale.sentences == () and stale.sentence_numbers == article_features(articles()[0]).sentence_numbers


@pytest.mark.model
def test_update_roles_read_the_stored_analyses_and_keep_their_evidence(store_url: str, tmp_path: Path) -> None:
    """Ingested with analysis, the versions' sourcing profiles come from the store; the stored story keeps the
    evidence of every role (what a derived version carries and adds), on SQLite and PostgreSQL alike."""
    from unspun.run.ingest import IngestOptions, ingest
    from unspun.store.stories import load_profiles

    source = tmp_path / "batch.jsonl"
    farm = (f"{REWRITE} \"Nobody in the region can stop this now,\" said a senior official who asked not to be named. "
            "Analysts say the partnership is likely to deepen.")
    source.write_text("".join(json.dumps({"id": i, "text": t, "published": d, "site": f"{i}.example"}) + "\n"
                              for i, t, d in (("origin", ORIGIN, "2026-11-17"), ("farm", farm, "2026-11-18"))),
                      encoding="utf-8")
    with open_store(store_url) as store:
        ingest([str(source)], store, IngestOptions())
        profiles = load_profiles(store, ["origin", "farm"])
        assert profiles["farm"].unidentified >= 1 and profiles["farm"].hedges >= 1
        update_stories(store)
        [(story, _)] = [(s, m) for s, m in load_stories(store) if len(s.articles) > 1]
    assert story.roles == {"origin": "origin", "farm": "derived"} and story.derived_from == {"farm": "origin"}
    assert "Vessarin" in story.versions["farm"]["carried"]
    assert any("anonymous or vague" in item for item in story.versions["farm"]["added"])
