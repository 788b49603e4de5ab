"""Date mentions in an article, normalised against its publication date.

``normalize_date("December 4-5", date(2026, 11, 20))`` gives ``"2026-12-04/2026-12-05"``: a day
``YYYY-MM-DD``, a month ``YYYY-MM``, a year ``YYYY`` or an interval ``first/last``, or None when the
text is not a date or needs a publication date that is unknown. ``extract_dates`` finds the
mentions: spaCy's DATE entities, less pure durations, plus explicit and relative dates its NER
missed.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from typing import NamedTuple

from spacy.tokens import Doc

from unspun.extract import relative_dates as rel
from unspun.extract.cues import doc_text
from unspun.records import DateMention

_MONTHS = {
    name: number
    for number, full in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"), start=1)
    for name in (full, full[:3], "sept" if number == 9 else full[:3])
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_WEEKDAY_PREFIX = rf"(?:(?:{'|'.join(rel.WEEKDAYS)}),?\s+)?"
# A month or day stated without a year is placed in the year that keeps it within about half a
# year of publication, so "January 3" in a late-December article is next January.
_MAX_DAYS_AWAY = 183


class _Partial(NamedTuple):
    """A calendar date as written, any part of which may be missing."""

    year: int | None
    month: int | None
    day: int | None


_PARTIALS = [
    re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"),
    re.compile(r"(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})/(?P<year>[0-9]{4}|[0-9]{2})"),
    re.compile(rf"{_WEEKDAY_PREFIX}(?P<mname>{_MONTH})\.?\s*(?P<day>{_DAY})(?:,?\s+(?P<year>[0-9]{{4}}))?"),
    re.compile(rf"{_WEEKDAY_PREFIX}(?:the\s+)?(?P<day>{_DAY})(?:\s+of)?\s+(?P<mname>{_MONTH})\.?"
               rf"(?:,?\s+(?P<year>[0-9]{{4}}))?"),
    re.compile(rf"(?P<mname>{_MONTH})\.?,?\s+(?:of\s+)?(?P<year>[0-9]{{4}})"),
    re.compile(rf"(?P<mname>{_MONTH})\.?"),
    re.compile(r"(?:the\s+year\s+)?(?P<year>[0-9]{4})"),
    re.compile(rf"(?:the\s+)?(?P<day>{_DAY})(?:,?\s+(?P<year>[0-9]{{4}}))?"),
]  # fmt: skip
_DECADE = re.compile(r"(?:the\s+)?(?:(?P<decade>[0-9]{3}0)|'(?P<short>[0-9]0))'?s")
_RANGE_START = re.compile(r"(?P<between>between\s+)|from\s+")
_RANGE_SEPARATOR = re.compile(r"\s*-\s*|\s+(?P<word>to|through|thru|until|till|and)\s+")
_MODIFIER = re.compile(
    r"(?:the\s+)?(?:(?P<part>early|mid|late)(?:-|\s+)|(?P<edge>start|beginning|middle|end)\s+of\s+"
    r"|(?P<week>week)\s+of\s+)(?P<rest>.+)"
)
_LEADING = re.compile(  # "in" stays before a count: "in two weeks" is relative
    r"\A(?:(?:on|by|since|until|till|before|after|during|as of|at|around|about|from|of"
    rf"|in(?! {rel.NUMBER} ))\s+)+"
)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'", "\u2018": "'"})
_REFERENCE = dt.date(2000, 1, 3)
_ORDINAL_DAY = re.compile(r"(?:the\s+)?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)")


def normalize_date(text: str, published: dt.date | None) -> str | None:
    """ISO 'YYYY-MM-DD', an interval 'YYYY-MM-DD/YYYY-MM-DD', a month 'YYYY-MM', a year 'YYYY', or None."""
    period = resolve_period(text, _as_date(published))
    return rel.format_period(period) if period else None


def resolve_period(text: str, published: dt.date | None) -> rel.Period | None:
    """The first and last day a date expression covers, or None."""
    clean = _clean(text)
    try:
        return _resolve_modified(clean, published) or _resolve_plain(clean, published)
    except (ValueError, OverflowError):  # a day or year out of the calendar's range: "February 30"
        return None


def _as_date(published: dt.date | None) -> dt.date | None:
    return published.date() if isinstance(published, dt.datetime) else published


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.translate(_DASHES).lower()).strip(' ,;:!?()[]"')
    text = re.sub(r"'s$", "", text)  # "Monday's", "today's"
    return _LEADING.sub("", text, count=1)


def _resolve_modified(text: str, published: dt.date | None) -> rel.Period | None:
    """'early December', 'the end of the year', 'the week of March 3'."""
    match = _MODIFIER.fullmatch(text)
    if not match:
        return None
    inner = _resolve_plain(match["rest"], published)
    if inner is None:
        return None
    if match["part"]:
        return rel.part_of(inner, match["part"])
    if match["edge"]:
        return rel.edge_of(inner, match["edge"])
    return rel.week_period(inner[0]) if inner[0] == inner[1] else None


def _resolve_plain(text: str, published: dt.date | None) -> rel.Period | None:
    decade = _decade(text, published)
    if decade:
        return decade
    partial = _parse_partial(text)
    if partial is not None:
        return _partial_period(partial, published)
    return _range(text, published) or rel.resolve_relative(text, published)


def _decade(text: str, published: dt.date | None) -> rel.Period | None:
    """'the 1990s'; "the '90s" is the latest such decade that has begun by publication."""
    match = _DECADE.fullmatch(text)
    if not match:
        return None
    if match["decade"]:
        first = int(match["decade"])
    else:
        first = 2000 + int(match["short"])
        if first > (published.year if published else 1999):
            first -= 100
    return rel.year_period(first)[0], rel.year_period(first + 9)[1]


def _parse_partial(text: str) -> _Partial | None:
    for pattern in _PARTIALS:
        match = pattern.fullmatch(text)
        if match:
            groups = match.groupdict()
            month = _MONTHS[groups["mname"]] if groups.get("mname") else _int(groups.get("month"))
            return _Partial(_year(groups.get("year")), month, _int(groups.get("day")))
    return None


def _int(value: str | None) -> int | None:
    return None if value is None else int(re.sub(r"[a-z]+$", "", value))  # "4th" is 4


def _year(value: str | None) -> int | None:
    """A year as written; two digits are 1970-2069, as in POSIX."""
    if value is None:
        return None
    return int(value) + (2000 if int(value) < 70 else 1900) if len(value) == 2 else int(value)


def _partial_period(partial: _Partial, published: dt.date | None) -> rel.Period | None:
    year, month, day = partial
    if month is not None and day is not None and month > 12 >= day:  # 25/12/2026: day first
        month, day = day, month
    if month is None:
        return rel.year_period(year) if year is not None and day is None else None
    if year is None:
        year = _infer_year(month, day, published)
        if year is None:
            return None
    return _period(year, month, day)


def _period(year: int, month: int, day: int | None) -> rel.Period:
    if day is None:
        return rel.month_period(year, month)
    date = dt.date(year, month, day)
    return date, date


def _infer_year(month: int, day: int | None, published: dt.date | None) -> int | None:
    """The publication year, or the year beside it when that puts the date nearer publication."""
    if published is None:
        return None
    distances = {}
    for year in (published.year, published.year - 1, published.year + 1):
        try:
            first, last = _period(year, month, day)
        except ValueError:  # February 29 outside a leap year
            continue
        distances[year] = max((first - published).days, (published - last).days, 0)
    if not distances:
        return None
    if distances.get(published.year, _MAX_DAYS_AWAY + 1) <= _MAX_DAYS_AWAY:
        return published.year
    return min(distances, key=lambda year: (distances[year], year != published.year))


def _range(text: str, published: dt.date | None) -> rel.Period | None:
    """'December 4-5', 'between December 4 and 6', 'November 30-December 2', '2020 to 2025'."""
    start = _RANGE_START.match(text)
    between = bool(start and start["between"])
    body = text[start.end() :] if start else text
    for separator in _RANGE_SEPARATOR.finditer(body):
        if separator["word"] == "and" and not between:
            continue
        left, right = _parse_partial(body[: separator.start()]), _parse_partial(body[separator.end() :])
        if left is not None and right is not None:
            return _range_period(left, right, published)
    return None


def _range_period(left: _Partial, right: _Partial, published: dt.date | None) -> rel.Period | None:
    # A writer states a shared month or year once: "December 4-5", "4-5 December 2026".
    if right.month is None and right.day is not None:
        right = right._replace(month=left.month)
    if left.month is None and left.day is not None:
        left = left._replace(month=right.month)
    if left.year is None and right.year is None and left.month is not None:
        left = left._replace(year=_infer_year(left.month, left.day, published))
    if left.year is None or right.year is None:
        return _range_sharing_year(left, right)
    first, last = _partial_period(left, None), _partial_period(right, None)
    if first is None or last is None or last[1] < first[0]:
        return None
    return first[0], last[1]


def _range_sharing_year(left: _Partial, right: _Partial) -> rel.Period | None:
    """A range with its year at one end only; "December 30-January 2" crosses into the next year."""
    if left.month is None or right.month is None:
        return None
    crosses = int(right.month < left.month)
    if left.year is not None:
        right = right._replace(year=left.year + crosses)
    elif right.year is not None:
        left = left._replace(year=right.year - crosses)
    else:
        return None
    return _range_period(left, right, None)


# Patterns that find explicit dates in running text. Month names must be capitalised there, so
# that the verb "may" and the noun "march" are not read as months.
_F_MONTH = "|".join(sorted((name.title() for name in _MONTHS), key=len, reverse=True))
_F_WEEKDAY = rf"(?:(?:{'|'.join(day.title() for day in rel.WEEKDAYS)}),?\s+)?"
_F_MD = rf"{_F_WEEKDAY}(?:{_F_MONTH})\.?\s+{_DAY}(?:,?\s+[0-9]{{4}})?"
_F_DM = rf"{_F_WEEKDAY}(?:the\s+)?{_DAY}(?:\s+of)?\s+(?:{_F_MONTH})\.?(?:,?\s+[0-9]{{4}})?"
_F_SIDE = rf"(?:{_F_MD}|{_F_DM})"
_F_RIGHT = rf"(?:{_F_MD}|{_F_DM}|{_DAY}(?:,?\s+[0-9]{{4}})?)"
_ABSOLUTE_FINDERS = [
    re.compile(rf"(?:[Bb]etween)\s+{_F_SIDE}\s+and\s+{_F_RIGHT}"),
    re.compile(rf"{_F_SIDE}(?:(?:\s*[-\u2013\u2014]\s*|\s+(?:to|through|until)\s+){_F_RIGHT})?"),
    re.compile(rf"(?:{_F_MONTH})\.?,?\s+[0-9]{{4}}"),
    re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2})"),
    re.compile(r"(?:[Tt]he\s+)?(?:(?i:early|mid|late)[- ]?)?(?:1[0-9]|20)[0-9]0s"),
    re.compile(rf"(?i:early|mid|late)(?:-|\s+)(?:(?:{_F_MONTH})\.?(?:,?\s+[0-9]{{4}})?|(?:1[89]|20)[0-9]{{2}})"),
    re.compile(rf"(?i:(?:the\s+)?(?:start|beginning|middle|end)\s+of)\s+(?:{_F_MONTH})(?:,?\s+[0-9]{{4}})?"),
    re.compile(r"(?<=\b[Oo]n\s)the\s+[0-9]{1,2}(?:st|nd|rd|th)(?=\s*[,.;:!?)]|\s*$)"),
]  # fmt: skip
_FINDERS = [
    re.compile(rf"(?<!\w)(?:{p.pattern})(?!\w)", p.flags) for p in _ABSOLUTE_FINDERS + rel.RELATIVE_FINDERS
]


def extract_dates(doc: Doc, published: dt.date | None) -> list[DateMention]:
    """One DateMention per date expression: DATE entities that are not pure durations, plus explicit
    and relative dates the NER missed, overlaps resolved, sorted by start; offsets index ``doc_text(doc)``."""
    published = _as_date(published)
    text = doc_text(doc)
    found = {
        (ent.start_char, ent.end_char)
        for ent in doc.ents
        if ent.label_ == "DATE" and not rel.is_duration(_clean(ent.text))
    }
    found.update(match.span() for finder in _FINDERS for match in finder.finditer(text))
    spans = _select_spans(found, text)
    mentions = [
        DateMention(text[start:end], start, end, normalize_date(text[start:end], published))
        for start, end in spans
    ]
    return _resolve_bare_days(mentions)


def _select_spans(found: set[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Keep the best of each group of overlapping spans: resolvable first, then the longest."""
    # Judged against a fixed reference day, so the spans chosen do not depend on whether the
    # publication date is known; only the values do.
    ranked = sorted(found, key=lambda span: (resolve_period(text[span[0] : span[1]], _REFERENCE) is None,
                                            span[0] - span[1], span[0]))  # fmt: skip
    starts: list[int] = []  # the kept spans never overlap, so their ends sort like their starts
    ends: list[int] = []
    for start, end in ranked:
        i = bisect.bisect_left(starts, start)
        if start < end and (i == 0 or ends[i - 1] <= start) and (i == len(starts) or end <= starts[i]):
            starts.insert(i, start)
            ends.insert(i, end)
    return list(zip(starts, ends, strict=True))


def _resolve_bare_days(mentions: list[DateMention]) -> list[DateMention]:
    """'On the 5th' takes its month from the latest date before it that names one."""
    month: str | None = None
    resolved = []
    for mention in mentions:
        day = _ORDINAL_DAY.fullmatch(_clean(mention.text))
        if mention.value is None and day and month:
            mention = dataclasses.replace(mention, value=_day_in_month(month, int(day["day"])))
        elif mention.value and re.fullmatch(r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?", mention.value):
            month = mention.value[:7]
        resolved.append(mention)
    return resolved


def _day_in_month(month: str, day: int) -> str | None:
    try:
        return dt.date(int(month[:4]), int(month[5:7]), day).isoformat()
    except ValueError:
        return None
