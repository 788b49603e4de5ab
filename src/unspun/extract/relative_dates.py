"""Relative date expressions ("yesterday", "last Monday", "in two weeks") and calendar periods.

A period is a pair of days, both inclusive. The functions here take text that ``dates`` has
already cleaned (lower case, plain hyphens, single spaces, no leading preposition) and a
reference day, the article's publication date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

Period = tuple[dt.date, dt.date]

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30,
}  # fmt: skip
NUMBER = r"(?:[0-9]{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
UNIT = r"(?:day|week|month|year)s?"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = "|".join(WEEKDAYS)
_DAYTIME = r"(?:\s+(?:morning|afternoon|evening|night))?"
_THIRDS = ("early", "mid", "late")


def format_period(period: Period) -> str:
    """A day, a whole month or a whole year in its short ISO form; anything else as 'first/last'."""
    first, last = period
    if first == last:
        return first.isoformat()
    if first.day == 1 and last == month_period(first.year, first.month)[1]:
        return f"{first.year:04d}-{first.month:02d}"
    if first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31):
        return f"{first.year:04d}"
    return f"{first.isoformat()}/{last.isoformat()}"


def month_period(year: int, month: int) -> Period:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def year_period(year: int) -> Period:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def week_period(day: dt.date) -> Period:
    """The ISO week, Monday to Sunday, that holds ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def part_of(period: Period, part: str) -> Period | None:
    """The early, mid or late third of a week, month, year or decade; None for other periods."""
    first, last = period
    index = _THIRDS.index(part)
    if (last - first).days == 6 and first.weekday() == 0:
        start, end = ((0, 1), (2, 3), (4, 6))[index]
        return first + dt.timedelta(days=start), first + dt.timedelta(days=end)
    if first.day == 1 and last == month_period(first.year, first.month)[1]:
        start, end = ((1, 10), (11, 20), (21, last.day))[index]
        return first.replace(day=start), first.replace(day=end)
    if period == year_period(first.year):
        start, end = ((1, 4), (5, 8), (9, 12))[index]
        return month_period(first.year, start)[0], month_period(first.year, end)[1]
    if first.year % 10 == 0 and period == (first, dt.date(first.year + 9, 12, 31)):
        start, end = ((0, 3), (4, 6), (7, 9))[index]
        return year_period(first.year + start)[0], year_period(first.year + end)[1]
    return None


def edge_of(period: Period, edge: str) -> Period | None:
    """The start, middle or end of a period: a year's first or last month, otherwise its thirds."""
    first = period[0]
    if edge != "middle" and period == year_period(first.year):
        return month_period(first.year, 1 if edge in ("start", "beginning") else 12)
    return part_of(period, {"start": "early", "beginning": "early", "middle": "mid", "end": "late"}[edge])


def shift(day: dt.date, count: int, unit: str) -> dt.date:
    """``day`` moved by ``count`` days, weeks, months or years; month ends are clamped."""
    unit = unit.rstrip("s")
    if unit in ("day", "week"):
        return day + dt.timedelta(days=count * (7 if unit == "week" else 1))
    months = day.year * 12 + day.month - 1 + count * (12 if unit == "year" else 1)
    year, month = divmod(months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _at_unit(day: dt.date, unit: str) -> Period:
    """A day widened to the precision of the unit it was counted in: 'two years ago' is a year."""
    unit = unit.rstrip("s")
    if unit == "month":
        return month_period(day.year, day.month)
    if unit == "year":
        return year_period(day.year)
    return day, day


_DAY_OFFSETS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": -1, "last night": -1, "tomorrow": 1,
    "the day before yesterday": -2, "the day after tomorrow": 2,
}  # fmt: skip
_CALENDAR_OFFSETS = {
    "this": 0,
    "the": 0,
    "current": 0,
    "the current": 0,
    "next": 1,
    "last": -1,
    "previous": -1,
}


def _day_word(match: re.Match[str], published: dt.date) -> Period:
    day = published + dt.timedelta(days=_DAY_OFFSETS[match["word"]])
    return day, day


def _calendar_period(offset: int, unit: str, published: dt.date) -> Period:
    if unit in ("week", "weekend"):
        monday, sunday = week_period(published + dt.timedelta(weeks=offset))
        return (sunday - dt.timedelta(days=1), sunday) if unit == "weekend" else (monday, sunday)
    return _at_unit(shift(published, offset, unit), unit)


def _calendar(match: re.Match[str], published: dt.date) -> Period | None:
    """this/next/last week, weekend, month or year."""
    if match["rel"] == "the" and match["unit"] == "weekend":
        return None  # "over the weekend" may be the one before publication or the one after
    return _calendar_period(_CALENDAR_OFFSETS[match["rel"]], match["unit"], published)


def _within(match: re.Match[str], published: dt.date) -> Period:
    """earlier/later this week, month or year: from its start to the article, or on to its end."""
    first, last = _calendar_period(0, match["unit"], published)
    return (first, published) if match["side"] == "earlier" else (published, last)


def _counted(match: re.Match[str], published: dt.date) -> Period:
    """'two days ago', 'in three weeks', 'a month from now'."""
    count = _number(match["count"]) * (-1 if match["ago"] else 1)
    return _at_unit(shift(published, count, match["unit"]), match["unit"])


def _rolling(match: re.Match[str], published: dt.date) -> Period:
    """'the past two weeks', 'the next 10 days': a span that ends or starts at the article."""
    count = _number(match["count"]) if match["count"] else 1
    if match["rel"] in ("past", "last"):
        return shift(published, -count, match["unit"]), published
    return published, shift(published, count, match["unit"])


def _weekday(match: re.Match[str], published: dt.date) -> Period:
    """A bare or 'last' weekday is the latest one up to the article, 'next' the first after it."""
    weekday, rel = WEEKDAYS.index(match["day"]), match["rel"]
    if rel in ("next", "coming", "this coming"):
        day = published + dt.timedelta(days=(weekday - published.weekday() - 1) % 7 + 1)
    elif rel == "this":
        day = week_period(published)[0] + dt.timedelta(days=weekday)
    else:
        back = (published.weekday() - weekday) % 7
        # "last Friday" written on a Friday means a week ago; a bare "Friday" means that day.
        day = published - dt.timedelta(days=back or (7 if rel else 0))
    return day, day


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], dt.date], Period | None]]
_RULES: list[_Rule] = [
    (re.compile(rf"(?P<word>{'|'.join(_DAY_OFFSETS)}){_DAYTIME}"), _day_word),
    (re.compile(r"(?P<rel>this|the|(?:the )?current|next|last|previous) (?P<unit>week|weekend|month|year)"),
     _calendar),
    (re.compile(r"(?P<side>earlier|later) (?:this|in the) (?P<unit>week|month|year)"), _within),
    (re.compile(rf"(?P<count>{NUMBER}) (?P<unit>{UNIT}) (?P<ago>ago)"), _counted),
    (re.compile(rf"in (?P<count>{NUMBER}) (?P<unit>{UNIT})(?:'s time)?(?P<ago>)"), _counted),
    (re.compile(rf"(?P<count>{NUMBER}) (?P<unit>{UNIT}) from (?:now|today)(?P<ago>)"), _counted),
    (re.compile(rf"(?:the )?(?P<rel>past|coming) (?:(?P<count>{NUMBER}) )?(?P<unit>{UNIT})"), _rolling),
    (re.compile(rf"(?:the )?(?P<rel>next|last) (?P<count>{NUMBER}) (?P<unit>{UNIT})"), _rolling),
    # "over the last year" counts back from publication; "the last day" of something does not.
    (re.compile(r"the (?P<rel>last) (?P<count>)(?P<unit>(?:week|month|year)s?|days)"), _rolling),
    (re.compile(rf"(?:(?P<rel>last|past|previous|next|this coming|coming|this) )?(?P<day>{_WEEKDAY}){_DAYTIME}"),
     _weekday),
]  # fmt: skip


def resolve_relative(text: str, published: dt.date | None) -> Period | None:
    """The period a cleaned relative expression points at, or None if it is not one or has no anchor."""
    if published is None:
        return None
    for pattern, resolve in _RULES:
        match = pattern.fullmatch(text)
        if match:
            return resolve(match, published)
    return None


# A DATE entity made of these is a length of time or an age, not a date: "over a decade", "45-year-old".
_DURATION = re.compile(
    r"(?:(?:over|more than|less than|fewer than|nearly|almost|about|around|roughly|some|at least|up to|just|"
    r"only|another|for|within|each|every|per|a further|the better part of)\s+)*"
    rf"(?:(?:{NUMBER}|several|a few|few|many|multiple|a couple of|couple of|a number of)\s+)?"
    r"(?:(?:full|whole|long|more|additional|straight|consecutive)\s+)?"
    r"(?:(?:[0-9a-z]+-)?(?:hour|day|week|fortnight|month|quarter|year|decade|century|centurie)s?"
    r"(?:-long|-old|\s+old|\s+long|\s+and\s+a\s+half)?"
    r"|annual(?:ly)?|daily|weekly|monthly|yearly|quarterly|(?:the\s+)?ages?\s+(?:of\s+)?[0-9]+)"
)


def is_duration(text: str) -> bool:
    """Whether cleaned text is a length of time ("over a decade", "two years") or an age, not a date."""
    return _DURATION.fullmatch(text) is not None


# Patterns that find relative expressions in running text; "the next day" is left out on
# purpose, since in news it usually counts from an event in the story, not from publication.
_DAY_WORDS = "|".join(word.replace(" ", r"\s+") for word in _DAY_OFFSETS)
_I_NUMBER = rf"(?i:{NUMBER})"
_I_UNIT = rf"(?i:{UNIT})"
_HOLIDAY_WEEKDAYS = "".join(f"(?<!{word} )" for word in ("Black", "Good", "Cyber", "Super", "Ash", "Holy"))
RELATIVE_FINDERS: list[re.Pattern[str]] = [
    re.compile(rf"(?<!USA )(?:{_DAY_WORDS}){_DAYTIME}", re.IGNORECASE),
    re.compile(r"(?:(?:early|mid|late)(?:-|\s+)|(?:earlier|later)\s+)?(?:this|next|last|the\s+current)\s+"
               r"(?:week|weekend|month|year)", re.IGNORECASE),
    re.compile(r"(?:the\s+)?(?:start|beginning|end|middle)\s+of\s+(?:the|this|next|last)\s+(?:week|month|year)",
               re.IGNORECASE),
    re.compile(rf"{_I_NUMBER}\s+{_I_UNIT}\s+(?i:ago|from\s+now|from\s+today)"),
    re.compile(rf"(?i:in)\s+{_I_NUMBER}\s+{_I_UNIT}(?:['\u2019]s\s+time)?"),
    re.compile(rf"(?i:(?:the\s+)?(?:past|coming))\s+(?:{_I_NUMBER}\s+)?{_I_UNIT}"),
    re.compile(rf"(?i:(?:the\s+)?(?:next|last))\s+{_I_NUMBER}\s+{_I_UNIT}"),
    re.compile(r"the\s+last\s+(?:(?:week|month|year)s?|days)", re.IGNORECASE),
    re.compile(rf"{_HOLIDAY_WEEKDAYS}(?:(?i:last|past|previous|next|this\s+coming|coming|this)\s+)?"
               rf"(?:{'|'.join(day.title() for day in WEEKDAYS)})(?i:{_DAYTIME})"),
]  # fmt: skip
