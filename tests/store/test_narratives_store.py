"""Narratives across the store (counts by site and week, evidence), on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from unspun.errors import InputError
from unspun.records import Analysis, Article, Narrative, NarrativeEvidence, Sourcing
from unspun.store import open_store
from unspun.store.narratives import (
    UNDATED,
    NarrativeFilter,
    narrative_counts,
    narrative_evidence,
    week_of,
    week_range,
)

WEST = "URW: Discrediting the West, Diplomacy"
VICTIM = "URW: Russia is the Victim"
BODY = "Sanctions have backfired on Europe. The minister visited the port on Monday."


def analysed(article_id: str, site: str, published: str | None, *labels: str) -> tuple[Article, Analysis]:
    article = Article(text=BODY, id=article_id, site=site, published=published, title=article_id.upper(),
                      content_hash=hashlib.sha256(article_id.encode()).hexdigest(), language="en")
    narratives = [Narrative(label, 0.8, [], [NarrativeEvidence(BODY[:35], 0, 35, 0.8)]) for label in labels]
    analysis = Analysis(article=article, quotes=[], sourcing=Sourcing(0, 0, 0, 0, 0, 0, 0.0), entities=[], dates=[],
                        hedges=[], narratives=narratives or [Narrative("Other", 0.9)])
    return article, analysis


def fill(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add([
            analysed("a1", "one.example", "2026-11-16", WEST, VICTIM),  # Monday of 2026-W47
            analysed("a2", "one.example", "2026-11-22", WEST),  # Sunday of 2026-W47
            analysed("a3", "two.example", "2026-11-23", WEST),  # 2026-W48
            analysed("a4", "two.example", None, VICTIM),
            analysed("a5", "two.example", "2026-11-23"),  # no narrative: Other, never counted
        ], "v1")


def test_week_of_and_week_range_agree() -> None:
    assert week_of("2026-11-16") == week_of("2026-11-22") == "2026-W47"
    assert week_of("2027-01-01") == "2026-W53"  # ISO weeks: New Year's Day 2027 is in 2026's last week
    assert week_of(None) == week_of("soon") == UNDATED
    assert week_range("2026-W47") == ("2026-11-16", "2026-11-22")
    with pytest.raises(InputError, match="2026-W47"):
        week_range("2026-47")


def test_counts_by_site_and_week_newest_first_without_other(store_url: str) -> None:
    fill(store_url)
    with open_store(store_url) as store:
        counts = [(c.week, c.site, c.label, c.articles) for c in narrative_counts(store, NarrativeFilter())]
    assert counts == [
        ("2026-W48", "two.example", WEST, 1),
        ("2026-W47", "one.example", WEST, 2),
        ("2026-W47", "one.example", VICTIM, 1),
        (UNDATED, "two.example", VICTIM, 1),
    ]


def test_counts_filters(store_url: str) -> None:
    fill(store_url)
    with open_store(store_url) as store:
        def rows(**where: str) -> list[tuple[str, str, int]]:
            return [(c.week, c.label, c.articles) for c in narrative_counts(store, NarrativeFilter(**where))]

        assert rows(label="discrediting THE west") == [("2026-W48", WEST, 1), ("2026-W47", WEST, 2)]
        assert rows(site="two.example") == [("2026-W48", WEST, 1), (UNDATED, VICTIM, 1)]
        assert rows(week="2026-W47", label=VICTIM) == [("2026-W47", VICTIM, 1)]
        assert rows(week=UNDATED) == [(UNDATED, VICTIM, 1)]
        assert rows(since="2026-11-20", until="2026-11-22") == [("2026-W47", WEST, 1)]
        assert rows(label="no such narrative") == []


def test_evidence_newest_first_with_sentences(store_url: str) -> None:
    fill(store_url)
    with open_store(store_url) as store:
        hits = narrative_evidence(store, NarrativeFilter(label=WEST), limit=2)
    assert [h.article_id for h in hits] == ["a3", "a2"]
    assert hits[0].site == "two.example" and hits[0].title == "A3"
    evidence = hits[0].narrative.evidence[0]
    assert BODY[evidence.start:evidence.end] == evidence.text == "Sanctions have backfired on Europe."


def test_narratives_not_shown_are_stored_but_never_counted_or_listed(store_url: str) -> None:
    """Precision first (issue 15): a narrative below the shown threshold keeps its row (and comes back with its
    score and shown=False), but counts, evidence lists and the facet values leave it out."""
    article, analysis = analysed("h1", "three.example", "2026-11-23")
    hidden = Narrative(VICTIM, 0.62, [], [NarrativeEvidence(BODY[:35], 0, 35, 0.62)], shown=False)
    with open_store(store_url) as store:
        store.add([(article, dataclasses.replace(analysis, narratives=[hidden]))], "v1")
        assert store.analysis("h1").narratives == [hidden]
        assert store.analysis("h1").shown_narratives == []
        assert narrative_counts(store, NarrativeFilter(site="three.example")) == []
        assert narrative_evidence(store, NarrativeFilter(site="three.example")) == []
        fill(store_url)  # the shown ones of other articles are still counted
        assert narrative_counts(store, NarrativeFilter(label=VICTIM))
