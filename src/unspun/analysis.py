"""Analyse articles end to end: text -> spaCy Doc -> records. The one orchestrator of extract/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from unspun.errors import AnalysisError, UnspunError
from unspun.extract.dates import extract_dates
from unspun.extract.entities import build_person_index, extract_entities
from unspun.extract.hedges import extract_hedges
from unspun.extract.quotes import extract_quotes
from unspun.extract.sourcing import profile_sourcing
from unspun.nlp.language import check_english
from unspun.nlp.pipeline import load_pipeline
from unspun.records import Analysis, Article

Outcome = tuple[str, Analysis | UnspunError]


def analyze_doc(doc: Doc, article: Article) -> Analysis:
    """Every record unspun extracts from one parsed article."""
    people = build_person_index(doc)
    findings = extract_quotes(doc, people)
    entities = extract_entities(doc, people)
    return Analysis(
        article=article,
        quotes=findings.quotes,
        sourcing=profile_sourcing(findings.quotes, entities),
        entities=entities,
        dates=extract_dates(doc, _published(article)),
        hedges=extract_hedges(doc),
    )


def analyze_article(article: Article, nlp: Language | None = None, source: str = "input") -> Analysis:
    check_english(article.text, source)
    nlp = nlp or load_pipeline()
    return analyze_doc(nlp(article.text), article)


def analyze_items(
    items: Iterable[tuple[str, Article | UnspunError]],
    nlp: Language | None = None,
    n_process: int = 1,
    batch_size: int = 32,
) -> Iterator[Outcome]:
    """Analyse a stream of (label, article or error); bad items come back as errors, in order."""
    nlp = nlp or load_pipeline()
    pending: list[tuple[str, UnspunError]] = []

    def good() -> Iterator[tuple[str, Article]]:
        for label, item in items:
            if isinstance(item, UnspunError):
                pending.append((label, item))
                continue
            try:
                check_english(item.text, label)
            except UnspunError as exc:
                pending.append((label, exc))
                continue
            yield label, item

    stream = ((article.text, (label, article)) for label, article in good())
    for doc, (label, article) in nlp.pipe(stream, as_tuples=True, n_process=n_process, batch_size=batch_size):
        while pending:
            yield pending.pop(0)
        yield label, _safe_analyze(doc, article, label)
    while pending:
        yield pending.pop(0)


def _safe_analyze(doc: Doc, article: Article, label: str) -> Analysis | UnspunError:
    """The one place a batch survives an unexpected failure: the article is reported, the rest go on."""
    try:
        return analyze_doc(doc, article)
    except Exception as exc:  # noqa: BLE001 - a bug in one article must not lose the batch
        return AnalysisError(f"{label}: analysis failed ({type(exc).__name__}: {exc}); please report this")


def _published(article: Article) -> dt.date | None:
    if not article.published:
        return None
    try:
        return dt.date.fromisoformat(article.published[:10])
    except ValueError:
        return None
