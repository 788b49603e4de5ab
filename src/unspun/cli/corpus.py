"""`unspun search`, `unspun quotes`, `unspun export`: questions to the store."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from unspun.cli.ingest import DB_HELP
from unspun.errors import InputError
from unspun.ingest.normalize import is_iso_day
from unspun.render.console import SafeConsole


class ListFormat(str, Enum):
    text = "text"
    json = "json"


def search_command(
    query: str = typer.Argument(..., help="Words to find in titles and texts."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Most results to show."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text or json (JSON Lines)."),
) -> None:
    """Full-text search over the stored articles, best matches first."""
    from unspun.store import open_store

    with open_store(db, readonly=True) as store:
        hits = store.search(query, limit)
    if format is ListFormat.json:
        for hit in hits:
            print(json.dumps(hit.__dict__, ensure_ascii=False))
        return
    table = Table("id", "site", "published", "title / snippet", show_lines=True)
    for hit in hits:
        table.add_row(hit.id, hit.site or "", hit.published or "", Text(f"{hit.title or ''}\n{hit.snippet}"))
    SafeConsole().print(table if hits else Text("no matches"))


def quotes_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    speaker_type: str | None = typer.Option(None, "--type", help="named, anonymous, unnamed, document or unknown."),
    site: str | None = typer.Option(None, "--site", help="Only this site (registered domain)."),
    since: str | None = typer.Option(None, "--since", help="Published on or after YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Published on or before YYYY-MM-DD."),
    speaker: str | None = typer.Option(None, "--speaker", help="Speaker name or mention contains this."),
    kind: str | None = typer.Option(None, "--kind", help="direct, indirect or mixed."),
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="Most quotes to show."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text or json (JSON Lines)."),
) -> None:
    """Stored quotes, filtered by source type, site, date range, speaker or kind."""
    _check_choice("--type", speaker_type, ("named", "anonymous", "unnamed", "document", "unknown"))
    _check_choice("--kind", kind, ("direct", "indirect", "mixed"))
    for name, value in (("--since", since), ("--until", until)):
        if value is not None and not is_iso_day(value):
            raise InputError(f"{name} takes a date as YYYY-MM-DD, not {value!r}")
    from unspun.store import open_store
    from unspun.store.store import QuoteQuery

    query = QuoteQuery(speaker_type=speaker_type, site=site, since=since, until=until, speaker=speaker, kind=kind,
                       limit=limit)
    with open_store(db, readonly=True) as store:
        hits = store.quotes(query)
    if format is ListFormat.json:
        for hit in hits:
            print(json.dumps(hit.to_dict(), ensure_ascii=False))
        return
    table = Table("article", "published", "source", "speaker", "quotation")
    for hit in hits:
        sp = hit.quote.speaker
        table.add_row(hit.article_id, hit.published or "", sp.type, Text(sp.name or sp.text or "—"),
                      Text(hit.quote.text[:160]))
    SafeConsole().print(table if hits else Text("no quotes match"))


def export_command(
    out: str | None = typer.Option(None, "--out", "-o", help="File to write; standard output when omitted or '-'."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    table: str = typer.Option("articles", "--table", "-t",
                              help="articles, analyses, quotes, entities, dates, hedges, stories or story_members."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl, csv or parquet."),
) -> None:
    """Export one table of the store for pandas, DuckDB or anything that reads JSON Lines, CSV or Parquet."""
    from unspun.store import open_store
    from unspun.store.export import EXPORT_FORMATS, export_table

    _check_choice("--format", format, EXPORT_FORMATS)
    target = None if out in (None, "-") else Path(out)
    with open_store(db, readonly=True) as store:
        count = export_table(store, table, format, target)
    print(f"unspun: wrote {count} {table} rows to {target or 'standard output'}", file=sys.stderr)


def _check_choice(option: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise InputError(f"{option} must be one of {', '.join(choices)}, not {value!r}")


