"""Feature strings for tokens (span finding) and spans (technique labelling), read off a parsed Doc."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Doc, Span, Token

from unspun.extract.cues import doc_text
from unspun.techniques.cues import match_cues

TENSOR_WIDTH = 96  # en_core_web_sm's tok2vec width; a Doc without a tensor gets zeros


def _bin(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def doc_tensor(doc: Doc) -> np.ndarray:
    """The Doc's tok2vec vectors, or zeros when the pipeline set none (a blank or a foreign pipeline)."""
    tensor = doc.tensor
    if isinstance(tensor, np.ndarray) and tensor.ndim == 2 and tensor.shape == (len(doc), TENSOR_WIDTH):
        return tensor.astype(np.float32)
    return np.zeros((len(doc), TENSOR_WIDTH), dtype=np.float32)


def doc_words(doc: Doc) -> tuple[list[str], Counter[str]]:
    """The Doc's lower-cased words and the counts of its alphabetic lemmas, from one pass over its tokens,
    cached on the Doc: the tagger and the classifier both need them, and each pass creates every Token anew."""
    cached = doc.user_data.get("unspun.words")
    if cached is None:
        lower, lemmas = [], []
        for t in doc:
            lower.append(t.lower_)
            if t.is_alpha:
                lemmas.append(t.lemma_.lower())
        cached = doc.user_data["unspun.words"] = (lower, Counter(lemmas))
    return cached


def token_features(doc: Doc) -> list[list[str]]:
    """One list of feature strings per token, for the inside-a-technique tagger."""
    lower = doc_words(doc)[0]
    rows: list[list[str]] = []
    for sent in doc.sents:  # per sentence, not tok.sent per token: that walks the Doc each time
        sent_feats = ["slen=" + _bin(len(sent), (5, 10, 20, 40)), "sq=" + str(sent[-1].text in ("?", "!"))]
        for tok in sent:
            rows.append(_token_row(tok, sent.start, sent.end, lower, sent_feats))
    return rows


def _token_row(
    tok: Token, sent_start: int, sent_end: int, lower: list[str], sent_feats: list[str]
) -> list[str]:
    """One token's feature strings; sent_feats are shared by its sentence."""
    i, n = tok.i, len(lower)
    feats = [
        "w=" + lower[i],
        "l=" + tok.lemma_.lower(),
        "p=" + tok.tag_,
        "d=" + tok.dep_,
        "s=" + tok.shape_,
        "e=" + tok.ent_type_,
        "hp=" + tok.head.pos_ + "|" + tok.dep_,
        "pos=" + _bin(i - sent_start, (0, 2, 5, 10, 20)),
        "left=" + _bin(sent_end - 1 - i, (0, 2, 5, 10, 20)),
        *sent_feats,
    ]
    for off in (-2, -1, 1, 2):
        j = i + off
        feats.append(f"w{off}=" + (lower[j] if 0 <= j < n else "<s>"))
    if i + 1 < n:
        feats.append("bg=" + lower[i] + "_" + lower[i + 1])
    if i > 0:
        feats.append("bgl=" + lower[i - 1] + "_" + lower[i])
    return feats


@dataclass(frozen=True)
class DocContext:
    """What every span of one Doc shares, computed once per Doc: lower-cased text and words, lemma counts."""

    doc: Doc
    text_lower: str
    lower: list[str]
    lemma_counts: Counter[str]


def doc_context(doc: Doc) -> DocContext:
    lower, lemmas = doc_words(doc)
    return DocContext(doc, doc_text(doc).lower(), lower, lemmas)


def span_features(ctx: DocContext, span: Span) -> list[str]:
    """Feature strings for one candidate span: its words, its sentence, cue phrases around it, repetition."""
    doc, lower = ctx.doc, ctx.lower
    toks = [t for t in span if not t.is_space]
    words = [t.lower_ for t in toks]
    feats = ["w=" + w for w in words]
    feats += ["l=" + t.lemma_.lower() for t in toks]
    feats += ["b=" + a + "_" + b for a, b in itertools.pairwise(words)]
    feats += ["p=" + t.tag_ for t in toks]
    feats += ["e=" + t.ent_type_ for t in toks if t.ent_type_]
    if words:
        feats += ["first=" + words[0], "last=" + words[-1], "ftag=" + toks[0].tag_, "rtag=" + toks[-1].dep_]
    feats.append("len=" + _bin(len(toks), (1, 2, 3, 5, 8, 12, 20, 30)))
    key = span.text.lower().strip()
    repeats = ctx.text_lower.count(key) if key else 0
    feats.append("rep=" + _bin(repeats, (1, 2, 4)))
    feats.append("caps=" + str(any(t.is_upper and len(t) > 1 for t in toks)))
    feats.append("quoted=" + str(span.start > 0 and doc[span.start - 1].is_quote))
    if len(span) == 0:
        return feats
    sent = doc[span.start].sent
    feats.append("full=" + str(span.start <= sent.start + 1 and span.end >= sent.end - 1))
    feats.append("title=" + str(sent.start == 0))
    # the sentence around the span: content lemmas (its every word, stop words included, did worse on train)
    outside = (t for t in sent if not (span.start <= t.i < span.end))
    feats += ["cl_=" + t.lemma_.lower() for t in outside if t.is_alpha and not t.is_stop]
    feats.append("send=" + sent[-1].text)
    for k in (1, 2):
        j = span.start - k
        feats.append(f"L{k}=" + (lower[j] if j >= sent.start else "<s>"))
        j = span.end - 1 + k
        feats.append(f"R{k}=" + (lower[j] if j < sent.end else "</s>"))
    for k in range(3, 6):  # a wider, unordered window, across sentence ends
        if span.start - k >= 0:
            feats.append("lw=" + lower[span.start - k])
        if span.end - 1 + k < len(doc):
            feats.append("rw=" + lower[span.end - 1 + k])
    feats.append("sq2=" + (sent[-1].text if sent[-1].is_punct else "none"))
    feats.append("ncl=" + str(min(3, sum(1 for t in sent if t.dep_ in ("ccomp", "advcl", "relcl")))))
    feats += _cue_features(ctx, span, sent)
    feats += _syntax_features(span, sent)
    feats += _repetition_features(ctx, span, repeats)
    return feats


def _cue_features(ctx: DocContext, span: Span, sent: Span) -> list[str]:
    """Cue classes (model/cues.tsv) in the span, left and right of it in its sentence, and just before it."""
    feats = []
    for cue_class, phrase in match_cues(ctx.lower, span.start, span.end):
        feats += ["cs=" + cue_class, "csp=" + phrase]
    feats += ["cl=" + c for c, _ in match_cues(ctx.lower, sent.start, span.start)]
    feats += ["cr=" + c for c, _ in match_cues(ctx.lower, span.end, sent.end)]
    feats += ["cp=" + c for c, _ in match_cues(ctx.lower, max(0, span.start - 25), sent.start)]
    return feats


def _syntax_features(span: Span, sent: Span) -> list[str]:
    """The span's syntactic head and its role, coarse tags, entities, quotation and reporting context."""
    root = span.root
    feats = [
        "rd=" + root.dep_,
        "rl=" + root.lemma_.lower(),
        "rp=" + root.pos_,
        "rh=" + root.head.lemma_.lower(),
    ]
    feats.append("rhd=" + root.head.dep_ + "|" + root.dep_)
    feats += ["pp=" + t.pos_ for t in span]
    feats += ["ne=" + e for e in {t.ent_type_ for t in span if t.ent_type_}]
    opened = sum(1 for t in sent if t.is_quote and t.i < span.start)  # odd: inside an open quotation
    feats.append("inq=" + str(opened % 2 == 1))
    feats.append("sentq=" + str(any(t.is_quote for t in sent)))
    feats.append("said=" + str(any(t.lemma_ in ("say", "tell", "write", "claim") for t in sent)))
    feats += ["suf=" + t.lower_[-3:] for t in span if t.is_alpha and len(t) > 4]
    return feats


def _repetition_features(ctx: DocContext, span: Span, repeats: int) -> list[str]:
    """How often the span's words recur in the article: the Repetition technique's signal."""
    counts = ctx.lemma_counts
    content = [counts[t.lemma_.lower()] for t in span if t.is_alpha and not t.is_stop]
    feats = []
    if content:
        feats += [
            "rmin=" + _bin(min(content), (1, 2, 3, 5, 8)),
            "rmax=" + _bin(max(content), (1, 2, 3, 5, 8, 15)),
        ]
    feats.append("rroot=" + _bin(counts[span.root.lemma_.lower()], (1, 2, 3, 5, 8)))
    feats.append("replen=" + _bin(repeats, (1, 2, 4)) + "|" + _bin(len(span), (1, 2, 4, 8)))
    return feats


def span_dense(span: Span) -> np.ndarray:
    """The span's log length: the only dense input of the classifier (tok2vec means over-fitted, see README)."""
    return np.array([np.log1p(len(span))], dtype=np.float32)


def char_span(doc: Doc, start: int, end: int) -> Span:
    """The tokens covering [start, end), expanded to token boundaries (gold spans may cut words)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:  # only whitespace: anchor on the nearest token so the span still has context
        span = doc.char_span(start, max(end, start + 1), alignment_mode="expand") or doc[0:0]
    return span
