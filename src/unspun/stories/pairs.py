"""What two versions of one story share, as numbers: the features of the lineage classifier (stories/model.py).

Every feature is symmetric in the two articles (the classifier decides whether one is built on the other, not
which way). Most are read from the sentence vectors, the numbers of each sentence, the names and numbers; the
text features (the word runs they share) from the sentence texts, which the store
rebuilds from the article's text when it loads features (store/stories.load_features), so that a store's
stories and a batch clustering of the same articles agree. Without sentence texts they are 0.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from unspun.stories.align import ordered_alignment
from unspun.stories.features import StoryFeatures
from unspun.stories.shingles import normalize_words

# Cosines of the multilingual encoder (nlp/multilingual.py): a translated sentence sits at 0.7-0.85 from its
# source, a model-written paraphrase at 0.5-0.7, a sentence of an independent report of the event at 0.4-0.55.
ORDERED_AT = (0.45, 0.55, 0.65, 0.75, 0.9)
COVER_AT = 0.55
FEATURES = (
    "ordered_045", "ordered_055", "ordered_065", "ordered_075",  # shorter article's sentences matched in order
    "ordered_090",  # ... nearly word for word (a copy)
    "cover_longer_055",  # share of the longer article's sentences matched at all
    "best_cosine_shorter", "best_cosine_longer",  # mean best-match cosine of each article's sentences
    "numbers_in_order",  # order-preserving share of the numbers the two share, in sentence order
    "name_overlap", "number_overlap",
    "novel_facts",  # the lower of the two shares of an article's names and numbers missing from the other
    "log_length_ratio",  # sentences, longer over shorter
    "article_cosine",
    "log_sentences_shorter",  # a few sentences align with something in any report of the event
    "phrases_shared_3", "phrases_shared_4",  # share of the shorter article's 3- and 4-word runs found in the other
)
# From the sentence texts, 0 without them. Rewrites paraphrase but keep names, titles and set phrases; copies
# keep whole runs. Tried and dropped (no gain on held-out GPT-3.5 families, eval/train_lineage.py): names in
# order and sentences citing vague or anonymous sources that have no counterpart in the other.
# Dates and datelines are left to the origin tournament (stories/lineage.py): the training pairs are undated,
# and two versions a day apart are as often two newsrooms' reports as a source and its rewrite.


def pair_features(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """The classifier's features of one pair, in the order of ``FEATURES``."""
    if len(sa) > len(sb) or (len(sa) == len(sb) and a.id > b.id):  # shorter first; ties broken by id
        a, b, sa, sb = b, a, sb, sa
    out = np.zeros(len(FEATURES), dtype=np.float64)
    if len(sa) and len(sb):
        sims = sa @ sb.T
        out[0:5] = [ordered_alignment(sa, sb, t) for t in ORDERED_AT]
        out[5] = float((sims.max(axis=0) >= COVER_AT).mean())
        out[6], out[7] = float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean())
        mean_a, mean_b = sa.mean(axis=0), sb.mean(axis=0)
        norm = float(np.linalg.norm(mean_a) * np.linalg.norm(mean_b))
        out[13] = float(mean_a @ mean_b) / norm if norm else 0.0
    out[8] = numbers_in_order(a.sentence_numbers, b.sentence_numbers)
    out[9], out[10] = _overlap(a.names, b.names), _overlap(a.numbers, b.numbers)
    facts_a, facts_b = a.names | a.numbers, b.names | b.numbers
    out[11] = min(len(facts_a - facts_b) / max(len(facts_a), 1), len(facts_b - facts_a) / max(len(facts_b), 1))
    out[12] = float(np.log((len(sb) + 1) / (len(sa) + 1)))
    out[14] = float(np.log(len(sa) + 1))
    if a.sentences and b.sentences:
        for k, n in ((15, 3), (16, 4)):
            pa, pb = _phrases(a.sentences, n), _phrases(b.sentences, n)
            out[k] = len(pa & pb) / len(pa) if pa else 0.0
    return out


@lru_cache(maxsize=4096)
def _phrases(sentences: tuple[str, ...], n: int) -> frozenset[tuple[str, ...]]:
    """The article's runs of n words (within sentences), as shingling normalises words."""
    out: set[tuple[str, ...]] = set()
    for s in sentences:
        words = normalize_words(s)
        out.update(tuple(words[k:k + n]) for k in range(len(words) - n + 1))
    return frozenset(out)


def numbers_in_order(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> float:
    """Longest common subsequence of the numbers two articles share, each at its first mention in sentence
    order, over how many they share (0 with fewer than two): a rewrite retells its source's facts in order."""
    fa, fb = _first_mentions(a), _first_mentions(b)
    common = set(fa) & set(fb)
    if len(common) < 2:
        return 0.0
    return _lcs([x for x in fa if x in common], [x for x in fb if x in common]) / len(common)


def _first_mentions(sentences: tuple[frozenset[str], ...]) -> list[str]:
    seen: dict[str, None] = {}
    for numbers in sentences:
        for n in sorted(numbers):  # within a sentence the order is not kept: sorted, the same on both sides
            seen.setdefault(n, None)
    return list(seen)


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for k, y in enumerate(b, 1):
            diagonal, row[k] = row[k], diagonal + 1 if x == y else max(row[k], row[k - 1])
    return row[-1]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def copied_share(sa: np.ndarray, sb: np.ndarray, threshold: float = 0.95) -> float:
    """Share of the shorter article's sentences found nearly word for word in the other (cosine >= threshold)."""
    if not len(sa) or not len(sb):
        return 0.0
    if len(sa) > len(sb):
        sa, sb = sb, sa
    return float(((sa @ sb.T).max(axis=1) >= threshold).mean())
