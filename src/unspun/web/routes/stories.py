"""Stories: the list (largest or latest first) and one story with its origin, every version beside the
reference with what it kept, added and dropped, the roles with their evidence, and the timeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from unspun.render.timeline import timeline_svg
from unspun.reports.story import StoryView, story_view
from unspun.store import browse
from unspun.store.store import Store
from unspun.web.models import StoryList
from unspun.web.pages import decode_cursor, encode_cursor, page, quote_path
from unspun.web.routes.params import After, Limit, store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
StoryId = Annotated[str, Path(max_length=300, description="a story's id, e.g. story:<its first article>")]
Order = Literal["size", "latest"]


def list_stories(store: Store, order: Order, after: str | None, limit: int) -> StoryList:
    found = browse.stories(store, decode_cursor(after, (int, str) if order == "size" else (str, str)), limit,
                           order=order)
    return StoryList(order=order, stories=found.items, next=encode_cursor(found.after))


def one_story(request: Request, store: Store, story_id: str, after: str | None) -> StoryView:
    cursor = decode_cursor(after, (str,))
    return story_view(store, story_id, request.app.state.embed, cursor[0] if cursor else None)


@router.get("/api/stories", response_model=StoryList, tags=["stories"],
            summary="Stories of two or more articles, largest (or latest) first")
def stories_data(store: Stored, order: Order = "size", after: After = None, limit: Limit = 20) -> StoryList:
    return list_stories(store, order, after, limit)


@router.get("/stories", response_class=HTMLResponse, include_in_schema=False)
def stories_page(request: Request, store: Stored, order: Order = "size", after: After = None,
                 limit: Limit = 20) -> HTMLResponse:
    return page(request, "stories.html", title="Stories", result=list_stories(store, order, after, limit))


@router.get("/api/stories/{story_id:path}", response_model=StoryView, tags=["stories"],
            summary="A story: its origin, a page of versions diffed against the reference, roles and timeline")
def story_data(request: Request, story_id: StoryId, store: Stored, after: After = None) -> StoryView:
    view = one_story(request, store, story_id, after)
    return replace(view, next=encode_cursor([view.next]) if view.next else None)


@router.get("/stories/{story_id:path}", response_class=HTMLResponse, include_in_schema=False)
def story_page(request: Request, story_id: StoryId, store: Stored, after: After = None) -> HTMLResponse:
    view = one_story(request, store, story_id, after)
    timeline = timeline_svg(view.timeline, lambda article_id: f"/articles/{quote_path(article_id)}")
    return page(request, "story.html", title=f"Story {story_id}", view=view, timeline=timeline,
                next=encode_cursor([view.next]) if view.next else None)
