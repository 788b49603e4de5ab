"""Narrative detection: hashed word features scored by small trained linear heads, with the sentences behind each label.

Each sentence becomes a bag of hashed words and word pairs; the article is the sum of its sentences. One
logistic head per narrative and per sub-narrative (weights in ``heads/narratives.npz``, trained by
``eval/train_narratives.py`` on SemEval-2025 English train) scores the article; the same head applied to each
sentence alone says which sentences carry the label. A narrative whose article score is under the calibrated
threshold is dropped; when none is left the detector abstains with the bare label ``Other``.

    >>> detector = NarrativeDetector()
    >>> [label.label for label in detector.detect("The match ended in a goalless draw on Sunday.")]
    ['Other']

Why not sentence embeddings: the packaged encoder runs at about 160 sentences/s, so embedding every sentence of
a 600-word article costs about 0.15 s, more than the whole base analysis; hashing costs about 2 ms. The catalog
is used for the label inventory, the hierarchy and the ``<narrative>: Other`` fallback.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zlib
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from unspun.errors import ModelError
from unspun.narratives.catalog import NO_NARRATIVE, Catalog, load_catalog

HEADS_FILE = "narratives.npz"
# 2**14 hash buckets: 64 heads x 16384 float16 weights are 2 MB (1.9 MB compressed). Not tuned: the ~20,000
# distinct words and pairs of 200 training articles fit with few collisions.
DIMENSIONS = 1 << 14
MAX_EVIDENCE = 3  # sentences kept per label: enough to show the claim, few enough to read

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# A sentence ends at . ! or ? (optionally followed by a closing quote) before whitespace and a capital,
# a digit or an opening quote; a line break always ends one. Cheap, and needs no spaCy Doc.
_BOUNDARY = re.compile(r"(?<=[.!?])[”’\"')]?\s+(?=[“‘\"'(A-Z0-9])|\n+")

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Evidence:
    """A sentence that carries a label: ``text == article[start:end]``; score in [0, 1]."""

    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class SubLabel:
    """A sub-narrative of a detected narrative, with its score in [0, 1]."""

    label: str
    score: float


@dataclass(frozen=True)
class NarrativeLabel:
    """A detected narrative (or the abstention ``Other``), its score in [0, 1], sub-narratives and evidence."""

    label: str
    score: float
    sub_labels: tuple[SubLabel, ...] = ()
    evidence: tuple[Evidence, ...] = ()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, without surrounding whitespace."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        spans.append((start, match.start() + len(match.group(0)) - len(match.group(0).lstrip("”’\"')"))))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            offset = begin + len(piece) - len(piece.lstrip())
            trimmed.append((offset, offset + len(stripped)))
    return trimmed


def hash_terms(sentence: str) -> IntArray:
    """Hash buckets of the sentence's lower-cased words and adjacent word pairs (crc32: stable across runs)."""
    words = _WORD.findall(sentence.lower())
    terms = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    mask = DIMENSIONS - 1
    return np.fromiter((zlib.crc32(t.encode()) & mask for t in terms), dtype=np.int64, count=len(terms))


def weigh_terms(terms: IntArray, idf: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sparse tf-idf vector (bucket indices, unit-length values) of a bag of hashed terms."""
    index, counts = np.unique(terms, return_counts=True)
    values = ((1.0 + np.log(counts)) * idf[index]).astype(np.float32)
    norm = float(np.linalg.norm(values))
    return index, values / norm if norm > 0 else values


@dataclass(frozen=True)
class Heads:
    """Trained linear heads: ``logit = x @ weights + bias`` per label, and the calibrated thresholds."""

    labels: tuple[str, ...]
    weights: FloatArray  # DIMENSIONS x len(labels)
    bias: FloatArray
    idf: FloatArray
    other_threshold: float  # abstain when the 'Other' head (no narrative) scores at least this
    narrative_threshold: float  # narratives after the best one need this score
    sub_threshold: float

    def logits(self, index: IntArray, values: FloatArray) -> FloatArray:
        result: FloatArray = values @ self.weights[index] + self.bias
        return result


def load_heads(path: str | None = None) -> Heads:
    """The packaged heads (or those in the .npz file at `path`); ModelError if missing or malformed."""
    try:
        if path is None:
            with resources.files("unspun.narratives").joinpath("heads", HEADS_FILE).open("rb") as handle:
                data = dict(np.load(handle, allow_pickle=False))
        else:
            data = dict(np.load(path, allow_pickle=False))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read narrative heads {path or HEADS_FILE}: {exc}; rerun eval/train_narratives.py")
    if data["weights"].shape != (DIMENSIONS, len(data["labels"])):
        raise ModelError(f"narrative heads {path or HEADS_FILE} do not match {DIMENSIONS} hash buckets; retrain")
    return Heads(
        labels=tuple(str(label) for label in data["labels"]),
        weights=data["weights"].astype(np.float32),
        bias=data["bias"].astype(np.float32),
        idf=data["idf"].astype(np.float32),
        other_threshold=float(data["other_threshold"]),
        narrative_threshold=float(data["narrative_threshold"]),
        sub_threshold=float(data["sub_threshold"]),
    )


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0))), dtype=np.float32)


class NarrativeDetector:
    """Finds catalog narratives in an article; built once (loads catalog and heads), then pure per call.

    `detect` abstains with one ``Other`` label (no evidence) when the no-narrative head passes its calibrated
    threshold; otherwise it returns the best narrative and any other whose score passes the narrative threshold,
    best first, each with its sub-narratives (``<narrative>: Other`` when none passes) and up to three evidence
    sentences.
    """

    def __init__(self, heads: Heads | None = None, catalog: Catalog | None = None) -> None:
        self.heads = heads if heads is not None else _default_heads()
        self.catalog = catalog if catalog is not None else load_catalog()
        column = {label: n for n, label in enumerate(self.heads.labels)}
        self._narratives: list[tuple[str, int, list[tuple[str, int]]]] = []
        for narrative in self.catalog.narratives:
            if narrative.label not in column:
                continue  # no head: too few training articles carried it
            subs = [(s.label, column[s.label]) for s in narrative.sub_narratives if s.label in column]
            self._narratives.append((narrative.label, column[narrative.label], subs))
        self._other = column.get(NO_NARRATIVE)

    def detect(self, text: str, doc: object | None = None) -> list[NarrativeLabel]:
        """Labels of `text` with scores and evidence; `doc` (a spaCy Doc of `text`) supplies its sentences."""
        spans = _doc_spans(doc) if doc is not None else split_sentences(text)
        terms = [hash_terms(text[start:end]) for start, end in spans]
        if not terms or not sum(len(t) for t in terms):
            return [NarrativeLabel(NO_NARRATIVE, 1.0)]
        idf = self.heads.idf
        article = _sigmoid(self.heads.logits(*weigh_terms(np.concatenate(terms), idf)))
        other = float(article[self._other]) if self._other is not None else 0.0
        if other >= self.heads.other_threshold or not self._narratives:
            return [NarrativeLabel(NO_NARRATIVE, round(other, 4))]
        ranked = sorted(self._narratives, key=lambda item: (-float(article[item[1]]), item[0]))
        results: list[NarrativeLabel] = []
        for rank, (label, col, subs) in enumerate(ranked):
            score = float(article[col])
            if rank > 0 and score < self.heads.narrative_threshold:
                break
            sub_labels = [SubLabel(s, float(article[c])) for s, c in subs if not s.endswith(": Other")]
            sub_labels = [s for s in sub_labels if s.score >= self.heads.sub_threshold]
            sub_labels.sort(key=lambda s: (-s.score, s.label))
            if not sub_labels:
                best = max((float(article[c]) for s, c in subs if not s.endswith(": Other")), default=0.0)
                sub_labels = [SubLabel(f"{label}: Other", round(1.0 - best, 4))]
            evidence = self._evidence(text, spans, terms, col)
            results.append(NarrativeLabel(label, round(score, 4), tuple(sub_labels), evidence))
        return results

    def _evidence(
        self, text: str, spans: list[tuple[int, int]], terms: list[IntArray], col: int
    ) -> tuple[Evidence, ...]:
        """The sentences the label's head scores highest on their own (those within half the best score)."""
        scored = []
        for (start, end), bag in zip(spans, terms, strict=True):
            if len(bag):
                index, values = weigh_terms(bag, self.heads.idf)
                logit = float(values @ self.heads.weights[index, col] + self.heads.bias[col])
                scored.append((1.0 / (1.0 + math.exp(-min(max(logit, -30.0), 30.0))), start, end))
        scored.sort(key=lambda item: (-item[0], item[1]))
        top = scored[0][0] if scored else 0.0
        kept = [item for item in scored[:MAX_EVIDENCE] if item[0] >= top / 2]
        kept.sort(key=lambda item: item[1])
        return tuple(Evidence(text[s:e], s, e, round(score, 4)) for score, s, e in kept)


def _doc_spans(doc: object) -> list[tuple[int, int]]:
    spans = []
    for sent in getattr(doc, "sents", ()):
        start, end = sent.start_char, sent.end_char
        piece = sent.text
        if piece.strip():
            start += len(piece) - len(piece.lstrip())
            end -= len(piece) - len(piece.rstrip())
            spans.append((start, end))
    return spans


@functools.cache
def _default_heads() -> Heads:
    return load_heads()
