"""The cue lexicon of the technique classifier: parsing, multi-word matching, the packaged file."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspun.techniques.cues import load_cues, match_cues, read_cues


def test_cues_match_multiword_phrases_starting_in_the_window(tmp_path: Path) -> None:
    path = tmp_path / "cues.tsv"
    path.write_text(
        "# comment\n\nauthority\taccording to\nfear\tthreat\ndilemma\tthe only choice\n", encoding="utf-8"
    )
    index = read_cues(path)
    words = ["according", "to", "him", "the", "only", "choice", "is", "a", "threat"]
    assert match_cues(words, 0, len(words), index) == [
        ("authority", "according to"),
        ("dilemma", "the only choice"),
        ("fear", "threat"),
    ]
    # a phrase may run past the window's end, but must start inside it
    assert match_cues(words, 3, 4, index) == [("dilemma", "the only choice")]
    assert match_cues(words, 1, 3, index) == []
    assert match_cues(["according"], 0, 1, index) == []


def test_cues_reject_a_line_without_a_tab(tmp_path: Path) -> None:
    path = tmp_path / "cues.tsv"
    path.write_text("authority according to\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cues.tsv:1"):
        read_cues(path)


def test_cues_packaged_lexicon_covers_the_rare_techniques() -> None:
    classes = {cue_class for entries in load_cues().values() for _, cue_class in entries}
    assert {"authority", "whatabout", "dilemma", "causal", "fear"} <= classes
    words = ["experts", "say", "that", "is", "why", "what", "about", "them"]
    found = {c for c, _ in match_cues(words, 0, len(words))}
    assert {"authority", "causal", "whatabout"} <= found
