"""Source typing rules (issue 17) on sentences written for these tests, with the installed spaCy model.

The worst error for unspun is an anonymous source typed named; each rule below is one way it happened.
"""

from __future__ import annotations

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from unspun.analysis import analyze_article
from unspun.extract.entities import PersonIndex
from unspun.extract.speakers import SpeakerContext, _country_in
from unspun.records import Article, Quote

pytestmark = pytest.mark.model


def quotes_of(text: str) -> list[Quote]:
    return analyze_article(Article(text=text, published="2026-11-20")).quotes


def quote_with(text: str, fragment: str) -> Quote:
    found = [q for q in quotes_of(text) if fragment in q.text]
    assert len(found) == 1, [(q.text, q.speaker.text) for q in quotes_of(text)]
    return found[0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # a person's name in the mention's tail belongs to someone else: the aide is still anonymous
        ("“The talks are going nowhere,” said a senior aide to Putin, speaking on condition of anonymity.",
         "going nowhere"),
        ("A senior aide to President Valdis Orlov, speaking on condition of anonymity, said the talks had stalled.",
         "talks had stalled"),
        ("Putin's foreign policy adviser, who asked not to be named, said the offer would be rejected.",
         "offer would be rejected"),
        ("“We expect nothing from Brussels,” a Kremlin official said, speaking anonymously to reporters.",
         "expect nothing"),
        (("An official close to Chancellor Marta Brenner, who was not authorized to speak publicly, said the budget "
         "would be cut."), "budget would be cut"),
    ],
)
def test_source_types_anonymity_clause_decides_whatever_the_head(text: str, fragment: str) -> None:
    assert quote_with(text, fragment).speaker.type == "anonymous"


def test_source_types_pronoun_takes_its_antecedents_type() -> None:
    text = ("A senior aide to Putin, speaking on condition of anonymity, said the summit had been postponed. "
            "“Nobody in Moscow wants a date now,” he said.")
    assert quote_with(text, "Nobody in Moscow").speaker.type == "anonymous"
    named = ("Foreign Minister Ana Ruiz said the summit had been postponed. “Nobody wants a date now,” she said.")
    pronoun = quote_with(named, "Nobody wants")
    assert pronoun.speaker.type == "named" and pronoun.speaker.name == "Ana Ruiz"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("“The decision is final,” the Kremlin official said.", "decision is final"),
        ("“We will respond,” the official said on Tuesday.", "We will respond"),
        ("According to the NATO source, the exercise will last two weeks.", "exercise will last"),
    ],
)
def test_source_types_bare_title_without_a_name_is_never_named(text: str, fragment: str) -> None:
    assert quote_with(text, fragment).speaker.type in ("unnamed", "anonymous")


def test_source_types_later_title_keeps_the_anonymous_sources_type() -> None:
    text = ("A senior NATO official, speaking on condition of anonymity, said the alliance would send more troops. "
            "“The decision was taken last week,” the official added.")
    assert quote_with(text, "decision was taken").speaker.type == "anonymous"


@pytest.mark.parametrize(
    ("text", "fragment", "name"),
    [
        ("Moscow said the sanctions were illegal and would be challenged in court.", "sanctions were illegal",
         "Moscow"),
        ("The Kremlin said the sanctions were illegal and would be challenged in court.", "sanctions were illegal",
         "Kremlin"),
    ],
)
def test_source_types_institutions_are_named(text: str, fragment: str, name: str) -> None:
    speaker = quote_with(text, fragment).speaker
    assert speaker.type == "named" and name in (speaker.name or "")


def test_source_types_named_person_with_title_stays_named() -> None:
    text = ("Defence Minister Ana Ruiz opened the base on Monday. “This base protects the north,” the minister said.")
    speaker = quote_with(text, "protects the north").speaker
    assert speaker.type == "named" and speaker.name == "Ana Ruiz"


def test_source_types_country_in_strips_the_possessive_not_letters() -> None:
    ctx = SpeakerContext(doc=Doc(Vocab(), words=["x"]), people=PersonIndex())
    swiss = Doc(Vocab(), words=["the", "Swiss", "ministry"])  # "swiss".rstrip("'s") was "swi"
    assert _country_in([swiss[0], swiss[1]], swiss[2], ctx) == "Switzerland"
    russian = Doc(Vocab(), words=["Russian's", "ministry"])
    assert _country_in([russian[0]], russian[1], ctx) == "Russia"
