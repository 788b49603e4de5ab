"""Analyze: paste a text or give a URL and get its report, stored only when asked; then its other versions
among the stored articles (the Information Laundromat's question)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from unspun.errors import FetchError, InputError
from unspun.run.analyze import Outcome, Submission, analyze_submission
from unspun.store.store import Store
from unspun.web.pages import page
from unspun.web.routes.params import store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]


def submit(request: Request, store: Store, submission: Submission) -> Outcome:
    return analyze_submission(submission, store, request.app.state.embed, request.app.state.settings.allow_private)


@router.post("/api/analyze", response_model=Outcome, tags=["analyze"],
             summary="Analyse a text or a URL; store it and find its other versions when asked")
def analyze_data(request: Request, submission: Submission, store: Stored) -> Outcome:
    return submit(request, store, submission)


@router.get("/analyze", response_class=HTMLResponse, include_in_schema=False)
def analyze_form(request: Request) -> HTMLResponse:
    return page(request, "analyze.html", title="Analyze", form=Submission(find_versions=True), outcome=None)


@router.post("/analyze", response_class=HTMLResponse, include_in_schema=False)
def analyze_page(request: Request, store: Stored, text: Annotated[str, Form(max_length=400_000)] = "",
                 url: Annotated[str, Form(max_length=2000)] = "", title: Annotated[str, Form(max_length=500)] = "",
                 site: Annotated[str, Form(max_length=255)] = "", published: Annotated[str, Form(max_length=10)] = "",
                 keep: Annotated[bool, Form()] = False, versions: Annotated[bool, Form()] = False,
                 paragraphs: Annotated[bool, Form()] = False) -> HTMLResponse:
    form = Submission(text=text, url=url, title=title or None, site=site or None, published=published or None,
                      store=keep, find_versions=versions, paragraphs=paragraphs)
    try:
        outcome = submit(request, store, form)
    except (InputError, FetchError) as exc:  # shown above the form, which keeps what was typed
        return page(request, "analyze.html", status=422, title="Analyze", form=form, outcome=None, problem=str(exc))
    return page(request, "analyze.html", title="Analyze", form=form, outcome=outcome,
                others=_versions(outcome.versions))


def _versions(trace: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The other versions of the story the analysed text falls into, for the result table."""
    if not trace:
        return []
    story = trace["story"]
    return [{"id": a, "role": story["roles"].get(a, ""), "stored": a != trace["article"]} for a in story["articles"]]

