"""Story clustering on hand-written articles. The decisions are made by classifiers calibrated on the
multilingual encoder's cosines (stories/model.py), so they are tested with the real encoder; a bag-of-words
stand-in checks the alignment arithmetic alone."""

from __future__ import annotations

import re

import numpy as np
import pytest

from unspun.records import Article
from unspun.stories.align import alignment, embed_articles
from unspun.stories.cluster import average_linkage, cluster_stories
from unspun.stories.features import article_features, overlap, split_sentences
from unspun.stories.update import default_embed

DIM = 512


def bag_of_words(texts: list[str]) -> np.ndarray:
    """Deterministic unit vectors: sentences sharing most words are close, others far apart."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, sum(map(ord, word)) * 2654435761 % DIM] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


ORIGIN = ("The defence ministry of Valdoria announced on Monday that minister Anatol Vessarin will visit Selvara. "
          "The minister will chair the fourteenth session of the joint military commission on December 3. "
          "Vessarin will also meet the president of Tarsania to discuss air defence production.")
REWRITE = ("The defence ministry of Valdoria announced on Monday that minister Anatol Vessarin will visit Selvara. "
           "Many observers believe the West has lost its influence over the region for good this time. "
           "The minister will chair the fourteenth session of the joint military commission on December 3. "
           "Vessarin will also meet the president of Tarsania to discuss air defence production.")
INDEPENDENT = ("Anatol Vessarin landed in Selvara late on Tuesday evening with a delegation of 40 engineers. "
               "Local reporters saw the Valdoria convoy drive straight to the commission building downtown. "
               "Officials in Tarsania said production contracts worth 400 million could be signed soon.")
UNRELATED = ("The city council of Harwick voted on Thursday to close two public libraries next summer. "
             "Residents protested outside the town hall until late in the evening, chanting loudly. "
             "The mayor said the budget gap left the council with no other choice this year.")


def articles() -> list[Article]:
    return [Article(text=t, id=i, published=d, language="en") for i, t, d in (
        ("origin", ORIGIN, "2026-11-17"), ("rewrite", REWRITE, "2026-11-18"),
        ("independent", INDEPENDENT, "2026-11-18"), ("unrelated", UNRELATED, "2026-11-18"))]


def test_cluster_features_sentences_names_numbers() -> None:
    features = article_features(Article(text=INDEPENDENT, id="x"))
    assert len(split_sentences(INDEPENDENT)) == 3 == len(features.sentences)
    assert {"vessa", "selva", "valdo"} <= features.names and "local" in features.names
    assert "400" in features.numbers and overlap(frozenset("ab"), frozenset("bc")) == 0.5


def test_cluster_alignment_is_directional() -> None:
    a = bag_of_words(split_sentences(ORIGIN))
    b = bag_of_words(split_sentences(REWRITE))
    origin_in_rewrite, rewrite_in_origin = alignment(a, b, 0.9)
    assert origin_in_rewrite == 1.0 and rewrite_in_origin == 0.75


@pytest.mark.model
def test_cluster_rewrite_family_and_singleton() -> None:
    features = [article_features(a) for a in articles()]
    stories = cluster_stories(features, embed_articles(features, default_embed()))
    by_article = {a: s for s in stories for a in s.articles}
    assert by_article["origin"] is by_article["rewrite"]
    assert by_article["unrelated"].articles == ["unrelated"] and by_article["unrelated"].origin is None
    story = by_article["origin"]
    assert story.roles["origin"] == "origin" and story.roles["rewrite"] == "derived"
    assert story.derived_from == {"rewrite": "origin"} and 0 < story.origin_confidence <= 1
    assert sorted(a for s in stories for a in s.articles) == sorted(a.id or "" for a in articles())


def test_cluster_language_the_encoder_cannot_read_needs_names_and_numbers() -> None:
    """Norwegian is not among the encoder's languages: shared names and numbers decide."""
    norwegian = Article(text="Minister Anatol Vessarin kom til Selvara med 40 ingeniorer, opplyser Valdoria. Kontrakter "
                             "for 400 millioner skal signeres i Tarsania denne uken.", id="no", language="no")
    chance = Article(text="Presidenten i Tarsania besokte Selvara. Utstillingen viste 400 nye biler fra Valdoria og "
                          "Korea.", id="no-other", language="no")
    features = [article_features(a) for a in [*articles(), norwegian, chance]]
    stories = cluster_stories(features, embed_articles(features, bag_of_words))
    by_article = {a: s for s in stories for a in s.articles}
    assert by_article["no"] is by_article["independent"]
    assert by_article["no-other"].articles == ["no-other"]  # one shared number and some names are chance


@pytest.mark.model
def test_cluster_translation_joins_its_source_across_scripts() -> None:
    """Russian is read by the multilingual encoder: a translation of the origin joins its story."""
    russian = Article(id="ru", language="ru", published="2026-11-18", text=(
        "Министерство обороны Валдории объявило в понедельник, что министр Анатоль Вессарин посетит Селвару. "
        "Министр проведёт четырнадцатую сессию совместной военной комиссии 3 декабря. "
        "Вессарин также встретится с президентом Тарсании, чтобы обсудить производство средств ПВО."))
    features = [article_features(a) for a in [*articles(), russian]]
    stories = cluster_stories(features, embed_articles(features, default_embed()))
    by_article = {a: s for s in stories for a in s.articles}
    assert by_article["ru"] is by_article["origin"] and by_article["unrelated"].articles == ["unrelated"]


def test_cluster_average_linkage_does_not_chain() -> None:
    """One article close to two groups does not join them when the groups are far from each other."""
    strong, weak = 0.9, 0.1
    probabilities = {(0, 1): strong, (1, 2): 0.6, (2, 3): strong, (0, 2): weak, (1, 3): weak, (0, 3): weak}
    assert sorted(average_linkage(4, probabilities, 0.5)) == [[0, 1], [2, 3]]
    assert sorted(average_linkage(4, probabilities, 0.5, groups=[[0, 1, 2, 3]])) == [[0, 1, 2, 3]]


@pytest.mark.model
def test_cluster_different_numbers_in_matching_sentences_are_different_events() -> None:
    """The daily drone tally: the same template, another night's numbers."""
    def tally(i: str, drones: int, regions: int, published: str) -> Article:
        return Article(id=i, language="en", published=published, text=(
            f"Air defence systems on duty intercepted and destroyed {drones} unmanned aerial vehicles overnight. "
            f"The drones were shot down over {regions} regions of the country, the defence ministry said. "
            "Emergency services reported no casualties on the ground in the morning."))
    articles = [tally("monday", 116, 12, "2026-11-16"), tally("tuesday", 41, 19, "2026-11-17"),
                tally("copy", 116, 12, "2026-11-16")]
    features = [article_features(a) for a in articles]
    stories = cluster_stories(features, embed_articles(features, default_embed()))
    by_article = {a: s for s in stories for a in s.articles}
    assert by_article["monday"] is by_article["copy"] and by_article["tuesday"].articles == ["tuesday"]
