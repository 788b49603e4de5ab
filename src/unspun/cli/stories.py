"""`unspun stories`: every version of every story in the store, its origin and roles."""

from __future__ import annotations

import json
from enum import Enum

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspun.cli.ingest import DB_HELP


class StoriesFormat(str, Enum):
    text = "text"
    json = "json"


def stories_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: StoriesFormat = typer.Option(StoriesFormat.text, "--format", "-f", help="text or json."),
    min_size: int = typer.Option(1, "--min-size", min=1, help="Show only stories with at least this many articles."),
) -> None:
    """List stories, largest first, with their sites, time span, origin and each version's role."""
    from unspun.store import open_store
    from unspun.stories.build import build_stories, stories_json

    with open_store(db) as store:
        articles = list(store.iter_articles())
    document = stories_json(build_stories(articles), articles)
    if format is StoriesFormat.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    table = Table("story", "articles", "sites", "from", "to", "origin (confidence)", "roles")
    for story in document["stories"]:
        if len(story["articles"]) < min_size:
            continue
        roles = ", ".join(f"{a}: {r}" for a, r in story["roles"].items())
        origin = f"{story['origin']} ({story['origin_confidence']:.0%})" if story["origin"] else "—"
        table.add_row(story["id"], str(len(story["articles"])), Text(", ".join(story["sites"])),
                      story["first_published"] or "", story["last_published"] or "", origin, Text(roles))
    Console().print(table)
