"""Every page's JSON twin at its URL plus `.json` (`/stories/x.json` is `/api/stories/x`; `/index.json` is
`/api/home`), and empty query parameters dropped (an empty field of a filter form means "any")."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from unspun.web.security import App, Receive, Scope, Send


class JsonTwins:
    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            scope = dict(scope)
            path: str = scope["path"]
            if path.endswith(".json") and not path.startswith("/api"):
                path = "/api" + ("/home" if path == "/index.json" else path[: -len(".json")])
                scope["path"], scope["raw_path"] = path, path.encode()
            if scope.get("query_string"):
                pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                scope["query_string"] = urlencode([(k, v) for k, v in pairs if v.strip()]).encode("latin-1")
        await self.app(scope, receive, send)
