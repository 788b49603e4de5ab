"""Unsupported quotes in a version diff, on analyses built by hand, with the bag-of-words stand-in for the encoder
(test_cluster.py): a quote the reference carries, retyped, without its editorial brackets, or lightly edited, is
supported; an invented one is not."""

from __future__ import annotations

from tests.stories.test_cluster import bag_of_words
from unspun.records import Analysis, Article, Quote, QuoteKind, Sourcing, Speaker
from unspun.stories.diff import diff_versions

REFERENCE = (
    "The harbour bridge in Riverside will stay closed to traffic until April, the city council said on Friday. "
    "Helen Marsh, the council’s head of transport, told a packed public meeting in the old town hall that "
    "the engineers “won’t sign off on a single lorry crossing those piers” before the spring inspection. "
    "Marsh said she was “deeply moved and grateful” when shopkeepers from the north bank offered volunteers "
    "for the clean-up. "
    "In a long statement published late on Friday evening by the council press office, Marsh said the repairs "
    "“will protect the families who cross it every day and will also put every contractor on notice”, adding "
    "that the tender would open in May. "
    "The council backs a plan for “reduc(ing) heavy lorry traffic”."
)

# A mixed quote whose long paraphrase around the marks hides the quoted words from a sentence-level comparison.
STATEMENT = ("In a long statement published late on Friday evening by the council press office, Marsh said the "
             "repairs “will protect the families who cross it every day and will also put every contractor on notice")


def analysis(text: str, quotes: list[tuple[str, QuoteKind]], article_id: str) -> Analysis:
    """An Analysis of text whose quotes are the given (text, kind) pairs, each found in the text."""
    speaker = Speaker(type="named", text="Marsh", name="Helen Marsh")
    records = [Quote(text=q, start=text.index(q), end=text.index(q) + len(q), kind=kind, speaker=speaker)
               for q, kind in quotes]
    sourcing = Sourcing(quotes=len(records), named=len(records), anonymous=0, unnamed=0, document=0, unknown=0,
                        share_unidentified=0.0)
    return Analysis(article=Article(text=text, id=article_id), quotes=records, sourcing=sourcing, entities=[],
                    dates=[], hedges=[])


def reference() -> Analysis:
    return analysis(REFERENCE, [
        ("won’t sign off on a single lorry crossing those piers", "direct"),
        ("deeply moved and grateful", "direct"),
        (STATEMENT, "mixed"),
        ("reduc(ing) heavy lorry traffic", "direct"),
    ], "reference")


def unsupported(version_text: str, quotes: list[tuple[str, QuoteKind]]) -> list[str]:
    diff = diff_versions(analysis(version_text, quotes, "version"), reference(), bag_of_words)
    return [q.text for q in diff.unsupported_quotes]


def test_diff_quote_retyped_with_straight_marks_is_supported() -> None:
    text = "Riverside's transport chief said engineers \"won't sign off on a single lorry crossing those piers\"."
    assert unsupported(text, [("won't sign off on a single lorry crossing those piers", "direct")]) == []


def test_diff_mixed_quote_with_carried_fragment_is_supported() -> None:
    quote = 'she was "deeply moved and grateful" that traders offered to help after the storm damage'
    assert unsupported(f"Marsh says {quote}.", [(quote, "mixed")]) == []


def test_diff_mixed_quote_with_invented_fragment_is_unsupported() -> None:
    quote = 'she was "absolutely furious with the contractors" that traders offered to help after the storm damage'
    assert unsupported(f"Marsh says {quote}.", [(quote, "mixed")]) == [quote]


def test_diff_lightly_edited_quote_matches_the_marked_words_of_a_reference_quote() -> None:
    quote = "will protect families who cross it every day and also put every contractor on notice"
    assert unsupported(f'Marsh said the repairs "{quote}."', [(quote, "direct")]) == []


def test_diff_quote_without_editorial_brackets_is_supported() -> None:
    quote = "reducing heavy lorry traffic"
    assert unsupported(f'The council wants a plan for "{quote}".', [(quote, "direct")]) == []


def test_diff_invented_quote_is_unsupported() -> None:
    quote = "nobody at the council expected the bridge to fail this quickly, frankly"
    text = f'"{quote}," a senior official who asked not to be named said.'
    assert unsupported(text, [(quote, "direct")]) == [quote]
