"""Query parameters shared by a page and its JSON twin, checked before any query runs (a bad one is a 422)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request

from unspun.store.store import Store

DAY = r"^\d{4}-\d{2}-\d{2}$"
Day = Annotated[str | None, Query(pattern=DAY, description="a date, YYYY-MM-DD (inclusive)")]
Site = Annotated[str | None, Query(max_length=255, description="a site (registered domain), exactly")]
Words = Annotated[str, Query(max_length=500, description="words to look for")]
After = Annotated[str | None, Query(max_length=2000, description="the `next` cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="items per page")]
SourceType = Literal["named", "anonymous", "unnamed", "document", "unknown"]
Role = Literal["origin", "derived", "independent"]
QuoteKind = Literal["direct", "indirect", "mixed"]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store
