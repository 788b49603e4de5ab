"""Which version of a story's derived family is its origin, and how sure: dates, primary sources, facts."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from unspun.stories.features import StoryFeatures, site_outlet
from unspun.stories.pairs import copied_share

ORIGIN_MIN_CONFIDENCE = 0.6  # the origin must beat every other version by a clear margin, else none is named


def find_origin(family: list[int], features: Sequence[StoryFeatures],
                sentences: Sequence[np.ndarray] | None = None,
                derivedness: dict[int, float] | None = None) -> tuple[int, float]:
    """The version the others derive from, as a tournament: it must look like the source of every other
    version of its family (``source_score``; ``sentences``, the versions' sentence vectors, tell copies from
    rewrites). Confidence is its narrowest win, mapped to 0.5-1; siblings of one unseen source win nothing
    clearly and stay near 0.5. ``derivedness`` (the role model's probability that a version is a rewrite, from
    what it carries: stories/roles.py) counts too: the less rewrite-like of two versions is the likelier source."""
    best, confidence = family[0], 0.0
    rewrite = derivedness or {}
    for m in family:
        narrowest = min((source_score(m, y, features, sentences) + rewrite.get(y, 0.0) - rewrite.get(m, 0.0)
                         for y in family if y != m), default=0.0)
        win = 1.0 / (1.0 + math.exp(-2.0 * narrowest))
        if win > confidence:
            best, confidence = m, win
    return best, confidence


# Share of the shorter version's sentences the other repeats nearly word for word (cosine >= 0.95) from which
# two versions count as copies rather than rewrites. Rewrites paraphrase: GPT-3.5's rephrasings repeat a median
# of 0 % of their source's sentences (95th percentile 20 %); the corpus's farm rewrites 0-7 %; wire pickups a
# third or more (the corpus README: 5-word overlap 0.01-0.08 for rewrites, 0.2-0.45 for wire copies).
COPIED_SENTENCES = 0.25
WHOLE_COPY = 0.9  # ... and from which the shorter one is repeated whole: one text copies the other


def source_score(x: int, y: int, features: Sequence[StoryFeatures],
                 sentences: Sequence[np.ndarray] | None = None) -> float:
    """How much more x looks like the source of y than the reverse (antisymmetric; 0 = no evidence).

    In order of strength: x was published at least a day earlier; x is the source itself (a wire's,
    ministry's or state outlet's site, or a wire's copy under its dateline) and y is not; x carries more of
    the story's concrete facts (names and numbers: rewrites keep a thin factual core and drop specifics,
    whether they condense the source or pad it with quotes and framing).

    Two versions published within a day of each other that repeat part of each other word for word
    (``COPIED_SENTENCES``) but neither the whole of the other (``WHOLE_COPY``), on sites that are neither
    sources nor carry one, are taken for two pickups of one unseen wire story, each keeping its own cut of
    it: then neither the day between them nor the facts one lacks say which came first. Undated copies are
    left to the facts, as nothing shows the pickup pattern. Sentence containment, once a weak term here, is
    left out: a condensing rewrite recurs wholly in its source and a padding one contains it, so it points
    either way.
    """
    a, b = features[x], features[y]
    credited = set(a.attributed) | set(b.attributed)
    primary = primary_source(a, credited) - primary_source(b, credited)
    days = days_between(a.published, b.published)
    if (sentences is not None and a.published and b.published and abs(days) <= 1 and not primary
            and not primary_source(a, credited)
            and COPIED_SENTENCES <= copied_share(sentences[x], sentences[y]) < WHOLE_COPY):
        return 0.0
    score = primary + ((1.0 if abs(days) == 1 else 2.0) * (1 if days > 0 else -1) if days else 0.0)
    facts_a, facts_b = len(a.names | a.numbers), len(b.names | b.numbers)
    return score + (facts_a - facts_b) / max(facts_a, facts_b, 1)


def days_between(a: str | None, b: str | None) -> int:
    """Days from a to b (positive when a is earlier); 0 when either is undated or unreadable."""
    if not a or not b:
        return 0
    try:
        return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days
    except ValueError:
        return 0


def primary_source(f: StoryFeatures, credited: set[str]) -> float:
    """How much a version looks like the source itself: published on a wire, state-media or ministry site
    (2 when the versions credit that outlet, 1 otherwise), or carrying a wire's copy under its dateline (1)."""
    outlet = site_outlet(f.site)
    if outlet is not None:
        return 2.0 if outlet[0] in credited else 1.0
    return 1.0 if f.carried else 0.0


def credited_outlet(members: Sequence[int], features: Sequence[StoryFeatures]) -> str | None:
    """The outlet the versions credit most often ("according to TASS"), if any."""
    credited = Counter(outlet for m in members for outlet in features[m].attributed)
    return credited.most_common(1)[0][0] if credited else None
