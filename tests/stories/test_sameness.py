"""The rules around the same-story classifier (stories/sameness.py), with the real multilingual encoder."""

from __future__ import annotations

import pytest

from unspun.records import Article
from unspun.stories.align import embed_articles
from unspun.stories.cluster import cluster_stories
from unspun.stories.features import article_features
from unspun.stories.sameness import EVENT_FEATURES, event_features, names_conflict, ruled_out
from unspun.stories.update import default_embed

pytestmark = pytest.mark.model


def claim(i: str, village: str, region: str, brigade: str, published: str) -> Article:
    """The same ministry template, filled in for another village: another event."""
    return Article(id=i, language="en", published=published, text=(
        f"Units of the Northern group of forces have completed the liberation of the settlement of {village} in the "
        f"{region} region, the Valdorian Ministry of Defence said on Tuesday. "
        f"The {brigade} brigade broke through the enemy's defences west of {village} after heavy fighting. "
        f"Enemy losses near {village} over the past day amounted to up to sixty servicemen, the ministry said."))


def test_sameness_template_with_other_places_is_another_event() -> None:
    articles = [claim("east", "Mirnovka", "Korsk", "Orlov", "2026-11-17"),
                claim("west", "Dalnaya Gorka", "Verensk", "Tamanets", "2026-11-18"),
                claim("east-copy", "Mirnovka", "Korsk", "Orlov", "2026-11-17")]
    features = [article_features(a) for a in articles]
    vectors = embed_articles(features, default_embed())
    assert names_conflict(features[0], features[1], vectors.sentences[0], vectors.sentences[1], 0.8)
    assert ruled_out(features[0], features[1], vectors.sentences[0], vectors.sentences[1])
    by_article = {a: s for s in cluster_stories(features, vectors) for a in s.articles}
    assert by_article["east"] is by_article["east-copy"] and by_article["west"].articles == ["west"]


def test_sameness_same_language_without_a_shared_name_or_number_is_ruled_out() -> None:
    a = article_features(Article(id="a", language="en", text="The harbour council of Brenton voted to close the "
                                 "northern pier for repairs this winter, officials said on Monday."))
    b = article_features(Article(id="b", language="en", text="Farmers in the valley complained that the new "
                                 "irrigation rules would cut their harvest by a third, a union leader said."))
    vectors = embed_articles([a, b], default_embed())
    assert ruled_out(a, b, vectors.sentences[0], vectors.sentences[1])
    assert len(event_features(a, b, vectors.sentences[0], vectors.sentences[1])) == len(EVENT_FEATURES)
