"""How the web layer answers: HTML pages from the templates (escaped throughout), JSON from the same records,
links that keep a view's filters (every view has a shareable URL), and keyset cursors in URLs."""

from __future__ import annotations

import base64
import binascii
import json
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from unspun.errors import InputError
from unspun.render.html import add_filters
from unspun.render.sites import lag_text
from unspun.render.trace import diff_pieces


def _environment() -> Environment:
    env = Environment(loader=ChoiceLoader([PackageLoader("unspun.web", "templates"),
                                           PackageLoader("unspun.render", "templates")]),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    add_filters(env)
    env.filters["pieces"] = lambda version: diff_pieces(
        version.text, [vars(s) for s in version.diff.sentences], [vars(q) for q in version.diff.unsupported_quotes]) \
        if version.diff is not None else [(version.text, "")]
    env.filters["dropped_pieces"] = lambda text, versions: _dropped(text, versions)
    env.filters["marked"] = marked_html
    env.filters["pct"] = lambda share: f"{round(share * 100)}%"
    env.filters["lag"] = lag_text
    env.globals["path"] = quote_path
    return env


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the web interface; every value reaches the HTML through the escaping templates."""
    twin = json_twin(request)
    html = _templates().get_template(name).render(request=request, twin=twin, link=lambda **c: with_query(request, **c),
                                               token_required=request.app.state.settings.token is not None,
                                               **context)
    return HTMLResponse(html, status_code=status)


def data(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(value), status_code=status)


def json_twin(request: Request) -> str | None:
    """The URL of this page's JSON twin (the same path under /api), query kept."""
    path = request.url.path
    if path.startswith("/api") or request.method != "GET":
        return None
    query = request.url.query
    return "/api" + ("/home" if path == "/" else path) + (f"?{query}" if query else "")


def with_query(request: Request, **changes: Any) -> str:
    """This page's URL with some parameters changed (None removes one). Changing a filter returns to the first
    page, so the cursor goes unless it is what changes."""
    params = {k: v for k, v in request.query_params.items() if v != ""}
    if "after" not in changes:
        params.pop("after", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + (f"?{urlencode(params)}" if params else "")


def quote_path(value: str) -> str:
    """An id as one path segment (slashes and all escaped)."""
    return quote(value, safe="")


def encode_cursor(key: list[Any] | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, shape: tuple[type, ...]) -> list[Any] | None:
    """The keyset of a cursor made by encode_cursor; InputError when it is damaged or of another list."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != len(shape) or not all(
            isinstance(v, t) and not (t is int and isinstance(v, bool)) for v, t in zip(key, shape, strict=True)):
        raise InputError("the 'after' cursor is damaged or belongs to another list: start from the first page")
    return key


def marked_html(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Text, escaped, with the given spans in <mark>."""
    out, cursor = Markup(""), 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out += escape(text[cursor:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
        cursor = end
    return out + escape(text[cursor:])


def _dropped(text: str, versions: list[Any]) -> list[tuple[str, str]]:
    """The reference's text with the sentences that no version on the page carries marked dropped."""
    dropped: dict[tuple[int, int], Any] = {}
    counted = [v for v in versions if v.diff is not None]
    for version in counted:
        for change in version.diff.dropped:
            dropped.setdefault((change.start, change.end), [change, 0])[1] += 1
    everywhere = [vars(change) for change, n in dropped.values() if n == len(counted)]
    return diff_pieces(text, everywhere, [])


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return _environment()
