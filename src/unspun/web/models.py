"""The JSON answers of the API that are lists: one page of records, the filters that made it, and the cursor of
the next page (pass it back as `after`). The pages themselves are records of the library (reports/)."""

from __future__ import annotations

from dataclasses import dataclass, field

from unspun.store.browse import ArticleRow, SearchFilter, StoryRow
from unspun.store.narratives import NarrativeCount, NarrativeFilter, NarrativeHit
from unspun.store.store import QuoteHit, QuoteQuery


@dataclass(frozen=True)
class SearchResults:
    filters: SearchFilter
    articles: list[ArticleRow]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # over the best 1,000 matches
    next: str | None = None


@dataclass(frozen=True)
class StoryList:
    order: str  # size (largest first) or latest (newest version first)
    stories: list[StoryRow]
    next: str | None = None


@dataclass(frozen=True)
class QuoteList:
    filters: QuoteQuery
    quotes: list[QuoteHit]
    next: str | None = None


@dataclass(frozen=True)
class NarrativeResults:
    filters: NarrativeFilter
    counts: list[NarrativeCount]  # articles per site, ISO week and narrative
    evidence: list[NarrativeHit]  # the articles behind them, newest first, with their evidence sentences
    next: str | None = None  # cursor of the next page of evidence
