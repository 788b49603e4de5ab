"""Within one story: which versions derive from one source text, which one is the origin, and how sure."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

from unspun.stories.align import Vectors, alignment, ordered_alignment
from unspun.stories.candidates import is_foreign
from unspun.stories.features import StoryFeatures, site_outlet

Edges = dict[tuple[int, int], tuple[float, float]]  # (i, j) -> (share of i found in j, share of j found in i)


def derived_edges(members: Sequence[int], features: Sequence[StoryFeatures], vectors: Vectors,
                  sentence_match: float, derived_alignment: float) -> tuple[Edges, dict[int, int]]:
    """Pairs of the story's versions built on one source text (much of the shorter one aligns with the
    other, in order), and identical texts (copy -> the copy it duplicates)."""
    edges: Edges = {}
    copies: dict[int, int] = {}
    for i, j in combinations(sorted(members), 2):
        a, b = features[i], features[j]
        if a.fingerprint and a.fingerprint == b.fingerprint:
            edges[(i, j)] = (1.0, 1.0)
            copies[j] = i
            continue
        if is_foreign(a.language) or is_foreign(b.language):
            continue
        si, sj = vectors.sentences[i], vectors.sentences[j]
        if ordered_alignment(si, sj, sentence_match) >= derived_alignment:
            edges[(i, j)] = alignment(si, sj, sentence_match)
    return edges, copies


ORIGIN_MIN_CONFIDENCE = 0.6  # the origin must beat every other version by a clear margin, else none is named


def find_origin(family: list[int], edges: Edges, features: Sequence[StoryFeatures]) -> tuple[int, float]:
    """The version the others derive from, as a tournament: it must look like the source of every other
    version of its family (``source_score``). Confidence is its narrowest win, mapped to 0.5-1; siblings of
    one unseen source win nothing clearly and stay near 0.5."""
    best, confidence = family[0], 0.0
    for m in family:
        narrowest = min((source_score(m, y, edges, features) for y in family if y != m), default=0.0)
        win = 1.0 / (1.0 + math.exp(-2.0 * narrowest))
        if win > confidence:
            best, confidence = m, win
    return best, confidence


def source_score(x: int, y: int, edges: Edges, features: Sequence[StoryFeatures]) -> float:
    """How much more x looks like the source of y than the reverse (antisymmetric; 0 = no evidence).

    In order of strength: x was published at least a day earlier; x is the source itself (a wire's,
    ministry's or state outlet's site, or a wire's copy under its dateline) and y is not; x carries more of
    the story's concrete facts (names and numbers: rewrites keep a thin factual core and drop specifics,
    whether they condense the source or pad it with quotes and framing); x's sentences recur in y more than
    y's in x (weak: a condensed rewrite recurs wholly in its source).
    """
    a, b = features[x], features[y]
    score = 0.0
    days = days_between(a.published, b.published)
    if days:  # dates are day-granular and time zones shift them by one: one day apart is weaker evidence
        score += (1.0 if abs(days) == 1 else 2.0) * (1 if days > 0 else -1)
    credited = set(a.attributed) | set(b.attributed)
    score += primary_source(a, credited) - primary_source(b, credited)
    facts_a, facts_b = len(a.names | a.numbers), len(b.names | b.numbers)
    score += (facts_a - facts_b) / max(facts_a, facts_b, 1)
    cover = edges.get((x, y)) or tuple(reversed(edges.get((y, x), (0.0, 0.0))))
    return score + 0.5 * (cover[0] - cover[1])


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
