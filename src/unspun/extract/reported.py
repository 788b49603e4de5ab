"""Reported (indirect) speech: a source, a reporting verb and the content it reports.

"X said (that) CONTENT", "CONTENT, X said", "according to X, CONTENT", "X hinted at CONTENT",
"X announced CONTENT". Content is read off the dependency parse, so it is as good as the parse.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from unspun.extract.cues import Cue, QuoteMask, according_source, according_to, is_reporting_verb, subject_of

# Verbs whose reported content can be a prepositional object ("hinted at talks on energy").
_PREP_CONTENT = {"hint": ("at",), "warn": ("of", "about", "against"), "speak": ("of", "about"),
                 "talk": ("about",), "comment": ("on",), "complain": ("about", "of"), "caution": ("against",)}
# Verbs whose reported content can be an infinitive ("vowed to stave off", "urged them to leave").
_XCOMP_CONTENT = {"promise", "pledge", "vow", "threaten", "urge", "ask", "warn", "tell", "call"}
# Verbs whose direct object can be the reported content ("announced a ban on exports").
_OBJECT_CONTENT = {"announce", "confirm", "deny", "reveal", "acknowledge", "admit", "report", "predict",
                   "promise", "pledge", "claim", "allege", "suggest", "concede", "propose", "forecast", "estimate"}
# Governors that make a reporting verb a forecast, not a report: "the trip is expected to confirm ...",
# "the minister is set to announce ...": nothing has been said yet.
_FORECAST_GOVERNORS = {"expect", "anticipate", "set", "due", "likely", "poise", "slate", "schedule", "plan"}
_MIN_CONTENT_TOKENS = 3
_EDGE_PUNCT = {",", ".", ";", ":", "—", "–", "-", '"', "“", "”", "‘", "’", "'"}


@dataclass
class Report:
    """One reported-speech attribution found in the parse."""

    cue: Cue
    speaker: Token | None
    start: int  # content span, characters
    end: int
    mixed: bool = False  # holds a quoted fragment


def find_reported(doc: Doc, mask: QuoteMask, used_cues: set[int]) -> list[Report]:
    reports = []
    for token in doc:
        if token.i in used_cues or mask.covers(token):
            continue
        cue = according_to(token)
        if cue is not None:
            report = _according(doc, cue)
        elif is_reporting_verb(token):
            report = _verb_report(doc, token)
        else:
            continue
        if report is not None and _outside_quotes(report, mask, doc):
            reports.append(report)
    return reports


def _verb_report(doc: Doc, verb: Token) -> Report | None:
    if _forecast(verb):
        return None
    content = _content_tokens(verb)
    if content is None or _about_anonymity_or_question(verb, sorted(content, key=lambda t: t.i)):
        return None
    speaker = subject_of(verb)
    if speaker is not None and speaker.lower_ in ("it", "there") and _expletive(speaker, verb):
        speaker = None  # "It was reported that ...": a report with no source
    elif speaker is None:
        return None
    bounds = _trim(doc, content)
    return Report(Cue((verb,)), speaker, *bounds) if bounds else None


def _content_tokens(verb: Token) -> list[Token] | None:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ == "ccomp":
            return [t for t in child.subtree if not (t.dep_ == "mark" and t.lower_ in ("that",) and t.head == child)]
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _PREP_CONTENT.get(lemma, ()):
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return list(objects[0].subtree)
    if lemma in _XCOMP_CONTENT:
        for child in verb.children:
            if child.dep_ == "xcomp":
                return list(child.subtree)
    if _is_parenthetical(verb):
        # "The museum, Mr. Obama said, would make ..." and "... would fail, he said.": the clause the
        # attribution interrupts or follows is the content.
        own = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in own]
    if lemma in _OBJECT_CONTENT:
        for child in verb.children:
            if child.dep_ == "dobj":
                sub = list(child.subtree)
                if len(sub) >= _MIN_CONTENT_TOKENS:
                    return sub
    return None


def _forecast(verb: Token) -> bool:
    governor = verb.head
    return verb.dep_ == "xcomp" and governor.i != verb.i and (
        governor.lemma_.lower() in _FORECAST_GOVERNORS or governor.lower_ in _FORECAST_GOVERNORS)


def _is_parenthetical(verb: Token) -> bool:
    """A subject-verb attribution set off by commas after (part of) its content: ", Mr. Obama said,"."""
    if verb.dep_ not in ("parataxis", "ccomp", "advcl") or verb.head.i == verb.i or verb.i < verb.head.i:
        return False
    if not any(c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i for c in verb.children):
        return False
    if any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in verb.children):
        return False
    doc = verb.doc
    first, last = verb.left_edge.i, verb.right_edge.i
    before = doc[first - 1].text if first > 0 else ""
    after = doc[last + 1].text if last + 1 < len(doc) else "."
    return before == "," and after in (",", ".", "!", "?", ";")


def _about_anonymity_or_question(verb: Token, content: list[Token]) -> bool:
    """"who asked not to be named", "asked whether ...": not reported statements."""
    if verb.lemma_.lower() not in ("ask", "request", "decline", "insist"):
        return False
    words = {t.lower_ for t in content}
    return bool(words & {"name", "named", "identified", "anonymity", "anonymous", "used"}) or (
        bool(content) and content[0].lower_ in ("whether", "if", "what", "why", "how", "when", "who", "where")
    )


def _according(doc: Doc, cue: Cue) -> Report | None:
    anchor = cue.tokens[0]
    main = anchor.head
    if main.i == anchor.i:
        return None
    excluded = {t.i for t in anchor.subtree} | {cue.tokens[1].i}
    subject = subject_of(main) if is_reporting_verb(main) else None
    if subject is not None and subject.i not in excluded:
        return None  # "according to X, an agent revealed that ...": the agent's own report is the quotation
    sent = anchor.sent
    content = [t for t in sent if t.i not in excluded]
    bounds = _trim(doc, content)
    if bounds is None:
        return None
    return Report(cue, according_source(cue), *bounds)


def _trim(doc: Doc, tokens: list[Token]) -> tuple[int, int] | None:
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and (tokens[0].text in _EDGE_PUNCT or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and (tokens[-1].text in _EDGE_PUNCT or tokens[-1].is_space):
        tokens = tokens[:-1]
    if len(tokens) < _MIN_CONTENT_TOKENS:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _expletive(token: Token, verb: Token) -> bool:
    return token.dep_ in ("expl", "nsubjpass") or token.lower_ == "there" or verb.tag_ == "VBN"


def _outside_quotes(report: Report, mask: QuoteMask, doc: Doc) -> bool:
    """Reported speech inside someone's quotation is theirs to report, not the article's."""
    return not any(start <= report.start and report.end <= end for start, end in mask.ranges)
