"""Named entities with canonical names: surname-only and titled mentions resolve to the full name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from unspun.extract.cues import doc_ents, doc_text, entity_at
from unspun.nlp.lexicons import demonyms, roles
from unspun.records import Entity

KEPT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")
_POSSESSIVE = re.compile(r"(’s|'s|’|')$")
_HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "sir", "dame"}
_ALIASES = {
    "us": "United States", "u.s.": "United States", "usa": "United States", "u.s.a.": "United States",
    "america": "United States", "uk": "United Kingdom", "u.k.": "United Kingdom", "britain": "United Kingdom",
    "great britain": "United Kingdom", "eu": "European Union", "e.u.": "European Union",
    "un": "United Nations", "u.n.": "United Nations", "nato": "NATO", "russian federation": "Russia",
}


@dataclass
class PersonIndex:
    """People an article mentions: every mention's canonical name and the titles seen with it."""

    names: dict[str, str] = field(default_factory=dict)  # mention text -> canonical full name
    titles: dict[str, set[str]] = field(default_factory=dict)  # canonical -> title words
    mentions: list[tuple[int, int, str]] = field(default_factory=list)  # (start char, end char, canonical)
    subjects: set[int] = field(default_factory=set)  # start chars of mentions that are a clause's subject
    sentence_of: dict[int, int] = field(default_factory=dict)  # mention start char -> its sentence's start
    places: list[str] = field(default_factory=list)  # canonical GPE names, for demonyms the table lacks
    roles: dict[str, str] = field(default_factory=dict)  # canonical -> role from the person's descriptions
    affiliations: dict[str, str] = field(default_factory=dict)  # canonical -> organisation or country
    pronouns: dict[str, str] = field(default_factory=dict)  # canonical -> "he"/"she" from Mr./Ms. honorifics

    def resolve(self, name: str) -> str:
        """Canonical name for a mention NER missed: a known mention, else a surname of a full name."""
        cleaned = clean_name(name)
        return self.names.get(cleaned) or _match_full_name(cleaned, list(dict.fromkeys(self.names.values())))

    def canonical(self, text: str) -> str | None:
        return self.names.get(clean_name(text))

    def antecedent(self, offset: int, skip: list[tuple[int, int]], exclude: set[str]) -> tuple[int, str] | None:
        """(start, name) of the person a he/she at offset most likely means: the latest mention, or a
        subject mention in that same sentence."""
        latest: tuple[int, str] | None = None
        for start, end, name in reversed(self.mentions):
            if end > offset or name in exclude or any(s <= start < e for s, e in skip):
                continue
            if latest is None:
                latest = (start, name)
                if start in self.subjects:
                    return latest
            elif self.sentence_of.get(start) != self.sentence_of.get(latest[0]):
                break
            elif start in self.subjects:
                return start, name
        return latest

    def with_title(self, title: str, before: int) -> str | None:
        """The most recent person mentioned before offset that the article gives this title."""
        for start, _end, name in reversed(self.mentions):
            if start < before and title in self.titles.get(name, set()):
                return name
        return None


def clean_name(text: str) -> str:
    """A person's name without possessive, honorifics or leading titles ("Defense Minister X" -> "X")."""
    words = _POSSESSIVE.sub("", text.strip()).split()
    titles = roles()
    while len(words) > 1 and (words[0].lower().rstrip(".") in _HONORIFICS or words[0].lower() in titles):
        words = words[1:]
    return " ".join(words)


def canonical_place(text: str) -> str:
    name = clean_name(text)
    if name.lower().startswith("the "):
        name = name[4:]
    return _ALIASES.get(name.lower(), name)


def build_person_index(doc: Doc) -> PersonIndex:
    index = PersonIndex()
    index.places = list(dict.fromkeys(canonical_place(e.text) for e in doc_ents(doc) if e.label_ == "GPE"))
    tagged = [ent for ent in doc_ents(doc) if ent.label_ == "PERSON"]
    people = sorted(tagged + unlabelled_people(doc) + _people_tagged_as_orgs(doc, tagged), key=lambda e: e.start)
    full_names: list[str] = []
    for ent in people:
        name = clean_name(ent.text)
        if len(name.split()) >= 2 and name not in full_names:
            full_names.append(name)
    for ent in people:
        name = clean_name(ent.text)
        if not name:
            continue
        canonical = _match_full_name(name, full_names)
        index.names[name] = canonical
        index.mentions.append((ent.start_char, ent.end_char, canonical))
        if ent.root.dep_ in ("nsubj", "nsubjpass"):
            index.subjects.add(ent.start_char)
        honorific = _honorific(ent)
        if honorific is not None:
            index.pronouns.setdefault(canonical, honorific)
        described = describe_person(ent, index.places)
        index.titles.setdefault(canonical, set()).update(described.titles)
        if described.role and canonical not in index.roles:
            index.roles[canonical] = described.role
        if described.affiliation and canonical not in index.affiliations:
            index.affiliations[canonical] = described.affiliation
    _add_surname_mentions(doc, index)
    _learn_pronouns(doc, index)
    return index


def _add_surname_mentions(doc: Doc, index: PersonIndex) -> None:
    """Surnames the tagger did not label ("Caldwell conceded") still mention the person."""
    surnames = {full.split()[-1]: full for full in set(index.names.values()) if len(full.split()) >= 2}
    known = {start for start, _, _ in index.mentions}
    for token in doc:
        name = surnames.get(token.text)
        if name is None or token.idx in known or token.pos_ != "PROPN":
            continue
        if any(s <= token.idx < e for s, e, _ in index.mentions):
            continue
        index.mentions.append((token.idx, token.idx + len(token), name))
        if token.dep_ in ("nsubj", "nsubjpass"):
            index.subjects.add(token.idx)
    index.mentions.sort()
    for start, _end, _name in index.mentions:
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        if span is not None:
            index.sentence_of[start] = span[0].sent.start_char


_HE, _SHE = {"he", "him", "his", "himself"}, {"she", "her", "hers", "herself"}


def _learn_pronouns(doc: Doc, index: PersonIndex) -> None:
    """"Vega said she would ...": a sentence about one person that uses one gender's pronouns."""
    by_sentence: dict[int, set[str]] = {}
    first_mention: dict[int, int] = {}
    for start, _end, name in index.mentions:
        token = doc.char_span(start, start + 1, alignment_mode="expand")
        if token is None:
            continue
        sent = token[0].sent
        by_sentence.setdefault(sent.start, set()).add(name)
        first_mention.setdefault(sent.start, token[0].i)
    for sent_start, names in by_sentence.items():
        if len(names) != 1:
            continue
        sent = doc[sent_start].sent
        words = {t.lower_ for t in doc[first_mention[sent_start] : sent.end]}
        he, she = bool(words & _HE), bool(words & _SHE)
        if he != she:
            index.pronouns.setdefault(next(iter(names)), "he" if he else "she")


_GENDERED = {"mr": "he", "mrs": "she", "ms": "she", "miss": "she", "sir": "he", "dame": "she"}


def _honorific(ent: Span) -> str | None:
    doc = ent.doc
    words = [doc[ent.start - 1].lower_] if ent.start > 0 else []
    words.append(ent[0].lower_)
    for word in words:
        if word.rstrip(".") in _GENDERED:
            return _GENDERED[word.rstrip(".")]
    return None


_NOT_PEOPLE = ("ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "DATE", "TIME")


def unlabelled_people(doc: Doc) -> list[Span]:
    """Names the entity tagger missed: two to four capitalised proper nouns that the text treats as a
    person (after a title, before a descriptive apposition, or as the subject of a reporting verb)."""
    from unspun.nlp.lexicons import reporting_verbs

    labelled = {t for e in doc_ents(doc) for t in range(e.start, e.end)}
    found: list[Span] = []
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 4 and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper() and j not in labelled:
            j += 1
        start = i
        while start < j and doc[start].lower_ in roles():
            start += 1  # "Minister Tomasz Wielgosz": the title is evidence, not part of the name
        if j - start >= 2 and _treated_as_person(doc, start, j, reporting_verbs()):
            found.append(Span(doc, start, j, label="PERSON"))
        i = max(j, i + 1)
    return found


def _people_tagged_as_orgs(doc: Doc, people: list[Span]) -> list[Span]:
    """"Tigist Alemu" tagged ORG, then "Alemu" tagged PERSON: the full name was a person all along."""
    surnames = {p.text for p in people if len(p) == 1}
    return [
        Span(doc, e.start, e.end, label="PERSON")
        for e in doc_ents(doc)
        if e.label_ == "ORG" and 2 <= len(e) <= 3 and all(t.pos_ == "PROPN" for t in e) and e[-1].text in surnames
    ]


def _treated_as_person(doc: Doc, start: int, end: int, verbs: frozenset[str]) -> bool:
    table = roles()
    before = doc[max(0, start - 3) : start]
    if any(t.lower_ in table for t in before):
        return True
    if end + 1 < len(doc) and doc[end].text == "," and (doc[end + 1].lower_ in ("a", "an", "the")
                                                        or doc[end + 1].lower_ in table):
        return True
    root = doc[end - 1]
    return root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_.lower() in verbs


def _match_full_name(name: str, full_names: list[str]) -> str:
    if name in full_names:
        return name
    parts = name.split()
    for full in full_names:
        words = full.split()
        if len(parts) == 1 and parts[0] in (words[-1], words[0]):
            return full
        if len(parts) < len(words) and words[-len(parts):] == parts:
            return full
    return name


@dataclass(frozen=True)
class Description:
    titles: frozenset[str]
    role: str | None
    affiliation: str | None


_DESCRIPTOR_POS = ("PROPN", "NOUN", "ADJ", "PART", "PUNCT")


def describe_person(ent: Span, places: list[str]) -> Description:
    """What the text says a person is: "Polish Defence Minister X", "X, chief executive of Volkmann,"."""
    doc = ent.doc
    tokens: list[Token] = []
    i = ent.start - 1
    while i >= max(0, ent.start - 6) and doc[i].pos_ in _DESCRIPTOR_POS and doc[i].text not in (",", "(", "“", '"'):
        tokens.append(doc[i])
        i -= 1
    if ent.end < len(doc) and doc[ent.end].text == ",":
        for token in doc[ent.end + 1 : min(len(doc), ent.end + 16)]:
            if token.text in (",", ".", ";", "“", '"', "(") or token.ent_type_ == "PERSON":
                break
            tokens.append(token)
    tokens.sort(key=lambda t: t.i)
    table = roles()
    words = [t.lower_ for t in tokens]
    titles = {w for w in words if w in table}
    role = next((table[f"{a} {b}"] for a, b in pairwise(words) if f"{a} {b}" in table), None)
    role = role or next((table[w] for w in words if w in table and table[w] != "other"), None)
    return Description(frozenset(titles), role, affiliation_of(tokens, places))


def affiliation_of(tokens: list[Token], places: list[str]) -> str | None:
    """The organisation among the tokens, else the country of a nationality, else a place."""
    if not tokens:
        return None
    spans = list(dict.fromkeys(ent for ent in (entity_at(t) for t in tokens) if ent is not None))
    for label in ("ORG", "NORP", "GPE"):
        for ent in spans:
            if ent.label_ == label:
                name = clean_name(ent.text)
                return country_of(name, places) if label == "NORP" else canonical_place(name)
    table = demonyms()
    for token in tokens:
        if token.lower_ in table:
            return table[token.lower_]
    return None


def extract_entities(doc: Doc, people: PersonIndex) -> list[Entity]:
    out = []
    for ent in doc_ents(doc):
        if ent.label_ not in KEPT_LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        text = doc_text(doc)[start:end]
        stripped = _POSSESSIVE.sub("", text)
        end -= len(text) - len(stripped)
        if ent.label_ == "PERSON":
            name = people.canonical(stripped) or clean_name(stripped)
        elif ent.label_ == "NORP":
            name = country_of(stripped, people.places)
        else:
            name = canonical_place(stripped)
        if stripped:
            out.append(Entity(text=stripped, start=start, end=end, label=ent.label_, name=name))
    return out


def country_of(adjective: str, places: list[str]) -> str:
    """"Russian" -> "Russia" from the demonym table, else a place the article names ("Valdorian" -> "Valdoria")."""
    known = demonyms().get(adjective.lower())
    if known:
        return known
    for place in places:
        stem = place[:-1] if place.endswith(("a", "e", "y")) else place
        if len(stem) >= 4 and adjective.startswith(stem):
            return place
    return adjective
