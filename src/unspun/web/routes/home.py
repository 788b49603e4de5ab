"""Home (corpus figures, facets, latest and largest stories) and search with facets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from unspun.reports.pages import HomeView, home_view
from unspun.store import browse
from unspun.store.store import Store
from unspun.web.models import SearchResults
from unspun.web.pages import decode_cursor, encode_cursor, page
from unspun.web.recent import recent
from unspun.web.routes.params import After, Day, Limit, Role, Site, SourceType, Words, store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
# The home page's counts read every row of the large tables (about 0.2 s at 100,000 articles): they are
# counted at most this often per server process, and the page says when they were.
HOME_TTL_S = 30.0


def recent_home(request: Request, store: Store) -> HomeView:
    return recent(request, store, "home", home_view, HOME_TTL_S)


def search_filter(q: Words = "", site: Site = None, since: Day = None, until: Day = None,
                  narrative: Annotated[str | None, Query(max_length=500)] = None, source_type: SourceType | None = None,
                  role: Role | None = None) -> browse.SearchFilter:
    return browse.SearchFilter(query=q, site=site, since=since, until=until, narrative=narrative,
                               source_type=source_type, role=role)


Filter = Annotated[browse.SearchFilter, Depends(search_filter)]


def run_search(store: Store, where: browse.SearchFilter, after: str | None, limit: int) -> SearchResults:
    shape: tuple[type, ...] = (float, str) if where.query.strip() else (str, str)
    found = browse.search(store, where, decode_cursor(after, shape), limit)
    return SearchResults(filters=where, articles=found.items, facets=found.facets, next=encode_cursor(found.after))


@router.get("/api/home", response_model=HomeView, tags=["home"], summary="Corpus figures, facets, latest and "
            "largest stories, newest articles")
def home_data(request: Request, store: Stored) -> HomeView:
    return recent_home(request, store)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home_page(request: Request, store: Stored) -> HTMLResponse:
    return page(request, "home.html", title="unspun", view=recent_home(request, store))


@router.get("/api/search", response_model=SearchResults, tags=["home"],
            summary="Full-text search (newest articles without words) with filters and facets")
def search_data(store: Stored, where: Filter, after: After = None, limit: Limit = 20) -> SearchResults:
    return run_search(store, where, after, limit)


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, store: Stored, where: Filter, after: After = None,
                limit: Limit = 20) -> HTMLResponse:
    results = run_search(store, where, after, limit)
    return page(request, "search.html", title=f"Search: {where.query}" if where.query else "Articles",
                results=results, labels=browse.narrative_labels(store))
