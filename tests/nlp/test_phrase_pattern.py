"""The trie-factored phrase alternation matches what the plain longest-first alternation matches."""

from __future__ import annotations

import random
import re

from unspun.narratives.catalog import load_catalog
from unspun.narratives.detect import catalog_cues
from unspun.nlp.phrase_pattern import phrase_alternation

BOUNDED = r"(?<![\w-])(?:{})(?![\w-])"


def _plain(phrases: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))
    return re.compile(BOUNDED.format(alternatives), re.IGNORECASE)


def _trie(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(BOUNDED.format(phrase_alternation(phrases, ignore_case=True)), re.IGNORECASE)


def test_longest_phrase_wins_and_falls_back_when_the_boundary_fails() -> None:
    phrases = ["war", "war crimes", "warfare", "anti-russian", "anti-russian resolution"]
    text = "War crimes, warfare, a war-time law, the anti-russian resolutions and an anti-russian resolution."
    assert _trie(phrases).findall(text) == ["War crimes", "warfare", "anti-russian", "anti-russian resolution"]
    assert _trie(phrases).findall(text) == _plain(phrases).findall(text)


def test_special_characters_are_literal() -> None:
    phrases = ["0.04 percent", "c++", "(sic)", "a|b"]
    text = "0.04 percent, 0x04 percent, c++ (sic) a|b ab"
    assert re.findall(phrase_alternation(phrases), text) == ["0.04 percent", "c++", "(sic)", "a|b"]


def test_no_phrases_match_nothing_but_the_empty_string() -> None:
    assert phrase_alternation([]) == ""
    assert phrase_alternation(["", ""]) == ""


def test_same_matches_as_the_plain_alternation_on_random_phrases() -> None:
    rng = random.Random(7)
    words = ["the", "west", "western", "sanction", "sanctions", "nato", "nazi", "nazis", "war", "warmonger", "a"]
    for _ in range(200):
        phrases = [" ".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(rng.randint(1, 12))]
        text = " ".join(rng.choices(words + ["-", "x", ".", "The", "WEST"], k=40))
        assert _trie(phrases).findall(text) == _plain(phrases).findall(text), (phrases, text)


def test_same_matches_as_the_plain_alternation_with_the_packaged_cues() -> None:
    cues = sorted(catalog_cues(load_catalog()))
    text = " ".join(cues) + ". " + " ".join(c.upper() for c in reversed(cues)) + " " + "-".join(cues[:50])
    assert _trie(cues).findall(text) == _plain(cues).findall(text)
    assert len(_trie(cues).findall(text)) >= len(cues)


def test_letters_that_match_each_other_when_case_is_ignored_keep_the_longest_match() -> None:
    # Written for this test (a user's catalog in Turkish or Greek): "i" and "ı", "σ" and "ς" are siblings that
    # both match one letter under IGNORECASE, so a trie would stop at the first; the plain alternation is used.
    cases = [(["bati", "batı ittifakı"], "Batı ittifakı genişliyor, bati dedi."),
             (["πολεμοσ", "πολεμος κατα"], "Ο πολεμος κατα της Δυσης και ο ΠΟΛΕΜΟΣ.")]
    for phrases, text in cases:
        assert _trie(phrases).findall(text) == _plain(phrases).findall(text)
    assert _trie(cases[0][0]).findall(cases[0][1])[0] == "Batı ittifakı"


def test_a_very_long_phrase_is_matched_without_deep_recursion() -> None:
    long_cue = " ".join(f"word{n}" for n in range(150))  # about 1,000 characters
    phrases = [long_cue, long_cue[:500], "word1"]
    text = f"before {long_cue} after, {long_cue[:500]}. word1"
    assert _trie(phrases).findall(text) == _plain(phrases).findall(text) == [long_cue, long_cue[:500], "word1"]
