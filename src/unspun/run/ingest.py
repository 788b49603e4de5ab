"""The batch loop: read sources, analyse what the store lacks, write one transaction per batch.

Only plain records cross process and database boundaries (Articles out to the workers, Analyses back),
so the same loop can later run on a cluster. A batch is stored whole or not at all: a process killed
mid-ingest leaves complete batches, and running the same ingest again finishes the rest.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from multiprocessing.pool import AsyncResult

from unspun.analysis import (
    DEFAULT_OPTIONS,
    AnalysisOptions,
    analyze_batch,
    batched,
    init_worker,
    pipeline_version,
    worker_batch,
)
from unspun.errors import NotEnglishError, StoreError, UnspunError
from unspun.ingest.crawler import FetchOptions
from unspun.ingest.normalize import normalize_article
from unspun.ingest.sources import Item, read_inputs
from unspun.records import Analysis, Article
from unspun.run.cluster import ClusterReport, Engine
from unspun.run.problems import ItemProblems, kind_of, reason_for
from unspun.store.store import Store

Progress = Callable[[int], None]


@dataclass(frozen=True)
class IngestOptions:
    analyze: bool = True
    workers: int = 1
    batch_size: int = 200
    allow_private: bool = False
    fetch: FetchOptions | None = None  # politeness and robots.txt for feeds, sitemaps and URL lists
    analysis: AnalysisOptions = DEFAULT_OPTIONS  # how articles are analysed: narrative catalog, paragraphs
    engine: Engine = field(default_factory=Engine)  # local (workers processes) or a Dask cluster (run/cluster.py)
    cluster: ClusterReport | None = None  # filled in by a Dask run: dashboard, workers, what was run again


@dataclass
class IngestSummary:
    """What an ingest did; `skipped` names each bad item with its location and reason."""

    ingested: int = 0
    present: int = 0
    analysed: int = 0
    not_analysed: ItemProblems = field(default_factory=ItemProblems)  # stored, but no analysis: (id, reason)
    skipped: ItemProblems = field(default_factory=ItemProblems)  # (label, reason): not stored

    def merge_batch(self, other: IngestSummary) -> None:
        self.ingested += other.ingested
        self.present += other.present
        self.analysed += other.analysed
        self.not_analysed.merge(other.not_analysed)
        self.skipped.merge(other.skipped)


@dataclass
class _Batch:
    """A batch on its way: articles to store, the ones to analyse, and what went wrong reading."""

    articles: list[tuple[str, Article]]
    to_analyse: list[tuple[str, Article]]
    summary: IngestSummary
    outcomes: list[tuple[str, Analysis | UnspunError]] = field(default_factory=list)


def ingest(sources: Iterable[str], store: Store, options: IngestOptions, progress: Progress | None = None) -> IngestSummary:
    """Ingest every source into the store; returns the summary (bad items are reported, not raised)."""
    store.check_writable()  # a read-only store fails now, before anything is read or analysed
    items = chain.from_iterable(read_inputs(spec, options.allow_private, options.fetch) for spec in sources)
    batches = (_prepare(chunk, store, options) for chunk in batched(items, options.batch_size))
    summary = IngestSummary()
    try:
        for batch in _analysed(batches, options):
            summary.merge_batch(_store(batch, store, pipeline_version(options.analysis)))
            if progress is not None:
                progress(len(batch.articles) + len(batch.summary.skipped))
    except StoreError as exc:
        if not summary.ingested:
            raise
        raise StoreError(f"{exc}; this run stored {summary.ingested:,} new article(s) before it stopped, and they "
                         f"are kept: the same ingest run again stores the rest") from exc
    store.optimize()
    return summary


def reanalyse(store: Store, workers: int = 1, batch_size: int = 200, everything: bool = False,
              progress: Progress | None = None, analysis: AnalysisOptions = DEFAULT_OPTIONS,
              engine: Engine | None = None, cluster: ClusterReport | None = None) -> IngestSummary:
    """Analyse stored articles again: those an older pipeline version (or other analysis options) produced,
    or all of them."""
    store.check_writable()
    version = pipeline_version(analysis)
    articles = store.iter_articles(stale_for=None if everything else version)
    summary = IngestSummary()
    chunks = ([(a.id or "", a) for a in chunk] for chunk in batched(articles, batch_size))
    batches = (_Batch(articles=c, to_analyse=c, summary=IngestSummary()) for c in chunks)
    options = IngestOptions(workers=workers, analysis=analysis, engine=engine or Engine(), cluster=cluster)
    for batch in _analysed(batches, options):
        analyses = [o for _, o in batch.outcomes if isinstance(o, Analysis)]
        store.save_analyses(analyses, version)
        summary.analysed += len(analyses)
        for label, outcome in batch.outcomes:
            if isinstance(outcome, UnspunError):  # an article in another language is stored as it is: no fault
                summary.not_analysed.add_error(label, outcome, expected=isinstance(outcome, NotEnglishError))
        if progress is not None:
            progress(len(batch.articles))
    store.optimize()
    return summary


def _prepare(chunk: list[Item], store: Store, options: IngestOptions) -> _Batch:
    summary = IngestSummary()
    articles: dict[str, tuple[str, Article]] = {}
    for label, item in chunk:
        if isinstance(item, UnspunError):
            summary.skipped.add_error(label, item)
            continue
        article = item if item.content_hash and item.id else normalize_article(item, label)
        assert article.id is not None
        earlier = articles.get(article.id)
        if earlier is not None and earlier[1].content_hash != article.content_hash:
            summary.skipped.add(label, f"duplicate id {article.id!r} with a different text (first: {earlier[0]})",
                                kind="duplicate id")
            continue
        articles.setdefault(article.id, (label, article))
    status = store.status(list(articles), pipeline_version(options.analysis))
    wanted = [(label, a) for label, a in articles.values() if options.analyze and status.get(a.id or "") != "current"]
    return _Batch(articles=list(articles.values()), to_analyse=wanted, summary=summary)


def _analysed(batches: Iterator[_Batch], options: IngestOptions) -> Iterator[_Batch]:
    """Attach analysis outcomes to each batch, in worker processes or on a Dask cluster when asked; order is
    kept."""
    if options.engine.kind == "dask":
        yield from _on_cluster(batches, options)
        return
    if options.workers <= 1:
        for batch in batches:
            batch.outcomes = analyze_batch(batch.to_analyse, options=options.analysis) if batch.to_analyse else []
            yield batch
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(options.workers, initializer=init_worker) as pool:
        pending: deque[tuple[_Batch, AsyncResult]] = deque()
        for batch in batches:
            task = partial(worker_batch, options=options.analysis)
            pending.append((batch, pool.apply_async(task, (batch.to_analyse,))))
            while len(pending) > 2 * options.workers:  # bounded look-ahead: memory stays flat
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())


def _on_cluster(batches: Iterator[_Batch], options: IngestOptions) -> Iterator[_Batch]:
    from unspun.run.cluster import dask_client, in_order

    report = options.cluster if options.cluster is not None else ClusterReport()
    with dask_client(options.engine, report) as client:
        task = partial(worker_batch, options=options.analysis)
        for batch, outcomes in in_order(client, task, batches, lambda b: b.to_analyse, report):
            batch.outcomes = outcomes
            yield batch


def _collect(batch: _Batch, result: AsyncResult) -> _Batch:
    batch.outcomes = result.get()
    return batch


def _store(batch: _Batch, store: Store, version: str) -> IngestSummary:
    summary = batch.summary
    analyses = {label: o for label, o in batch.outcomes}
    entries = []
    for label, article in batch.articles:
        outcome = analyses.get(label)
        if isinstance(outcome, UnspunError):
            reason = "not English" if isinstance(outcome, NotEnglishError) else reason_for(outcome, label)
            summary.not_analysed.add(article.id or label, reason, outcome.exit_code, kind_of(outcome),
                                     expected=isinstance(outcome, NotEnglishError))
            outcome = None
        entries.append((article, outcome))
    result = store.add(entries, version)
    summary.ingested += len(result.inserted)
    summary.present += len(result.present)
    summary.analysed += len(result.analysed)
    for article_id, reason in result.conflicts:
        summary.skipped.add(article_id, reason, kind="conflict")
    return summary
