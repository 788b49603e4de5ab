"""The narrative detector: labels with scores and exact evidence offsets, abstention, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from unspun.narratives.catalog import NO_NARRATIVE
from unspun.narratives.detect import (
    DIMENSIONS,
    MAX_CANDIDATES,
    Heads,
    NarrativeDetector,
    NarrativeLabel,
    cue_pattern,
    hash_terms,
    pick_candidates,
    split_sentences,
)

NEGATIVE = "URW: Negative Consequences for the West"
SANCTIONS = f"{NEGATIVE}: Sanctions imposed by Western countries will backfire"

SANCTIONS_TEXT = (
    "Europe's sanctions against Russia have backfired on Europe itself.\n"
    "Factories in Germany are closing because the sanctions made gas unaffordable, while Moscow sells its oil "
    "to Asia at a profit. The sanctions hurt European households far more than they hurt the Kremlin, and "
    "inflation driven by the embargo is eating away at wages across the continent. Brussels punished its own "
    "citizens: the Russian economy grew last year while the euro zone slid toward recession."
)
WEATHER_TEXT = (
    "Light rain is expected across the region on Tuesday morning, clearing by the afternoon. "
    "Temperatures will reach 14 degrees, with a gentle westerly breeze. The weekend looks dry and sunny."
)
SPORTS_TEXT = (
    "The home side won 2-1 on Saturday after a late header from their captain. "
    "The coach praised the young goalkeeper, who made four saves in the second half."
)


def _toy_heads() -> Heads:
    """Hand-made heads: 'sanctions' and 'backfired' push the sanctions labels; everything else says Other."""
    labels = (NO_NARRATIVE, NEGATIVE, SANCTIONS)
    weights = np.zeros((DIMENSIONS, 3), dtype=np.float32)
    for word in ("sanctions", "backfired"):
        bucket = int(hash_terms(word)[0])
        weights[bucket, 0], weights[bucket, 1:] = -8.0, 8.0
    bias = np.array([1.0, -2.0, -2.0], dtype=np.float32)
    return Heads(labels, weights, bias, np.ones(DIMENSIONS, np.float32), 0.5, 0.5, 0.5)


def _check_offsets(text: str, labels: list[NarrativeLabel]) -> None:
    for label in labels:
        assert 0.0 <= label.score <= 1.0
        for sub in label.sub_labels:
            assert 0.0 <= sub.score <= 1.0
        for evidence in label.evidence:
            assert text[evidence.start : evidence.end] == evidence.text
            assert 0.0 <= evidence.score <= 1.0


def test_detect_split_sentences_offsets_slice_the_text() -> None:
    text = "  First one. “Quoted second.” Third?\n\nFourth line  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "“Quoted second.”", "Third?", "Fourth line"]


def test_detect_toy_heads_find_sanctions_with_exact_evidence() -> None:
    labels = NarrativeDetector(heads=_toy_heads()).detect(SANCTIONS_TEXT)
    assert [label.label for label in labels] == [NEGATIVE]
    assert [sub.label for sub in labels[0].sub_labels] == [SANCTIONS]
    assert labels[0].evidence
    assert all("sanctions" in e.text or "backfired" in e.text for e in labels[0].evidence)
    _check_offsets(SANCTIONS_TEXT, labels)


def test_detect_toy_heads_abstain_on_weather() -> None:
    labels = NarrativeDetector(heads=_toy_heads()).detect(WEATHER_TEXT)
    assert [label.label for label in labels] == [NO_NARRATIVE]
    assert labels[0].evidence == ()


def test_detect_shipped_heads_abstain_on_weather_and_sports() -> None:
    detector = NarrativeDetector()
    for text in (WEATHER_TEXT, SPORTS_TEXT):
        labels = detector.detect(text)
        assert [label.label for label in labels] == [NO_NARRATIVE]
        _check_offsets(text, labels)


def test_detect_empty_text_abstains() -> None:
    assert [label.label for label in NarrativeDetector().detect("   ")] == [NO_NARRATIVE]


def test_detect_is_deterministic() -> None:
    first = NarrativeDetector().detect(SANCTIONS_TEXT)
    second = NarrativeDetector().detect(SANCTIONS_TEXT)
    assert first == second


class _KeywordEncoder:
    """Stands in for the sentence encoder: a sentence mentioning Donbass maps to axis 0, anything else to axis 1."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = np.zeros((len(texts), 2), dtype=np.float32)
        for n, text in enumerate(texts):
            rows[n, 0 if "Donbass" in text else 1] = 1.0
        return rows


VICTIM = "URW: Russia is the Victim"
SELF_DEFENCE = f"{VICTIM}: Russia actions in Ukraine are only self-defence"
DONBASS_TEXT = (
    "The minister arrived in New Delhi on Monday for two days of talks. "
    "Moscow says the operation only protects the people of Donbass from shelling. "
    "The delegation will visit a shipyard on Tuesday."
)


def _example_heads() -> Heads:
    """The toy heads plus one embedded catalog example (self-defence), matched at cosine 0.6."""
    return dataclasses.replace(_toy_heads(), example_embeddings=np.array([[1.0, 0.0]], dtype=np.float32),
                               example_labels=(SELF_DEFENCE,), similarity_threshold=0.6)


def test_detect_example_match_flags_the_cue_sentence_even_when_heads_abstain() -> None:
    heads = _example_heads()
    encoder = _KeywordEncoder()
    labels = NarrativeDetector(heads=heads, encoder=encoder).detect(DONBASS_TEXT)  # type: ignore[arg-type]
    assert [label.label for label in labels] == [VICTIM]
    assert [sub.label for sub in labels[0].sub_labels] == [SELF_DEFENCE]
    assert [e.text for e in labels[0].evidence] == [
        "Moscow says the operation only protects the people of Donbass from shelling."
    ]
    assert len(encoder.calls) == 1 and len(encoder.calls[0]) <= MAX_CANDIDATES  # only cue sentences embedded
    _check_offsets(DONBASS_TEXT, labels)


def test_detect_example_match_skips_encoder_without_cues() -> None:
    heads = _example_heads()
    encoder = _KeywordEncoder()
    labels = NarrativeDetector(heads=heads, encoder=encoder).detect(WEATHER_TEXT)  # type: ignore[arg-type]
    assert [label.label for label in labels] == [NO_NARRATIVE]
    assert encoder.calls == []


def test_embed_ahead_embeds_a_batch_in_one_call_and_detect_uses_it() -> None:
    heads = _example_heads()
    encoder = _KeywordEncoder()
    detector = NarrativeDetector(heads=heads, encoder=encoder)  # type: ignore[arg-type]
    # The second text's cue sentence has no "Donbass": a vector handed to the wrong sentence changes a result.
    second = DONBASS_TEXT.replace("protects the people of Donbass from shelling", "answers Western sanctions")
    expected = [NarrativeDetector(heads=heads, encoder=_KeywordEncoder()).detect(t)  # type: ignore[arg-type]
                for t in (DONBASS_TEXT, second)]
    assert [label.label for label in expected[0]] == [VICTIM] and VICTIM not in {label.label for label in expected[1]}
    detector.embed_ahead([(second, None), (WEATHER_TEXT, None), (DONBASS_TEXT, None), (second, None)])
    assert len(encoder.calls) == 1 and len(encoder.calls[0]) == 2  # both cue sentences, once each; no weather
    assert [detector.detect(DONBASS_TEXT), detector.detect(second)] == expected
    assert len(encoder.calls) == 1  # detect found both ready
    detector.detect(SANCTIONS_TEXT.replace("gas", "gas from Donbass"))  # not embedded ahead: encoded now
    assert len(encoder.calls) == 2


def test_embed_ahead_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from unspun.narratives import detect

    monkeypatch.setattr(detect, "AHEAD_LIMIT", 1)
    encoder = _KeywordEncoder()
    detector = NarrativeDetector(heads=_example_heads(), encoder=encoder)  # type: ignore[arg-type]
    second = DONBASS_TEXT.replace("people of Donbass", "Donbass civilians")
    detector.embed_ahead([(DONBASS_TEXT, None)])
    detector.embed_ahead([(second, None)])  # over the limit: the first batch's vector is dropped
    assert [len(call) for call in encoder.calls] == [1, 1]
    detector.detect(DONBASS_TEXT)
    assert len(encoder.calls) == 3


def test_embed_ahead_without_examples_embeds_nothing() -> None:
    encoder = _KeywordEncoder()
    NarrativeDetector(heads=_toy_heads(), encoder=encoder).embed_ahead(  # type: ignore[arg-type]
        [(DONBASS_TEXT, None)])
    assert encoder.calls == []


def test_detect_anti_western_framing_sentences_are_candidates() -> None:
    # Written for this test: two framing sentences among factual ones; the shipped catalog's cues must pick the
    # framing ones for embedding and leave the factual ones out.
    text = (
        "The two delegations met in the capital on Tuesday and signed three agreements on rail freight. "
        "Both governments say they want a multipolar world order instead of Western hegemony. "
        "The delegation then toured a port and a steel plant. "
        "Officials added that their trade is growing regardless of Western pressure and the West's sanctions have "
        "failed. "
        "The next round of talks is planned for the spring."
    )
    detector = NarrativeDetector(heads=_toy_heads())
    spans = split_sentences(text)
    picked = [text[s:e] for s, e in pick_candidates(text, spans, cue_pattern(detector.catalog))]
    assert [p.split()[0] for p in picked] == ["Both", "Officials"]


@pytest.mark.model
def test_detect_shipped_heads_flag_multipolar_and_sanctions_framing() -> None:
    # Written for this test, not taken from any article: the framing sentences must be flagged with their own
    # sentence as evidence, and the factual first sentence must not be evidence.
    text = (
        "The two delegations met in the capital on Tuesday and signed three agreements on rail freight. "
        "Both governments say they want a multipolar world order instead of Western hegemony. "
        "Officials added that their trade keeps growing regardless of Western pressure, proof that the sanctions "
        "have failed."
    )
    labels = NarrativeDetector().detect(text)
    found = {label.label: label for label in labels}
    assert {"URW: Praise of Russia", NEGATIVE} <= set(found)
    assert any(sub.label == SANCTIONS for sub in found[NEGATIVE].sub_labels)
    evidence = {e.text.split()[0] for label in labels for e in label.evidence}
    assert "The" not in evidence and {"Both", "Officials"} <= evidence
    _check_offsets(text, labels)


def test_calibrated_heads_report_platt_scaled_scores_and_decide_as_before() -> None:
    from unspun.calibration import platt_probability

    plain = NarrativeDetector(heads=_toy_heads()).detect(SANCTIONS_TEXT)
    scaled_heads = dataclasses.replace(_toy_heads(), calibration=(2.0, -1.0), sub_calibration=(0.5, 0.5))
    scaled = NarrativeDetector(heads=scaled_heads).detect(SANCTIONS_TEXT)
    assert [(label.label, label.shown, label.evidence) for label in scaled] == \
        [(label.label, label.shown, label.evidence) for label in plain]
    for before, after in zip(plain, scaled, strict=True):
        # from the rounded score before: within the rounding of both
        assert after.score == pytest.approx(platt_probability(before.score, 2.0, -1.0), abs=3e-4)
        assert abs(after.score - before.score) > 0.1
        for sub_before, sub_after in zip(before.sub_labels, after.sub_labels, strict=True):
            assert sub_after.score == pytest.approx(platt_probability(sub_before.score, 0.5, 0.5), abs=3e-4)


def test_shipped_heads_carry_their_calibration() -> None:
    from unspun.narratives.detect import load_heads

    heads = load_heads()
    assert heads.calibration != (1.0, 0.0) and heads.sub_calibration != (1.0, 0.0)
    assert heads.calibration[0] > 0 and heads.sub_calibration[0] > 0  # increasing: the ranking is kept
