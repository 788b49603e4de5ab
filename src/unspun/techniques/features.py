"""Feature strings for tokens (span finding) and spans (technique labelling), read off a parsed Doc."""

from __future__ import annotations

import itertools

import numpy as np
from spacy.tokens import Doc, Span

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


def token_features(doc: Doc) -> list[list[str]]:
    """One list of feature strings per token, for the inside-a-technique tagger."""
    lower = [t.lower_ for t in doc]
    n = len(doc)
    rows: list[list[str]] = []
    for i, tok in enumerate(doc):
        sent = tok.sent
        feats = [
            "w=" + lower[i],
            "l=" + tok.lemma_.lower(),
            "p=" + tok.tag_,
            "d=" + tok.dep_,
            "s=" + tok.shape_,
            "e=" + tok.ent_type_,
            "hp=" + tok.head.pos_ + "|" + tok.dep_,
            "pos=" + _bin(i - sent.start, (0, 2, 5, 10, 20)),
            "left=" + _bin(sent.end - 1 - i, (0, 2, 5, 10, 20)),
            "slen=" + _bin(len(sent), (5, 10, 20, 40)),
            "sq=" + str(sent[-1].text in ("?", "!")),
        ]
        for off in (-2, -1, 1, 2):
            j = i + off
            feats.append(f"w{off}=" + (lower[j] if 0 <= j < n else "<s>"))
        if i + 1 < n:
            feats.append("bg=" + lower[i] + "_" + lower[i + 1])
        if i > 0:
            feats.append("bgl=" + lower[i - 1] + "_" + lower[i])
        rows.append(feats)
    return rows


def span_features(doc: Doc, span: Span, text_lower: str) -> list[str]:
    """Feature strings for one candidate span, with its sentence as context."""
    toks = [t for t in span if not t.is_space]
    lower = [t.lower_ for t in toks]
    feats = ["w=" + w for w in lower]
    feats += ["l=" + t.lemma_.lower() for t in toks]
    feats += ["b=" + a + "_" + b for a, b in itertools.pairwise(lower)]
    feats += ["p=" + t.tag_ for t in toks]
    feats += ["e=" + t.ent_type_ for t in toks if t.ent_type_]
    if lower:
        feats += ["first=" + lower[0], "last=" + lower[-1], "ftag=" + toks[0].tag_, "rtag=" + toks[-1].dep_]
    feats.append("len=" + _bin(len(toks), (1, 2, 3, 5, 8, 12, 20, 30)))
    key = span.text.lower().strip()
    repeats = text_lower.count(key) if key else 0
    feats.append("rep=" + _bin(repeats, (1, 2, 4)))
    sent = doc[span.start].sent if len(span) else None
    if sent is not None:
        feats.append("full=" + str(span.start <= sent.start + 1 and span.end >= sent.end - 1))
        feats.append("title=" + str(sent.start == 0))
        feats += ["c=" + t.lower_ for t in sent if not (span.start <= t.i < span.end) and not t.is_punct]
        feats.append("send=" + sent[-1].text)
        for k in (1, 2):
            j = span.start - k
            feats.append(f"L{k}=" + (doc[j].lower_ if j >= sent.start else "<s>"))
            j = span.end - 1 + k
            feats.append(f"R{k}=" + (doc[j].lower_ if j < sent.end else "</s>"))
    feats.append("caps=" + str(any(t.is_upper and len(t) > 1 for t in toks)))
    feats.append("quoted=" + str(span.start > 0 and doc[span.start - 1].is_quote))
    return feats


def span_dense(tensor: np.ndarray, span: Span) -> np.ndarray:
    """Mean tok2vec vector over the span and log length: the dense part of a span's features."""
    if len(span) == 0:
        vec = np.zeros(TENSOR_WIDTH, dtype=np.float32)
    else:
        vec = tensor[span.start : span.end].mean(axis=0)
    return np.concatenate([vec, np.array([np.log1p(len(span))], dtype=np.float32)])


def char_span(doc: Doc, start: int, end: int) -> Span:
    """The tokens covering [start, end), expanded to token boundaries (gold spans may cut words)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:  # only whitespace: anchor on the nearest token so the span still has context
        span = doc.char_span(start, max(end, start + 1), alignment_mode="expand") or doc[0:0]
    return span
