"""The terminal report (Rich) and the JSON contract "unspun.analysis/1"."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from spacy.language import Language

from unspun.analysis import analyze_article
from unspun.records import Analysis, Article, Quote, Sourcing, Span, Speaker
from unspun.render.json import SCHEMA, render_json, render_jsonl
from unspun.render.terminal import render_terminal

# The contract, as documented: each object must carry at least these keys.
CONTRACT = {
    "article": {"id", "url", "site", "title", "published", "text"},
    "quote": {"text", "start", "end", "kind", "cue", "speaker"},
    "speaker": {"text", "start", "end", "name", "type", "role", "affiliation"},
    "sourcing": {
        "quotes",
        "named",
        "anonymous",
        "unnamed",
        "document",
        "unknown",
        "share_unidentified",
        "named_sources",
    },
    "entity": {"text", "start", "end", "label", "name"},
    "date": {"text", "start", "end", "value"},
    "hedge": {"text", "start", "end"},
    "top": {
        "schema",
        "article",
        "quotes",
        "sourcing",
        "entities",
        "dates",
        "hedges",
        "narratives",
        "techniques",
    },
}


def terminal_text(analysis: Analysis) -> str:
    console = Console(record=True, width=120)
    render_terminal(analysis, console)
    return console.export_text()


def assert_contract(data: dict) -> None:
    assert data["schema"] == SCHEMA == "unspun.analysis/1"
    assert CONTRACT["top"] <= set(data)
    assert CONTRACT["article"] <= set(data["article"])
    assert CONTRACT["sourcing"] <= set(data["sourcing"])
    for quote in data["quotes"]:
        assert CONTRACT["quote"] <= set(quote)
        assert CONTRACT["speaker"] <= set(quote["speaker"])
        assert quote["cue"] is None or {"text", "start", "end"} <= set(quote["cue"])
    for key, name in (("entities", "entity"), ("dates", "date"), ("hedges", "hedge")):
        for item in data[key]:
            assert CONTRACT[name] <= set(item), key
    assert isinstance(data["narratives"], list) and isinstance(data["techniques"], list)
    text = data["article"]["text"]
    for span in data["quotes"] + data["entities"] + data["dates"] + data["hedges"]:
        assert text[span["start"] : span["end"]] == span["text"]


def test_terminal_shows_speakers_and_source_types(hostile_analysis: Analysis) -> None:
    out = terminal_text(hostile_analysis)
    assert "An official" in out
    assert "anonymous" in out and "named" in out
    assert "2 quotations: 1 named  1 anonymous" in out
    assert "50% of quoted words come from sources the article does not identify." in out
    assert "Hedges: may" in out and "Monday → 2025-03-10" in out


def test_terminal_quote_text_is_not_rich_markup() -> None:
    # Editorial brackets are common in quotations; Rich would eat "[reopen]" and crash on "[/]".
    text = 'Helen Marsh said "we will [reopen] the bridge [/] soon [bold]" on Friday.'
    start = text.index("we will")
    end = text.index('" on')
    speaker = Speaker(
        type="named",
        text="Helen Marsh",
        start=0,
        end=11,
        name="Helen Marsh",
        role="official",
        affiliation="[red]Riverside[/]",
    )
    quote = Quote(
        text=text[start:end],
        start=start,
        end=end,
        kind="direct",
        speaker=speaker,
        cue=Span("said", 12, 16),
        continuation=True,
    )
    analysis = Analysis(
        article=Article(text=text, title="[b]Bridge[/b]"),
        quotes=[quote],
        sourcing=Sourcing(1, 1, 0, 0, 0, 0, 0.0, ["Helen Marsh"]),
        entities=[],
        dates=[],
        hedges=[],
    )
    out = terminal_text(analysis)
    assert "we will [reopen] the bridge [/] soon [bold]" in out
    assert "Helen Marsh [continues]" in out
    assert "official, [red]Riverside[/]" in out
    assert "[b]Bridge[/b]" in out


@pytest.mark.model
def test_terminal_real_analysis(nlp: Language, article_text: str) -> None:
    out = terminal_text(analyze_article(Article(text=article_text, id="bridge"), nlp))
    assert "We have no choice but to keep it shut," in out
    assert "Helen Marsh" in out and "named" in out
    assert "anonymous" in out


def test_json_contract_on_a_hand_built_analysis(hostile_analysis: Analysis) -> None:
    data = json.loads(render_json(hostile_analysis))
    assert_contract(data)
    assert data["article"]["id"] == "hostile"
    assert [q["speaker"]["type"] for q in data["quotes"]] == ["anonymous", "named"]
    assert data["sourcing"]["share_unidentified"] == 0.5
    assert data["entities"] and data["dates"] and data["hedges"]  # every list was checked above


def test_jsonl_is_one_line_with_the_same_content(hostile_analysis: Analysis) -> None:
    line = render_jsonl(hostile_analysis)
    assert "\n" not in line
    assert json.loads(line) == json.loads(render_json(hostile_analysis))


@pytest.mark.model
def test_json_contract_on_a_real_analysis(nlp: Language, article_text: str) -> None:
    data = json.loads(render_json(analyze_article(Article(text=article_text, id="bridge"), nlp)))
    assert_contract(data)
    said = [q for q in data["quotes"] if q["text"] == "We have no choice but to keep it shut,"]
    assert said and said[0]["speaker"]["name"] == "Helen Marsh" and said[0]["speaker"]["type"] == "named"
    assert data["sourcing"]["quotes"] == len(data["quotes"])


@given(text=st.text(min_size=1), title=st.none() | st.text(), published=st.none() | st.dates().map(str))
def test_json_round_trips_any_article(text: str, title: str | None, published: str | None) -> None:
    analysis = Analysis(
        article=Article(text=text, title=title, published=published),
        quotes=[],
        sourcing=Sourcing(0, 0, 0, 0, 0, 0, 0.0),
        entities=[],
        dates=[],
        hedges=[],
    )
    data = json.loads(render_json(analysis))
    assert data == analysis.to_dict()
    assert data["article"]["text"] == text
