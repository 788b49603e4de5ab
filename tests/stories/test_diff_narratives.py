"""A version diff names the narratives the version carries and its reference does not (analyses built by hand)."""

from __future__ import annotations

import dataclasses

from tests.stories.test_cluster import bag_of_words
from tests.stories.test_diff import REFERENCE, reference
from unspun.records import Article, Narrative, NarrativeEvidence
from unspun.stories.diff import diff_versions

ADDED = "Western sanctions have only made the city poorer, an analyst who asked not to be named said."
WEST = "URW: Negative Consequences for the West"
VICTIM = "URW: Russia is the Victim"


def test_diff_added_narratives_are_those_the_reference_lacks() -> None:
    text = REFERENCE + " " + ADDED
    start = text.index(ADDED)
    evidence = NarrativeEvidence(ADDED, start, start + len(ADDED), 0.8)
    shared = Narrative(VICTIM, 0.7)
    version = dataclasses.replace(
        reference(), article=Article(text=text, id="version"),
        narratives=[Narrative(WEST, 0.8, [], [evidence]), shared, Narrative("Other", 0.1)])
    base = dataclasses.replace(reference(), narratives=[shared])
    diff = diff_versions(version, base, bag_of_words)
    assert [n.label for n in diff.added_narratives] == [WEST]
    assert diff.added_narratives[0].evidence == [evidence] and text[start:evidence.end] == ADDED
    assert diff.counts()["added_narratives"] == 1
    assert diff_versions(base, version, bag_of_words).added_narratives == []  # nothing new in the reference
