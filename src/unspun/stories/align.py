"""Sentence vectors of articles and how two articles' sentences line up (containment, order)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from unspun.nlp.multilingual import DIMENSIONS as MULTILINGUAL_DIMENSIONS
from unspun.stories.features import StoryFeatures

Embed = Callable[[list[str]], np.ndarray]
DIMENSIONS = MULTILINGUAL_DIMENSIONS


@dataclass(frozen=True)
class Vectors:
    sentences: list[np.ndarray]  # per article: (n_sentences, dim), unit rows
    articles: np.ndarray  # (n_articles, dim), unit rows


def embed_articles(features: Sequence[StoryFeatures], embed: Embed) -> Vectors:
    """One batch of every sentence of every article through the encoder."""
    flat = [s for f in features for s in f.sentences]
    matrix = embed(flat) if flat else np.zeros((0, DIMENSIONS), dtype=np.float32)
    sentences, start = [], 0
    for f in features:
        sentences.append(matrix[start : start + len(f.sentences)])
        start += len(f.sentences)
    return Vectors(sentences, mean_vectors(sentences, matrix.shape[1] if matrix.size else DIMENSIONS))


def known_first(known: dict[str, np.ndarray], fallback: Embed) -> Embed:
    """An Embed that takes the vectors it knows (e.g. stored ones) and encodes only the other texts, which it
    then knows too (``known`` grows)."""

    def embed(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, fallback(missing), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32)

    return embed


def mean_vectors(sentences: Sequence[np.ndarray], dim: int = DIMENSIONS) -> np.ndarray:
    """One unit vector per article: the normalised mean of its sentence vectors (zeros when it has none)."""
    if not sentences:
        return np.zeros((0, dim), dtype=np.float32)
    dim = sentences[0].shape[1] if sentences[0].ndim == 2 else dim
    means = np.stack([s.mean(axis=0) if len(s) else np.zeros(dim, dtype=np.float32) for s in sentences])
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return (means / np.where(norms == 0, 1, norms)).astype(np.float32)


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
    tails: list[int] = []
    for v in values:
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
    return len(tails)


@dataclass(frozen=True)
class Matchable:
    """One article as story matching sees it: its features, sentence vectors and MinHash signature."""

    features: StoryFeatures
    sentences: np.ndarray
    signature: np.ndarray | None = None
