"""The bad items of a batch run: every one counted, the first few kept word for word.

A file of two million broken lines must not print two million lines nor hold them in memory: the first
DETAIL_LIMIT items keep their label and reason, the rest are counted (by kind, so "1,999,980 more, not
valid JSON" still says what went wrong).

>>> problems = ItemProblems()
>>> problems.add("batch.jsonl:7", "not valid JSON", kind="invalid record")
>>> len(problems), problems.shown
(1, [('batch.jsonl:7', 'not valid JSON')])
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from unspun.errors import InputError, InputTooLargeError, NotEnglishError, UnspunError

# Enough lines to see the pattern of a bad batch, few enough to read on one screen.
DETAIL_LIMIT = 20


@dataclass
class ItemProblems:
    """Items a run skipped (or stored without analysis): a bounded record of an unbounded stream."""

    shown: list[tuple[str, str]] = field(default_factory=list)  # (label, reason) of the first DETAIL_LIMIT
    total: int = 0
    exit_code: int = 0  # the exit code the first item's error calls for; 0 while there is none
    kinds: Counter[str] = field(default_factory=Counter)
    expected: int = 0  # counted, never listed: items that are not a fault (a foreign-language article)

    def add(self, label: str, reason: str, exit_code: int = InputError.exit_code, kind: str = "",
            expected: bool = False) -> None:
        self.total += 1
        self.kinds[kind or reason] += 1
        self.exit_code = self.exit_code or exit_code
        if expected:
            self.expected += 1
        elif len(self.shown) < DETAIL_LIMIT:
            self.shown.append((label, reason))

    def add_error(self, label: str, error: UnspunError, expected: bool = False) -> None:
        self.add(label, reason_for(error, label), error.exit_code, kind_of(error), expected)

    def merge(self, other: ItemProblems) -> None:
        self.total += other.total
        self.kinds.update(other.kinds)
        self.exit_code = self.exit_code or other.exit_code
        self.expected += other.expected
        self.shown += other.shown[: max(0, DETAIL_LIMIT - len(self.shown))]

    @property
    def hidden(self) -> int:
        """How many faulty items are counted but not shown."""
        return self.total - self.expected - len(self.shown)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.shown)


def reason_for(error: UnspunError, label: str) -> str:
    """The error's message without the label it starts with (the caller prints the label itself)."""
    message = str(error)
    return message[len(label) + 2 :] if message.startswith(label + ": ") else message


def kind_of(error: UnspunError) -> str:
    """A short name for counting errors of one sort together."""
    if isinstance(error, NotEnglishError):
        return "not English"
    if isinstance(error, InputTooLargeError):
        return "too large"
    words = re.sub(r"(?<=[a-z])([A-Z])", r" \1", type(error).__name__.removesuffix("Error"))  # InvalidRecord
    return words.lower() or "error"
