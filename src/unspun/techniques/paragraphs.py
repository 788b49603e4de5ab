"""Persuasion techniques per paragraph, in the SemEval-2023 Task 3 (subtask 3) inventory of 23 techniques.

Each paragraph (a non-blank line of the article) is embedded with the packaged multilingual sentence encoder
(nlp/multilingual.py); one logistic head per technique (``model/paragraphs.npz``, trained by
``eval/train_paragraph_techniques.py`` on the English SemEval-2023 lines of the PTC-train articles, never the 75
PTC-dev ones it is scored on) gives the probability that the paragraph uses the technique. A technique is kept
from its own threshold (best F1 out of fold, for those who want recall) and shown in reports from one higher
score chosen out of fold for precision (docs/evaluation.md, issue #15).

Opt-in (`unspun analyze --paragraphs`): embedding every paragraph costs about 35 % more time, over the analysis'
speed budget (bench/analysis_speed.py: 1.58x bare spaCy against 1.21x); the span detector (techniques/detect.py)
runs always.

    >>> [(t.technique, t.start) for t in ParagraphTechniqueDetector().detect("They are traitors.\\n\\nVote now!")]
    ... # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from unspun.errors import ModelError
from unspun.nlp.encoder import Encoder

MODEL_FILE = "paragraphs.npz"
ENCODER_DIMENSIONS = 512
# What is embedded of a paragraph: its first MAX_WORDS words, at most MAX_CHARS characters. The encoder's memory
# grows with a text's tokens, and a one-line article of a million characters, or a line with
# no spaces, must not take gigabytes. Training applies the same cut (eval/train_paragraph_techniques.py): 35 of
# its 7,895 lines are longer than 256 words.
MAX_WORDS = 256
MAX_CHARS = 2_000
ENCODER = "use-multilingual-v3"  # the encoder the heads were trained on; the file names it and is checked

# A reader's name for each SemEval-2023 subtask 3 technique.
PARAGRAPH_TECHNIQUE_NAMES: dict[str, str] = {
    "Appeal_to_Authority": "appeal to authority",
    "Appeal_to_Fear-Prejudice": "appeal to fear or prejudice",
    "Appeal_to_Hypocrisy": "appeal to hypocrisy",
    "Appeal_to_Popularity": "appeal to popularity",
    "Appeal_to_Time": "appeal to time",
    "Appeal_to_Values": "appeal to values",
    "Causal_Oversimplification": "causal oversimplification",
    "Consequential_Oversimplification": "consequential oversimplification (slippery slope)",
    "Conversation_Killer": "conversation killer",
    "Doubt": "doubt",
    "Exaggeration-Minimisation": "exaggeration or minimisation",
    "False_Dilemma-No_Choice": "false dilemma",
    "Flag_Waving": "flag-waving",
    "Guilt_by_Association": "guilt by association",
    "Loaded_Language": "loaded language",
    "Name_Calling-Labeling": "name calling or labelling",
    "Obfuscation-Vagueness-Confusion": "obfuscation or vagueness",
    "Questioning_the_Reputation": "questioning the reputation",
    "Red_Herring": "red herring",
    "Repetition": "repetition",
    "Slogans": "slogan",
    "Straw_Man": "straw man",
    "Whataboutism": "whataboutism",
}

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class ParagraphTechnique:
    """A paragraph that uses a technique: ``text == article[start:end]``; score is the head's probability."""

    text: str
    start: int
    end: int
    technique: str  # the SemEval-2023 name, e.g. "Loaded_Language"
    label: str  # a reader's name
    score: float
    shown: bool


@dataclass(frozen=True)
class ParagraphHeads:
    """``probability = sigmoid(vector @ weights + bias)`` per technique, its kept threshold, and the shown score."""

    labels: tuple[str, ...]
    weights: FloatArray  # encoder dimensions x len(labels)
    bias: FloatArray
    thresholds: FloatArray  # per technique: kept from this probability
    shown_threshold: float  # shown from this probability (never under the technique's own threshold)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the lines of `text` (any line break: \\n, \\r\\n, \\r, U+2028 ...) that hold a letter or a
    digit, without their surrounding whitespace."""
    spans, start = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if any(ch.isalnum() for ch in stripped):
            begin = start + len(line) - len(line.lstrip())
            spans.append((begin, begin + len(stripped)))
        start += len(line)
    return spans


def embedded_text(paragraph: str) -> str:
    """What is embedded of a paragraph: its first MAX_WORDS words, cut to MAX_CHARS characters."""
    words = paragraph.split()
    kept = paragraph if len(words) <= MAX_WORDS else " ".join(words[:MAX_WORDS])
    return kept[:MAX_CHARS]


def load_paragraph_heads(path: Path | None = None) -> ParagraphHeads:
    """The packaged heads (or those at `path`), checked for shape and encoder."""
    source = path or resources.files("unspun.techniques").joinpath("model", MODEL_FILE)
    try:
        with source.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            heads = ParagraphHeads(
                labels=tuple(str(x) for x in data["labels"]), weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32), thresholds=data["thresholds"].astype(np.float32),
                shown_threshold=float(data["shown_threshold"]))
            encoder = str(data["encoder"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"paragraph technique model {source} cannot be read ({exc}); reinstall unspun") from exc
    k = len(heads.labels)
    arrays = (heads.weights, heads.bias, heads.thresholds)
    if (encoder != ENCODER or heads.weights.shape != (ENCODER_DIMENSIONS, k) or heads.bias.shape != (k,)
            or heads.thresholds.shape != (k,) or not all(np.isfinite(a).all() for a in arrays)
            or not 0 < heads.shown_threshold < 1):
        raise ModelError(f"paragraph technique model {source} is not heads over {ENCODER} (shapes or values out "
                         "of place); reinstall unspun or retrain it")
    # Scores are reported to 4 decimals: the thresholds too, so that a score shown as 0.55 is shown.
    return dataclasses.replace(heads, thresholds=np.round(heads.thresholds, 4),
                               shown_threshold=round(heads.shown_threshold, 4))


class ParagraphTechniqueDetector:
    """Techniques of each paragraph of an article; built once (heads, encoder), then pure per call."""

    def __init__(self, heads: ParagraphHeads | None = None, encoder: Encoder | None = None) -> None:
        self.heads = heads if heads is not None else _default_heads()
        self._encoder = encoder

    def ready(self) -> ParagraphTechniqueDetector:
        """Load the encoder now (a broken install fails here, once, rather than on every article)."""
        if self._encoder is None:
            from unspun.nlp.multilingual import load_multilingual_encoder

            self._encoder = load_multilingual_encoder()
        return self

    def probabilities(self, paragraphs: list[str]) -> FloatArray:
        """One row per paragraph: each technique's probability."""
        if not paragraphs:
            return np.zeros((0, len(self.heads.labels)), dtype=np.float32)
        encoder = self.ready()._encoder
        assert encoder is not None
        logits = encoder.encode([embedded_text(p) for p in paragraphs]) @ self.heads.weights + self.heads.bias
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def detect(self, text: str) -> list[ParagraphTechnique]:
        """The kept (paragraph, technique) pairs in text order, most probable technique first in a paragraph."""
        spans = paragraph_spans(text)
        probs = self.probabilities([text[s:e] for s, e in spans])
        heads, found = self.heads, []
        for (start, end), row in zip(spans, probs, strict=True):
            scores = [round(float(p), 4) for p in row]
            kept = [(p, label) for p, label, t in zip(scores, heads.labels, heads.thresholds, strict=True) if p >= t]
            for p, label in sorted(kept, key=lambda item: (-item[0], item[1])):
                found.append(ParagraphTechnique(text[start:end], start, end, label,
                                                PARAGRAPH_TECHNIQUE_NAMES.get(label, label.replace("_", " ").lower()),
                                                p, p >= heads.shown_threshold))
        return found


@functools.cache
def _default_heads() -> ParagraphHeads:
    return load_paragraph_heads()


@functools.cache
def heads_digest() -> str:
    """The first 8 hex digits of the packaged heads file's sha256: analyses made with other heads are stale."""
    import hashlib

    data = resources.files("unspun.techniques").joinpath("model", MODEL_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()[:8]
