"""Who a source is: the mention's span, canonical name, source type, role and affiliation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from spacy.tokens import Doc, Token

from unspun.extract.cues import doc_ents, doc_text, entity_at
from unspun.extract.entities import PersonIndex, affiliation_of, canonical_place, clean_name
from unspun.nlp.lexicons import (
    anonymity_markers,
    demonyms,
    document_nouns,
    institution_nouns,
    person_descriptions,
    roles,
)
from unspun.records import Speaker

_SINGULAR_PRONOUNS = {"he", "she", "him", "her"}
_PLURAL_PRONOUNS = {"they", "them"}
_FIRST_PERSON = {"i", "we", "me", "us", "you"}
_MENTION_RIGHT_DEPS = {"prep", "compound", "flat", "nummod", "amod", "pobj", "acl", "poss", "case"}
_STOP = {",", ";", ":", "—", "–", "(", ")", "“", "”", '"', "‘", "’"}
_SUBJECTS = ("nsubj", "nsubjpass", "expl")
# Titles that say what someone is, not which office they hold: "the official" never names a person, although
# "the minister" may mean the minister the article named.
_GENERIC_TITLES = {"official", "officer", "source", "insider", "aide", "adviser", "advisor", "diplomat", "analyst",
                   "expert", "observer", "person", "representative", "staffer", "employee", "member"}
_DEFINITE = {"the", "this", "that"}
_INDEFINITE = {"a", "an", "one", "another"}
# Nouns that can refer back to any single source, whatever noun introduced it ("the person", "the source").
_ANY_SOURCE = {"person", "source", "individual"}
# An anonymity clause that covers others too: "like all respondents", "like many of the Democrats interviewed".
_BLANKET = re.compile(r"\blike (?:all|many|most|the others?|others|every)\b|\bas did (?:all|many|most|others)\b")


@dataclass
class SpeakerContext:
    """What speaker resolution needs to know about the article."""

    doc: Doc
    people: PersonIndex
    quote_ranges: list[tuple[int, int]] = field(default_factory=list)
    previous: list[tuple[int, Speaker]] = field(default_factory=list)  # (char offset, speaker) so far
    pronouns: dict[str, str] = field(default_factory=dict)  # canonical name -> "he" or "she" seen for it
    # "who, like all respondents, responded anonymously": every unnamed source of the article is anonymous
    blanket_anonymity: bool = False
    def full_org(self, name: str) -> str:
        """"Brightwell" -> "Brightwell Foods" when the article named the organisation in full."""
        for ent in doc_ents(self.doc):
            if ent.label_ == "ORG" and ent.text.startswith(name + " ") and len(ent.text) < len(name) + 40:
                return canonical_place(ent.text)
        return name

    def org_before(self, offset: int, noun: str) -> str | None:
        """The latest organisation named before offset whose name holds the noun, else the latest one."""
        orgs = [e for e in doc_ents(self.doc) if e.label_ == "ORG" and e.end_char <= offset]
        for ent in reversed(orgs):
            if noun in ent.text.lower():
                return canonical_place(ent.text)
        if orgs and noun in ("company", "firm", "airline", "bank", "group", "corporation", "manufacturer"):
            return canonical_place(orgs[-1].text)
        return None


def mention_tokens(head: Token) -> list[Token]:
    """The source mention around its head: left modifiers and prepositional tails, not appositions."""
    left = [t for t in head.subtree if t.i < head.i and not (t.is_punct and t.text in _STOP)]
    if left:
        # drop any left part cut off by a comma ("Smith, the minister," keeps "the minister" only)
        commas = [t.i for t in head.doc[left[0].i : head.i] if t.text in _STOP]
        if commas:
            left = [t for t in left if t.i > commas[-1]]
    right: list[Token] = []
    for child in head.rights:
        if child.dep_ not in _MENTION_RIGHT_DEPS or child.text in _STOP:
            break
        sub = list(child.subtree)
        if any(t.text in _STOP for t in sub) or any(t.dep_ == "relcl" for t in sub):
            break
        right.extend(sub)
    tokens = sorted(left + [head] + right, key=lambda t: t.i)
    tokens = [t for t in tokens if not t.is_space]
    while len(tokens) > 1 and not any(ch.isalnum() for ch in tokens[0].text):
        tokens = tokens[1:]
    while len(tokens) > 1 and not any(ch.isalnum() for ch in tokens[-1].text):
        tokens = tokens[:-1]
    return tokens


def attribution_text(head: Token, quote_ranges: list[tuple[int, int]], limit_char: int | None = None) -> str:
    """The words that describe the source, lower-cased, for anonymity markers: the mention with its
    apposition or relative clause and the rest of the attribution ("..., speaking on condition of
    anonymity"), but neither quotations nor the clause the source is reported to have said."""
    sent = head.sent
    end = sent.end_char if limit_char is None else min(sent.end_char, max(limit_char, head.idx))
    start = min(t.idx for t in head.subtree)
    reported: set[int] = set()
    if head.dep_ in ("nsubj", "nsubjpass"):
        for child in head.head.children:
            if child.dep_ == "ccomp" and child.i > head.i and any(c.dep_ in _SUBJECTS for c in child.children):
                reported.update(t.i for t in child.subtree)
    elif head.dep_ == "pobj":  # "according to X, CONTENT": only X's own phrase
        end = min(end, max(t.idx + len(t) for t in head.subtree))
    words = [t.text_with_ws for t in sent if start <= t.idx < end and t.i not in reported
             and not any(s <= t.idx < e for s, e in quote_ranges)]
    return "".join(words).lower()


def is_anonymous(text: str) -> bool:
    return any(marker in text for marker in anonymity_markers())


def describe_speaker(head: Token | None, ctx: SpeakerContext, at: int, clause_end: int | None = None) -> Speaker:
    """Build the Speaker for a mention head (or none) attributed at char offset `at`."""
    if head is None:
        return Speaker(type="unknown")
    head = _antecedent_of_relative(head)
    tokens = mention_tokens(head)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    mention = Speaker(type="unknown", text=doc_text(ctx.doc)[start:end], start=start, end=end)
    lower = head.lower_
    if lower in _FIRST_PERSON:
        return replace(mention, type="unknown")
    role = _role(tokens, head)
    affiliation = affiliation_of([t for t in tokens if t.ent_type_ != "PERSON" and not _is_name_part(t, head)],
                                 ctx.people.places)
    attribution = attribution_text(head, ctx.quote_ranges, clause_end)
    if is_anonymous(attribution):
        # an anonymity clause decides, whatever the head: "a senior aide to Putin, speaking on condition of anonymity"
        ctx.blanket_anonymity = ctx.blanket_anonymity or _BLANKET.search(attribution) is not None
        return replace(mention, type="anonymous", role=role, affiliation=affiliation)
    if lower in _SINGULAR_PRONOUNS | _PLURAL_PRONOUNS | {"it"}:
        return _resolve_pronoun(lower, ctx, at, mention)
    person = _person_in(head, ctx.people)
    if person is not None:
        role = role if role and role != "other" else ctx.people.roles.get(person, role)
        return replace(mention, type="named", name=person, role=role,
                       affiliation=affiliation or ctx.people.affiliations.get(person), resolved_by="mention")
    if (head.lemma_.lower() in document_nouns() or lower in document_nouns()) and not _is_proper_name(head):
        return replace(mention, type="document", affiliation=affiliation)
    org = _organisation(head, tokens, ctx)
    if org is not None:
        country = _country_in(tokens, head, ctx)
        return replace(mention, type="named", name=org, role=None, affiliation=country if country != org else None,
                       resolved_by="mention")
    if head.pos_ == "PROPN" and head.text[:1].isupper() and head.ent_type_ not in ("NORP", "GPE", "DATE"):
        name = ctx.people.resolve(" ".join(t.text for t in _name_run(head)))
        return replace(mention, type="named", name=name, role=role, affiliation=affiliation, resolved_by="mention")
    earlier = _same_noun_before(head, tokens, ctx)
    if earlier is not None:  # "the official" after "said a senior official, speaking anonymously": the same source
        return replace(earlier, role=role or earlier.role, affiliation=affiliation or earlier.affiliation,
                       resolved_by="title", text=mention.text, start=mention.start, end=mention.end)
    if _is_generic_title(head):
        return replace(mention, type="unnamed", role=role, affiliation=affiliation)
    named = _resolve_title(head, tokens, ctx, at) or _described_person(head, tokens, ctx, mention)
    if named is not None:
        return replace(mention, type="named", name=named, role=role or ctx.people.roles.get(named),
                       affiliation=affiliation or ctx.people.affiliations.get(named), resolved_by="title")
    return replace(mention, type="unnamed", role=role, affiliation=affiliation)


def _is_generic_title(head: Token) -> bool:
    return head.lower_ in _GENERIC_TITLES or head.lemma_.lower() in _GENERIC_TITLES


def _same_noun_before(head: Token, tokens: list[Token], ctx: SpeakerContext) -> Speaker | None:
    """A definite singular mention ("the official", "the woman") that refers back to the latest source
    described with the same noun, when that source was anonymous or unnamed: it keeps that source's type."""
    if not _is_definite(head, tokens) or head.tag_ in ("NNS", "NNPS"):
        return None
    nouns = {head.lemma_.lower(), head.lower_}
    for _, prev in reversed(ctx.previous):
        if not prev.text or prev.resolved_by == "pronoun":
            continue
        if nouns & _words(prev.text):
            return prev if prev.type in ("anonymous", "unnamed") else None
        if nouns & _ANY_SOURCE and prev.type in ("anonymous", "unnamed") and _one_individual(prev.text):
            return prev  # "the person added", after "said a longtime adviser, who requested anonymity"
    return None


def _described_person(head: Token, tokens: list[Token], ctx: SpeakerContext, mention: Speaker) -> str | None:
    """"the New York businessman", "the Indiana governor": a definite description of one person's station
    refers back to the person the article named last (not one named inside the description itself)."""
    descriptions = person_descriptions()
    if head.tag_ in ("NNS", "NNPS") or not ({head.lemma_.lower(), head.lower_} & descriptions):
        return None
    # only "the"/"this"/"that": after "his" or "Obama's" the latest person named is the possessor, not the one described
    if not any(t.lower_ in _DEFINITE for t in tokens if t.i < head.i) or mention.start is None or mention.end is None:
        return None
    inside = {name for start, _, name in ctx.people.mentions if mention.start <= start < mention.end}
    found = ctx.people.antecedent(mention.start, ctx.quote_ranges, inside)
    return found[1] if found is not None else None


def _is_proper_name(head: Token) -> bool:
    """"The New York Post", "The Times": a title-case proper noun names an outlet, not a document."""
    return head.pos_ == "PROPN" and head.text[:1].isupper() and head.ent_type_ in ("ORG", "WORK_OF_ART", "")


def _is_definite(head: Token, tokens: list[Token]) -> bool:
    """"the minister", "this official", "her lawyer", "Obama's strategist"."""
    return any(t.lower_ in _DEFINITE or t.dep_ == "poss" for t in tokens if t.i < head.i)


def _words(text: str) -> set[str]:
    return {w.strip(",.;:'’\"").lower() for w in text.split()}


def spread_anonymity(speakers: list[Speaker], blanket: bool = False) -> list[Speaker]:
    """Speakers in text order, with anonymity granted in a later sentence carried back to the same source:
    "A U.S. official said X. The official, who spoke on condition of anonymity, said Y" makes X anonymous
    too (news style often gives the reason for anonymity after the first attribution). A blanket grant
    ("who, like all respondents, responded anonymously") makes every unnamed source anonymous."""
    if blanket:
        return [replace(s, type="anonymous") if s.type == "unnamed" else s for s in speakers]
    out = list(speakers)
    for i, later in enumerate(out):
        first = (later.text or "").split()[:1]
        if later.type != "anonymous" or not first or first[0].lower() not in _DEFINITE or not later.text:
            continue
        noun = later.text.split()[-1].strip(",.;:").lower()
        for j in range(i - 1, -1, -1):
            prev = out[j]
            if not prev.text or noun not in _words(prev.text):
                continue
            if prev.type == "unnamed" and prev.text.split()[0].lower() in _INDEFINITE:
                out = [replace(s, type="anonymous") if s == prev else s for s in out]
            break
    return out
def _antecedent_of_relative(head: Token) -> Token:
    """"..., who said that ...": the speaker is the noun the relative clause hangs on."""
    if head.lower_ in ("who", "which", "that") and head.head.dep_ == "relcl":
        return head.head.head
    return head


def _resolve_pronoun(lower: str, ctx: SpeakerContext, at: int, mention: Speaker) -> Speaker:
    if lower in _PLURAL_PRONOUNS:
        for _, prev in reversed(ctx.previous):
            if prev.type != "named" and prev.text and prev.text.lower().endswith("s"):
                return replace(prev, resolved_by="pronoun", text=mention.text, start=mention.start, end=mention.end)
        return replace(mention, type="unknown")
    if lower == "it":
        for _, prev in reversed(ctx.previous):
            if prev.type in ("named", "document") and prev.name not in ctx.people.titles and prev.resolved_by != "pronoun":
                return replace(prev, resolved_by="pronoun", text=mention.text, start=mention.start, end=mention.end)
        return replace(mention, type="unknown")
    offset = at if mention.start is None else mention.start
    other = "she" if lower in ("he", "him") else "he"
    exclude = {n for n, p in ctx.pronouns.items() if p == other}
    found = ctx.people.antecedent(offset, ctx.quote_ranges, exclude)
    unnamed = _last_unnamed_individual(ctx, found)
    if unnamed is not None:
        return replace(unnamed, resolved_by="pronoun", text=mention.text, start=mention.start, end=mention.end)
    name = found[1] if found else None
    if name is None:
        for _, prev in reversed(ctx.previous):
            if prev.type == "named" and prev.name in ctx.people.titles:
                name = prev.name
                break
    if name is None:
        return replace(mention, type="unknown")
    ctx.pronouns.setdefault(name, "he" if lower in ("he", "him") else "she")
    return replace(mention, type="named", name=name, role=ctx.people.roles.get(name),
                   affiliation=ctx.people.affiliations.get(name), resolved_by="pronoun")


def _last_unnamed_individual(ctx: SpeakerContext, person: tuple[int, str] | None) -> Speaker | None:
    """"..., said a senior officer. 'Yes,' he said.": he is that officer if no person was named since."""
    for _, prev in reversed(ctx.previous):
        if prev.start is None or prev.resolved_by == "pronoun":
            continue
        if prev.type in ("anonymous", "unnamed") and prev.text and _one_individual(prev.text):
            # the latest person named may be inside that mention ("a senior aide to Putin ... he said")
            inside = person is not None and prev.end is not None and prev.start <= person[0] < prev.end
            return prev if person is None or prev.start > person[0] or inside else None
        return None
    return None


def _one_individual(text: str) -> bool:
    """"a senior officer", "the woman": a single person (a pronoun "he" or "she" can point back to it)."""
    words = text.split()
    last = words[-1].lower().strip(",.")
    return words[0].lower() in _INDEFINITE | _DEFINITE and not (last.endswith("s") and not last.endswith("ss"))


def _person_in(head: Token, people: PersonIndex) -> str | None:
    """The person the mention itself names: the head's own PERSON entity or name, or its apposition's
    ("the governor, Ruth Adeyemi,"). Names in its tails ("an aide to Putin", "Putin's aide", "a Trump aide")
    belong to someone else."""
    appositions = [child for child in head.children if child.dep_ == "appos"]
    if head.dep_ == "appos":  # "Flynn, a top Trump surrogate,": the surrogate is Flynn
        appositions.append(head.head)
    for token in [head] + appositions:
        if token.ent_type_ == "PERSON":
            ent = entity_at(token)
            if ent is not None:
                return people.resolve(ent.text)
        if token.pos_ == "PROPN" and token.text[:1].isupper():
            proper = clean_name(" ".join(t.text for t in _name_run(token)))
            if proper in people.titles:
                return proper
            resolved = people.resolve(proper) if proper else None
            if resolved and resolved != proper and resolved in people.titles:
                return resolved
    return None


def _name_run(head: Token) -> list[Token]:
    """The capitalised proper nouns ending at head: "Mayor Ana Ruiz" of "Mayor Ana Ruiz of Town 3"."""
    doc, start = head.doc, head.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper():
        start -= 1
    return list(doc[start : head.i + 1])


def _organisation(head: Token, tokens: list[Token], ctx: SpeakerContext) -> str | None:
    """A speaking institution: an ORG entity ("the Kremlin"), or "the airline"/"the ministry" resolved to
    the organisation the article named before, or else named by its own description."""
    if head.lower_ in roles() and head.lower_ not in institution_nouns():
        return None  # "Castleford's captain" is a person, whatever the entity tagger says
    ent = entity_at(head)
    if ent is not None and ent.label_ in ("ORG", "FAC") or head.lower_ in ("kremlin", "pentagon"):
        return ctx.full_org(canonical_place(ent.text if ent is not None else head.text))
    if ent is not None and ent.label_ == "GPE" and head.pos_ == "PROPN":
        return canonical_place(ent.text)  # "Moscow said": the capital stands for its government
    if head.lemma_.lower() not in institution_nouns() and head.lower_ not in institution_nouns():
        return None
    if head.tag_ in ("NNS", "NNPS") and head.lower_ not in ("forces", "prosecutors"):
        return None
    determiners = [t.lower_ for t in tokens if t.i < head.i and t.dep_ in ("det", "poss")]
    if not determiners or determiners[0] in ("a", "an", "some", "one", "another"):
        return None
    earlier = ctx.org_before(head.idx, head.lower_)
    if earlier is not None:
        return earlier
    words = [t.text for t in tokens if t.dep_ != "det"]
    return " ".join(words) if words else None


def _country_in(tokens: list[Token], head: Token, ctx: SpeakerContext) -> str | None:
    """The country an organisation belongs to, from its own words ("the Russian Defence Ministry")."""
    table = demonyms()
    for token in tokens + [head]:
        if token.ent_type_ in ("NORP", "GPE"):
            return affiliation_of([token], ctx.people.places)
        word = token.text.lower().removesuffix("’s").removesuffix("'s")
        if word in table:
            return table[word]
    return None


def _resolve_title(head: Token, tokens: list[Token], ctx: SpeakerContext, at: int) -> str | None:
    """'the minister' -> the person the article earlier called minister; only with a definite article."""
    if head.lower_ not in roles() or head.tag_ in ("NNS", "NNPS"):
        return None
    if not any(t.lower_ in ("the", "this") for t in tokens if t.i < head.i):
        return None
    return ctx.people.with_title(head.lower_, at)


def _role(tokens: list[Token], head: Token) -> str | None:
    table = roles()
    words = [t.lower_ for t in tokens]
    for a, b in pairwise(words):
        if f"{a} {b}" in table:
            return table[f"{a} {b}"]
    if head.lower_ in table:
        return table[head.lower_]
    if head.lemma_.lower() in table:
        return table[head.lemma_.lower()]
    for word in words:
        if word in table and table[word] != "other":
            return table[word]
    return None


def _is_name_part(token: Token, head: Token) -> bool:
    """Proper nouns of the head's own name ("Vessarin" in "Minister Vessarin") are no affiliation."""
    return token.pos_ == "PROPN" and (token.i == head.i or (token.head.i == head.i and token.dep_ == "compound"
                                                             and head.pos_ == "PROPN"))
