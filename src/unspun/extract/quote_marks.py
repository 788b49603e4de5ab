"""Find quoted stretches of text from the quote marks alone, robust to marks that do not pair up.

Works on characters, before any parsing, so one stray mark costs at most that one quotation: an
opening mark that never closes is dropped and the scan goes on after it. Handles "…", “…”, „…“,
«…», ‹…›, '…' and ‘…’ (where the closing ’ is also the apostrophe inside the quote), and the
newspaper convention for quotations over several paragraphs: a paragraph opens the quote without
closing it, and the next paragraph opens it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# opening mark -> the marks that can close it
_PAIRS: dict[str, tuple[str, ...]] = {
    "\u201c": ("\u201d",),  # “ ”
    "\u201e": ("\u201c", "\u201d"),  # „ “ (German), „ ” (Polish, Romanian)
    "\u00ab": ("\u00bb",),  # « »
    "\u2039": ("\u203a",),  # ‹ ›
    '"': ('"', "\u201d"),
    "\u2018": ("\u2019",),  # ‘ ’
    "'": ("'",),
    "\u201d": ("\u201d",),  # ”…” in some typesetting
}
_SINGLE = ("\u2018", "'")
_OPEN_BEFORE = set(" \t\n([{—–-/:;,") | {"\u00a0", "\u2014", "\u2013"}
_ELISION = re.compile(r"(\d\d?s?\b|em\b|til\b|cause\b|n\b|tis\b)", re.IGNORECASE)


@dataclass(frozen=True)
class QuotedSpan:
    """Content of one quoted stretch (marks excluded) within one paragraph."""

    start: int
    end: int
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark; None when the quote runs on to the next paragraph
    mark: str
    group: int  # parts of one multi-paragraph quotation share a group
    continues: bool = False  # runs on into the next paragraph
    continued: bool = False  # continues a quotation from the previous paragraph


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blank-line separated if the text uses blank lines, else per line."""
    separator = re.compile(r"\n\s*\n") if re.search(r"\n\s*\n", text) else re.compile(r"\n")
    bounds, start = [], 0
    for match in separator.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


_PAIRED_APOSTROPHES = "\u2063"  # stands in for the second ' of a '' mark while scanning


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    # Some archives (NYT) write quotation marks as two apostrophes, ''like this.'' Scan a copy in
    # which each '' reads as one straight double mark plus an invisible filler: offsets stay the same.
    if "''" in text:
        text = text.replace("''", '"' + _PAIRED_APOSTROPHES)
    spans: list[QuotedSpan] = []
    paragraphs = paragraph_bounds(text)
    carry: str | None = None  # mark of a quotation that runs on from the previous paragraph
    group = 0
    for index, (p_start, p_end) in enumerate(paragraphs):
        next_start = paragraphs[index + 1][0] if index + 1 < len(paragraphs) else None
        found, carry_out = _scan_paragraph(text, p_start, p_end, next_start, carry, group)
        if found:
            group = found[-1].group + (0 if carry_out else 1)
        spans.extend(found)
        carry = carry_out
    return spans


def _scan_paragraph(
    text: str, p_start: int, p_end: int, next_start: int | None, carry: str | None, group: int
) -> tuple[list[QuotedSpan], str | None]:
    found: list[QuotedSpan] = []
    i = p_start
    continued = False
    if carry is not None:
        # The previous paragraph's quotation re-opens here with its mark.
        first = _first_char(text, p_start, p_end)
        if first is not None and text[first] == carry:
            i, continued = first, True
        else:
            group += 1
    while i < p_end:
        ch = text[i]
        if ch in _PAIRS and _can_open(text, i, p_start):
            close = _find_close(text, i, p_end)
            if close is not None:
                found.append(_make(text, i, close, ch, group, continued=continued))
                group += 1
                continued = False
                i = close + 1
                continue
            if next_start is not None and _runs_on(text, i, p_end, next_start, ch):
                found.append(_make(text, i, None, ch, group, p_end=p_end, continued=continued))
                return found, ch
        continued = False
        i += 1
    return found, None


def _first_char(text: str, start: int, end: int) -> int | None:
    for i in range(start, end):
        if not text[i].isspace():
            return i
    return None


_SPACED = ("\u00ab", "\u2039")  # French typography puts a space inside « » and ‹ ›


def _can_open(text: str, i: int, p_start: int) -> bool:
    ch = text[i]
    after = text[i + 1] if i + 1 < len(text) else ""
    if not after or (after.isspace() and ch not in _SPACED):
        return False
    before = text[i - 1] if i > p_start else " "
    ambiguous = ch in _SINGLE or ch in ('"', "\u201d")
    if ambiguous and before not in _OPEN_BEFORE and not (before in "\"“«„" and ch in _SINGLE):
        return False
    return not (ch in _SINGLE and _ELISION.match(text, i + 1) and not _closes_later(text, i))


def _closes_later(text: str, i: int) -> bool:
    end = text.find("\n", i)
    return _find_close(text, i, len(text) if end < 0 else end) is not None


def _find_close(text: str, i: int, p_end: int) -> int | None:
    """Offset of the mark closing the quote opened at i, within the paragraph, or None."""
    opener = text[i]
    closers = _PAIRS[opener]
    j = i + 1
    candidates = []
    while j < p_end:
        ch = text[j]
        if ch in closers and _can_close(text, j, p_end, opener):
            if opener not in _SINGLE:
                return j
            candidates.append(j)
        elif opener not in _SINGLE and ch == opener and opener != '"' and ch not in closers:
            return None  # a second opener before any closer: this one is unbalanced
        j += 1
    return _choose_single_close(text, candidates, p_end)


def _can_close(text: str, j: int, p_end: int, opener: str) -> bool:
    before = text[j - 1]
    after = text[j + 1] if j + 1 < p_end else " "
    if before.isspace() and opener not in _SPACED:
        return False
    if opener in _SINGLE or opener == '"':
        # An apostrophe inside a word ("don’t", "India’s") is followed by a letter.
        return not after.isalnum()
    return True


def _choose_single_close(text: str, candidates: list[int], p_end: int) -> int | None:
    """Pick the ’ that closes a single-quoted stretch, passing over plural possessives ("nations’ ties")."""
    for n, j in enumerate(candidates):
        before = text[j - 1]
        rest = text[j + 1 : p_end]
        punctuated = before in ".,!?;:…—-" or rest[:1] in ".,!?;:)"
        possessive = before in "sS" and re.match(r"\s+[a-z]", rest) is not None
        reopened = n + 1 < len(candidates) and re.search(r"(^|[\s(—])[‘']\w", text[j + 1 : candidates[n + 1]])
        if punctuated or not possessive or reopened or n == len(candidates) - 1:
            return j
    return None


def _runs_on(text: str, i: int, p_end: int, next_start: int, mark: str) -> bool:
    """The quote opened at i has no closing mark in its paragraph, and the next paragraph reopens it."""
    if p_end - i < 20:
        return False
    first = _first_char(text, next_start, len(text))
    return first is not None and text[first] == mark


def _make(
    text: str, open_at: int, close_at: int | None, mark: str, group: int,
    p_end: int | None = None, continued: bool = False,
) -> QuotedSpan:
    start = open_at + 1
    end = close_at if close_at is not None else (p_end if p_end is not None else len(text))
    while start < end and (text[start].isspace() or text[start] == _PAIRED_APOSTROPHES):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return QuotedSpan(
        start=start, end=end, open_mark=open_at, close_mark=close_at, mark=mark, group=group,
        continues=close_at is None, continued=continued,
    )
