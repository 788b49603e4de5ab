"""Attribute quoted stretches: find the reporting cue and speaker around each one.

Patterns, tried in order: the attribution after the closing mark ("…," said X / "…," X said),
before the opening mark (X said: "…" / according to X, "…" / X: "…"), then inherited from the
previous quotation when this one continues it (split quotes, continuation paragraphs).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from unspun.config import MAX_TERM_WORDS
from unspun.extract.cues import (
    Cue,
    QuoteMask,
    according_source,
    according_to,
    doc_text,
    first_noun_after,
    is_reporting_verb,
    noun_head,
    subject_of,
)
from unspun.extract.quote_marks import QuotedSpan

_SENT_END = {".", "!", "?"}
_LINKS = {",", ":", "that", "—", "–", "-"}


@dataclass
class Attribution:
    """What was found for one quoted stretch."""

    span: QuotedSpan
    cue: Cue | None = None
    speaker: Token | None = None
    found: bool = False  # a cue or a speaker was found by a pattern
    inherit: int | None = None  # index of the quotation whose speaker this one carries
    continuation: bool = False


def word_count(doc: Doc, span: QuotedSpan) -> int:
    return len(doc_text(doc)[span.start : span.end].split())


def is_term_like(doc: Doc, span: QuotedSpan) -> bool:
    """Short, unpunctuated and embedded in a sentence: a scare quote or quoted term."""
    content = doc_text(doc)[span.start : span.end]
    if word_count(doc, span) > MAX_TERM_WORDS or span.continues or span.continued:
        return False
    return not content.rstrip().endswith((".", ",", "!", "?", "…", ":", ";"))


def attribute_direct(doc: Doc, spans: list[QuotedSpan], mask: QuoteMask, paragraphs: list[tuple[int, int]]) -> list[Attribution]:
    results = [Attribution(span) for span in spans]
    for n, result in enumerate(results):
        para = _paragraph_of(result.span.start, paragraphs)
        for finder in (_after_close, _before_open):
            found = finder(doc, result.span, mask, para)
            if found is not None:
                result.cue, result.speaker = found
                result.found = True
                break
    _inherit(doc, results, paragraphs)
    return results


def _paragraph_index(offset: int, paragraphs: list[tuple[int, int]]) -> int:
    for n, (start, end) in enumerate(paragraphs):
        if offset < end:
            return n
    return len(paragraphs) - 1


def _paragraph_of(offset: int, paragraphs: list[tuple[int, int]]) -> tuple[int, int]:
    for start, end in paragraphs:
        if start <= offset < end:
            return start, end
    return paragraphs[-1]


_DASHES = ("―", "—", "–", "-")


def _after_close(doc: Doc, span: QuotedSpan, mask: QuoteMask, para: tuple[int, int]) -> tuple[Cue | None, Token | None] | None:
    if span.close_mark is None:
        return None
    window = _tokens_from(doc, span.close_mark + 1, para[1], mask, limit=40)
    if window and window[0].text in _DASHES:
        # "“…” ― Sonya Herridge": a signature line
        names = [t for t in window[1:4] if t.pos_ == "PROPN"]
        if names:
            return None, noun_head(names[-1])
    depth = 0
    for k, token in enumerate(window):
        depth += (token.text == "(") - (token.text == ")")
        if token.text in _SENT_END and depth == 0:
            return None
        if not is_reporting_verb(token) or _in_relative_clause(token, window[0].i):
            continue
        subject = subject_of(token)
        lead = [t for t in _outside_parentheses(window[:k]) if not t.is_punct]
        if subject is None or mask.covers(subject):
            nouns = [t for t in window[:k] if t.pos_ in ("PROPN", "NOUN", "PRON")]
            first = noun_head(nouns[0]) if nouns else None
            if first is not None and _is_speaker_phrase(lead, first):
                subject = first  # the parser hung the speaker's phrase on the quotation: ”, a source, who ..., told
            else:
                subject = noun_head(nouns[-1]) if nouns else first_noun_after(token, mask)
        if len(lead) > 3 and is_term_like(doc, span):
            return None  # a short unpunctuated term followed by more sentence: a scare quote
        if lead and (subject is None or not _is_speaker_phrase(lead, subject)):
            return None  # words before the cue that are not its speaker: the quote is embedded
        return Cue((token,)), subject
    return None


def _in_relative_clause(token: Token, start: int) -> bool:
    """"..., a source who was not authorized to speak, told ...": a verb in the speaker's own relative clause
    describes the speaker; the attribution's cue comes after it."""
    return any(t.dep_ in ("relcl", "acl") and t.head.i >= start for t in (token, *token.ancestors))


_NP_POS = ("PROPN", "NOUN", "ADJ", "DET", "NUM", "PART", "PRON")


def _is_speaker_phrase(lead: list[Token], subject: Token) -> bool:
    """The words between a closing mark and the cue are the speaker's phrase, not more sentence."""
    inside = _subtree_ids(subject)
    return all(t.i in inside or t.pos_ in _NP_POS for t in lead) and not any(
        t.pos_ in ("VERB", "ADP") and t.i not in inside for t in lead
    )


def _outside_parentheses(tokens: list[Token]) -> list[Token]:
    out, depth = [], 0
    for token in tokens:
        depth += token.text == "("
        if depth == 0:
            out.append(token)
        depth -= token.text == ")" and depth > 0
    return out


def _before_open(doc: Doc, span: QuotedSpan, mask: QuoteMask, para: tuple[int, int]) -> tuple[Cue | None, Token | None] | None:
    window = _tokens_back(doc, span.open_mark, para[0], mask, limit=16)
    if not window:
        return _colon_paragraph(doc, span, mask, para)
    if not _ends_clause(doc, span, para) and is_term_like(doc, span):
        return None
    for k in range(len(window) - 1, -1, -1):
        token = window[k]
        cue = according_to(token)
        gap = [t for t in window[k + 1 :] if not t.is_punct and t.lower_ not in _LINKS]
        if cue is not None:
            return cue, according_source(cue)
        if is_reporting_verb(token) and len(gap) <= 6 and not any(t.pos_ in ("VERB", "AUX") for t in gap):
            subject = subject_of(token)
            if subject is not None and mask.covers(subject):
                subject = None
            return Cue((token,)), subject or first_noun_after(token, mask)
    if window[-1].text == ":":
        return _colon_speaker(window[:-1])
    return None


def _colon_speaker(before: list[Token]) -> tuple[Cue | None, Token | None] | None:
    """"Limbaugh continued: “…”", "The minister: “…”": the subject of a short lead-in."""
    if not before or len(before) > 12:
        return None
    verbs = [t for t in before if t.pos_ == "VERB"]
    if verbs:
        subject = subject_of(verbs[-1])
        return (None, subject) if subject is not None and subject.pos_ in ("PROPN", "NOUN", "PRON") else None
    nouns = [t for t in before if t.pos_ in ("PROPN", "NOUN")]
    return (None, noun_head(nouns[-1])) if nouns and len(before) <= 8 else None


def _colon_paragraph(doc: Doc, span: QuotedSpan, mask: QuoteMask, para: tuple[int, int]) -> tuple[Cue | None, Token | None] | None:
    """A quotation opening its paragraph after a paragraph that ends "He said:"."""
    if para[0] == 0:
        return None
    previous = _tokens_back(doc, para[0] - 1, max(0, para[0] - 400), mask, limit=16)
    previous = [t for t in previous if not t.is_space]
    if not previous or previous[-1].text != ":":
        return None
    for token in reversed(previous[:-1]):
        if is_reporting_verb(token):
            subject = subject_of(token)
            return (Cue((token,)), subject) if subject is not None else None
    return _colon_speaker(previous[:-1])


def _ends_clause(doc: Doc, span: QuotedSpan, para: tuple[int, int]) -> bool:
    if span.close_mark is None:
        return True
    rest = doc_text(doc)[span.close_mark + 1 : para[1]].lstrip()
    return not rest or rest[0] in ".!?;"


def _tokens_from(doc: Doc, start: int, end: int, mask: QuoteMask, limit: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    out: list[Token] = []
    for token in span if span is not None else []:
        if token.idx < start:
            continue
        if mask.covers(token) or len(out) >= limit:
            break
        out.append(token)
    return out


def _tokens_back(doc: Doc, end: int, start: int, mask: QuoteMask, limit: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="contract")
    out: list[Token] = []
    for token in reversed(list(span) if span is not None else []):
        if mask.covers(token) or token.text in _SENT_END or len(out) >= limit:
            break
        out.append(token)
    return list(reversed(out))


def _subtree_ids(token: Token) -> set[int]:
    return {t.i for t in token.subtree} | {token.head.i}


def _inherit(doc: Doc, results: list[Attribution], paragraphs: list[tuple[int, int]]) -> None:
    """Quotations with no attribution of their own carry the speaker of the one they continue."""
    for n, result in enumerate(results):
        if result.found or n == 0:
            continue
        span = result.span
        prev_n = n - 1
        prev = results[prev_n]
        prev_close = prev.span.close_mark if prev.span.close_mark is not None else prev.span.end
        gap = doc_text(doc)[prev_close + 1 : span.open_mark]
        same_group = prev.span.group == span.group
        own_attribution_only = (
            prev.found and prev.cue is not None and prev.cue.start > prev_close and len(gap) < 250
        ) or not gap.strip()
        para = _paragraph_index(span.open_mark, paragraphs)
        step = para - _paragraph_index(prev_close, paragraphs)
        # in the next paragraph only a quotation that opens it goes on: "Section 1001 applies, “when ...”" is new
        adjacent = step == 0 or (step == 1 and not doc_text(doc)[paragraphs[para][0] : span.open_mark].strip())
        split = own_attribution_only and adjacent
        if (same_group or split) and not is_term_like(doc, span):
            result.inherit = prev.inherit if prev.inherit is not None and not prev.found else prev_n
            result.continuation = True
    # multi-paragraph quotations: a later part that found its speaker gives it to the earlier parts
    for n, result in enumerate(results):
        if result.found or result.inherit is not None:
            continue
        for m in range(n + 1, len(results)):
            if results[m].span.group != result.span.group:
                break
            if results[m].found:
                result.inherit = m
                result.continuation = True
                break
