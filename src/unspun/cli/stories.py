"""`unspun stories`: every version of every story in the store, its origin and roles."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from unspun.cli.engine import (
    ENGINE_OPTION,
    SCHEDULER_OPTION,
    EngineName,
    cluster_report,
    engine_of,
    say_cluster,
)
from unspun.cli.ingest import DB_HELP
from unspun.render.console import SafeConsole
from unspun.render.stories import render_stories_text
from unspun.run.cluster import Engine

if TYPE_CHECKING:  # the store stack (SQLAlchemy, Alembic) loads only when a store command runs
    from unspun.store.store import Store


class StoriesFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class TraceFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def stories_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: StoriesFormat = typer.Option(StoriesFormat.text, "--format", "-f", help="text, json or html."),
    out: Path = typer.Option(Path("unspun-stories.html"), "--out", "-o", help="Where --format html writes."),
    min_size: int = typer.Option(1, "--min-size", min=1, help="Show only stories with at least this many articles."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Re-cluster every stored article (features are kept)."),
    engine: EngineName = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="With --engine dask and no scheduler: the "
                                "LocalCluster's worker processes."),
) -> None:
    """List stories, largest first, with their sites, time span, origin and each version's role.

    Articles stored since the last run are embedded once and join (or merge) the stored stories."""
    from unspun.store import open_store
    from unspun.store.stories import load_stories
    from unspun.stories.build import stories_json

    with open_store(db) as store:
        bring_stories_up_to_date(store, rebuild, engine_of(engine, scheduler, workers))
        document = stories_json(load_stories(store, min_size))
        headers = store.article_headers([a for story in document["stories"] for a in story["articles"]])
    if format is StoriesFormat.html:
        from unspun.render.trace import render_stories_html

        out.write_text(render_stories_html(document, headers), encoding="utf-8")
        print(f"unspun: wrote the stories to {out}", file=sys.stderr)
        return
    if format is StoriesFormat.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    console = SafeConsole()
    render_stories_text(document, headers, console if console.is_terminal else SafeConsole(width=160))


def bring_stories_up_to_date(store: Store, rebuild: bool = False, engine: Engine | None = None) -> None:
    """Embed the articles stored since the last run and place them in stories, with a progress bar on a
    terminal; a store opened read-only is read as it is, and the user told so."""
    from unspun.stories.update import update_stories

    console = SafeConsole(stderr=True)
    if store.readonly:
        console.print(Text(f"unspun: {store.label} is read-only ({store.readonly_reason}): showing its stories as "
                           "they were last stored", style="dim"))
        return
    with Progress(TextColumn("embedding new articles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("embed", total=None)
        cluster = cluster_report()
        update_stories(store, rebuild=rebuild, progress=lambda n: bar.advance(task, n), engine=engine,
                       cluster=cluster)
    say_cluster(cluster)


def trace_command(
    article: str = typer.Argument(..., help="A stored article id, or a file or URL to trace (not stored)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: TraceFormat = typer.Option(TraceFormat.text, "--format", "-f", help="text, json or html."),
    out: Path = typer.Option(Path("unspun-trace.html"), "--out", "-o", help="Where --format html writes."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching private or loopback URLs."),
) -> None:
    """Find an article's story, its origin, and what this version added, changed or dropped."""
    from unspun.analysis import analyze_article
    from unspun.errors import InputError, UnspunError
    from unspun.ingest.sources import read_inputs
    from unspun.store import open_store
    from unspun.stories.build import trace_article

    with open_store(db) as store:
        target = store.article(article)
        if target is None:
            items = list(read_inputs(article, allow_private))
            if not items:
                raise InputError(f"{article}: not a stored article id, nor a file or URL")
            _label, item = items[0]
            if isinstance(item, UnspunError):
                raise item
            target = item
        document = trace_article(store, target, analyze_article)
        reference = store.article(document["reference"]) if document["reference"] else None
    if format is TraceFormat.html:
        from unspun.render.trace import render_trace_html

        out.write_text(render_trace_html(document, target.text, reference.text if reference else ""), "utf-8")
        print(f"unspun: wrote the side-by-side view to {out}", file=sys.stderr)
        return
    if format is TraceFormat.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print_trace(document)


def _print_trace(document: dict) -> None:
    console = SafeConsole()
    story = document["story"]
    console.print(Text(f"{document['article']} belongs to {story['id']} ({len(story['articles'])} articles; "
                       f"origin: {story['origin'] or 'not in the store'}"
                       + (f", credited: {story['attributed_source']}" if story.get("attributed_source") else "")
                       + ")", style="bold"))
    diff = document["diff"]
    if diff is None:
        console.print("No other version of this story is stored.")
        return
    console.print(Text(f"Compared with {document['reference']}: " + ", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in diff["counts"].items())))
    styles = {"preserved": "green", "paraphrased": "cyan", "added": "bold red"}
    for change in diff["sentences"]:
        console.print(Text(f"[{change['status']}] ", style=styles[change["status"]]) + Text(change["text"]))
    for change in diff["dropped"]:
        console.print(Text("[dropped] ", style="yellow") + Text(change["text"], style="dim"))
    for quote in diff["unsupported_quotes"]:
        console.print(Text(f"[unsupported quote, {quote['speaker_type']} source] ", style="bold magenta")
                      + Text(quote["text"]))
    for narrative in diff["added_narratives"]:
        console.print(Text(f"[added narrative] {narrative['label']} ({narrative['score']:.2f})", style="bold magenta"))
        for evidence in narrative["evidence"]:
            console.print(Text(f"    [{evidence['start']}:{evidence['end']}] “{evidence['text']}”"))
