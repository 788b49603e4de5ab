"""Within one story: which versions derive from one source text, which one is the origin, and how sure."""

from __future__ import annotations

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


def origin_margin(family_size: int) -> float:
    """The origin must hold more than an equal share of the family's evidence; with two versions, clearly
    more (two siblings rewriting one unseen source cover each other about equally)."""
    return 0.6 if family_size == 2 else 1.0 / family_size + 0.05


def find_origin(family: list[int], edges: Edges, features: Sequence[StoryFeatures],
                sentence_counts: Sequence[int]) -> tuple[int, float]:
    """The version the others derive from: its sentences recur in them (containment), it was published
    first, it is the source itself (a wire's or ministry's site, or a wire's copy under its dateline), and
    it is the fullest. Confidence is the winner's share of the combined score."""
    recurs = dict.fromkeys(family, 0.0)
    for (x, y), (x_in_y, y_in_x) in edges.items():
        recurs[x] += x_in_y  # x's sentences found again in y: y may be built on x
        recurs[y] += y_in_x
    dates = sorted(d for d in (features[m].published for m in family) if d)
    credited = {outlet for m in family for outlet in features[m].attributed}
    scores = {}
    for m in family:
        early = 1.0 if features[m].published and dates and features[m].published == dates[0] else 0.0
        scores[m] = (recurs[m] + 0.5 * early + 0.5 * primary_source(features[m], credited)
                     + 0.001 * sentence_counts[m])
    best = max(scores, key=lambda m: scores[m])
    total = sum(scores.values()) or 1.0
    return best, scores[best] / total


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
