"""Quote extraction end to end on hand-written texts, with the installed spaCy model."""

from __future__ import annotations

import pytest

from unspun.analysis import analyze_article
from unspun.records import Analysis, Article, Quote

pytestmark = pytest.mark.model


def analyse(text: str, published: str | None = "2026-11-20") -> Analysis:
    return analyze_article(Article(text=text, published=published))


def only(analysis: Analysis, fragment: str) -> Quote:
    found = [q for q in analysis.quotes if fragment in q.text]
    assert len(found) == 1, [q.text for q in analysis.quotes]
    return found[0]


def test_quotes_said_after_named_speaker() -> None:
    a = analyse("“We will not raise taxes this year,” Finance Minister Laura Benning said on Monday.")
    q = only(a, "raise taxes")
    assert q.kind == "direct" and q.cue is not None and q.cue.text == "said"
    assert q.speaker.type == "named" and q.speaker.name == "Laura Benning"


def test_quotes_inverted_attribution_with_anonymity() -> None:
    a = analyse(
        "‘This meeting shows our commitment to the region’s security,’ said a senior French defense "
        "official, speaking on condition of anonymity."
    )
    q = only(a, "commitment")
    assert q.speaker.type == "anonymous"
    assert q.speaker.role == "official" and q.speaker.affiliation == "France"
    assert q.text == "This meeting shows our commitment to the region’s security,"


def test_quotes_vague_source_is_unnamed() -> None:
    a = analyse("“The war is a necessary response,” said a Russian diplomat after the session.")
    q = only(a, "necessary response")
    assert q.speaker.type == "unnamed" and q.speaker.role == "diplomat" and q.speaker.affiliation == "Russia"


def test_quotes_split_quote_carries_speaker() -> None:
    a = analyse("“The first half is here,” said Mayor Tom Ellery. “And the second half follows.”")
    second = only(a, "second half")
    assert second.speaker.name == "Tom Ellery" and second.continuation
    assert second.group is not None and second.group == only(a, "first half").group


def test_quotes_colon_and_before_attribution() -> None:
    a = analyse("The governor, Ruth Adeyemi, told reporters: “We are ready for the storm.”")
    q = only(a, "ready for the storm")
    assert q.speaker.name == "Ruth Adeyemi"


def test_quotes_pronoun_resolves_to_named_person() -> None:
    text = ("Ishani Vardekar, an economist at the Halden Institute, studied the plan for a year.\n"
            "“It will not pay for itself,” she said.")
    q = only(analyse(text), "pay for itself")
    assert q.speaker.text == "she" and q.speaker.name == "Ishani Vardekar" and q.speaker.type == "named"


def test_quotes_surname_mention_resolves_to_full_name() -> None:
    text = ("Defense Minister Andrew Kolbe arrived on Tuesday.\n"
            "“Our partnership is strong,” Kolbe said at the airport.")
    q = only(analyse(text), "partnership")
    assert q.speaker.name == "Andrew Kolbe"


def test_quotes_title_mention_resolves_to_named_person() -> None:
    text = ("Health Minister Clara Voss opened the clinic on Friday.\n"
            "“This clinic will serve ten thousand families,” the minister said.")
    q = only(analyse(text), "ten thousand")
    assert q.speaker.name == "Clara Voss" and q.speaker.resolved_by == "title"


def test_quotes_scare_quote_is_not_a_quotation() -> None:
    a = analyse("The visit is expected to cement a ‘privileged strategic partnership’ between the two nations.")
    assert not [q for q in a.quotes if "privileged" in q.text]


def test_quotes_indirect_speech_with_that() -> None:
    a = analyse("Officials said that the bridge would reopen before the end of the month.")
    q = only(a, "bridge would reopen")
    assert q.kind == "indirect" and q.speaker.type == "unnamed" and q.speaker.role == "official"
    assert q.text == "the bridge would reopen before the end of the month"


def test_quotes_according_to_is_reported_speech() -> None:
    a = analyse("According to a statement from the ministry, the talks will resume in March.")
    q = only(a, "talks will resume")
    assert q.kind == "indirect" and q.cue is not None and q.cue.text == "According to"
    assert q.speaker.type == "document"


def test_quotes_mixed_quote_inside_reported_speech() -> None:
    a = analyse("A senior official said the talks had been “a turning point” for the region.")
    q = only(a, "turning point")
    assert q.kind == "mixed" and q.speaker.role == "official"
    assert len(a.quotes) == 1


def test_quotes_continuation_paragraph_carries_speaker() -> None:
    text = ("“We expect the harvest to recover,” said Amir Haddad, the cooperative’s director.\n"
            "“But the drought has cost us two seasons already.”")
    q = only(analyse(text), "drought")
    assert q.continuation and q.speaker.name == "Amir Haddad"


def test_quotes_unattributed_quotation_is_unknown() -> None:
    text = "The market fell sharply.\n“Nobody saw this coming, and nobody will admit it now.”"
    q = only(analyse(text), "Nobody saw")
    assert q.speaker.type == "unknown"


def test_quotes_reported_speech_inside_a_quotation_is_not_the_articles() -> None:
    a = analyse("“My critics said that I would fail, and they were wrong,” said Mayor Jon Pike.")
    assert len(a.quotes) == 1 and a.quotes[0].kind == "direct"


def test_quotes_stray_mark_keeps_other_quotes() -> None:
    text = "The “plan was unveiled on Monday.\n“It is a good plan for everyone here,” said Senator Maria Lutz."
    q = only(analyse(text), "good plan")
    assert q.speaker.name == "Maria Lutz"


def test_quotes_seed_style_continuation_quotes() -> None:
    text = ("‘Our cooperation is rooted in mutual respect and shared interests,’ said an Indian analyst, "
            "who requested anonymity. ‘This visit will reaffirm India’s role as a key partner.’")
    a = analyse(text)
    first, second = only(a, "mutual respect"), only(a, "reaffirm")
    assert first.speaker.type == "anonymous" and second.speaker == first.speaker and second.continuation


def test_quotes_scare_quote_followed_by_a_reporting_verb_is_not_a_quotation() -> None:
    text = ("In Selvara, the deal is presented as an expression of ‘strategic autonomy’, the phrase officials "
            "use to describe their neutrality.")
    assert not [q for q in analyse(text).quotes if q.text == "strategic autonomy"]
