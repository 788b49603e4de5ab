"""Group articles into stories and give each version its role (origin, derived, independent).

Rewrites keep their source's facts in order but share few exact word sequences, so the evidence is
paraphrase-level: sentence embeddings aligned between two articles, plus names and numbers, which survive
rewriting and (for numbers and Latin-script names) translation. Candidate pairs come from an index
(stories/candidates.py); two candidates are one story when enough of their sentences align, or when their
overall meaning and their names agree; within a story, versions derive from one source text when much of
the shorter one aligns with the other sentence by sentence and in order, with the same facts in the same
order and few new ones, as a classifier trained on rewrite families judges it (stories/lineage.py,
stories/pairs.py, stories/model.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from unspun.stories.align import Vectors, alignment
from unspun.stories.candidates import (
    CandidateIndex,
    CandidateOptions,
    identity_keys,
    is_foreign,
    signature_of,
)
from unspun.stories.features import StoryFeatures, overlap
from unspun.stories.lineage import (
    ORIGIN_MIN_CONFIDENCE,
    credited_outlet,
    days_between,
    derived_edges,
    find_origin,
)

MIN_WORDS = 20  # below this an article states too little to match (a headline, a teaser, an error page)


@dataclass(frozen=True)
class StoryOptions:
    """Thresholds. The story ones were chosen by a grid search on ../shared/corpus/dev (104 articles;
    eval/stories.py and docs/evaluation.md), the best B-cubed F1 there: with so little labelled data a first
    calibration, not a tuned model. Which versions derive from which is decided by a trained classifier
    (stories/model.py), not fitted on the corpus."""

    sentence_match: float = 0.72  # cosine at which two sentences state the same fact
    same_story_alignment: float = 0.40  # share of the shorter article's sentences matched
    derived_probability: float | None = None  # lineage classifier's bar for "built on the other"; None: the
    # packaged model's own (chosen by cross-validation on its training pairs, eval/train_lineage.py)
    derived_sentence_match: float = 0.65  # cosine at which a sentence counts as rewritten (the edges' evidence)
    article_similarity: float = 0.80  # cosine of mean sentence vectors, with agreeing names
    name_overlap: float = 0.30
    cross_language_overlap: float = 0.50  # names and numbers, when sentences cannot be compared
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
    evidence: dict[str, float] = field(default_factory=dict)  # pair "a|b" -> sentence alignment
    attributed_source: str | None = None  # the outlet the versions credit, e.g. when the origin is not stored
    notes: dict[str, str] = field(default_factory=dict)  # article id -> why it was excluded or how it matched


def story_id(article_ids: Iterable[str]) -> str:
    """A story's id: stable while the story keeps its first article (by id)."""
    return f"story:{min(article_ids)}"


def cluster_stories(features: Sequence[StoryFeatures], vectors: Vectors,
                    options: StoryOptions | None = None) -> list[Story]:
    """Stories over the articles, every article in exactly one (singletons included), largest first."""
    opt = options or StoryOptions()
    index = CandidateIndex(opt.candidates)
    index.add([f.id for f in features], vectors.articles,
              [signature_of(" ".join(f.sentences), opt.candidates) if comparable(f) else None for f in features],
              [identity_keys(f.names, f.numbers) if comparable(f) else frozenset() for f in features],
              [f.language for f in features])
    groups = link(features, vectors, index.pairs_for(range(len(features))), opt)
    return sorted((build_story(m, features, vectors, opt) for m in groups), key=lambda s: (-len(s.articles), s.id))


def comparable(f: StoryFeatures) -> bool:
    return f.words >= MIN_WORDS


def link(features: Sequence[StoryFeatures], vectors: Vectors, pairs: Iterable[tuple[int, int]], opt: StoryOptions,
         groups: Iterable[Sequence[int]] = ()) -> list[list[int]]:
    """Union the verified candidate pairs (and any given groups, e.g. stories already stored) into stories."""
    parent = list(range(len(features)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in groups:
        for m in group[1:]:
            parent[find(m)] = find(group[0])
    for i, j in sorted(pairs):
        if find(i) != find(j) and comparable(features[i]) and comparable(features[j]) and same_story(
                features[i], features[j], vectors.sentences[i], vectors.sentences[j],
                float(vectors.articles[i] @ vectors.articles[j]), opt):
            parent[find(i)] = find(j)
    out: dict[int, list[int]] = {}
    for i in range(len(features)):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def same_story(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray, similarity: float,
               opt: StoryOptions) -> bool:
    """Whether two articles report one event: identical texts; in another language, enough shared names and
    numbers; in English, enough aligned sentences, or close overall meaning with agreeing names."""
    if a.fingerprint and a.fingerprint == b.fingerprint:
        return True
    if abs(days_between(a.published, b.published)) > opt.max_days_apart:
        return False
    names, numbers = overlap(a.names, b.names), overlap(a.numbers, b.numbers)
    if is_foreign(a.language) or is_foreign(b.language):  # the English encoder cannot read other languages
        shared = len(a.numbers & b.numbers) >= 2 and len(a.names & b.names) >= 2  # one shared year or name is chance
        return shared and names >= opt.cross_language_overlap and numbers >= opt.cross_language_overlap
    cover = alignment(sa, sb, opt.sentence_match)
    same = max(cover) >= opt.same_story_alignment or (similarity >= opt.article_similarity
                                                        and names >= opt.name_overlap)
    return same and not numbers_conflict(a, b, sa, sb, opt.sentence_match)


def numbers_conflict(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray, threshold: float) -> bool:
    """Whether matching sentences report different numbers more often than the same ones (at least twice):
    the next day's drone tally, another year's summit. Versions of one story keep their source's numbers."""
    if not len(sa) or not len(sb) or len(a.sentence_numbers) != len(sa) or len(b.sentence_numbers) != len(sb):
        return False
    sims = sa @ sb.T
    agree = conflict = 0
    for i, j in enumerate(sims.argmax(axis=1)):
        na, nb = a.sentence_numbers[i], b.sentence_numbers[int(j)]
        if sims[i, j] >= threshold and na and nb:
            agree, conflict = (agree + 1, conflict) if na & nb else (agree, conflict + 1)
    return conflict >= 2 and conflict > agree


def build_story(members: list[int], features: Sequence[StoryFeatures], vectors: Vectors, opt: StoryOptions) -> Story:
    """Roles, origin and evidence of one story's versions."""
    ids = [features[m].id for m in members]
    edges, copies = derived_edges(members, features, vectors, opt.derived_sentence_match, opt.derived_probability)
    family = sorted({m for pair in edges for m in pair})
    roles = {features[m].id: "independent" for m in members}
    origin: int | None = None
    confidence, sources = 0.0, {}
    if family:
        origin, confidence = find_origin(family, features, vectors.sentences)
        if confidence < ORIGIN_MIN_CONFIDENCE:
            origin = None  # no version stands out: they share a source that is not in the corpus
        for m in family:
            roles[features[m].id] = "origin" if m == origin else "derived"
        for x, y in edges:
            for child, parent in ((x, y), (y, x)):
                if parent == origin and child != origin:
                    sources[features[child].id] = features[parent].id
    notes = {features[copy].id: f"same text as {features[of].id}" for copy, of in copies.items()}
    notes.update({features[m].id: f"too short to compare ({features[m].words} words; at least {MIN_WORDS} needed)"
                  for m in members if not comparable(features[m])})
    for m in (m for m in members if not features[m].published and len(members) > 1):
        notes.setdefault(features[m].id, "no publication date: placed by its text alone")
    evidence = {f"{features[x].id}|{features[y].id}": round(max(c), 3) for (x, y), c in edges.items()}
    return Story(id=story_id(ids), articles=ids, roles=roles,
                 origin=features[origin].id if origin is not None else None,
                 origin_confidence=round(confidence, 2) if origin is not None else 0.0, derived_from=sources,
                 evidence=evidence, attributed_source=credited_outlet(family or members, features), notes=notes)
