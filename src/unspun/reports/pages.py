"""The home and article pages as data: corpus figures and facets, the newest articles and the largest and
latest stories; one stored article with its analysis and its place in its story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from unspun.errors import InputError
from unspun.records import Analysis, Article
from unspun.store import browse
from unspun.store.store import Store

HOME_LIST = 10  # stories and articles listed on the home page


@dataclass(frozen=True)
class HomeView:
    as_of: str  # when the figures were counted (UTC, ISO 8601)
    figures: dict[str, int]
    facets: dict[str, list[tuple[str, int]]]  # site, source_type, narrative, role -> (value, articles)
    largest_stories: list[browse.StoryRow]
    latest_stories: list[browse.StoryRow]
    latest_articles: list[browse.ArticleRow]


@dataclass(frozen=True)
class ArticleView:
    article: Article
    analysis: Analysis | None  # None when it was stored without analysis (e.g. not English)
    story: browse.Membership | None  # None until `unspun stories` has placed it
    site_articles: int  # stored articles of its site


class UnknownArticleError(InputError):
    """No stored article has this id."""


def home_view(store: Store) -> HomeView:
    return HomeView(as_of=datetime.now(UTC).isoformat(timespec="seconds"), figures=browse.figures(store), facets=browse.global_facets(store),
                    largest_stories=browse.stories(store, limit=HOME_LIST).items,
                    latest_stories=browse.stories(store, limit=HOME_LIST, order="latest").items,
                    latest_articles=browse.latest_articles(store, browse.SearchFilter(), limit=HOME_LIST).items)


def article_view(store: Store, article_id: str) -> ArticleView:
    analysis = store.analysis(article_id)
    article = analysis.article if analysis is not None else store.article(article_id)
    if article is None:
        raise UnknownArticleError(f"no article {article_id!r} is stored")
    return ArticleView(article=article, analysis=analysis, story=browse.membership(store, article_id),
                       site_articles=browse.site_size(store, article.site))
