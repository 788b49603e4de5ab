"""What is not a resource: the style sheet, logging in with the token, and the index of the API."""

from __future__ import annotations

import hmac
from importlib import resources
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unspun.web.pages import page
from unspun.web.security import TOKEN_COOKIE

router = APIRouter()
_CSS = "".join(resources.files(package).joinpath(*name).read_text("utf-8") for package, name in (
    ("unspun.render", ("templates", "report.css")), ("unspun.render", ("templates", "story-marks.css")),
    ("unspun.web", ("static", "web.css"))))


@router.get("/static/unspun.css", include_in_schema=False)
def style_sheet() -> Response:
    return Response(_CSS, media_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", title="Log in", next=_local(next), problem=None)


@router.post("/login", include_in_schema=False)
def login(request: Request, token: Annotated[str, Form(max_length=500)], next: Annotated[str, Form()] = "/") -> Response:
    expected = request.app.state.settings.token
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        return page(request, "login.html", status=401, title="Log in", next=_local(next),
                    problem="that is not the server's token" if expected else "this server needs no token")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/logout", include_in_schema=False)
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.get("/api", response_class=HTMLResponse, include_in_schema=False)
def api_index(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    routes = [(path, method.upper(), operation.get("summary", ""), [p["name"] for p in operation.get("parameters", [])])
              for path, methods in schema["paths"].items() for method, operation in methods.items()]
    return page(request, "api.html", title="HTTP API", routes=routes)


def _local(target: str) -> str:
    """Only a path on this server: a login link must not send anyone elsewhere."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
