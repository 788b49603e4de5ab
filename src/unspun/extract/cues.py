"""Token-level helpers shared by the direct and reported-speech finders: cues, subjects, masks."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from unspun.extract.quote_marks import QuotedSpan
from unspun.nlp.lexicons import reporting_verbs

SUBJECT_DEPS = ("nsubj", "nsubjpass")
_NOUNISH = ("NOUN", "PROPN", "PRON")
_CLIMB_DEPS = ("compound", "amod", "nmod", "nummod", "det", "poss", "quantmod")


@dataclass(frozen=True)
class Cue:
    """A reporting cue: one verb token, or the two tokens of "according to"."""

    tokens: tuple[Token, ...]

    @property
    def start(self) -> int:
        return self.tokens[0].idx

    @property
    def end(self) -> int:
        last = self.tokens[-1]
        return last.idx + len(last)

    @property
    def verb(self) -> Token:
        return self.tokens[0]


class QuoteMask:
    """Which characters lie inside quote marks (content and marks), for fast token checks."""

    def __init__(self, doc: Doc, spans: list[QuotedSpan]) -> None:
        self.ranges = [(s.open_mark, (s.close_mark + 1) if s.close_mark is not None else s.end) for s in spans]
        inside = bytearray(len(doc_text(doc)) + 1)
        for start, end in self.ranges:
            inside[start:end] = b"\x01" * (end - start)
        self._inside = inside

    def covers(self, token: Token) -> bool:
        return bool(self._inside[token.idx])


def doc_text(doc: Doc) -> str:
    """doc.text rebuilds the string from every token on each call; cache it on the Doc."""
    text = doc.user_data.get("unspun.text")
    if text is None:
        text = doc.user_data["unspun.text"] = doc.text
    return text


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """doc.ents builds new Span objects on each call; cache them on the Doc."""
    ents = doc.user_data.get("unspun.ents")
    if ents is None:
        ents = doc.user_data["unspun.ents"] = tuple(doc.ents)
    return ents


def entity_at(token: Token) -> Span | None:
    """The entity a token belongs to, if any (cached per Doc)."""
    doc = token.doc
    table = doc.user_data.get("unspun.ent_of")
    if table is None:
        table = doc.user_data["unspun.ent_of"] = {t: e for e in doc_ents(doc) for t in range(e.start, e.end)}
    return table.get(token.i)


def is_reporting_verb(token: Token) -> bool:
    return token.tag_.startswith("VB") and token.lemma_.lower() in reporting_verbs()


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, looking up through conjunctions and participles ("..., adding that ...")."""
    if verb.dep_ == "acl" and verb.head.pos_ in _NOUNISH:
        return noun_head(verb.head)  # "footage of Clinton asking, ...": the participle modifies its speaker
    candidate: Token | None = verb
    for _ in range(3):
        if candidate is None:
            break
        for child in candidate.children:
            # the tagger sometimes makes a stray quote mark ("»") a subject
            if child.dep_ in SUBJECT_DEPS and any(ch.isalnum() for ch in child.text):
                return noun_head(child)
        if candidate.dep_ in ("conj", "xcomp", "advcl", "pcomp") and candidate.head.i != candidate.i:
            candidate = candidate.head
        else:
            break
    return _misparsed_subject(verb) if verb.dep_ == "ROOT" else None


def _misparsed_subject(verb: Token) -> Token | None:
    """The subject of a main verb the parser left without one, when a long subject was torn off it:
    "..., an official who spoke anonymously to discuss strategy said ..." (the noun phrase, relative clause
    and all, made an apposition of something earlier)."""
    doc = verb.doc
    before = verb.i - 1
    while before >= verb.sent.start and doc[before].is_punct and doc[before].text == ",":
        before -= 1
    for token in doc[verb.sent.start : max(verb.sent.start, before + 1)]:
        if token.pos_ in _NOUNISH and token.dep_ in ("appos", "npadvmod") and token.right_edge.i == before \
                and any(child.dep_ == "relcl" for child in token.children):
            return token
    return None


def noun_head(token: Token) -> Token:
    """Climb from a modifier to the noun it modifies ("defense" -> "official")."""
    while token.dep_ in _CLIMB_DEPS and token.head.i > token.i and token.head.pos_ in _NOUNISH:
        token = token.head
    return token


def first_noun_after(verb: Token, mask: QuoteMask, limit: int = 8) -> Token | None:
    """For inverted attributions ("said a senior official"): the first noun phrase after the verb."""
    doc = verb.doc
    for token in doc[verb.i + 1 : min(len(doc), verb.i + 1 + limit)]:
        if mask.covers(token) or token.text in (".", "!", "?", "“", '"', "‘"):
            return None
        if token.pos_ in _NOUNISH and token.dep_ not in ("npadvmod",) and not token.like_num:
            return noun_head(token)
    return None


def according_to(token: Token) -> Cue | None:
    """Return the cue if the token starts "according to X"."""
    if token.lower_ != "according" or token.i + 1 >= len(token.doc):
        return None
    nxt = token.doc[token.i + 1]
    return Cue((token, nxt)) if nxt.lower_ == "to" else None


def according_source(cue: Cue) -> Token | None:
    to = cue.tokens[-1]
    for child in to.children:
        if child.dep_ == "pobj":
            return noun_head(child)
    doc = to.doc
    for token in doc[to.i + 1 : min(len(doc), to.i + 8)]:
        if token.pos_ in _NOUNISH:
            return noun_head(token)
    return None
