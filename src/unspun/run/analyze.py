"""Analyse one text or URL handed in interactively (the web interface's Analyze page): its report, stored
only when asked, and its other versions among the stored articles.

Everything a user hands in passes the checks batch input does: the text is cleaned and size-checked, a URL
obeys the fetcher's address rules (no private, loopback or link-local targets; redirects checked again).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unspun.analysis import AnalysisOptions, analyze_article, pipeline_version
from unspun.errors import InputError, NotEnglishError
from unspun.ingest.normalize import is_iso_day, normalize_article
from unspun.ingest.sources import article_from_url
from unspun.ingest.text import clean_text
from unspun.records import Analysis, Article
from unspun.store.store import Store
from unspun.stories.align import Embed
from unspun.stories.build import text_only, trace_article

MAX_PASTED_CHARS = 200_000  # a pasted article; longer texts belong in files for `unspun ingest`
_ANALYSIS = threading.Lock()  # one analysis at a time: the spaCy pipeline is shared by the server's threads


@dataclass(frozen=True)
class Submission:
    """What the user handed in: a text (with optional metadata) or a URL, and what to do with it."""

    text: str = ""
    url: str = ""
    title: str | None = None
    site: str | None = None
    published: str | None = None  # YYYY-MM-DD
    store: bool = False  # keep the article (and its analysis) in the store
    find_versions: bool = False  # look for its other versions among the stored articles
    paragraphs: bool = False  # also each paragraph's persuasion techniques (techniques/paragraphs.py)


@dataclass(frozen=True)
class Outcome:
    analysis: Analysis  # for a text not in English: its text only, with `note` saying why
    stored: bool
    note: str | None = None
    versions: dict[str, Any] | None = None  # the unspun.trace/1 document: its story, origin and diff


def analyze_submission(submission: Submission, store: Store | None, embed: Embed | None = None,
                       allow_private: bool = False,
                       analyse: Callable[[Article], Analysis] | None = None) -> Outcome:
    """Analyse what was handed in; store it and find its other versions when asked (both need a store)."""
    article = _article(submission, allow_private)
    options = AnalysisOptions(paragraphs=submission.paragraphs)
    analyse = analyse or functools.partial(analyze_article, options=options)
    note = None
    with _ANALYSIS:
        try:
            analysis = analyse(article)
        except NotEnglishError as exc:
            analysis, note = text_only(article), f"{exc}: only its other versions can be looked for"
    if (submission.store or submission.find_versions) and store is None:
        raise InputError("no store is open: start the server with --db to store articles or find their versions")
    stored = False
    if submission.store and store is not None:
        store.add([(article, analysis if note is None else None)], pipeline_version(options))
        stored = True
    versions = None
    if submission.find_versions and store is not None:
        versions = trace_article(store, article, _locked(analyse), embed=embed, update=False)
    return Outcome(analysis=analysis, stored=stored, note=note, versions=versions)


def _article(submission: Submission, allow_private: bool) -> Article:
    if submission.url.strip() and submission.text.strip():
        raise InputError("give either a text or a URL, not both")
    if submission.url.strip():
        article = article_from_url(submission.url.strip(), allow_private=allow_private)
        return normalize_article(article, article.url or submission.url)
    if len(submission.text) > MAX_PASTED_CHARS:
        raise InputError(f"the pasted text has {len(submission.text):,} characters, over the {MAX_PASTED_CHARS:,} "
                         "an article pasted here may have: store long texts with `unspun ingest`")
    text = clean_text(submission.text, "the pasted text")
    published = submission.published or None
    if published is not None and not is_iso_day(published):
        raise InputError(f"the publication date must be written YYYY-MM-DD, not {published!r}")
    article = Article(text=text, title=(submission.title or "").strip() or None,
                      site=(submission.site or "").strip().lower() or None, published=published)
    return normalize_article(article, "the pasted text")


def _locked(analyse: Callable[[Article], Analysis]) -> Callable[[Article], Analysis]:
    def run(article: Article) -> Analysis:
        with _ANALYSIS:
            return analyse(article)

    return run
