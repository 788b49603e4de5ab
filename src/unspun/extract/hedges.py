"""Hedged and speculative statements: "is expected to", "could", "reportedly", "remains to be seen"."""

from __future__ import annotations

from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from unspun.extract.cues import doc_text
from unspun.nlp.lexicons import hedge_phrases
from unspun.records import Hedge

_MODALS = {"could", "might", "may"}


@lru_cache(maxsize=4)
def _matcher(vocab: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocab, attr="LOWER")
    # make_doc tokenises only; cheap and needs no trained component
    from spacy.lang.en import English

    tokenizer = English().tokenizer
    matcher.add("HEDGE", [tokenizer(phrase) for phrase in sorted(hedge_phrases())])
    return matcher


def extract_hedges(doc: Doc) -> list[Hedge]:
    found: list[tuple[int, int, str]] = []
    for _, start, end in _matcher(doc.vocab)(doc):
        found.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), "phrase"))
    for token in doc:
        if token.lower_ in _MODALS and token.tag_ == "MD":
            found.append((token.idx, token.idx + len(token), "modal"))
    return _merge(doc_text(doc), found)


def _merge(text: str, found: list[tuple[int, int, str]]) -> list[Hedge]:
    """Keep the longest of overlapping matches ("is likely to" over "likely")."""
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[Hedge] = []
    for start, end, kind in found:
        if out and start < out[-1].end:
            continue
        out.append(Hedge(text=text[start:end], start=start, end=end, kind=kind))
    return out
