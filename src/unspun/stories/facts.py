"""Facts a version of a story carries, in the languages story matching reads: calendar days and the names and
numbers in the order the text first gives them. Regular expressions only (no parse), so any article can be
read, whatever its language.

    >>> sorted(calendar_days("The minister arrives on 18 November and leaves on Nov. 19."))
    ['11-18', '11-19']
    >>> sorted(calendar_days("Министр прибудет 18 ноября."))
    ['11-18']
"""

from __future__ import annotations

import re

# Month names (and their usual abbreviations and grammatical forms) -> month number, in the languages the
# encoder reads with a Latin or Cyrillic script. Stems: "ноябр" covers ноября, ноябре, ноябрь.
_MONTH_STEMS: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan janvier janv januar enero gennaio janeiro ocak styczeń stycznia январ",
    "february feb février févr februar febrero febbraio fevereiro şubat luty lutego феврал",
    "march mar mars märz marzo março mart marzec marca март",
    "april apr avril abril aprile nisan kwiecień kwietnia апрел",
    "may mai mayo maggio maio mayıs maj maja мая май",
    "june jun juin juni junio giugno junho haziran czerwiec czerwca июн",
    "july jul juillet juli julio luglio julho temmuz lipiec lipca июл",
    "august aug août agosto ağustos sierpień sierpnia август",
    "september sep sept septembre septiembre settembre setembro eylül wrzesień września сентябр",
    "october oct octobre oktober octubre ottobre outubro ekim październik października октябр",
    "november nov novembre noviembre novembro kasım listopad listopada ноябр",
    "december dec décembre dezember diciembre dicembre dezembro aralık grudzień grudnia декабр",
), start=1):
    for _name in _names.split():
        _MONTH_STEMS[_name] = _number
_MONTH_WORD = "|".join(sorted((re.escape(m) for m in _MONTH_STEMS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"(?<!\d)(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|\.)?(?:\s+de)?\s+(?P<month>{_MONTH_WORD})\w*\.?",
                        re.IGNORECASE)
# "November 18", "Nov. 19": any word followed by a day, then the word looked up (a regex alternation of ~150
# month words tried at every word was most of the cost of loading a story's features).
_MONTH_DAY = re.compile(r"\b(?P<month>[^\W\d_]{3,})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\w)")
# Month words that are also common lower-case words ("they may 5x it", "mar" is Spanish for sea): only capitalised.
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "mai"})
_ISO = re.compile(r"(?<!\d)(?:19|20)\d\d-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)")
_DOTTED = re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?:19|20)\d\d(?!\d)")
# A range "18-19 November" / "18–19 ноября": the first day is written alone.
_RANGE = re.compile(rf"(?<!\d)(?P<first>[0-3]?\d)\s*[-–—]\s*(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH_WORD})\w*",
                    re.IGNORECASE)


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for stem, number in _MONTH_STEMS.items():
        if word.startswith(stem) and (len(stem) >= 3 or word == stem):
            return number
    return None


def calendar_days(text: str) -> frozenset[str]:
    """The calendar days the text names ("MM-DD"), years left out: versions of one event name its days, a
    different event of the same actors other days."""
    days: set[str] = set()
    for pattern in (_DAY_MONTH, _MONTH_DAY, _ISO, _DOTTED, _RANGE):
        for match in pattern.finditer(text):
            month = match.group("month")
            if pattern is _MONTH_DAY and (month in _AMBIGUOUS_MONTHS or _month(month) is None):
                continue
            number = int(month) if month.isdigit() else _month(month)
            day = int(match.group("day"))
            if number is None or not 1 <= number <= 12 or not 1 <= day <= 31:
                continue
            days.add(f"{number:02d}-{day:02d}")
            first = match.groupdict().get("first")
            if first and 1 <= int(first) <= 31:
                days.add(f"{number:02d}-{int(first):02d}")
    return frozenset(days)


def days_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both texts name calendar days and none of them the same: two events (or a follow-up), not one."""
    return bool(a) and bool(b) and not a & b
