"""Find persuasion-technique spans in a parsed Doc and label each with a SemEval-2020 Task 11 technique.

Two small linear models, trained by ``eval/train_techniques.py`` on PTC train (see ``model/README.md``):
a token tagger marks tokens inside some technique (span identification), and a softmax over the 14 PTC
classes labels each span (technique classification). Both read only what the Doc already has: words,
lemmas, tags, dependencies, entities (and, for the tagger, the tok2vec tensor); the classifier also matches
the hand-written cue phrases of ``model/cues.tsv`` (authority, whataboutism, false dilemma, ...).

>>> detector = TechniqueDetector()
>>> [(s.technique, s.text) for s in detector.detect(nlp("... their disgusting lies are destroying our great nation ..."))]
[('Loaded_Language', 'their disgusting lies are destroying our great nation'), ...]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Span

from unspun.calibration import platt_probability
from unspun.errors import ModelError
from unspun.extract.cues import doc_text
from unspun.techniques.features import (
    char_span,
    doc_context,
    doc_tensor,
    span_dense,
    span_features,
)
from unspun.techniques.token_scores import TokenWeights

MODEL_FILE = "techniques.npz"
# The score from which reports show a span, chosen for precision on half of PTC dev (eval/techniques_shown.py).
SHOWN_FILE = "shown.json"

# The PTC names file (propaganda-techniques-names-semeval2020task11.txt) and a reader's name for each.
TECHNIQUE_NAMES: dict[str, str] = {
    "Appeal_to_Authority": "appeal to authority",
    "Appeal_to_fear-prejudice": "appeal to fear or prejudice",
    "Bandwagon,Reductio_ad_hitlerum": "bandwagon or reductio ad Hitlerum",
    "Black-and-White_Fallacy": "false dilemma (black and white)",
    "Causal_Oversimplification": "causal oversimplification",
    "Doubt": "doubt",
    "Exaggeration,Minimisation": "exaggeration or minimisation",
    "Flag-Waving": "flag-waving",
    "Loaded_Language": "loaded language",
    "Name_Calling,Labeling": "name calling or labelling",
    "Repetition": "repetition",
    "Slogans": "slogan",
    "Thought-terminating_Cliches": "thought-terminating cliché",
    "Whataboutism,Straw_Men,Red_Herring": "whataboutism, straw man or red herring",
}


@dataclass(frozen=True)
class TechniqueSpan:
    """A stretch of the article's text using one technique; doc.text[start:end] == text."""

    text: str
    start: int
    end: int
    technique: str
    # How likely the span is to use this technique: P(inside a technique) of its most confident token x
    # P(this technique | a technique span), calibrated (Platt scaling on PTC dev half A) into the share of such
    # spans that overlap a gold span of the same technique.
    score: float
    shown: bool = True  # whether reports show it (score >= the shown threshold, and not names and numbers only)

    @property
    def label(self) -> str:
        return TECHNIQUE_NAMES.get(self.technique, self.technique)


def _sum_weights(rows: list[list[str]], vocab: dict[str, int], weights: np.ndarray) -> np.ndarray:
    """Per row, the sum of the weights of its distinct known features (binary features, as in training)."""
    get = vocab.get
    ids: list[int] = []
    counts = np.zeros(len(rows), dtype=np.int64)
    for r, row in enumerate(rows):
        known = set(map(get, row))
        known.discard(None)
        ids.extend(known)  # type: ignore[arg-type]  # None was discarded
        counts[r] = len(known)
    out = np.zeros((len(rows), *weights.shape[1:]), dtype=np.float64)
    if not ids:
        return out
    picked = weights[np.array(ids, dtype=np.int64)].astype(np.float64)
    filled = counts > 0  # rows own consecutive runs of ids: sum each run at once (np.add.at was 3x slower)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[filled]
    out[filled] = np.add.reduceat(picked, starts, axis=0)
    return out


class TechniqueDetector:
    """Loads the weights once; ``detect(doc)`` finds spans, ``classify(doc, spans)`` labels given spans."""

    def __init__(self, path: Path | None = None, calibrated: bool = True) -> None:
        if path is None:
            path = Path(str(resources.files("unspun.techniques") / "model" / MODEL_FILE))
        if not path.is_file():
            raise ModelError(f"no technique weights at {path}; run eval/train_techniques.py to build them")
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        self.classes: list[str] = str(arrays["classes"]).split("\n")
        unknown = set(self.classes) - set(TECHNIQUE_NAMES)
        if unknown:
            raise ModelError(f"technique weights name unknown classes {sorted(unknown)}; retrain them")
        self.si_vocab = {f: i for i, f in enumerate(str(arrays["si_vocab"]).split("\n"))}
        self.si_sparse = arrays["si_sparse"]
        self._token_weights = TokenWeights(self.si_vocab, self.si_sparse)
        self.si_dense = arrays["si_dense"]
        self.si_bias = float(arrays["si_bias"])
        self.si_threshold = float(arrays["si_threshold"])
        # weights from before hysteresis decoding have no seed threshold: every run is then kept
        self.si_seed_threshold = float(arrays.get("si_seed_threshold", self.si_threshold))
        self.si_min_tokens = int(arrays["si_min_tokens"])
        self.tc_vocab = {f: i for i, f in enumerate(str(arrays["tc_vocab"]).split("\n"))}
        self.tc_sparse = arrays["tc_sparse"]
        self.tc_dense = arrays["tc_dense"]
        self.tc_bias = arrays["tc_bias"]
        self.tc_mean = arrays["tc_mean"]
        self.tc_std = arrays["tc_std"]
        shown = path.with_name(SHOWN_FILE)
        try:
            settings = json.loads(shown.read_text(encoding="utf-8"))
            # Platt scaling of the raw confidence (a, b: p = sigmoid(a * logit(raw) + b)), fitted on PTC dev half A
            self.calibration = tuple(float(x) for x in settings.get("calibration", (1.0, 0.0))) if calibrated \
                else (1.0, 0.0)
            key = "threshold" if calibrated else "raw_threshold"
            self.shown_threshold = float(settings.get(key, settings["threshold"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"cannot read the technique spans' shown threshold {shown}: {exc}; run "
                             "eval/techniques_shown.py --write-threshold") from exc

    def calibrate(self, raw: float) -> float:
        """The estimated probability that a span of this raw confidence uses its technique (Platt scaling)."""
        a, b = self.calibration
        return platt_probability(raw, a, b)

    # --- span identification -------------------------------------------------------------------
    def token_scores(self, doc: Doc) -> np.ndarray:
        """Probability that each token lies inside some technique span."""
        if len(doc) == 0:
            return np.zeros(0)
        logits = self._token_weights.logits(doc)  # token_features' weights, without writing their strings
        logits += doc_tensor(doc) @ self.si_dense
        return 1.0 / (1.0 + np.exp(-(logits + self.si_bias)))

    def find_spans(self, doc: Doc, probs: np.ndarray | None = None) -> list[tuple[int, int]]:
        """Character spans of runs of tokens above the threshold, within one sentence, edges trimmed.

        Hysteresis: a run is kept only when one of its tokens reaches the (higher) seed threshold, so a
        weak run of tokens on its own is dropped while a confident token still extends over its neighbours.
        """
        if probs is None:
            probs = self.token_scores(doc)
        spans: list[tuple[int, int]] = []
        run: list[int] = []
        for tok in doc:
            inside = probs[tok.i] >= self.si_threshold and not tok.is_space
            if inside and run and tok.is_sent_start:  # runs are contiguous: a new sentence ends one
                spans.append(self._run_span(doc, run, probs))
                run = []
            if inside:
                run.append(tok.i)
            elif run:
                spans.append(self._run_span(doc, run, probs))
                run = []
        if run:
            spans.append(self._run_span(doc, run, probs))
        return [s for s in spans if s[1] > s[0]]

    def _run_span(self, doc: Doc, run: list[int], probs: np.ndarray) -> tuple[int, int]:
        toks = [doc[i] for i in run]
        while toks and toks[-1].is_punct and not toks[-1].is_quote:
            toks.pop()
        while toks and toks[0].is_punct and not toks[0].is_quote:
            toks.pop(0)
        if len([t for t in toks if not t.is_punct]) < self.si_min_tokens:
            return (0, 0)
        if not toks or max(probs[t.i] for t in toks) < self.si_seed_threshold:
            return (0, 0)
        return (toks[0].idx, toks[-1].idx + len(toks[-1].text))

    # --- technique classification --------------------------------------------------------------
    def probabilities(self, doc: Doc, spans: list[tuple[int, int]]) -> np.ndarray:
        """One row of class probabilities (ordered as self.classes) per character span."""
        if not spans:
            return np.zeros((0, len(self.classes)))
        ctx = doc_context(doc)
        token_spans = [char_span(doc, start, end) for start, end in spans]
        dense = np.stack([span_dense(s) for s in token_spans])
        logits = (dense - self.tc_mean) / self.tc_std @ self.tc_dense + self.tc_bias
        logits += _sum_weights([span_features(ctx, s) for s in token_spans], self.tc_vocab, self.tc_sparse)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def classify(self, doc: Doc, spans: list[tuple[int, int]]) -> list[list[tuple[str, float]]]:
        """For each span, every technique with its probability, best first."""
        probs = self.probabilities(doc, spans)
        order = np.argsort(-probs, axis=1, kind="stable")
        return [
            [(self.classes[j], float(row[j])) for j in idx] for row, idx in zip(probs, order, strict=True)
        ]

    def detect(self, doc: Doc) -> list[TechniqueSpan]:
        """Technique spans of the Doc, in text order, each with its most likely technique and score."""
        probs = self.token_scores(doc)
        spans = self.find_spans(doc, probs)
        labelled = self.classify(doc, spans)
        text = doc_text(doc)
        found = []
        for (start, end), best in zip(spans, labelled, strict=True):
            tokens = char_span(doc, start, end)
            score = self.calibrate(max((float(probs[t.i]) for t in tokens), default=0.0) * best[0][1])
            shown = score >= self.shown_threshold and not names_and_numbers(tokens)
            found.append(TechniqueSpan(text[start:end], start, end, best[0][0], round(score, 4), shown))
        return found


def names_and_numbers(tokens: Span) -> bool:
    """Whether a span says nothing but names, nationalities, numbers and function words ("the Russian-Indian",
    "the Kremlin's Dmitry Peskov", "in 2023"; not "Sino-Indian relations"): such spans are never shown, since
    calling them name calling or loaded language was a common wrong flag on plain ministry statements."""
    content = [t for t in tokens if not (t.is_punct or t.is_space or t.is_stop)]
    return all(t.ent_type_ or t.pos_ in ("PROPN", "NUM") or t.like_num for t in content)
