"""Precision first (issue 15): plain factual sentences are never shown as persuasion or narrative; what is not
shown stays in the JSON with its score. Sentences written for this test (a fictional ministry statement)."""

from __future__ import annotations

import json

import pytest
from spacy.language import Language

from unspun.analysis import analyze_article
from unspun.records import Article
from unspun.render.json import render_json
from unspun.techniques.detect import TechniqueDetector, names_and_numbers

pytestmark = pytest.mark.model

# A ministry's agenda, named institutions, adjectives of nationality, numbers: nothing here persuades.
PLAIN_FACTS = [
    "The Minister of Defence of Valdoria arrived in Koros on Monday for a two-day official visit.",
    ("The agenda includes the licensed production of short-range air defence systems and the supply of spare "
    "parts for helicopters."),
    ("The ministers will chair the 21st meeting of the Valdorian-Tarsanian intergovernmental commission on "
    "military and military-technical cooperation."),
    "Sino-Indian relations and the joint naval exercise planned for March are also on the agenda.",
    ("The delegation includes representatives of the Federal Service for Military-Technical Cooperation and the "
    "state arms exporter."),
    "The sides are scheduled to sign a package of intergovernmental and commercial agreements on Tuesday.",
    "The Russian, Indian and French delegations met at the Ministry of Foreign Affairs at 10:00.",
    "The commission last met in 2023 in Valdoria, where 14 documents were signed.",
]
LOADED = ("These corrupt, treasonous thugs and their disgusting lies are destroying our great nation, and every "
          "patriot knows that this evil regime must be stopped.")


@pytest.mark.parametrize("sentence", PLAIN_FACTS)
def test_plain_factual_sentence_shows_no_technique_and_no_narrative(nlp: Language, sentence: str) -> None:
    analysis = analyze_article(Article(text=sentence, id="fact"), nlp=nlp)
    assert analysis.shown_techniques == []
    assert analysis.shown_narratives == []


def test_the_whole_statement_shows_nothing(nlp: Language) -> None:
    analysis = analyze_article(Article(text=" ".join(PLAIN_FACTS), id="statement"), nlp=nlp)
    assert analysis.shown_techniques == [] and analysis.shown_narratives == []


def test_strong_spans_are_shown_and_weaker_ones_stay_in_the_json_with_their_scores(nlp: Language) -> None:
    analysis = analyze_article(Article(text=LOADED, id="loaded"), nlp=nlp)
    threshold = TechniqueDetector().shown_threshold
    shown = analysis.shown_techniques
    assert shown and all(t.technique in {"Loaded_Language", "Name_Calling,Labeling"} for t in shown)
    spans = json.loads(render_json(analysis))["techniques"]
    assert {s["shown"] for s in spans} == {True, False}  # both kinds are in the JSON
    for span in spans:
        assert span["shown"] == (span["score"] >= threshold)
        assert LOADED[span["start"]:span["end"]] == span["text"]


def test_spans_of_names_and_numbers_are_never_shown(nlp: Language) -> None:
    doc = nlp("The Russian-Indian intergovernmental commission met 21 times, said the Kremlin's Dmitry Peskov.")
    assert names_and_numbers(doc[0:4])  # "The Russian-Indian"
    assert names_and_numbers(doc[11:16])  # "the Kremlin's Dmitry Peskov"
    assert not names_and_numbers(doc[1:6])  # "Russian-Indian intergovernmental commission": a common noun
    assert not names_and_numbers(doc[7:9])  # "21 times"
    assert not names_and_numbers(nlp("their disgusting lies")[0:3])
