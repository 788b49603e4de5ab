"""Narratives over time: articles per narrative and ISO week (by site) as a chart whose bars lead to the
evidence sentences behind them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from unspun.render.chart import chart_svg
from unspun.store import browse
from unspun.store.narratives import NarrativeFilter, narrative_counts, narrative_evidence, week_range
from unspun.store.store import Store
from unspun.web.models import NarrativeResults
from unspun.web.pages import decode_cursor, encode_cursor, page
from unspun.web.routes.params import After, Day, Limit, Site, store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
WEEK = r"^(\d{4}-W\d{2}|undated)$"


def narrative_filter(label: Annotated[str | None, Query(max_length=500, description="a label or part of one")] = None,
                     site: Site = None,
                     week: Annotated[str | None, Query(pattern=WEEK, description="2026-W47, or undated")] = None,
                     since: Day = None, until: Day = None) -> NarrativeFilter:
    where = NarrativeFilter(label=label, site=site, week=week, since=since, until=until)
    if week and week != "undated":
        week_range(week)  # a week that does not exist (2026-W60) is an InputError, a 422
    return where


Filter = Annotated[NarrativeFilter, Depends(narrative_filter)]


def find_narratives(store: Store, where: NarrativeFilter, after: str | None, limit: int) -> NarrativeResults:
    cursor = decode_cursor(after, (str, str, int))
    hits = narrative_evidence(store, where, limit + 1, (cursor[0], cursor[1], cursor[2]) if cursor else None)
    last = hits[limit - 1] if len(hits) > limit else None
    return NarrativeResults(filters=where, counts=narrative_counts(store, where), evidence=hits[:limit],
                            next=encode_cursor([last.published or "", last.article_id, last.position])
                            if last is not None else None)


@router.get("/api/narratives", response_model=NarrativeResults, tags=["narratives"],
            summary="Articles per narrative, site and week, and a page of the evidence behind them")
def narratives_data(store: Stored, where: Filter, after: After = None, limit: Limit = 20) -> NarrativeResults:
    return find_narratives(store, where, after, limit)


@router.get("/narratives", response_class=HTMLResponse, include_in_schema=False)
def narratives_page(request: Request, store: Stored, where: Filter, after: After = None,
                    limit: Limit = 20) -> HTMLResponse:
    result = find_narratives(store, where, after, limit)
    keep = {k: v for k, v in (("site", where.site), ("since", where.since), ("until", where.until)) if v}

    def bar_link(label: str, week: str) -> str:
        return "/narratives?" + urlencode({**keep, "label": label, "week": week}) + "#evidence"

    title = "Articles per narrative and week" + (f" on {where.site}" if where.site else "")
    chart = chart_svg(result.counts, title, bar_link) if result.counts else None
    by_site: dict[str, dict[str, int]] = {}
    for count in result.counts:
        by_site.setdefault(count.site or "(no site)", {}).setdefault(count.label, 0)
        by_site[count.site or "(no site)"][count.label] += count.articles
    return page(request, "narratives.html", title="Narratives", result=result, chart=chart, by_site=by_site,
                labels=browse.narrative_labels(store))
