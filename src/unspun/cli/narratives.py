"""`unspun narratives`: narratives across the store by site and week, as a table, JSON or a chart, and the
sentences behind them (--evidence)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from unspun.cli.ingest import DB_HELP
from unspun.render.console import SafeConsole


class Format(str, Enum):
    text = "text"
    json = "json"


def narratives_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    label: str | None = typer.Option(None, "--label", help="Only this narrative: its exact label or a part of it "
                                                           "(case-insensitive)."),
    site: str | None = typer.Option(None, "--site", help="Only articles of this site."),
    week: str | None = typer.Option(None, "--week", help="Only this ISO week (2026-W47, or undated)."),
    since: str | None = typer.Option(None, "--since", help="Only articles published on or after this date "
                                                           "(YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only articles published on or before this date."),
    evidence: bool = typer.Option(False, "--evidence", help="Show the matching articles with their evidence "
                                                            "sentences instead of counts."),
    limit: int = typer.Option(50, "--limit", min=1, help="With --evidence: at most this many articles."),
    chart: Path | None = typer.Option(None, "--chart", help="Also write the weekly counts as a stacked bar chart "
                                                            "(.svg, or .png with the charts extra)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> None:
    """Count narratives by site and week across the store; --evidence shows the sentences behind them."""
    from unspun.render import narratives as render
    from unspun.render.chart import write_chart
    from unspun.store import open_store
    from unspun.store.narratives import NarrativeFilter, narrative_counts, narrative_evidence, week_range

    if week is not None and week != "undated":
        week_range(week)  # one clear error for a malformed week, before the database is opened
    where = NarrativeFilter(label=label, site=site, week=week, since=since, until=until)
    with open_store(db, readonly=True) as store:
        if evidence:
            hits = narrative_evidence(store, where, limit)
            if format is Format.json:
                print(render.evidence_json(hits, where))
            else:
                render.render_evidence(hits, SafeConsole())
            return
        counts = narrative_counts(store, where)
    if chart is not None:
        write_chart(counts, chart, "Articles per narrative and week" + (f" ({site})" if site else ""))
        print(f"unspun: wrote the chart to {chart}", file=sys.stderr)
    if format is Format.json:
        print(render.counts_json(counts, where))
    else:
        render.render_counts(counts, SafeConsole(), db)
