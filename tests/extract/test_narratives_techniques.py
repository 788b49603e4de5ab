"""Narratives and persuasion techniques inside the analysis: labels with evidence offsets, abstention, user
catalogs, and both shown in the terminal and HTML reports. Real pipeline, real packaged models."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rich.console import Console
from spacy.language import Language
from typer.testing import CliRunner

from unspun.analysis import PIPELINE_VERSION, AnalysisOptions, analyze_article, pipeline_version
from unspun.cli.app import app
from unspun.records import Analysis, Article
from unspun.render.html import render_html
from unspun.render.terminal import render_terminal
from unspun.techniques.detect import TECHNIQUE_NAMES

pytestmark = pytest.mark.model

FACTS = ("The minister arrived in the capital on Tuesday for two days of talks on trade and energy. "
         "Officials from both governments signed four agreements on grain, fertiliser and rail freight. ")
SPIN = ("Western sanctions have backfired, hurting European households far more than Moscow, a senior official "
        "said. Europe now pays twice as much for its gas while its factories close, and the West's pressure only "
        "pushes the world toward a multipolar order free of Western dictates. ")
SPORT = ("The home side won 3-1 on Sunday after a late goal from the captain. The coach praised the defence and "
         "said the team would rest three players before the cup match. Tickets for the final sold out in an hour.")
CATALOG = """name: harbour watch
version: 2
narratives:
  - label: "Harbour: The port is being sold off"
    definition: The claim that the harbour is secretly being sold to foreign owners.
    examples: ["The city is quietly selling the harbour to foreign investors behind residents' backs."]
    cues: [harbour, port]
"""


def analyse(text: str, nlp: Language, catalog: Path | None = None) -> Analysis:
    return analyze_article(Article(text=text, id="t"), nlp, options=AnalysisOptions(catalog=catalog))


def test_narrative_found_with_its_sentence_not_the_facts(nlp: Language) -> None:
    text = FACTS + SPIN + "The delegation will travel to the port city on Wednesday."
    analysis = analyse(text, nlp)
    found = [n for n in analysis.narratives if n.label != "Other"]
    assert found and all(n.label.startswith("URW: ") for n in found)
    evidence = [e for n in found for e in n.evidence]
    assert evidence and all(text[e.start:e.end] == e.text for e in evidence)
    assert all(e.start >= len(FACTS) for e in evidence), "a factual sentence was given as evidence"
    assert any("sanctions have backfired" in e.text for e in evidence)
    assert all(0 <= n.score <= 1 and n.sub_narratives for n in found)


def test_off_topic_article_gets_other_without_evidence(nlp: Language) -> None:
    [other] = analyse(SPORT, nlp).narratives
    assert other.label == "Other" and other.evidence == [] and other.sub_narratives == []


def test_technique_spans_have_offsets_and_known_names(nlp: Language) -> None:
    text = FACTS + SPIN
    techniques = analyse(text, nlp).techniques
    assert techniques
    for t in techniques:
        assert text[t.start:t.end] == t.text and t.technique in TECHNIQUE_NAMES
        assert t.name == TECHNIQUE_NAMES[t.technique] and 0 < t.score <= 1
    assert [t.start for t in techniques] == sorted(t.start for t in techniques)


def test_user_catalog_labels_replace_the_default_ones(nlp: Language, tmp_path: Path) -> None:
    catalog = tmp_path / "harbour.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    text = (FACTS + "Residents fear the city council is quietly selling the harbour to foreign investors behind "
            "their backs. " + SPIN)
    labels = {n.label: n for n in analyse(text, nlp, catalog).narratives}
    assert set(labels) == {"Harbour: The port is being sold off"}  # no default-catalog label survives
    [evidence] = labels["Harbour: The port is being sold off"].evidence
    assert "selling the harbour" in evidence.text and text[evidence.start:evidence.end] == evidence.text
    assert [n.label for n in analyse(SPORT, nlp, catalog).narratives] == ["Other"]
    assert pipeline_version(AnalysisOptions(catalog=catalog)) == f"{PIPELINE_VERSION}+narratives-harbour watch-2" != pipeline_version()


def test_cli_analyze_with_a_user_catalog(runner: CliRunner, tmp_path: Path) -> None:
    catalog = tmp_path / "harbour.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(FACTS + "The council is quietly selling the harbour to foreign investors behind residents' "
                       "backs, campaigners say.", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(article), "--format", "json", "--narratives", str(catalog)])
    assert result.exit_code == 0, result.output
    assert [n["label"] for n in json.loads(result.stdout)["narratives"]] == ["Harbour: The port is being sold off"]


def marked(analysis: Analysis, shown: bool) -> Analysis:
    """The analysis with every narrative and technique span marked shown (or not)."""
    return dataclasses.replace(analysis, narratives=[dataclasses.replace(n, shown=shown) for n in analysis.narratives],
                               techniques=[dataclasses.replace(t, shown=shown) for t in analysis.techniques])


def test_reports_show_narratives_with_evidence_and_techniques(nlp: Language) -> None:
    found = analyse(FACTS + SPIN, nlp)
    assert any(n.label != "Other" for n in found.narratives) and found.techniques
    analysis = marked(found, shown=True)  # rendering what is shown: every finding of this analysis marked shown
    console = Console(record=True, width=200)
    render_terminal(analysis, console)
    out = console.export_text()
    narrative = next(n for n in analysis.narratives if n.label != "Other")
    first = narrative.evidence[0]
    assert narrative.label in out and f"[{first.start}:{first.end}]" in out
    assert f"Persuasion techniques ({len(analysis.techniques)} spans)" in out and "below the confidence" not in out
    html = render_html([analysis])
    assert html.count('class="narrative"') >= len(narrative.evidence)
    assert 'href="#a1-narrative-1-1"' in html and 'id="a1-narrative-1-1"' in html
    assert 'class="technique"' in html and analysis.techniques[0].name in html


def test_reports_leave_out_what_is_not_shown_and_say_where_it_is(nlp: Language) -> None:
    found = analyse(FACTS + SPIN, nlp)
    hidden = marked(found, shown=False)
    console = Console(record=True, width=200)
    render_terminal(hidden, console)
    out = console.export_text()
    narratives = len([n for n in found.narratives if n.label != "Other"])
    assert "none of the catalog's narratives is supported with confidence" in out
    assert f"{narratives} narrative" in out and f"{len(found.techniques)} technique span" in out
    assert all(n.label not in out for n in found.narratives if n.label != "Other")
    html = render_html([hidden])
    assert 'class="technique"' not in html and 'class="narrative"' not in html
    assert "Below the confidence shown here" in html