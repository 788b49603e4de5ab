"""Rewrite artefacts: leftover prompts, unfilled template slots and model stock phrasing, with a bounded score.

The patterns are data (``nlp/rules/artefacts.tsv``, format in its header). ``find_artefacts`` returns every
match as an evidence span; ``artefact_score`` turns those spans, and only those, into a number in [0, 1]:

- a prompt leftover or template slot is strong evidence: one gives 0.9, each further one closes a tenth of the
  remaining gap (1 - 0.1 ** n);
- stock phrases are weak evidence, scored by density per 1,000 words and capped at 0.5, so stock phrasing
  alone never reaches the score of one strong artefact;
- the two combine as independent evidence: 1 - (1 - strong) * (1 - stock); no artefact gives exactly 0.

Calibration (eval/artefacts.py, docs/evaluation.md): texts shorter than 500 words are scored as if 500 words
long, because one phrase in a short text is no more evidence than one in a long text; with a density scale of
4 per 1,000 words, one stock phrase alone scores at most 0.197 (below the 0.2 "flagged" line) whatever the
length, two in 500 words 0.32, three 0.39. On 1,024 human news articles no text reaches 0.2 through a single
phrase; stock phrases match in 2.5% of them (each pattern in < 1%, the pruning rule in the tsv header).
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources
from typing import Literal

from unspun.records import Artefact

ArtefactKind = Literal["prompt_leftover", "template_slot", "stock_phrase"]
KINDS: tuple[ArtefactKind, ...] = ("prompt_leftover", "template_slot", "stock_phrase")
STRONG_KINDS = frozenset({"prompt_leftover", "template_slot"})

_STRONG_FIRST = 0.9  # one strong artefact: "high", and each further one adds evidence
_STOCK_CAP = 0.5  # stock phrasing alone stays below any strong artefact
_STOCK_SCALE = 4.0  # stock phrases per 1,000 words at which the stock part reaches 63% of its cap
_MIN_WORDS = 500  # shorter texts count as this long (see module docstring)
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def _compile(pattern: str) -> re.Pattern[str]:
    body = pattern.replace(" ", r"\s+")
    if pattern[0].isalnum():
        body = r"(?<!\w)" + body
    if pattern[-1].isalnum() and not pattern.endswith("\\" + pattern[-1]):
        body += r"(?!\w)"
    return re.compile(body, re.IGNORECASE | re.MULTILINE)


def required_word(pattern: str) -> str | None:
    """The longest run of letters (at least 4) every match of `pattern` must contain, lower-cased; None when
    the pattern has no such run (a top-level alternation, only groups or classes). Used as a cheap pre-check:
    a text without the word cannot match, so the pattern's regex is not run on it."""
    depth, run, runs, i = 0, "", [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            runs.append(run)
            run, i = "", i + 2
            continue
        if char == "[":
            runs.append(run)
            run = ""
            i = pattern.find("]", i + 2) + 1 or len(pattern)
            continue
        if char in "?*{" and run:
            run = run[:-1]  # the quantifier makes the last letter optional
        if char.isascii() and char.isalpha() and depth == 0:
            run += char
        else:
            runs.append(run)
            run = ""
            if char == "|" and depth == 0:
                return None
            depth += char == "("
            depth -= char == ")"
        i += 1
    runs.append(run)
    best = max(runs, key=len)
    return best.lower() if len(best) >= 4 else None


@cache
def artefact_patterns() -> tuple[tuple[ArtefactKind, str, re.Pattern[str]], ...]:
    """The rule file's patterns, compiled once; a bad line raises ValueError naming the line."""
    text = resources.files("unspun.nlp").joinpath("rules", "artefacts.tsv").read_text(encoding="utf-8")
    rules: list[tuple[ArtefactKind, str, re.Pattern[str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, pattern = line.partition("\t")
        if kind not in KINDS or not pattern:
            raise ValueError(f"artefacts.tsv line {number}: expected one of {KINDS}, a tab, then a pattern")
        try:
            rules.append((kind, pattern, _compile(pattern)))  # type: ignore[arg-type]  # checked just above
        except re.error as error:
            raise ValueError(f"artefacts.tsv line {number}: bad pattern {pattern!r}: {error}") from error
    return tuple(rules)


@cache
def _required_words() -> dict[str, str | None]:
    return {pattern: required_word(pattern) for _, pattern, _ in artefact_patterns()}


def find_artefacts(text: str) -> list[Artefact]:
    """Every artefact in ``text``, in order; overlapping matches keep the strongest, then the longest."""
    found: list[Artefact] = []
    lowered = text.lower()
    for kind, pattern, regex in artefact_patterns():
        word = _required_words().get(pattern)
        if word is not None and word not in lowered:
            continue
        for match in regex.finditer(text):
            start, end = match.span()
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                found.append(Artefact(text[start:end], start, end, kind, pattern))
    return _drop_overlaps(found)


def _drop_overlaps(found: list[Artefact]) -> list[Artefact]:
    # strong before weak, then longer before shorter; a span overlapping one already kept is the same evidence
    ranked = sorted(found, key=lambda a: (a.kind not in STRONG_KINDS, a.start - a.end, a.start))
    kept: list[Artefact] = []
    for artefact in ranked:
        if all(artefact.end <= other.start or artefact.start >= other.end for other in kept):
            kept.append(artefact)
    return sorted(kept, key=lambda a: a.start)


def artefact_score(artefacts: list[Artefact], text: str) -> float:
    """How strongly the evidence in ``artefacts`` says ``text`` carries rewrite artefacts, in [0, 1]."""
    strong = sum(1 for a in artefacts if a.kind in STRONG_KINDS)
    stock = len(artefacts) - strong
    strong_part = 1.0 - (1.0 - _STRONG_FIRST) ** strong
    words = max(len(_WORD.findall(text)), _MIN_WORDS)
    density = stock * 1000.0 / words
    stock_part = _STOCK_CAP * (1.0 - math.exp(-density / _STOCK_SCALE))
    return 1.0 - (1.0 - strong_part) * (1.0 - stock_part)
