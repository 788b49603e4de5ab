"""Tests for rewrite artefacts: evidence spans with exact offsets and a score bounded by its evidence."""

from __future__ import annotations

import pytest

from unspun.extract.artefacts import (
    Artefact,
    artefact_patterns,
    artefact_score,
    find_artefacts,
    required_word,
)

HUMAN = ("The city council voted 7-2 on Tuesday to approve the budget, which adds 40 officers to the police "
         "department. \"We listened to residents,\" said Mayor Jane Ortiz. Opponents said the plan ignores "
         "housing. The vote follows three months of hearings. ") * 4


def _spans(text: str) -> list[tuple[str, str]]:
    found = find_artefacts(text)
    for artefact in found:
        assert text[artefact.start:artefact.end] == artefact.text
    return [(a.kind, a.text) for a in found]


def test_artefacts_rule_file_compiles() -> None:
    kinds = {kind for kind, _, _ in artefact_patterns()}
    assert kinds == {"prompt_leftover", "template_slot", "stock_phrase"}


def test_artefacts_prompt_leftover_with_offsets() -> None:
    text = "Sure! Here is the rewritten article:\n\nAs an AI language model, I cannot verify this."
    found = find_artefacts(text)
    # "Sure! Here is" overlaps the longer "Here is the rewritten article", which is kept
    assert [(a.kind, a.text) for a in found] == [
        ("prompt_leftover", "Here is the rewritten article"), ("prompt_leftover", "As an AI language model")]
    assert (found[0].start, found[0].end) == (6, 35)
    assert (found[1].start, found[1].end) == (38, 61)


def test_artefacts_scaffold_lines_without_indentation() -> None:
    text = "Highlights\n\n  1. Rewritten Article\n\n    Headline: Offer to doctors\n\n    The offer came."
    assert _spans(text) == [("prompt_leftover", "1. Rewritten Article"), ("prompt_leftover", "Headline:")]
    assert find_artefacts(text)[0].start == text.index("1. Rewritten")


def test_artefacts_headline_mid_sentence_is_not_a_leftover() -> None:
    assert find_artefacts("But the meeting did produce one headline: an agreement to talk.") == []


def test_artefacts_template_slots() -> None:
    text = "[Name], a resident of {city}, said on <DATE> that XX% of [insert quote here]. Lorem ipsum."
    assert _spans(text) == [
        ("template_slot", "[Name]"), ("template_slot", "{city}"), ("template_slot", "<DATE>"),
        ("template_slot", "XX%"), ("template_slot", "[insert quote here]"), ("template_slot", "Lorem ipsum")]


def test_artefacts_editorial_brackets_and_markup_are_not_slots() -> None:
    text = 'He said "I don\'t know [Fields]" and <tweet tweet-id="1"><tweet/> the gap [in New Hampshire] grew.'
    assert find_artefacts(text) == []


def test_artefacts_stock_phrases() -> None:
    text = "It is worth noting that the deal is a testament to years of talks."
    assert _spans(text) == [("stock_phrase", "It is worth noting"), ("stock_phrase", "a testament to")]


def test_artefacts_case_insensitive() -> None:
    assert _spans("AS AN AI LANGUAGE MODEL") == [("prompt_leftover", "AS AN AI LANGUAGE MODEL")]
    assert _spans("lorem IPSUM") == [("template_slot", "lorem IPSUM")]


def test_artefacts_whitespace_runs_match_a_space() -> None:
    assert _spans("a\n  testament\tto") == [("stock_phrase", "a\n  testament\tto")]


def test_artefacts_word_boundaries() -> None:
    assert find_artefacts("The paratestament tool") == []


def test_artefacts_overlaps_give_one_span() -> None:
    # "[insert quote here]" is a slot under two rules; "[quote]" under one
    found = find_artefacts("He said [insert quote here] and [quote].")
    assert [a.text for a in found] == ["[insert quote here]", "[quote]"]
    assert len({(a.start, a.end) for a in found}) == len(found)


def test_artefacts_human_text_has_none_and_scores_zero() -> None:
    assert find_artefacts(HUMAN) == []
    assert artefact_score([], HUMAN) == 0.0


def test_artefacts_score_bounds_and_ordering() -> None:
    leftover = "As an AI language model, I rewrote it. " + HUMAN
    stock = "It is worth noting that the vote passed. " + HUMAN
    both = "As an AI language model: it is worth noting that. " + HUMAN
    scores = {name: artefact_score(find_artefacts(t), t) for name, t in
              (("leftover", leftover), ("stock", stock), ("both", both))}
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert scores["leftover"] >= 0.9
    assert scores["stock"] < 0.2
    assert scores["both"] > scores["leftover"] > scores["stock"] > 0.0


def test_artefacts_single_stock_phrase_stays_low_even_in_short_text() -> None:
    text = "The deal is a testament to years of talks."
    assert artefact_score(find_artefacts(text), text) < 0.2


def test_artefacts_many_strong_saturate_below_one() -> None:
    slots = [Artefact("[Name]", 0, 6, "template_slot", "p")] * 50
    assert 0.99 < artefact_score(slots, "[Name]") <= 1.0


@pytest.mark.parametrize(("pattern", "word"), [
    ("a testament to", "testament"),
    ("delv(e|es|ed|ing) (deeper )?into", "delv"),  # groups are skipped; the letters before them stay
    ("fulfil+ the request", "request"),  # "fulfil+": the quantifier makes the last "l" optional
    (r"\[insert[^\]\n]{0,60}\]", "insert"),
    ("(this|the|my) (rewrite|paraphrase)", None),  # nothing outside groups
    ("rich tapestry|tapestry of", None),  # a top-level alternation: no single word is required
    (r"word count:? \d+", "count"),
    (r"\bnote\b", "note"),
])
def test_artefacts_required_word(pattern: str, word: str | None) -> None:
    assert required_word(pattern) == word


def test_artefacts_every_rule_match_contains_its_required_word() -> None:
    """The pre-check never hides a match: each rule's required word is in the text it matches."""
    samples = {
        "my knowledge cutoff": "As of my knowledge cutoff, nothing.", "a testament to": "It is a testament to them.",
        "remains to be seen": "It remains to be seen.", "in conclusion,": "In conclusion, it rained.",
    }
    rules = {pattern: regex for _, pattern, regex in artefact_patterns()}
    for pattern, text in samples.items():
        match = rules[pattern].search(text)
        assert match is not None and required_word(pattern) in match.group(0).lower()
    assert all(required_word(p) is None or required_word(p) in p.lower() for p in rules)
