"""One stored article: its text with quotes (by source type), speakers, hedges, dates, narratives, techniques
and artefacts highlighted, the sourcing panel, and links to its story and its site."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from unspun.reports.pages import ArticleView, article_view
from unspun.store.store import Store
from unspun.web.pages import page
from unspun.web.routes.params import store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
ArticleId = Annotated[str, Path(max_length=255, description="a stored article's id")]


@router.get("/api/articles/{article_id:path}", response_model=ArticleView, tags=["articles"],
            summary="A stored article with its analysis and its place in its story")
def article_data(article_id: ArticleId, store: Stored) -> ArticleView:
    return article_view(store, article_id)


@router.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
def article_page(request: Request, article_id: ArticleId, store: Stored) -> HTMLResponse:
    view = article_view(store, article_id)
    return page(request, "article.html", title=view.article.title or view.article.id or "Article", view=view)
