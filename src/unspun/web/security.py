"""What every request passes before a page sees it, as plain ASGI middleware: the Host check (a server on
loopback answers only loopback names, so a web page elsewhere cannot reach it by DNS rebinding), the token,
a same-origin check on form posts, the request-body limit, and the security headers of every response.

Pages carry no script at all: the Content-Security-Policy forbids any, so article text that slipped past
escaping still could not run.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with this site's own forms
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_COOKIE = "unspun_token"
OPEN_PATHS = frozenset({"/login", "/static/unspun.css", "/favicon.ico"})  # reachable before logging in


class Guard:
    """The checks, outermost first. ``token``: required on every request but OPEN_PATHS (a bearer header or
    the cookie /login sets); ``hosts``: the Host names accepted (None: any, for a server bound elsewhere);
    ``max_body``: bytes a request body may have."""

    def __init__(self, app: App, token: str | None, hosts: frozenset[str] | None, max_body: int) -> None:
        self.app, self.token, self.hosts, self.max_body = app, token, hosts, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _respond(send, scope, *refusal)
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await _respond(send, scope, 413, f"the request body is over the {self.max_body:,}-byte limit")
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            # Read the body here, up to the limit, so that a body sent without a length (or longer than it said)
            # is refused as too large before any page parses it.
            body = await _read_body(receive, self.max_body)
            if body is None:
                await _respond(send, scope, 413, f"the request body is over the {self.max_body:,}-byte limit")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str | None] | None:
        host = _host_name(headers.get("host", ""))
        if self.hosts is not None and host not in self.hosts:
            return 400, "this server answers only on loopback addresses (127.0.0.1, localhost)", None
        if scope["method"] == "POST" and not _same_origin(headers):
            return 403, "a form on another site cannot post here", None
        if self.token is None or scope["path"] in OPEN_PATHS or self._carries_token(headers):
            return None
        if scope["path"].startswith("/api"):
            return 401, "this server needs its token: send 'Authorization: Bearer <token>'", None
        target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
        return 303, "log in first", f"/login?next={quote(target, safe='')}"

    def _carries_token(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given = headers.get("authorization", "")
        if given.lower().startswith("bearer "):
            return hmac.compare_digest(given[7:].strip().encode(), self.token.encode())
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - http.cookies raises CookieError and others on malformed headers
            return False
        morsel = cookie.get(TOKEN_COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode())


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def _same_origin(headers: dict[str, str]) -> bool:
    """A post whose Origin (sent by every browser on a form post) names another host:port than the one
    addressed, or that the browser says comes from another site, is refused; clients that send neither
    (curl, scripts) are not browsers following a page."""
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    try:
        return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
    except ValueError:
        return False


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in present)]
        await send(message)

    return wrapped


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it passes the limit."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(parts)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Receive that hands the page the body already read, then waits on the connection as before."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _respond(send: Send, scope: Scope, status: int, message: str, location: str | None = None) -> None:
    """A refusal before any page runs: JSON for /api, a short page otherwise."""
    if scope["path"].startswith("/api"):
        body, kind = json.dumps({"error": message, "status": status}).encode(), b"application/json"
    else:
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>unspun: {status}</title>"
                f"<link rel=stylesheet href=/static/unspun.css><main><h1>{status}</h1><p>{_escape(message)}</p>"
                "</main></html>").encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if location is not None:
        headers.append((b"location", location.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
