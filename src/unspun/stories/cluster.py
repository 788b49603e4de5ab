"""Group articles into stories and give each version its role (origin, derived, independent).

Rewrites keep their source's facts in order but share few exact word sequences, so the evidence is
paraphrase-level: sentence embeddings aligned between two articles, plus names and numbers, which survive
rewriting and (for numbers and Latin-script names) translation. Two articles are one story when enough of
their sentences align, or when their overall meaning and their names agree; they derive from one source
text when much of the shorter one aligns sentence by sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from unspun.stories.features import StoryFeatures, overlap

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class StoryOptions:
    """Thresholds, chosen by a grid search on ../shared/corpus/dev (104 articles; eval/stories.py and
    docs/evaluation.md): the best B-cubed F1 there, then the best derived/independent accuracy. With so little
    labelled data they are a first calibration, not a tuned model."""

    sentence_match: float = 0.72  # cosine at which two sentences state the same fact
    same_story_alignment: float = 0.40  # share of the shorter article's sentences matched
    derived_alignment: float = 0.60  # share of the shorter article's sentences matched, in the same order
    article_similarity: float = 0.80  # cosine of mean sentence vectors, with agreeing names
    name_overlap: float = 0.30
    cross_language_overlap: float = 0.50  # names and numbers, when sentences cannot be compared
    max_days_apart: int = 4  # versions of one story appear within days; a later event is another story


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


@dataclass(frozen=True)
class Vectors:
    sentences: list[np.ndarray]  # per article: (n_sentences, dim), unit rows
    articles: np.ndarray  # (n_articles, dim), unit rows


def embed_articles(features: Sequence[StoryFeatures], embed: Embed) -> Vectors:
    """One batch of every sentence of every article through the encoder."""
    flat = [s for f in features for s in f.sentences]
    matrix = embed(flat) if flat else np.zeros((0, 384), dtype=np.float32)
    dim = matrix.shape[1] if matrix.size else 384
    sentences, start = [], 0
    for f in features:
        sentences.append(matrix[start : start + len(f.sentences)])
        start += len(f.sentences)
    means = np.stack([s.mean(axis=0) if len(s) else np.zeros(dim, dtype=np.float32) for s in sentences])
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return Vectors(sentences, means / np.where(norms == 0, 1, norms))


def alignment(a: np.ndarray, b: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share of a's sentences found in b, share of b's found in a)."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    sims = a @ b.T
    return float((sims.max(axis=1) >= threshold).mean()), float((sims.max(axis=0) >= threshold).mean())


def ordered_alignment(a: np.ndarray, b: np.ndarray, threshold: float) -> float:
    """Share of the shorter article's sentences matched in the same order in the other: a rewrite keeps
    its source's facts in order, two independent reports of one event rarely do."""
    if not len(a) or not len(b):
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    sims = a @ b.T
    best = sims.argmax(axis=1)
    matched = [int(best[k]) for k in range(len(a)) if sims[k, best[k]] >= threshold]
    return _longest_increasing(matched) / len(a)


def _longest_increasing(values: list[int]) -> int:
    import bisect

    tails: list[int] = []
    for v in values:
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
    return len(tails)


def cluster_stories(features: Sequence[StoryFeatures], vectors: Vectors, options: StoryOptions | None = None,
                    candidates: set[tuple[int, int]] | None = None) -> list[Story]:
    """Stories over the articles, every article in exactly one (singletons included)."""
    opt = options or StoryOptions()
    n = len(features)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = candidates if candidates is not None else _candidate_pairs(features, vectors, opt)
    derived: dict[tuple[int, int], tuple[float, float]] = {}
    for i, j in sorted(pairs):
        same, cover = _same_story(features[i], features[j], vectors, i, j, opt)
        if not same:
            continue
        parent[find(i)] = find(j)
        if max(cover) and ordered_alignment(vectors.sentences[i], vectors.sentences[j],
                                            opt.sentence_match) >= opt.derived_alignment:
            derived[(i, j)] = cover
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    stories = [_story(members, features, derived) for members in groups.values()]
    stories.sort(key=lambda s: (-len(s.articles), s.articles[0]))
    for number, story in enumerate(stories, start=1):
        story.id = f"story-{number}"
    return stories


def _candidate_pairs(features: Sequence[StoryFeatures], vectors: Vectors, opt: StoryOptions) -> set[tuple[int, int]]:
    """Pairs worth aligning: similar overall meaning (brute force, fine to tens of thousands of articles),
    and every pair with an article in another language, which the English encoder cannot place."""
    sims = vectors.articles @ vectors.articles.T
    i, j = np.nonzero(np.triu(sims >= opt.article_similarity - 0.25, k=1))
    pairs = {(int(a), int(b)) for a, b in zip(i, j, strict=True)}
    foreign = [k for k, f in enumerate(features) if f.language not in (None, "en", "und")]
    for k in foreign:
        pairs.update((min(k, m), max(k, m)) for m in range(len(features)) if m != k)
    return pairs


def _same_story(a: StoryFeatures, b: StoryFeatures, vectors: Vectors, i: int, j: int,
                opt: StoryOptions) -> tuple[bool, tuple[float, float]]:
    names, numbers = overlap(a.names, b.names), overlap(a.numbers, b.numbers)
    if _too_far_apart(a.published, b.published, opt.max_days_apart):
        return False, (0.0, 0.0)
    foreign = a.language not in (None, "en", "und") or b.language not in (None, "en", "und")
    if foreign:  # the English encoder cannot read other languages: names and numbers must agree
        shared = len(a.numbers & b.numbers) >= 2 and len(a.names & b.names) >= 2  # one shared year or name is chance
        agree = names >= opt.cross_language_overlap and numbers >= opt.cross_language_overlap
        return shared and agree, (0.0, 0.0)
    cover = alignment(vectors.sentences[i], vectors.sentences[j], opt.sentence_match)
    similarity = float(vectors.articles[i] @ vectors.articles[j])
    same = max(cover) >= opt.same_story_alignment or (
        similarity >= opt.article_similarity and names >= opt.name_overlap)
    return same, cover


def _too_far_apart(a: str | None, b: str | None, days: int) -> bool:
    import datetime as dt

    if not a or not b:
        return False
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days) > days
    except ValueError:
        return False


def _story(members: list[int], features: Sequence[StoryFeatures], derived: dict[tuple[int, int], tuple[float, float]]) -> Story:
    ids = [features[m].id for m in members]
    edges = {pair: cover for pair, cover in derived.items() if pair[0] in members}
    family = sorted({m for pair in edges for m in pair})
    roles = {features[m].id: "independent" for m in members}
    origin: int | None = None
    confidence, sources = 0.0, {}
    if family:
        origin, confidence = _origin(family, edges, features)
        if confidence < opt_origin_margin(len(family)):
            origin = None  # no version stands out: they share a source that is not in the corpus
        for m in family:
            roles[features[m].id] = "origin" if m == origin else "derived"
        for x, y in edges:
            for child, parent in ((x, y), (y, x)):
                if parent == origin and child != origin:
                    sources[features[child].id] = features[parent].id
    evidence = {f"{features[x].id}|{features[y].id}": round(max(c), 3) for (x, y), c in edges.items()}
    credited = Counter(outlet for m in (family or members) for outlet in features[m].attributed)
    return Story(id="", articles=ids, roles=roles, origin=features[origin].id if origin is not None else None,
                 origin_confidence=round(confidence, 2) if origin is not None else 0.0, derived_from=sources,
                 evidence=evidence, attributed_source=credited.most_common(1)[0][0] if credited else None)


def opt_origin_margin(family_size: int) -> float:
    """The origin must hold more than an equal share of the family's evidence; with two versions, clearly
    more (two siblings rewriting one unseen source cover each other about equally)."""
    return 0.6 if family_size == 2 else 1.0 / family_size + 0.05


def _origin(family: list[int], edges: dict[tuple[int, int], tuple[float, float]],
            features: Sequence[StoryFeatures]) -> tuple[int, float]:
    """The version the others derive from: its sentences recur in them (containment), it was published
    first, and it is the fullest. Confidence is the winner's share of the combined score."""
    recurs = dict.fromkeys(family, 0.0)
    for (x, y), (x_in_y, y_in_x) in edges.items():
        recurs[x] += x_in_y  # x's sentences found again in y: y may be built on x
        recurs[y] += y_in_x
    dates = sorted(d for d in (features[m].published for m in family) if d)
    scores = {}
    for m in family:
        early = 1.0 if features[m].published and dates and features[m].published == dates[0] else 0.0
        scores[m] = recurs[m] + 0.5 * early + 0.001 * len(features[m].sentences)
    best = max(scores, key=lambda m: scores[m])
    total = sum(scores.values()) or 1.0
    return best, scores[best] / total
