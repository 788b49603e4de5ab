"""Pure matching and metric functions for quote evaluation: spans in, counts and rates out.

Spans are ``(start, end)`` character offsets, end exclusive. Nothing here reads files or runs
unspun, so every function can be unit-tested on hand-made spans (tests/eval/test_scoring.py).

    >>> match_spans([(0, 10)], [(2, 10)], threshold=0.8)
    [(0, 0)]
    >>> overlap_ratio((0, 10), (5, 20))
    0.3333333333333333
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]

# Marks trimmed from the edges of gold quotes: unspun's quote spans exclude them.
EDGE_MARKS = "“”\"‘’'«»„‚‹›"
# Marks whose presence inside a gold content span says the quote is (at least partly) verbatim.
# ’ and ' are left out: inside a span they are nearly always apostrophes (don’t, Clinton’s).
OPENING_OR_DOUBLE_MARKS = frozenset('“”"‘«»„')
# The two thresholds every table reports: 0.3 = "found the quote", 0.8 = "found about its extent".
THRESHOLDS: tuple[float, ...] = (0.3, 0.8)


@dataclass
class PRF:
    """True positives against predicted and gold counts; precision, recall and F1 derived from them."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        if not self.gold:
            return None
        if not self.matched:
            return 0.0  # nothing predicted, or nothing right: the harmonic mean's limit
        return 2 * self.matched / (self.predicted + self.gold)

    def add(self, other: PRF) -> None:
        self.matched += other.matched
        self.predicted += other.predicted
        self.gold += other.gold

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "matched": self.matched,
            "predicted": self.predicted,
            "gold": self.gold,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


@dataclass
class Tally:
    """How many of the counted cases were right."""

    correct: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.correct / self.total if self.total else None

    def count(self, ok: bool) -> None:
        self.correct += int(ok)
        self.total += 1

    def to_dict(self) -> dict[str, float | int | None]:
        return {"correct": self.correct, "total": self.total, "rate": _round(self.rate)}


def span_length(span: Span) -> int:
    return max(0, span[1] - span[0])


def intersection(a: Span, b: Span) -> int:
    """Characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def spans_overlap(a: Span | None, b: Span | None) -> bool:
    """True when both spans exist and share at least one character."""
    return a is not None and b is not None and intersection(a, b) > 0


def overlap_ratio(pred: Span, gold: Span) -> float:
    """|pred ∩ gold| / max(|pred|, |gold|) in characters: the token-overlap ratio of quote papers.

    Unlike intersection-over-union it does not punish a prediction twice for one missing clause.
    Empty spans never match.
    """
    longest = max(span_length(pred), span_length(gold))
    return intersection(pred, gold) / longest if longest else 0.0


def match_spans(pred: Sequence[Span], gold: Sequence[Span], threshold: float) -> list[tuple[int, int]]:
    """One-to-one greedy matching: best overlap first; returns (pred index, gold index) pairs.

    A pair is eligible when ``overlap_ratio >= threshold``. Ties go to the earlier gold, then the
    earlier prediction, so the result does not depend on dictionary or set order.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    candidates = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ratio = overlap_ratio(p, g)
            if ratio >= threshold:
                candidates.append((-ratio, j, i))
    candidates.sort()
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, j, i in candidates:
        if i in used_pred or j in used_gold:
            continue
        used_pred.add(i)
        used_gold.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def score_spans(pred: Sequence[Span], gold: Sequence[Span], threshold: float) -> PRF:
    """Precision / recall counts of one document's predicted spans against its gold spans."""
    return PRF(len(match_spans(pred, gold, threshold)), len(pred), len(gold))


def trim_span(text: str, start: int, end: int, marks: str = EDGE_MARKS) -> Span:
    """Shrink a span past whitespace and quote marks at both edges (``“Yes,” `` -> ``Yes,``)."""
    strip = set(marks) | {" ", "\t", "\n", "\r", "\u00a0"}
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def has_quote_mark(text: str) -> bool:
    """True when the text holds an opening or double quote mark, i.e. some of it is verbatim."""
    return any(ch in OPENING_OR_DOUBLE_MARKS for ch in text)


def same_name(pred: str | None, gold: str | None) -> bool:
    """Case- and space-insensitive name equality; two missing names are not a match."""
    if not pred or not gold:
        return False
    return " ".join(pred.lower().split()) == " ".join(gold.lower().split())


def name_in_text(name: str | None, text: str | None) -> bool:
    """True when the last word of ``name`` occurs as a whole word in ``text`` (case-insensitive).

    PolNeAR's Source may say "Trump" or "the Republican nominee Donald Trump" while unspun names
    "Donald Trump" from a pronoun elsewhere; the surname is the part both agree on.
    """
    if not name or not text:
        return False
    words = name.split()
    if not words:
        return False
    last = words[-1].strip(".,;:")
    return bool(last) and re.search(rf"(?<!\w){re.escape(last)}(?!\w)", text, re.IGNORECASE) is not None


def confusion(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Counts of (gold label -> predicted label), both keyed as strings."""
    table: dict[str, dict[str, int]] = {}
    for gold, pred in pairs:
        row = table.setdefault(gold, {})
        row[pred] = row.get(pred, 0) + 1
    return table


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
