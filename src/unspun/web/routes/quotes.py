"""Quotes: the CLI's quote search (source type, site, dates, speaker, kind) in pages, and every match
exported as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from unspun.store import browse
from unspun.store.store import QuoteHit, QuoteQuery, Store
from unspun.web.models import QuoteList
from unspun.web.pages import decode_cursor, encode_cursor, page
from unspun.web.routes.params import After, Day, Limit, QuoteKind, Site, SourceType, store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
EXPORT_PAGE = 1000  # quotes read per query while exporting
CSV_COLUMNS = ("article_id", "site", "published", "kind", "speaker_type", "speaker", "speaker_text", "role",
               "affiliation", "start", "end", "text")


def quote_filter(type: SourceType | None = None, site: Site = None, since: Day = None, until: Day = None,
                 speaker: Annotated[str | None, Query(max_length=200, description="speaker name or mention contains")]
                 = None, kind: QuoteKind | None = None) -> QuoteQuery:
    return QuoteQuery(speaker_type=type, site=site, since=since, until=until, speaker=speaker, kind=kind)


Filter = Annotated[QuoteQuery, Depends(quote_filter)]


def find_quotes(store: Store, where: QuoteQuery, after: str | None, limit: int) -> QuoteList:
    cursor = decode_cursor(after, (str, str, int))
    hits = store.quotes(replace(where, limit=limit + 1), (cursor[0], cursor[1], cursor[2]) if cursor else None)
    return QuoteList(filters=replace(where, limit=limit), quotes=hits[:limit],
                     next=_cursor(hits[limit - 1]) if len(hits) > limit else None)


def _cursor(hit: QuoteHit) -> str | None:
    return encode_cursor([hit.published or "", hit.article_id, hit.position])


@router.get("/api/quotes", response_model=QuoteList, tags=["quotes"],
            summary="Stored quotes by source type, site, date range, speaker or kind, newest first")
def quotes_data(store: Stored, where: Filter, after: After = None, limit: Limit = 50) -> QuoteList:
    return find_quotes(store, where, after, limit)


@router.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
def quotes_page(request: Request, store: Stored, where: Filter, after: After = None,
                limit: Limit = 50) -> HTMLResponse:
    return page(request, "quotes.html", title="Quotes", result=find_quotes(store, where, after, limit),
                sites=[site for site, _ in browse.global_facets(store).get("site", [])])


@router.get("/api/quotes/export.csv", tags=["quotes"], response_class=StreamingResponse,
            summary="Every quote matching the filters, as CSV")
def quotes_csv(store: Stored, where: Filter) -> StreamingResponse:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in _every_quote(store, where):
            sp = row.quote.speaker
            writer.writerow([row.article_id, row.site, row.published, row.quote.kind, sp.type, sp.name, sp.text,
                             sp.role, sp.affiliation, row.quote.start, row.quote.end, row.quote.text])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": 'attachment; filename="unspun-quotes.csv"'})


@router.get("/api/quotes/export.jsonl", tags=["quotes"], response_class=StreamingResponse,
            summary="Every quote matching the filters, as JSON Lines")
def quotes_jsonl(store: Stored, where: Filter) -> StreamingResponse:
    def lines() -> Iterator[str]:
        for row in _every_quote(store, where):
            yield json.dumps(row.to_dict(), ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson; charset=utf-8",
                             headers={"content-disposition": 'attachment; filename="unspun-quotes.jsonl"'})


def _every_quote(store: Store, where: QuoteQuery) -> Iterator[QuoteHit]:
    after: tuple[str, str, int] | None = None
    while hits := store.quotes(replace(where, limit=EXPORT_PAGE), after):
        yield from hits
        last = hits[-1]
        after = (last.published or "", last.article_id, last.position)
