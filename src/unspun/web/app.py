"""The web application: `create_app(settings)` opens the store and wires the routers (one per resource), the
guard (host, token, same-origin posts, body limit, security headers) and the error pages.

Errors never show a stack trace: an unknown id is a 404 page, a malformed parameter a 422 saying which and why,
a database that went away a 503, anything unforeseen a 500 that says only that (the trace goes to the log).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from unspun.errors import ModelError, StoreError, UnspunError
from unspun.reports.pages import UnknownArticleError
from unspun.reports.story import UnknownStoryError
from unspun.run.sites import UnknownSiteError
from unspun.store import open_store
from unspun.store.store import Store
from unspun.web.pages import data, page
from unspun.web.routes import analyze, articles, home, meta, narratives, quotes, sites, stories
from unspun.web.security import LOOPBACK_NAMES, Guard
from unspun.web.twins import JsonTwins

log = logging.getLogger("unspun.web")
SETTINGS_VARIABLE = "UNSPUN_SERVE_SETTINGS"  # how `unspun serve --workers N` hands its settings to each worker
MAX_BODY = 4_000_000  # bytes: a pasted article of MAX_PASTED_CHARS, form-encoded, fits with room to spare
TITLES = {400: "Bad request", 401: "Token needed", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          413: "Too large", 422: "Cannot use these parameters", 500: "Internal error", 503: "Unavailable"}


@dataclass(frozen=True)
class Settings:
    db: str | None = None  # store URL; default $UNSPUN_DB or ./unspun.db
    token: str | None = None  # required on every request when set
    hosts: frozenset[str] | None = LOOPBACK_NAMES  # Host names answered; None answers any (bound elsewhere)
    allow_private: bool = False  # let Analyze fetch private and loopback URLs (tests, intranets)
    max_body: int = MAX_BODY
    warm: bool = True  # load the models in the background at start, so the first pages are not slow

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "hosts": sorted(self.hosts) if self.hosts is not None else None})

    @classmethod
    def from_json(cls, text: str) -> Settings:
        values = json.loads(text)
        hosts = values.pop("hosts")
        return cls(**values, hosts=frozenset(hosts) if hosts is not None else None)


class Encoder:
    """The multilingual sentence encoder, loaded on first use and used by one thread at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        from unspun.stories.update import default_embed

        with self._lock:
            return default_embed()(texts)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The application over the store at settings.db (opened now: StoreError if it cannot be), or over
    ``store`` when given (the caller closes it)."""
    owned = store is None
    opened = store if store is not None else open_store(settings.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm:
            threading.Thread(target=_warm, args=(app.state.embed,), daemon=True).start()
        yield
        if owned:
            opened.close()

    app = FastAPI(title="unspun", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Where a news story came from, who said what in it, and what was spun on the way. "
                              "Every page of the web interface has a JSON twin here.")
    app.state.settings, app.state.store, app.state.embed = settings, opened, Encoder()
    for module in (home, analyze, articles, stories, narratives, quotes, sites, meta):
        app.include_router(module.router)
    _add_error_pages(app)
    app.add_middleware(Guard, token=settings.token, hosts=settings.hosts, max_body=settings.max_body)
    app.add_middleware(JsonTwins)
    return app


def app_from_environment() -> FastAPI:
    """The application of one worker process of `unspun serve --workers N` (settings from the environment)."""
    return create_app(Settings.from_json(os.environ[SETTINGS_VARIABLE]))


def _warm(embed: Encoder) -> None:
    try:
        from unspun.nlp.pipeline import load_pipeline

        embed(["warm"])
        load_pipeline()
    except UnspunError as exc:  # a missing model is reported by the page that needs it
        log.warning("unspun: %s", exc)


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 422, "; ".join(_problem(e) for e in exc.errors()))

    @app.exception_handler(UnspunError)
    async def refused(request: Request, exc: UnspunError) -> Response:
        if isinstance(exc, UnknownArticleError | UnknownStoryError | UnknownSiteError):
            return error(request, 404, str(exc))
        if isinstance(exc, StoreError | ModelError):
            log.warning("unspun: %s", exc)
            return error(request, 503, str(exc))
        return error(request, 422, str(exc))  # the input, or the URL it named, cannot be used

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        log.exception("unspun: %s %s failed", request.method, request.url.path)
        return error(request, 500, "something went wrong on the server; it is in the server's log")


def error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api"):
        return data({"error": message, "status": status}, status)
    return page(request, "error.html", status=status, title=TITLES.get(status, "Error"), status_code=status,
                message=message)


def _problem(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
    return f"{where or 'request'}: {error.get('msg', 'invalid')}"
