"""A site's template fingerprint: the boilerplate lines its articles open and close with (site names and digits
masked, so that look-alike sites built from one template share them), and its typical length and layout."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

EDGE_LINES = 2  # lines read at the start and at the end of each article
MIN_SHARE = 0.3  # a line is boilerplate when at least this share of the site's sampled articles carry it
MIN_ARTICLES = 3  # ... and at least this many
MAX_LINE = 120  # characters of a line kept
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sample:
    """What the fingerprint reads of one article: its first and last lines, its length and paragraph count."""

    head: str
    tail: str
    chars: int
    paragraphs: int


@dataclass(frozen=True)
class Template:
    boilerplate: list[tuple[str, int]] = field(default_factory=list)  # masked line -> sampled articles carrying it
    sampled: int = 0
    median_chars: int = 0
    median_paragraphs: int = 0


def masked(line: str, site: str) -> str:
    """A line as templates are compared: lower case, the site's own name and any digits masked, spaces folded."""
    text = line.lower()
    for name in _site_names(site):
        text = text.replace(name, "<site>")
    return _SPACE.sub(" ", _DIGITS.sub("#", text)).strip()[:MAX_LINE]


@lru_cache(maxsize=65_536)
def _site_names(site: str) -> tuple[str, ...]:
    """How a site names itself: its domain, and the domain without its suffix, hyphens as spaces or run together."""
    base = site.lower().split(":")[0].removeprefix("www.")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    names = {base, stem, stem.replace("-", " "), stem.replace("-", "")}
    return tuple(sorted((n for n in names if len(n) >= 4), key=len, reverse=True))


def fingerprint(site: str, samples: Sequence[Sample]) -> Template:
    if not samples:
        return Template()
    seen: Counter[str] = Counter()
    for sample in samples:
        lines = [ln for ln in sample.head.splitlines()[:EDGE_LINES] + sample.tail.splitlines()[-EDGE_LINES:]
                 if len(ln.strip()) >= 12]
        seen.update({masked(ln, site) for ln in lines})
    needed = max(MIN_ARTICLES, MIN_SHARE * len(samples))
    boilerplate = sorted(((line, n) for line, n in seen.items() if n >= needed), key=lambda x: (-x[1], x[0]))
    return Template(boilerplate, len(samples), int(statistics.median(s.chars for s in samples)),
                    int(statistics.median(s.paragraphs for s in samples)))


def shared_lines(a: Template, b: Template) -> list[str]:
    """Boilerplate two sites both carry."""
    return sorted({line for line, _ in a.boilerplate} & {line for line, _ in b.boilerplate})
