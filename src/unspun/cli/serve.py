"""`unspun serve`: the web interface and HTTP API over a store, on loopback unless a token protects it."""

from __future__ import annotations

import ipaddress
import os
import sys

import typer

from unspun.cli.ingest import DB_HELP
from unspun.errors import InputError

MIN_TOKEN = 16  # characters a token must have before the server listens beyond loopback


def serve_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs "
                             "$UNSPUN_TOKEN, which every request must then carry."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Let Analyze fetch private or loopback URLs."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Server processes (each holds the models, about "
                                "400 MB): one per CPU core serves more requests at once."),
) -> None:
    """Serve the web interface and its JSON API: search, articles, stories, narratives, quotes, analyze."""
    token = os.environ.get("UNSPUN_TOKEN") or None
    loopback = is_loopback(host)
    if not loopback and token is None:
        raise InputError(f"refusing to listen on {host} without a token: set UNSPUN_TOKEN (every request must then "
                         "carry it), or serve on 127.0.0.1")
    if token is not None and len(token) < MIN_TOKEN:
        raise InputError(f"UNSPUN_TOKEN has {len(token)} characters; use {MIN_TOKEN} or more, e.g. the output of "
                         "python -c 'import secrets; print(secrets.token_urlsafe())'")
    import uvicorn

    from unspun.web.app import SETTINGS_VARIABLE, Settings, create_app
    from unspun.web.security import LOOPBACK_NAMES

    settings = Settings(db=db, token=token, hosts=LOOPBACK_NAMES if loopback else None, allow_private=allow_private)
    app = create_app(settings)  # opened here, so that a store that cannot be opened stops the server at once
    shown = f"[{host}]" if ":" in host else host
    print(f"unspun: serving {app.state.store.label} on http://{shown}:{port}/"
          + (f" with {workers} processes" if workers > 1 else "") + (" (token required)" if token else "")
          + "; Ctrl-C stops", file=sys.stderr)
    options = {"host": host, "port": port, "log_level": "warning", "server_header": False, "access_log": False}
    if workers == 1:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    app.state.store.close()
    os.environ[SETTINGS_VARIABLE] = settings.to_json()  # each worker process builds its own app from these
    uvicorn.run("unspun.web.app:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
