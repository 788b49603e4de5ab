"""What a version of a story kept, changed, added and dropped, sentence by sentence, against a reference
(the origin, or the story's fullest version), and which of its quotes the reference does not support."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from unspun.records import Analysis, Narrative, Quote
from unspun.stories.align import Embed
from unspun.stories.features import split_sentences

# Cosines of the multilingual encoder (nlp/multilingual.py), which also aligns a version with a reference in
# another language: a sentence repeated or lightly edited sits at 0.9 and above, a translation at 0.7-0.85, a
# paraphrase of the same fact at 0.55-0.8, a sentence about something else of the same event below 0.5.
PRESERVED = 0.90  # the same sentence, lightly edited
PARAPHRASED = 0.55  # the same fact in other words, or in another language
# A quotation is supported by a reference unit (a sentence or a quotation of the reference) from this cosine: a
# short quote shares the topic words of the sentences around it, so the bar is higher than for sentences.
# Calibrated on eval/rewrites.py's synthetic families (invented quotes beside carried ones): 0.55 kept every
# flag right but missed 7 % of the invented quotes.
QUOTE_SUPPORTED = 0.65


@dataclass(frozen=True)
class SentenceChange:
    text: str
    start: int  # offset in its own article's text
    end: int
    status: str  # preserved, paraphrased, added (in the version) or dropped (from the reference)
    similarity: float
    counterpart: str | None = None  # the matching sentence of the other article


@dataclass(frozen=True)
class UnsupportedQuote:
    text: str
    start: int
    end: int
    speaker: str | None
    speaker_type: str


@dataclass
class VersionDiff:
    version: str
    reference: str
    sentences: list[SentenceChange] = field(default_factory=list)
    dropped: list[SentenceChange] = field(default_factory=list)
    unsupported_quotes: list[UnsupportedQuote] = field(default_factory=list)
    added_hedges: list[str] = field(default_factory=list)
    # Narratives this version carries and the reference does not, with the version's evidence sentences.
    added_narratives: list[Narrative] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("preserved", "paraphrased", "added")}
        for change in self.sentences:
            out[change.status] += 1
        out["dropped"] = len(self.dropped)
        out["unsupported_quotes"] = len(self.unsupported_quotes)
        out["added_narratives"] = len(self.added_narratives)
        return out


def diff_versions(version: Analysis, reference: Analysis, embed: Embed) -> VersionDiff:
    """Compare one analysed version with the reference version of its story."""
    v_text, r_text = version.article.text, reference.article.text
    v_sents, r_sents = _located(v_text), _located(r_text)
    vectors = embed([s for s, _, _ in v_sents] + [s for s, _, _ in r_sents])
    v_vec, r_vec = vectors[: len(v_sents)], vectors[len(v_sents):]
    sims = v_vec @ r_vec.T if len(v_sents) and len(r_sents) else np.zeros((len(v_sents), len(r_sents)))
    result = VersionDiff(version=version.article.id or "", reference=reference.article.id or "")
    for k, (sentence, start, end) in enumerate(v_sents):
        best = int(sims[k].argmax()) if len(r_sents) else -1
        score = float(sims[k, best]) if best >= 0 else 0.0
        status = "preserved" if score >= PRESERVED else "paraphrased" if score >= PARAPHRASED else "added"
        result.sentences.append(SentenceChange(sentence, start, end, status, round(score, 3),
                                               r_sents[best][0] if status != "added" else None))
    for k, (sentence, start, end) in enumerate(r_sents):
        score = float(sims[:, k].max()) if len(v_sents) else 0.0
        if score < PARAPHRASED:
            result.dropped.append(SentenceChange(sentence, start, end, "dropped", round(score, 3)))
    added = [c for c in result.sentences if c.status == "added"]
    result.unsupported_quotes = _unsupported(version, reference, embed)
    result.added_hedges = [h.text for h in version.hedges if any(c.start <= h.start < c.end for c in added)]
    carried = {n.label for n in reference.narratives}
    result.added_narratives = [n for n in version.shown_narratives if n.label not in carried]
    return result


def _located(text: str) -> list[tuple[str, int, int]]:
    out, cursor = [], 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            continue
        out.append((sentence, start, start + len(sentence)))
        cursor = start + len(sentence)
    return out


def quote_texts(version: Analysis, reference: Analysis) -> list[str]:
    """What comparing the version's quotes with the reference encodes besides sentences (the version's quotes
    the reference does not carry verbatim, the reference's quotes), so that a caller can encode the texts of
    many comparisons in one batch."""
    quotes, reference_units = _compared(version, reference)
    return [q.text for q in quotes] + reference_units[len(_reference_sentences(reference)):] if quotes else []


def _unsupported(version: Analysis, reference: Analysis, embed: Embed) -> list[UnsupportedQuote]:
    """Quotes of the version whose words the reference never carries, verbatim or paraphrased. Paraphrase is
    judged against the reference's sentences and its own quotes: a short quote lightly edited sits close to
    the quote it came from, but far from the long sentence around it."""
    quotes, reference_units = _compared(version, reference)
    if not quotes:
        return []
    vectors = embed([q.text for q in quotes] + reference_units)
    q_vec, r_vec = vectors[: len(quotes)], vectors[len(quotes):]
    best = (q_vec @ r_vec.T).max(axis=1)
    return [UnsupportedQuote(quote.text, quote.start, quote.end, quote.speaker.name or quote.speaker.text,
                             quote.speaker.type) for quote, score in zip(quotes, best, strict=True)
            if score < QUOTE_SUPPORTED]


def _compared(version: Analysis, reference: Analysis) -> tuple[list[Quote], list[str]]:
    """The version's quotes that need a paraphrase check (long enough, direct or mixed, not carried verbatim by
    the reference), and the reference units they are checked against."""
    reference_text = _normalised(reference.article.text)
    quotes = [q for q in version.quotes if q.kind in ("direct", "mixed") and len(q.text.split()) >= 4
              and not _carried(q, reference_text)]
    if not quotes:
        return [], []
    return quotes, _reference_sentences(reference) + quote_units(reference.quotes)


def quote_units(quotes: Sequence[Quote]) -> list[str]:
    """The texts of an article's quotes that a comparison may encode: every direct or mixed quote, and the
    quoted stretches inside a mixed one. The store keeps their vectors (store/stories.py), so comparing stored
    versions rarely needs the encoder."""
    units: list[str] = []
    for q in quotes:
        if q.kind in ("direct", "mixed"):
            units += [q.text, *_marked(_normalised(q.text))] if q.kind == "mixed" else [q.text]
    return units


def _reference_sentences(reference: Analysis) -> list[str]:
    return [s for s, _, _ in _located(reference.article.text)] or [reference.article.text]


# Curly, low and angle quote marks and apostrophes as their straight forms, since rewrites retype them freely;
# brackets dropped, since they mark an editor's change inside a quote ("reduc(ing)", "[the] plan") that a
# rewrite often smooths away.
_STRAIGHT = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                           "(": None, ")": None, "[": None, "]": None})


def _normalised(text: str) -> str:
    return " ".join(text.translate(_STRAIGHT).lower().split())


def _carried(quote: Quote, reference_text: str) -> bool:
    """The quote stands verbatim in the (normalised) reference text; for a mixed quote it is enough that the
    words inside its marks do, since the paraphrase around them is the writer's own."""
    text = _normalised(quote.text)
    if text.strip(" ,.\"'") in reference_text:
        return True
    fragments = _marked(text) if quote.kind == "mixed" else []
    return bool(fragments) and all(f in reference_text for f in fragments)


def _marked(text: str) -> list[str]:
    """The stretches of a normalised mixed quote that stand inside its quote marks."""
    return [f.strip(" ,.") for f in text.split('"')[1::2] if f.strip(" ,.")]
