"""Analyse articles end to end: text -> spaCy Doc -> records. The one orchestrator of extract/."""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from unspun.config import MAX_ARTICLE_CHARS
from unspun.errors import AnalysisError, InputTooLargeError, UnspunError
from unspun.extract.artefacts import artefact_score, find_artefacts
from unspun.extract.cues import doc_text
from unspun.extract.dates import extract_dates
from unspun.extract.entities import build_person_index, extract_entities
from unspun.extract.hedges import extract_hedges
from unspun.extract.narratives import find_narratives, narrative_detector
from unspun.extract.quotes import extract_quotes
from unspun.extract.sourcing import profile_sourcing
from unspun.extract.techniques import (
    find_paragraph_techniques,
    find_techniques,
    paragraph_detector,
    technique_detector,
)
from unspun.nlp.language import check_english
from unspun.nlp.pipeline import load_pipeline
from unspun.records import Analysis, Article
from unspun.techniques.paragraphs import heads_digest

Outcome = tuple[str, Analysis | UnspunError]
T = TypeVar("T")
PIPE_BATCH_SIZE = 16
# Bumped when the analysis output changes, so stored results go stale (2: rewrite artefacts; 3: narratives
# and persuasion techniques; 4: source typing of issue 17: anonymity clauses, titles and descriptions;
# 5: precision first, issue 15: narratives and technique spans carry "shown", technique scores are confidences;
# 6: narrative and sub-narrative scores are Platt-calibrated head probabilities).
ANALYSIS_REVISION = 6


def _pipeline_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from unspun import __version__
    from unspun.config import MODEL_PACKAGE

    try:
        model = version(MODEL_PACKAGE.replace("_", "-"))
    except PackageNotFoundError:
        model = "missing"
    return f"unspun-{__version__}.r{ANALYSIS_REVISION}+{MODEL_PACKAGE}-{model}"


# Stored with every analysis, so `unspun analyze --db` can find results an older version produced.
PIPELINE_VERSION = _pipeline_version()


@dataclass(frozen=True)
class AnalysisOptions:
    """What an analysis does beyond the default, carried as one value from the CLI, the web and ingest down to
    every worker process or Dask task."""

    catalog: Path | None = None  # a narrative catalog file (--narratives); None: the packaged SemEval-2025 one
    # Each paragraph's techniques too (--paragraphs; techniques/paragraphs.py). It embeds every paragraph: about
    # 35 % more time (bench/analysis_speed.py: 1.58x bare spaCy against 1.21x).
    paragraphs: bool = False

    def load(self) -> None:
        """Load what these options need now, so that a bad catalog or a broken paragraph model fails once, with
        one message naming it, before anything is read."""
        if self.catalog is not None:
            narrative_detector(self.catalog)
        if self.paragraphs:
            paragraph_detector().ready()


DEFAULT_OPTIONS = AnalysisOptions()


def pipeline_version(options: AnalysisOptions = DEFAULT_OPTIONS) -> str:
    """The version stored with analyses made with these options: another narrative catalog or paragraph techniques
    (or retrained paragraph heads) make a different version, so stored results made otherwise are stale."""
    version = PIPELINE_VERSION + (f"+paragraphs-{heads_digest()}" if options.paragraphs else "")
    if options.catalog is None:
        return version
    loaded = narrative_detector(options.catalog).catalog
    return f"{version}+narratives-{loaded.name}-{loaded.version}"[:128]


def analyze_doc(doc: Doc, article: Article, options: AnalysisOptions = DEFAULT_OPTIONS) -> Analysis:
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
        artefacts=(artefacts := find_artefacts(doc_text(doc))),
        artefact_score=round(artefact_score(artefacts, doc_text(doc)), 3),
        narratives=find_narratives(doc, narrative_detector(options.catalog)),
        techniques=find_techniques(doc) + (find_paragraph_techniques(doc_text(doc)) if options.paragraphs else []),
    )


def ensure_analysable(article: Article, source: str) -> None:
    """Refuse what the pipeline cannot analyse: a text over MAX_ARTICLE_CHARS, or not English (ingest's
    language detection already recognised English, so the check is skipped then)."""
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputTooLargeError(
            f"{source}: {len(article.text):,} characters is over the {MAX_ARTICLE_CHARS:,}-character limit for "
            "one article; split it into articles"
        )
    if article.language != "en":
        check_english(article.text, source)


def analyze_article(
    article: Article, nlp: Language | None = None, source: str = "input", options: AnalysisOptions = DEFAULT_OPTIONS,
) -> Analysis:
    ensure_analysable(article, source)
    nlp = nlp or load_pipeline()
    return analyze_doc(nlp(article.text), article, options)


def analyze_items(
    items: Iterable[tuple[str, Article | UnspunError]],
    nlp: Language | None = None,
    n_process: int = 1,
    batch_size: int = 16,
    options: AnalysisOptions = DEFAULT_OPTIONS,
) -> Iterator[Outcome]:
    """Analyse a stream of (label, article or error), in input order; bad items come back as errors.

    With n_process > 1 each worker process loads the pipeline once and sends back records only:
    a Doc never crosses a process boundary.
    """
    batches = batched(items, batch_size)
    if n_process <= 1:
        nlp = nlp or load_pipeline()
        settle_models()
        for batch in batches:
            yield from analyze_batch(batch, nlp, options)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(n_process, initializer=init_worker) as pool:
        for outcomes in pool.imap(functools.partial(worker_batch, options=options), batches):
            yield from outcomes


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to size items, in order (itertools.batched arrives in Python 3.12)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyze_batch(
    batch: Sequence[tuple[str, Article | UnspunError]], nlp: Language | None = None,
    options: AnalysisOptions = DEFAULT_OPTIONS,
) -> list[Outcome]:
    """Analyse one batch in this process, keeping its order; each item's failure stays its own."""
    nlp = nlp or load_pipeline()
    outcomes: list[Outcome | None] = []
    todo: list[tuple[int, str, Article]] = []
    for label, item in batch:
        if not isinstance(item, UnspunError):
            try:
                ensure_analysable(item, label)
            except UnspunError as exc:
                item = exc
        if isinstance(item, UnspunError):
            outcomes.append((label, item))
        else:
            todo.append((len(outcomes), label, item))
            outcomes.append(None)
    # spaCy's own minibatches of 16 news-length docs run about 40 % faster here than its default of
    # 1,000, which pads every doc of a large batch to the longest (measured with bench/ingest_speed.py).
    docs = nlp.pipe((article.text for _, _, article in todo), batch_size=PIPE_BATCH_SIZE)
    for group in batched(zip(todo, docs, strict=True), PIPE_BATCH_SIZE):
        _embed_ahead([doc for _, doc in group], options.catalog)
        for (slot, label, article), doc in group:
            outcomes[slot] = (label, _safe_analyze(doc, article, label, options))
    return [o for o in outcomes if o is not None]


def _embed_ahead(docs: list[Doc], catalog: Path | None) -> None:
    """Embed the narrative candidates of a few parsed articles in one encoder call (NarrativeDetector.embed_ahead);
    what fails here fails again in each article's own analysis, which reports it for that article alone."""
    try:
        narrative_detector(catalog).embed_ahead([(doc_text(doc), doc) for doc in docs])
    except Exception:  # noqa: BLE001, S110 - reported per article by _safe_analyze
        pass


def init_worker() -> None:
    """Load the pipeline once per worker process; one BLAS thread each, as the workers already fill the CPUs."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    load_pipeline()
    settle_models()


def settle_models() -> None:
    """Load the packaged detectors now and move every object alive (the pipeline's, the detectors') out of the
    garbage collector's reach: its full passes no longer walk the models' millions of objects while a long
    batch runs (2 % of the analysis time, measured on 120 news articles)."""
    import gc

    technique_detector()
    narrative_detector()
    gc.freeze()


def worker_batch(batch: Sequence[tuple[str, Article | UnspunError]],
                 options: AnalysisOptions = DEFAULT_OPTIONS) -> list[Outcome]:
    return analyze_batch(batch, load_pipeline(), options)


def _safe_analyze(doc: Doc, article: Article, label: str, options: AnalysisOptions) -> Analysis | UnspunError:
    """The one place a batch survives an unexpected failure: the article is reported, the rest go on."""
    try:
        return analyze_doc(doc, article, options)
    except UnspunError as exc:  # a model that cannot load, say: its own message, not "please report this"
        return exc
    except Exception as exc:  # noqa: BLE001 - a bug in one article must not lose the batch
        return AnalysisError(f"{label}: analysis failed ({type(exc).__name__}: {exc}); please report this")


def _published(article: Article) -> dt.date | None:
    if not article.published:
        return None
    try:
        return dt.date.fromisoformat(article.published[:10])
    except ValueError:
        return None
