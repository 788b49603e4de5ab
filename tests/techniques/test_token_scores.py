"""The span tagger's logits read off attribute arrays equal the sum over token_features' strings, template by
template, on real parses."""

from __future__ import annotations

import random

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from unspun.techniques import token_scores
from unspun.techniques.detect import TechniqueDetector, _sum_weights
from unspun.techniques.features import token_features
from unspun.techniques.token_scores import TokenWeights

pytestmark = pytest.mark.model

# Written for these tests: a question, an exclamation, quotes, numbers, entities, a one-token text, runs of
# more than 40 tokens, a repeated bigram, whitespace tokens and words holding "_" (x_y z and x y_z make the same
# bigram string), so that every template and every bin occurs.
TEXTS = [
    "These corrupt, treasonous thugs are destroying our great nation! Who will stop them? Nobody.",
    ("The Ministry of Defence said on 12 March 2024 that 3,000 troops would leave Kursk, according to TASS. "
    "\"We will not retreat,\" Colonel Ivan Petrov told reporters in Moscow, and the talks, which began in "
    "Geneva last week under the chairmanship of the Swiss foreign minister and two United Nations envoys who "
    "had flown in from New York, were suspended until further notice by both delegations on Friday evening."),
    "Yes.",
    "Hi",
    "the the the the. THE THE!",
    "Line one.\n\nLine  two\u00a0with a  gap , and snake_case words: x_y z and x y_z.",
]


def _reference(doc: Doc, vocab: dict[str, int], weights: np.ndarray) -> np.ndarray:
    return _sum_weights(token_features(doc), vocab, weights)


def test_packaged_tagger_logits_equal_the_feature_strings_sum(nlp: Language) -> None:
    detector = TechniqueDetector()
    for doc in nlp.pipe(TEXTS):
        assert np.allclose(detector._token_weights.logits(doc), _reference(doc, detector.si_vocab, detector.si_sparse),
                           rtol=0, atol=1e-9)


def test_every_template_is_summed_as_its_strings_say(nlp: Language) -> None:
    # A vocabulary made of the docs' own feature strings, each with its own random weight: a template read off
    # the wrong attribute, offset or bin would change the sum.
    docs = list(nlp.pipe(TEXTS))
    features = sorted({f for doc in docs for row in token_features(doc) for f in row})
    assert {f.split("=")[0] for f in features} >= {"w", "l", "p", "d", "s", "e", "hp", "pos", "left", "slen", "sq",
                                                   "w-2", "w-1", "w1", "w2", "bg", "bgl"}
    rng = random.Random(3)
    vocab = {f: n for n, f in enumerate(features)}
    weights = np.array([rng.uniform(-1, 1) for _ in features], dtype=np.float32)
    scorer = TokenWeights(vocab, weights)
    for doc in docs:
        assert np.allclose(scorer.logits(doc), _reference(doc, vocab, weights), rtol=0, atol=1e-9)
        assert np.allclose(scorer.logits(doc), _reference(doc, vocab, weights), rtol=0, atol=1e-9)  # memoised


def test_a_full_memo_is_emptied_and_the_sums_stay_right(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_scores, "MEMO_LIMIT", 3)
    detector = TechniqueDetector()
    scorer = TokenWeights(detector.si_vocab, detector.si_sparse)
    for doc in nlp.pipe(TEXTS * 2):
        assert np.allclose(scorer.logits(doc), _reference(doc, detector.si_vocab, detector.si_sparse), atol=1e-9)
    assert all(len(memo) <= 3 + 200 for memo in scorer._memo.values())  # the limit, plus one short doc's values
    assert any(scorer._memo.values())


def test_empty_doc_has_no_logits(nlp: Language) -> None:
    assert TokenWeights({}, np.zeros(0, dtype=np.float32)).logits(nlp("")).shape == (0,)
