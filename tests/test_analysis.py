"""The whole analysis on generated and real text: every offset indexes the article text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspun.analysis import analyze_article, analyze_doc
from unspun.nlp.pipeline import load_pipeline
from unspun.records import Analysis, Article

pytestmark = pytest.mark.model

from tests.paths import FIXTURES, SHARED

SEED = SHARED / "seed" / "000_1fd3dc944a29abde.txt"
# Written for these tests after the seed's pattern (fictional countries and people): a defence minister's
# visit rewritten with six quotations from four sources it never names, a scare quote and justifying paragraphs.
FARM_REWRITE = FIXTURES / "farm_rewrite.txt"

_SPEAKERS = ["Mayor Ana Ruiz", "a senior official", "officials", "she", "the minister", "a statement", "Ruiz"]
_VERBS = ["said", "told reporters", "added", "warned", "insisted"]
_CONTENT = ["the plan will fail", "we will not back down", "talks could resume in May", "it is a ‘turning point’"]
_MARKS = [("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»"), ("'", "'"), ("“", ""), ("", "”")]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    speaker, verb, content = draw(st.sampled_from(_SPEAKERS)), draw(st.sampled_from(_VERBS)), draw(
        st.sampled_from(_CONTENT)
    )
    left, right = draw(st.sampled_from(_MARKS))
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"{left}{content.capitalize()},{right} {speaker} {verb}."
    if form == 1:
        return f"{speaker.capitalize()} {verb}: {left}{content.capitalize()}.{right}"
    if form == 2:
        return f"{speaker.capitalize()} {verb} that {content}."
    return f"According to {speaker}, {content}."


def check_offsets(analysis: Analysis) -> None:
    text = analysis.article.text
    spans = []
    for q in analysis.quotes:
        spans.append((q.text, q.start, q.end))
        if q.cue is not None:
            spans.append((q.cue.text, q.cue.start, q.cue.end))
        if q.speaker.start is not None and q.speaker.end is not None:
            spans.append((q.speaker.text, q.speaker.start, q.speaker.end))
    spans += [(e.text, e.start, e.end) for e in analysis.entities]
    spans += [(d.text, d.start, d.end) for d in analysis.dates]
    spans += [(h.text, h.start, h.end) for h in analysis.hedges]
    for span_text, start, end in spans:
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == span_text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(sentences(), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=4).map("\n".join))
def test_analysis_every_offset_indexes_the_text(text: str) -> None:
    article = Article(text=text, published="2026-11-20")
    check_offsets(analyze_doc(load_pipeline()(text), article))


def check_farm_rewrite(text: str, published: str, scare_quote: str) -> None:
    analysis = analyze_doc(load_pipeline()(text), Article(text=text, published=published))
    check_offsets(analysis)
    direct = [q for q in analysis.quotes if q.kind == "direct"]
    assert len(direct) == 6
    for quote in direct:
        assert text[quote.start - 1] == "‘" and text[quote.end] == "’"
    assert all(q.speaker.type in ("anonymous", "unnamed") for q in direct)
    continued = [q for q in direct if q.continuation]
    assert len(continued) == 2 and all(q.speaker.text for q in continued)
    assert not any(scare_quote in q.text for q in analysis.quotes)
    assert analysis.sourcing.named == 0 and analysis.sourcing.share_unidentified == 1.0


def test_analysis_farm_rewrite_acceptance() -> None:
    """The seed's checks on a look-alike written for the tests, so they run in every clone."""
    check_farm_rewrite(FARM_REWRITE.read_text(encoding="utf-8"), "2025-02-10", "special and trusted partnership")


@pytest.mark.data
def test_analysis_seed_acceptance() -> None:
    """The issue's checks on the real seed article, read from ../shared (never copied here)."""
    check_farm_rewrite(SEED.read_text(encoding="utf-8"), "2024-11-20", "privileged strategic partnership")


def test_analysis_reports_rewrite_artefacts_with_offsets() -> None:
    text = ("Sure! Here is the rewritten article: The minister of Valdoria visited Selvara on Monday to open a new "
            "bridge over the river. Officials said the bridge would carry 4,000 vehicles a day. It is worth noting "
            "that the project was finished two months early.")
    analysis = analyze_article(Article(text=text, id="a", language="en"))
    kinds = {a.kind for a in analysis.artefacts}
    assert "prompt_leftover" in kinds and analysis.artefact_score >= 0.9
    assert all(text[a.start:a.end] == a.text for a in analysis.artefacts)
    document = analysis.to_dict()
    assert document["artefact_score"] == analysis.artefact_score and document["artefacts"][0]["kind"]
    clean = analyze_article(Article(text=text.split(": ", 1)[1].replace("It is worth noting that the", "The"),
                                    id="b", language="en"))
    assert clean.artefacts == [] and clean.artefact_score == 0.0


def test_analysis_of_a_batch_equals_each_article_analysed_alone() -> None:
    """A batch's narrative candidates are embedded together (analyze_batch): the records are those of each
    article analysed on its own (a vector agrees to about 1e-7, so scores agree at their 4 decimals)."""
    from unspun.analysis import analyze_items
    from unspun.extract.narratives import narrative_detector

    farm = FARM_REWRITE.read_text(encoding="utf-8")
    texts = [farm, farm.replace("Moscow", "the Kremlin"), "The council approved the budget on Tuesday.",
             "Western sanctions have backfired on Europe, whose factories close while Russia's economy grows."]
    articles = [Article(text=text, id=str(n)) for n, text in enumerate(texts)]
    detector = narrative_detector()
    detector._ahead.clear()
    batch = [outcome for _, outcome in analyze_items([(a.id or "", a) for a in articles])]
    assert len(detector._ahead) >= 3  # the candidates were embedded ahead, together
    for article, together in zip(articles, batch, strict=True):
        detector._ahead.clear()
        alone = analyze_article(article)
        assert isinstance(together, Analysis)
        assert together.to_dict() == alone.to_dict()
