"""Every quotation in an article, direct, indirect or mixed, with its cue and speaker.

Direct quotations come from the quote marks (extract/quote_marks.py) and the attribution around
them (extract/direct.py); reported speech from the parse (extract/reported.py). A short quoted
fragment inside reported speech makes that report "mixed"; a short quoted stretch with no
attribution is a scare quote or quoted term and is not a quotation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from unspun.extract.cues import Cue, QuoteMask, doc_text, is_reporting_verb, subject_of
from unspun.extract.direct import Attribution, attribute_direct, is_term_like
from unspun.extract.entities import PersonIndex
from unspun.extract.quote_marks import QuotedSpan, find_quoted_spans, paragraph_bounds
from unspun.extract.reported import Report, find_reported
from unspun.extract.speakers import SpeakerContext, describe_speaker, spread_anonymity
from unspun.nlp.lexicons import roles
from unspun.records import Quote, QuoteKind, Span, Speaker


@dataclass
class _Candidate:
    start: int
    end: int
    kind: QuoteKind
    cue: Cue | None
    speaker: Token | None
    inherit: int | None = None  # index into the candidate list
    continuation: bool = False
    group: int | None = None


@dataclass(frozen=True)
class QuoteFindings:
    quotes: list[Quote]
    terms: list[Span]  # scare quotes and quoted terms


def extract_quotes(doc: Doc, people: PersonIndex) -> QuoteFindings:
    text = doc_text(doc)
    spans = find_quoted_spans(text)
    paragraphs = paragraph_bounds(text)
    mask = QuoteMask(doc, spans)
    attributions = attribute_direct(doc, spans, mask, paragraphs) if spans else []
    reports = find_reported(doc, mask, set())
    candidates, terms = _direct_candidates(doc, attributions, reports, mask)
    used = {c.cue.verb.i for c in candidates if c.cue is not None}
    reports = [r for r in reports if r.mixed or r.cue.verb.i not in used]
    candidates += _report_candidates(reports, attributions, candidates)
    quotes = _to_records(doc, candidates, people, spans)
    return QuoteFindings(quotes=quotes, terms=terms)


def _direct_candidates(
    doc: Doc, attributions: list[Attribution], reports: list[Report], mask: QuoteMask
) -> tuple[list[_Candidate], list[Span]]:
    candidates: list[_Candidate] = []
    terms: list[Span] = []
    index_of: dict[int, int] = {}
    for n, attr in enumerate(attributions):
        span = attr.span
        host = _hosting_report(span, reports)
        if host is not None and (not attr.found or attr.cue is None or attr.cue.start > span.end):
            host.mixed = True
            continue
        if not attr.found and attr.inherit is None:
            if is_term_like(doc, span):
                terms.append(Span(doc_text(doc)[span.start : span.end], span.start, span.end))
                continue
            attr.speaker = _speaker_of_clause(doc, span, mask) or _speaker_from_previous_sentence(doc, span, mask)
        inherit = index_of.get(attr.inherit) if attr.inherit is not None else None
        if attr.inherit is not None and inherit is None and attr.speaker is None:
            # it continues a quoted fragment absorbed into reported speech: take that report's speaker
            attr.speaker = attributions[attr.inherit].speaker
        index_of[n] = len(candidates)
        candidates.append(_Candidate(span.start, span.end, "direct", attr.cue, attr.speaker,
                                     inherit=inherit, continuation=attr.continuation and inherit is not None,
                                     group=span.group))
    # a later part of a multi-paragraph quote can hand its speaker back to earlier parts
    for n, attr in enumerate(attributions):
        if attr.inherit is not None and attr.inherit > n and n in index_of and attr.inherit in index_of:
            candidates[index_of[n]].inherit = index_of[attr.inherit]
            candidates[index_of[n]].continuation = True
    return candidates, terms


def _hosting_report(span: QuotedSpan, reports: list[Report]) -> Report | None:
    """The reported speech whose content holds this quoted stretch after some words of its own."""
    for report in reports:
        if report.start < span.open_mark and span.end <= report.end + 1 and report.cue.start < span.open_mark:
            return report
    return None


def _speaker_of_clause(doc: Doc, span: QuotedSpan, mask: QuoteMask) -> Token | None:
    """"Obama called the holiday “a celebration …”": a fragment quoted inside someone's clause is theirs."""
    inside = doc.char_span(span.start, span.end, alignment_mode="expand")
    if inside is None or not len(inside):
        return None
    sent = inside[0].sent
    if not doc_text(doc)[sent.start_char : span.open_mark].strip():
        return None  # the quotation opens its sentence: no clause around it
    # "as Mr. Bown observed, in the early days ... -- “what products would you pick?”": the sentence's own
    # reporting verb before the quotation, nearest first, whose subject can be a source
    for verb in reversed([t for t in sent if t.idx < span.open_mark and is_reporting_verb(t) and not mask.covers(t)]):
        subject = subject_of(verb)
        if subject is not None and not mask.covers(subject) and _is_sourcelike(subject):
            return subject
    token = inside.root
    for _ in range(6):
        if token.head.i == token.i:
            break
        token = token.head
        if not mask.covers(token) and token.pos_ in ("VERB", "AUX"):
            subject = subject_of(token)
            if subject is None:
                continue
            return subject if not mask.covers(subject) and _is_sourcelike(subject) else None
    return None


def _speaker_from_previous_sentence(doc: Doc, span: QuotedSpan, mask: QuoteMask) -> Token | None:
    """"Smith was defiant. “We will win.”": a quote opening its sentence after a reporting sentence."""
    opening = doc.char_span(span.open_mark, span.open_mark + 1, alignment_mode="expand")
    if opening is None:
        return None
    sent = opening[0].sent
    if sent.start == 0 or doc_text(doc)[sent.start_char : span.open_mark].strip():
        return None
    previous = doc[sent.start - 1].sent
    if "\n" in doc_text(doc)[previous.end_char : span.open_mark]:
        return None
    for token in previous:
        if (is_reporting_verb(token) or token.text == ":") and not mask.covers(token):
            subject = subject_of(token) if token.text != ":" else subject_of(previous.root)
            if subject is not None:
                return subject
    subject = subject_of(previous.root)
    if subject is not None and _is_sourcelike(subject):
        return subject
    return None


def _is_sourcelike(token: Token) -> bool:
    """A person or a source role: a plausible speaker for the quote that follows its sentence."""
    return (
        token.ent_type_ in ("PERSON", "ORG")
        or token.pos_ == "PROPN"
        or token.lower_ in ("he", "she", "they")
        or token.lemma_.lower() in roles()
        or token.lower_ in roles()
    )


def _report_candidates(reports: list[Report], attributions: list[Attribution], direct: list[_Candidate]) -> list[_Candidate]:
    out = []
    for report in reports:
        if any(_overlap(report.start, report.end, d.start, d.end) > 0.5 * (report.end - report.start) for d in direct):
            continue
        kind: QuoteKind = "mixed" if report.mixed else "indirect"
        out.append(_Candidate(report.start, report.end, kind, report.cue, report.speaker))
    return out


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _to_records(doc: Doc, candidates: list[_Candidate], people: PersonIndex, spans: list[QuotedSpan]) -> list[Quote]:
    order = sorted(range(len(candidates)), key=lambda i: candidates[i].start)
    ctx = SpeakerContext(doc=doc, people=people, quote_ranges=[(s.open_mark, s.end) for s in spans],
                         pronouns=dict(people.pronouns))
    opens = sorted(s.open_mark for s in spans)
    speakers: dict[int, Speaker] = {}
    groups: dict[int, int] = {}
    reach = 0  # end of the quotations so far: one that starts before it is nested in another's content
    for i in order:
        cand = candidates[i]
        source = cand.inherit
        if source is not None and source in speakers:
            speakers[i] = speakers[source]
            groups[i] = groups[source]
        else:
            at = cand.speaker.idx if cand.speaker is not None else cand.start
            nxt = bisect.bisect_right(opens, at)
            clause_end = opens[nxt] if nxt < len(opens) else None
            speakers[i] = describe_speaker(cand.speaker, ctx, at, clause_end)
            groups[i] = i
        if cand.start >= reach:  # a source quoted inside a quotation is not one the article's pronouns point to
            ctx.previous.append((cand.start, speakers[i]))
        reach = max(reach, cand.end)
    speakers = dict(zip(order, spread_anonymity([speakers[i] for i in order], ctx.blanket_anonymity),
                        strict=True))
    records = []
    for i in order:
        cand = candidates[i]
        cue = Span(doc_text(doc)[cand.cue.start : cand.cue.end], cand.cue.start, cand.cue.end) if cand.cue else None
        records.append(Quote(text=doc_text(doc)[cand.start : cand.end], start=cand.start, end=cand.end, kind=cand.kind,
                             speaker=speakers[i], cue=cue, continuation=cand.continuation, group=groups[i]))
    return _number_groups(records)


def _number_groups(records: list[Quote]) -> list[Quote]:
    """Groups are numbered 0.. in text order; a quote alone keeps None."""
    from collections import Counter
    from dataclasses import replace

    sizes = Counter(q.group for q in records)
    numbering: dict[int | None, int] = {}
    out = []
    for q in records:
        if sizes[q.group] < 2:
            out.append(replace(q, group=None))
            continue
        numbering.setdefault(q.group, len(numbering))
        out.append(replace(q, group=numbering[q.group]))
    return out
