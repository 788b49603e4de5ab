"""Paragraph techniques (issue 15, opt-in): the packaged heads over the real multilingual encoder; records with
offsets; plain factual paragraphs never shown; the CLI's --paragraphs; reports and the store keep the level.
Texts written for these tests (the fictional ministry statement of test_shown.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language
from typer.testing import CliRunner

from tests.techniques.test_shown import LOADED, PLAIN_FACTS
from unspun.analysis import AnalysisOptions, analyze_article, analyze_doc
from unspun.cli.app import app
from unspun.records import Article, Technique
from unspun.render.html import render_html
from unspun.store import open_store
from unspun.techniques.paragraphs import (
    PARAGRAPH_TECHNIQUE_NAMES,
    ParagraphTechniqueDetector,
    load_paragraph_heads,
    paragraph_spans,
)

pytestmark = pytest.mark.model

ARTICLE = "\n\n".join([PLAIN_FACTS[0], LOADED, "  " + PLAIN_FACTS[1] + "  ", PLAIN_FACTS[6]]) + "\n"


@pytest.fixture(scope="module")
def detector() -> ParagraphTechniqueDetector:
    return ParagraphTechniqueDetector()


def test_packaged_heads_are_consistent() -> None:
    heads = load_paragraph_heads()
    assert set(heads.labels) <= set(PARAGRAPH_TECHNIQUE_NAMES) and "Loaded_Language" in heads.labels
    assert heads.weights.shape == (512, len(heads.labels)) and heads.bias.shape == (len(heads.labels),)
    assert np.all((heads.thresholds > 0) & (heads.thresholds < 1)) and 0 < heads.shown_threshold < 1


def test_paragraph_spans_skip_blank_lines_and_trim() -> None:
    spans = paragraph_spans(ARTICLE)
    assert [ARTICLE[s:e] for s, e in spans] == [PLAIN_FACTS[0], LOADED, PLAIN_FACTS[1], PLAIN_FACTS[6]]
    assert paragraph_spans("\n \n\t\n") == []


def test_loaded_paragraph_is_shown_plain_facts_are_not(detector: ParagraphTechniqueDetector) -> None:
    found = detector.detect(ARTICLE)
    for record in found:
        assert ARTICLE[record.start:record.end] == record.text
        assert record.shown == (record.score >= detector.heads.shown_threshold)
    shown = [r for r in found if r.shown]
    assert shown and {r.text for r in shown} == {LOADED}
    assert "Loaded_Language" in {r.technique for r in shown}


@pytest.mark.parametrize("sentence", PLAIN_FACTS)
def test_plain_factual_paragraph_shows_no_technique(detector: ParagraphTechniqueDetector, sentence: str) -> None:
    assert [r for r in detector.detect(sentence) if r.shown] == []


def test_analysis_adds_paragraph_records_only_when_asked(nlp: Language) -> None:
    article = Article(text=ARTICLE, id="p")
    plain = analyze_article(article, nlp=nlp)
    assert {t.level for t in plain.techniques} <= {"span"}
    both = analyze_doc(nlp(ARTICLE), article, AnalysisOptions(paragraphs=True))
    paragraphs = [t for t in both.techniques if t.level == "paragraph"]
    assert paragraphs and [t for t in both.techniques if t.level == "span"] == plain.techniques
    assert both.shown_paragraph_techniques and all(t.text == LOADED for t in both.shown_paragraph_techniques)
    assert both.shown_techniques == plain.shown_techniques  # span reports are unchanged
    html = render_html([both])
    assert "Paragraph techniques" in html and "loaded language" in html
    assert "Paragraph techniques" not in render_html([plain])


def test_cli_paragraphs_in_json_and_terminal(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--paragraphs", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = [t for t in json.loads(result.stdout)["techniques"] if t["level"] == "paragraph"]
    assert records and {r["text"] for r in records if r["shown"]} == {LOADED}
    terminal = runner.invoke(app, ["analyze", str(path), "--paragraphs"])
    assert terminal.exit_code == 0 and "Paragraph techniques (1 paragraph)" in terminal.stdout
    assert "Paragraph techniques" not in runner.invoke(app, ["analyze", str(path)]).stdout


def test_ingest_and_reanalyse_with_paragraphs(runner: CliRunner, tmp_path: Path) -> None:
    """A store keeps paragraph techniques when asked for them; analyses made with and without them are each
    other's stale versions, so `analyze --db` brings a store to what it is asked for."""
    path = tmp_path / "statement.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'p.db'}"

    def levels() -> set[str]:
        with open_store(url) as store:
            (article,) = list(store.iter_articles())
            stored = store.analysis(article.id or "")
        assert stored is not None
        return {t.level for t in stored.techniques}

    assert runner.invoke(app, ["ingest", str(path), "--db", url, "--paragraphs"]).exit_code == 0
    assert "paragraph" in levels()
    again = runner.invoke(app, ["analyze", "--db", url])
    assert again.exit_code == 0 and "re-analysed 1 stored" in again.stderr
    assert levels() == {"span"}
    assert "re-analysed 1 stored" in runner.invoke(app, ["analyze", "--db", url, "--paragraphs"]).stderr
    assert "paragraph" in levels()
    assert "re-analysed 0 stored" in runner.invoke(app, ["analyze", "--db", url, "--paragraphs"]).stderr


def test_store_keeps_the_level(store_url: str) -> None:
    from tests.store.test_narratives_store import analysed

    article, analysis = analysed("p1", "one.example", "2026-11-16")
    records = [Technique("Sanctions", 0, 9, "Loaded_Language", "loaded language", 0.6, True),
               Technique("backfired", 15, 24, "Loaded_Language", "loaded language", 0.3, False),
               Technique(article.text, 0, len(article.text), "Doubt", "doubt", 0.4, False, level="paragraph"),
               Technique(article.text, 0, len(article.text), "Slogans", "slogan", 0.2, False, level="paragraph")]
    with open_store(store_url) as store:
        store.add([(article, dataclasses.replace(analysis, techniques=records))], "v1")
        stored = store.analysis("p1")
    assert stored is not None and stored.techniques == records  # spans in text order, then paragraphs
    assert stored.shown_techniques == records[:1] and stored.shown_paragraph_techniques == []


class RecordingEncoder:
    """An encoder that records what it is asked to embed (the real one is tested above)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.zeros((len(texts), 512), dtype=np.float32)


@pytest.mark.parametrize("huge", [" ".join([LOADED] * 10_000), "x" * 1_000_000, ("word " * 300 + "\n") * 3])
def test_paragraphs_embed_a_bounded_text_whatever_the_input(huge: str) -> None:
    """Long paragraphs, a line with no spaces: the encoder gets at most MAX_WORDS words and MAX_CHARS characters
    (its memory grows with tokens), and each record still spans its whole paragraph."""
    from unspun.techniques.paragraphs import MAX_CHARS, MAX_WORDS

    encoder = RecordingEncoder()
    heads = load_paragraph_heads()
    heads = dataclasses.replace(heads, bias=np.full_like(heads.bias, 5.0))  # every label kept: records to check
    found = ParagraphTechniqueDetector(heads, encoder).detect(huge)
    assert encoder.seen and all(len(t) <= MAX_CHARS and len(t.split()) <= MAX_WORDS for t in encoder.seen)
    assert found and all(huge[r.start:r.end] == r.text and len(r.text.split()) >= len(huge.split()) / 3
                         for r in found)


def test_paragraph_spans_on_every_kind_of_line_break() -> None:
    text = "First para.\r\nSecond\rThird\u2028Fourth\n\u200b\n  \t\nFifth \u00e9t\u00e9"
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == ["First para.", "Second", "Third", "Fourth", "Fifth \u00e9t\u00e9"]


@pytest.mark.parametrize("damage", ["truncated", "empty", "nan", "shape"])
def test_a_damaged_heads_file_is_one_model_error(tmp_path: Path, damage: str) -> None:
    from importlib import resources

    from unspun.errors import ModelError

    packaged = resources.files("unspun.techniques").joinpath("model", "paragraphs.npz").read_bytes()
    path = tmp_path / "paragraphs.npz"
    if damage in ("truncated", "empty"):
        path.write_bytes(packaged[: len(packaged) // 2] if damage == "truncated" else b"")
    else:
        heads = load_paragraph_heads()
        weights = heads.weights.copy()
        if damage == "nan":
            weights[0, 0] = np.nan
        else:
            weights = weights[:100]
        np.savez(path, labels=np.array(heads.labels), weights=weights, bias=heads.bias, thresholds=heads.thresholds,
                 shown_threshold=np.float32(heads.shown_threshold), encoder=np.array("use-multilingual-v3"))
    with pytest.raises(ModelError, match="paragraph technique model"):
        load_paragraph_heads(path)


def test_ingest_refuses_paragraphs_without_analysis(tmp_path: Path) -> None:
    from tests.cli.test_cli import run_unspun

    path = tmp_path / "statement.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = run_unspun("ingest", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--paragraphs", "--no-analyze")
    assert result.returncode != 0 and "--no-analyze" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_paragraphs_in_worker_processes(runner: CliRunner, tmp_path: Path) -> None:
    """With --processes 2 the option reaches the spawned workers (the task pickles with it)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(ARTICLE.replace("Valdoria", f"Valdoria{n}"), encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(folder), "--paragraphs", "--processes", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 3
    assert all({t["text"] for t in a["techniques"] if t["level"] == "paragraph" and t["shown"]} == {LOADED}
               for a in lines)
