"""The story page as data: versions diffed against the reference from stored vectors alone (sentences and
quotes), the same diffs the trace computes with the encoder, paged by keyset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import update

from tests.conftest import fill_store
from unspun.analysis import analyze_article
from unspun.errors import InputError
from unspun.records import Analysis, Article
from unspun.reports.story import StoryView, UnknownStoryError, story_view
from unspun.store import open_store, schema
from unspun.store.stories import sentence_vectors
from unspun.stories.build import trace_article
from unspun.stories.diff import quote_units
from unspun.stories.update import default_embed

STORY = "story:farm-daily-herald"


def refuse(texts: list[str]) -> np.ndarray:
    raise AssertionError(f"the encoder was asked for {texts[:2]}")


def test_story_versions_compare_from_stored_vectors_alone(demo_store_url: str) -> None:
    with open_store(demo_store_url, readonly=True) as store:
        analysis = store.analysis("farm-daily-herald")
        assert analysis is not None
        known = sentence_vectors(store, ["farm-daily-herald"])
        assert set(quote_units(analysis.quotes)) <= set(known)  # `unspun stories` stored the quote vectors
        pages = [story_view(store, STORY, refuse)]
        while pages[-1].next:
            pages.append(story_view(store, STORY, refuse, after=pages[-1].next))
        traced = {}
        for version in (v for page in pages for v in page.versions):
            article = store.article(version.id)
            assert article is not None
            traced[version.id] = trace_article(store, article, analyze_article, update=False)["diff"]["counts"]
    shown = [v for page in pages for v in page.versions]
    assert [v.id for v in shown] == [e.id for e in pages[0].timeline if e.id != "origin-ministry"]
    assert {v.id: v.counts for v in shown} == traced


def test_story_without_stored_quote_vectors_encodes_them_the_same(
        tmp_path: Path, demo_entries: list[tuple[Article, Analysis | None]]) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    fill_store(url, demo_entries)
    with open_store(url) as store:
        stored = story_view(store, STORY, refuse)
        with store.write() as conn:  # as a store embedded before migration 0008 is
            conn.execute(update(schema.story_features).values(quote_texts=None, quote_vectors=None))
        encoded = story_view(store, STORY, default_embed())
    assert [v.counts for v in encoded.versions] == [v.counts for v in stored.versions]
    def flags(view: StoryView) -> list[Any]:  # similarities differ in the third decimal (float16 storage)
        return [([q.text for q in v.diff.unsupported_quotes], [c.status for c in v.diff.sentences])
                for v in view.versions if v.diff is not None]

    assert flags(encoded) == flags(stored)


def test_story_unknown_ids_and_cursors_are_refused(demo_store_url: str) -> None:
    with open_store(demo_store_url, readonly=True) as store:
        with pytest.raises(UnknownStoryError):
            story_view(store, "story:nothing", refuse)
        with pytest.raises(InputError, match="cursor"):
            story_view(store, STORY, refuse, after="not-a-version")
