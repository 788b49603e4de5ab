"""Pair features of the lineage classifier and the packaged model, on hand-made articles and vectors."""

from __future__ import annotations

import numpy as np
import pytest

from unspun.errors import ModelError
from unspun.records import Article
from unspun.stories.align import Vectors
from unspun.stories.features import StoryFeatures, article_features
from unspun.stories.model import LineageModel, load_lineage_model, load_pair_model
from unspun.stories.pairs import FEATURES, copied_share, numbers_in_order, pair_features
from unspun.stories.roles import lineage_probabilities

SOURCE = ("Minister Anatol Vessarin will visit Selvara on 18 November for the 14th commission session. "
          "Vessarin and Devika Sarang will discuss the Strizh-2 air defence programme at Hemalkot. "
          "The delegation includes 212 engineers and Admiral Stepan Orlikov of the Valdorian Navy.")
REWRITE = ("Anatol Vessarin is heading to Selvara this month for talks on defence cooperation. "
           "A senior official who spoke on condition of anonymity said the visit was a turning point. "
           "Vessarin is expected to raise the Strizh-2 programme with his counterpart Devika Sarang.")


def unit_rows(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, 16))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def features(text: str, i: str, seed: int) -> tuple[StoryFeatures, np.ndarray]:
    f = article_features(Article(text=text, id=i, language="en"))
    return f, unit_rows(len(f.sentences), seed)


def test_pairs_features_are_symmetric_and_named() -> None:
    (a, sa), (b, sb) = features(SOURCE, "a", 1), features(REWRITE, "b", 2)
    forward, backward = pair_features(a, b, sa, sb), pair_features(b, a, sb, sa)
    assert forward.shape == (len(FEATURES),)
    assert np.array_equal(forward, backward)


def test_pairs_same_text_aligns_fully() -> None:
    a, sa = features(SOURCE, "a", 1)
    x = pair_features(a, a, sa, sa)
    assert x[FEATURES.index("ordered_090")] == 1.0 and x[FEATURES.index("novel_facts")] == 0.0
    assert copied_share(sa, sa) == 1.0 and copied_share(sa, unit_rows(3, 9)) < 1.0


def test_pairs_shared_word_runs_come_from_the_sentence_texts() -> None:
    (a, sa), (b, sb) = features(SOURCE, "a", 1), features(REWRITE, "b", 2)
    runs = [FEATURES.index("phrases_shared_3"), FEATURES.index("phrases_shared_4")]
    assert list(pair_features(a, a, sa, sa)[runs]) == [1.0, 1.0]  # a copy repeats every run
    shared = pair_features(a, b, sa, sb)[runs]
    assert 0.0 < shared[0] < 0.5 and shared[1] <= shared[0]  # "the Strizh-2": a paraphrase keeps a few runs
    # Features without sentence texts (a store whose text changed behind them) give 0, never an error.
    bare = StoryFeatures(**{**b.__dict__, "sentences": ()})
    assert list(pair_features(a, bare, sa, sb)[runs]) == [0.0, 0.0]
    assert np.array_equal(pair_features(a, b, sa, sb)[:runs[0]], pair_features(a, bare, sa, sb)[:runs[0]])


def test_pairs_numbers_in_order_reads_the_order_of_first_mentions() -> None:
    kept = (frozenset({"18"}), frozenset({"212", "2027"}))
    swapped = (frozenset({"212", "2027"}), frozenset({"18"}))
    assert numbers_in_order(kept, kept) == 1.0
    assert numbers_in_order(kept, swapped) < 1.0
    assert numbers_in_order(kept, (frozenset({"18"}),)) == 0.0  # one shared number says nothing about order


def test_pairs_packaged_model_matches_the_features() -> None:
    model = load_lineage_model()
    assert model.weights.shape == (len(FEATURES),) and 0.0 < model.threshold < 1.0
    (a, sa), (b, sb) = features(SOURCE, "a", 1), features(REWRITE, "b", 2)
    assert 0.0 <= float(model.probability(pair_features(a, b, sa, sb))) <= 1.0
    assert float(model.probability(pair_features(a, a, sa, sa))) > model.threshold  # a copy derives
    with pytest.raises(ValueError, match="3 weights for"):
        LineageModel(np.zeros(3), 0.0, np.zeros(3), np.ones(3), 0.5, FEATURES)
    with pytest.raises(ModelError, match="retrain"):
        load_pair_model("lineage", FEATURES[:-1], "eval/train_lineage.py")


def test_pairs_lineage_probabilities_follow_the_model() -> None:
    (a, sa), (b, sb) = features(SOURCE, "a", 1), features(REWRITE, "b", 2)
    vectors = Vectors([sa, sb], np.zeros((2, 16)))
    n = len(FEATURES)
    always = LineageModel(np.zeros(n), 5.0, np.zeros(n), np.ones(n), 0.5, FEATURES)
    never = LineageModel(np.zeros(n), -5.0, np.zeros(n), np.ones(n), 0.5, FEATURES)
    assert lineage_probabilities([0, 1], [a, b], vectors, always)[(0, 1)] > 0.99
    assert lineage_probabilities([0, 1], [a, b], vectors, never)[(0, 1)] < 0.01
    hindi = StoryFeatures(**{**b.__dict__, "language": "hi"})  # the encoder cannot read it: no alignment
    assert lineage_probabilities([0, 1], [a, hindi], vectors, always)[(0, 1)] == 0.0
