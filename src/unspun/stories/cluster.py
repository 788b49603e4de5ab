"""Group articles into stories and give each version its role (origin, derived, independent).

Rewrites keep their source's facts in order but share few exact word sequences, and translations share none, so
the evidence is paraphrase-level and language-independent: sentence vectors of the multilingual encoder, names,
numbers and calendar days. Candidate pairs come from an index (stories/candidates.py); the same-story classifier
(stories/sameness.py) gives each candidate pair the probability that both report one event; stories are then
built by average linkage: two groups merge when the mean probability over all their cross pairs (a pair that is
not a candidate counts 0) reaches the model's threshold, the best pair of groups first. Unlike joining every
linked pair, one article that resembles two events (a report of last week's session beside this week's) cannot
chain them into one story. Within a story, versions derive from one source text when a classifier trained on
rewrite families judges so (stories/lineage.py, stories/pairs.py, stories/model.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from unspun.stories.align import Vectors
from unspun.stories.candidates import (
    CandidateIndex,
    CandidateOptions,
    identity_keys,
    signature_of,
    unreadable,
)
from unspun.stories.features import StoryFeatures, overlap
from unspun.stories.lineage import credited_outlet, days_between
from unspun.stories.model import PairModel, load_same_story_model
from unspun.stories.profile import SourcingProfile
from unspun.stories.roles import assign_roles
from unspun.stories.sameness import event_features, ruled_out

MIN_WORDS = 20  # below this an article states too little to match (a headline, a teaser, an error page)


@dataclass(frozen=True)
class StoryOptions:
    """Thresholds. Whether two articles report one event, and whether one version derives from another, are
    decided by classifiers trained on labelled families (stories/model.py: eval/train_stories.py and
    eval/train_lineage.py, calibration in docs/evaluation.md); None keeps each model's own threshold."""

    same_story_probability: float | None = None  # mean pair probability from which two groups are one story
    derived_probability: float | None = None  # lineage classifier's bar for "built on the other"
    derived_sentence_match: float = 0.5  # cosine at which a sentence counts as rewritten (the edges' evidence)
    cross_language_overlap: float = 0.50  # names and numbers, for a language the encoder cannot read
    max_days_apart: int = 4  # versions of one story appear within days; a later event is another story
    candidates: CandidateOptions = field(default_factory=CandidateOptions)


@dataclass
class Story:
    id: str
    articles: list[str]
    roles: dict[str, str]
    origin: str | None
    origin_confidence: float
    derived_from: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, float] = field(default_factory=dict)  # pair "a|b" -> lineage probability (>= 0.5)
    attributed_source: str | None = None  # the outlet the versions credit, e.g. when the origin is not stored
    notes: dict[str, str] = field(default_factory=dict)  # article id -> why it was excluded or how it matched
    # article id -> the evidence of its role: "carried" (the origin's facts it keeps) and "added" (what it adds
    # that nobody can check) for a derived version, "own" (its verifiable material) for an independent one
    versions: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def story_id(article_ids: Iterable[str]) -> str:
    """A story's id: stable while the story keeps its first article (by id)."""
    return f"story:{min(article_ids)}"


def cluster_stories(features: Sequence[StoryFeatures], vectors: Vectors, options: StoryOptions | None = None,
                    profiles: dict[str, SourcingProfile] | None = None) -> list[Story]:
    """Stories over the articles, every article in exactly one (singletons included), largest first.
    ``profiles`` (article id -> how it is sourced, from its analysis) inform the roles."""
    opt = options or StoryOptions()
    index = CandidateIndex(opt.candidates)
    index.add([f.id for f in features], vectors.articles,
              [signature_of(" ".join(f.sentences), opt.candidates) if comparable(f) else None for f in features],
              [identity_keys(f.names, f.numbers) if comparable(f) else frozenset() for f in features],
              [f.language for f in features])
    groups = link(features, vectors, index.pairs_for(range(len(features))), opt)
    return sorted((build_story(m, features, vectors, opt, profiles) for m in groups),
                  key=lambda s: (-len(s.articles), s.id))


def comparable(f: StoryFeatures) -> bool:
    return f.words >= MIN_WORDS


Scorer = Callable[[Sequence[StoryFeatures], Vectors, list[tuple[int, int]], StoryOptions], dict[tuple[int, int], float]]


def link(features: Sequence[StoryFeatures], vectors: Vectors, pairs: Iterable[tuple[int, int]], opt: StoryOptions,
         groups: Iterable[Sequence[int]] = (), score: Scorer | None = None) -> list[list[int]]:
    """Stories from the candidate pairs by average linkage; ``groups`` (e.g. stories already stored) start as
    groups of their own and can only grow or merge. ``score`` computes the pairs' probabilities (score_pairs
    here; on a Dask cluster, stories/distributed.py): the linkage itself is settled here, in one place."""
    model = load_same_story_model()
    bar = model.threshold if opt.same_story_probability is None else opt.same_story_probability
    probabilities = (score or score_pairs)(features, vectors, sorted(set(map(_ordered, pairs))), opt)
    return average_linkage(len(features), probabilities, bar, groups)


def score_pairs(features: Sequence[StoryFeatures], vectors: Vectors, pairs: list[tuple[int, int]],
                opt: StoryOptions) -> dict[tuple[int, int], float]:
    """The same-story probability of each pair, those above 0."""
    model = load_same_story_model()
    return {pair: p for pair in pairs if (p := pair_probability(features, vectors, pair, opt, model)) > 0}


def pair_probability(features: Sequence[StoryFeatures], vectors: Vectors, pair: tuple[int, int], opt: StoryOptions,
                     model: PairModel | None = None) -> float:
    """The probability that the two articles report one event: the model's, within the hard rules."""
    i, j = pair
    a, b = features[i], features[j]
    if a.fingerprint and a.fingerprint == b.fingerprint:
        return 1.0
    if not comparable(a) or not comparable(b):
        return 0.0
    if a.published and b.published and abs(days_between(a.published, b.published)) > opt.max_days_apart:
        return 0.0
    if unreadable(a.language) or unreadable(b.language):  # a language the encoder was not trained on
        shared = len(a.numbers & b.numbers) >= 2 and len(a.names & b.names) >= 2  # one shared year or name is chance
        return float(shared and overlap(a.names, b.names) >= opt.cross_language_overlap
                     and overlap(a.numbers, b.numbers) >= opt.cross_language_overlap)
    sa, sb = vectors.sentences[i], vectors.sentences[j]
    if ruled_out(a, b, sa, sb):
        return 0.0
    model = model if model is not None else load_same_story_model()
    return float(model.probability(event_features(a, b, sa, sb)))


def average_linkage(n: int, probabilities: dict[tuple[int, int], float], bar: float,
                    groups: Iterable[Sequence[int]] = ()) -> list[list[int]]:
    """Merge the two groups with the highest mean cross-pair probability while it reaches ``bar``; pairs not in
    ``probabilities`` count 0. Ties go to the lower group ids, so the result does not depend on input order."""
    owner = list(range(n))
    members: dict[int, list[int]] = {k: [k] for k in range(n)}
    for group in groups:
        keep = owner[group[0]]
        for m in group[1:]:
            gone = owner[m]
            if gone != keep:
                for x in members.pop(gone):
                    owner[x] = keep
                    members[keep].append(x)
    sums: dict[int, dict[int, float]] = {g: {} for g in members}
    for (i, j), p in probabilities.items():
        a, b = owner[i], owner[j]
        if a != b:
            sums[a][b] = sums[a].get(b, 0.0) + p
            sums[b][a] = sums[b].get(a, 0.0) + p
    heap = [(-total / (len(members[a]) * len(members[b])), a, b) for a in sums for b, total in sums[a].items() if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < bar:
            break  # the best pair of groups left is below the bar
        if a not in members or b not in members:
            continue
        current = sums[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if abs(current + negative) > 1e-12:
            continue  # a stale entry: the groups changed since it was pushed
        for x in members.pop(b):
            owner[x] = a
            members[a].append(x)
        for c, total in sums.pop(b).items():
            sums[c].pop(b, None)
            if c == a:
                continue
            sums[a][c] = sums[a].get(c, 0.0) + total
            sums[c][a] = sums[a][c]
        for c, total in sums[a].items():
            heapq.heappush(heap, (-total / (len(members[a]) * len(members[c])), min(a, c), max(a, c)))
    return [sorted(group) for group in members.values()]


def _ordered(pair: tuple[int, int]) -> tuple[int, int]:
    return (pair[0], pair[1]) if pair[0] < pair[1] else (pair[1], pair[0])


def build_story(members: list[int], features: Sequence[StoryFeatures], vectors: Vectors, opt: StoryOptions,
                profiles: dict[str, SourcingProfile] | None = None) -> Story:
    """Roles, origin and evidence of one story's versions (stories/roles.py)."""
    ids = [features[m].id for m in members]
    found = assign_roles(members, features, vectors, profiles, opt.derived_probability)
    notes: dict[str, str] = {}
    seen: dict[str, str] = {}
    for m in sorted(members, key=lambda k: features[k].id):
        f = features[m]
        if f.fingerprint and f.fingerprint in seen:
            notes[f.id] = f"same text as {seen[f.fingerprint]}"
        seen.setdefault(f.fingerprint, f.id)
    notes.update({features[m].id: f"too short to compare ({features[m].words} words; at least {MIN_WORDS} needed)"
                  for m in members if not comparable(features[m])})
    for m in (m for m in members if not features[m].published and len(members) > 1):
        notes.setdefault(features[m].id, "no publication date: placed by its text alone")
    pairs = {f"{features[x].id}|{features[y].id}": round(p, 3) for (x, y), p in found.lineage.items()
             if p >= LINEAGE_SHOWN}
    family = [m for m in members if found.roles[features[m].id] != "independent"]
    return Story(id=story_id(ids), articles=ids, roles=found.roles, origin=found.origin,
                 origin_confidence=found.confidence, derived_from=found.derived_from, evidence=pairs,
                 attributed_source=credited_outlet(family or members, features), notes=notes,
                 versions=found.evidence)


LINEAGE_SHOWN = 0.5  # pairs of versions whose lineage probability is listed as evidence
