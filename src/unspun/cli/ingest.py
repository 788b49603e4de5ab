"""`unspun ingest SOURCE...`: read crawls, feeds and archives into the store, analysing as it goes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from unspun.analysis import AnalysisOptions
from unspun.cli.analyze import FETCH_TIMEOUT_HELP, NARRATIVES_HELP, PARAGRAPHS_HELP
from unspun.cli.engine import (
    ENGINE_OPTION,
    SCHEDULER_OPTION,
    EngineName,
    cluster_report,
    engine_of,
    say_cluster,
)
from unspun.cli.report import print_problems
from unspun.config import FETCH_DEADLINE_S
from unspun.errors import InputError
from unspun.ingest.crawler import FetchOptions
from unspun.render.console import SafeConsole

if TYPE_CHECKING:
    from unspun.run.ingest import IngestSummary

DB_HELP = "Database URL: sqlite:///file.db or postgresql://user@host/db (default $UNSPUN_DB, else ./unspun.db)."


def ingest_command(
    sources: list[str] = typer.Argument(..., help="Files (.txt .html .json .jsonl .warc, also .gz), directories, "
                                                  "feed or sitemap URLs, files of URLs (.urls)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    no_analyze: bool = typer.Option(False, "--no-analyze", help="Store the articles without analysing them."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Analysis worker processes."),
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Articles per transaction."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching private or loopback URLs."),
    delay: float = typer.Option(1.0, "--delay", min=0, help="Seconds between requests to one host."),
    ignore_robots: bool = typer.Option(False, "--ignore-robots", help="Fetch pages robots.txt disallows."),
    fetch_timeout: float = typer.Option(FETCH_DEADLINE_S, "--fetch-timeout", min=0.1, metavar="SECONDS",
                                        help=FETCH_TIMEOUT_HELP),
    max_articles: int | None = typer.Option(None, "--max-articles", min=1,
                                            help="Fetch at most this many articles per feed, sitemap or URL list."),
    narratives: Path | None = typer.Option(None, "--narratives", help=NARRATIVES_HELP),
    paragraphs: bool = typer.Option(False, "--paragraphs", help=PARAGRAPHS_HELP),
    engine: EngineName = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Ingest articles into the store; ingesting the same input twice adds nothing."""
    from unspun.run.ingest import IngestOptions, ingest  # the store stack loads only for store commands
    from unspun.store import open_store

    if paragraphs and no_analyze:
        raise InputError("--paragraphs labels paragraphs while analysing: leave out --no-analyze")
    analysis = AnalysisOptions(catalog=narratives, paragraphs=paragraphs)
    if not no_analyze:
        analysis.load()  # a bad catalog or a broken model fails before anything is read

    total = estimate_total(sources)
    fetch = FetchOptions(delay_s=delay, obey_robots=not ignore_robots, max_articles=max_articles,
                         deadline_s=fetch_timeout)
    cluster = cluster_report()
    options = IngestOptions(analyze=not no_analyze, workers=workers, batch_size=batch_size,
                            allow_private=allow_private, fetch=fetch, analysis=analysis,
                            engine=engine_of(engine, scheduler, workers), cluster=cluster)
    with open_store(db) as store:
        console = SafeConsole(stderr=True)
        columns = [TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeElapsedColumn(), TimeRemainingColumn()]
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("ingest", total=total, rate="")

            def advance(n: int) -> None:
                bar.advance(task, n)
                speed = bar.tasks[0].speed
                bar.update(task, rate=f"{speed:.0f} articles/s" if speed else "")

            summary = ingest(sources, store, options, advance)
    print_summary(summary, console)
    say_cluster(cluster)
    if summary.skipped and not (summary.ingested or summary.present):
        raise typer.Exit(summary.skipped.exit_code or 2)  # nothing stored: fail, as analyze does


def estimate_total(sources: list[str]) -> int | None:
    """Items to expect, when cheap to count (.jsonl lines, files in directories); None for URLs."""
    try:
        return _count_items(sources)
    except OSError:  # an unreadable source: read_inputs reports it
        return None


def _count_items(sources: list[str]) -> int | None:
    total = 0
    for spec in sources:
        path = Path(spec)
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file())
        elif path.suffix == ".jsonl" and path.is_file():
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        elif path.is_file() and not path.name.endswith((".warc", ".warc.gz", ".gz", ".urls", ".xml", ".json")):
            total += 1
        else:
            return None
    return total


def print_summary(summary: IngestSummary, console: Console) -> None:
    print_problems("skipped", summary.skipped)
    print_problems("stored without analysis", summary.not_analysed)
    not_analysed = ", ".join(f"{n:,} {kind}" for kind, n in sorted(summary.not_analysed.kinds.items()))
    console.print(
        f"ingested {summary.ingested:,}, already present {summary.present:,}, analysed {summary.analysed:,}, "
        f"skipped {len(summary.skipped):,}" + (f"; stored without analysis: {not_analysed}" if not_analysed else ""),
        soft_wrap=True,
    )
