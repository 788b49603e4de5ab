"""The persuasion-technique detector on hand-written sentences, through the real English pipeline."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from spacy.language import Language

from unspun.techniques.detect import TECHNIQUE_NAMES, TechniqueDetector, TechniqueSpan

pytestmark = pytest.mark.model

LOADED = (
    "These corrupt, treasonous thugs and their disgusting lies are destroying our great nation, "
    "and every patriot knows that this evil regime must be stopped."
)
NEUTRAL = "The council met on Tuesday and approved the budget for the next financial year."


@pytest.fixture(scope="module")
def detector() -> TechniqueDetector:
    return TechniqueDetector()


def test_detect_finds_loaded_language_or_name_calling_with_exact_offsets(
    nlp: Language, detector: TechniqueDetector
) -> None:
    doc = nlp(LOADED)
    spans = detector.detect(doc)
    assert spans
    assert all(doc.text[s.start : s.end] == s.text for s in spans)
    assert {"Loaded_Language", "Name_Calling,Labeling"} & {s.technique for s in spans}


def test_detect_finds_nothing_in_a_neutral_factual_sentence(
    nlp: Language, detector: TechniqueDetector
) -> None:
    assert detector.detect(nlp(NEUTRAL)) == []


def test_detect_is_deterministic(nlp: Language, detector: TechniqueDetector) -> None:
    first = detector.detect(nlp(LOADED + " " + NEUTRAL))
    again = TechniqueDetector().detect(nlp(LOADED + " " + NEUTRAL))
    assert first == again


def test_detect_spans_are_ordered_and_disjoint(nlp: Language, detector: TechniqueDetector) -> None:
    spans = detector.detect(nlp(LOADED + " " + LOADED))
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert all(isinstance(s, TechniqueSpan) and 0.0 <= s.score <= 1.0 for s in spans)


def test_detect_classify_ranks_every_technique_for_a_given_span(
    nlp: Language, detector: TechniqueDetector
) -> None:
    doc = nlp(LOADED)
    start = LOADED.index("thugs")
    (ranked,) = detector.classify(doc, [(start, start + len("thugs"))])
    assert {name for name, _ in ranked} == set(TECHNIQUE_NAMES)
    assert ranked[0][0] in {"Name_Calling,Labeling", "Loaded_Language"}
    assert abs(sum(p for _, p in ranked) - 1.0) < 1e-6


def test_detect_handles_an_empty_doc(nlp: Language, detector: TechniqueDetector) -> None:
    assert detector.detect(nlp("")) == []


def test_detect_find_spans_keeps_only_runs_with_a_seed_token(nlp: Language) -> None:
    detector = TechniqueDetector()
    detector.si_threshold, detector.si_seed_threshold, detector.si_min_tokens = 0.15, 0.4, 1
    doc = nlp(NEUTRAL)
    probs = [0.0] * len(doc)
    probs[1], probs[2] = 0.5, 0.2  # "council met": one seed token carries its weaker neighbour
    probs[6], probs[7] = 0.2, 0.3  # "approved the": above the threshold, but no seed
    spans = detector.find_spans(doc, np.array(probs))
    assert [doc.text[s:e] for s, e in spans] == ["council met"]
    detector.si_seed_threshold = 0.15
    assert [doc.text[s:e] for s, e in detector.find_spans(doc, np.array(probs))] == [
        "council met",
        "approved the",
    ]
