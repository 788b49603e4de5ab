"""`unspun sites`, `unspun site DOMAIN` and `unspun network`: site profiles and the coordination graph."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from unspun.cli.ingest import DB_HELP
from unspun.cli.stories import bring_stories_up_to_date
from unspun.render.console import SafeConsole

WINDOW_HELP = "Coordination window in days (default: estimated from the data, at least 1)."


class SitesFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


class SiteFormat(str, Enum):
    text = "text"
    json = "json"


class NetworkFormat(str, Enum):
    gexf = "gexf"
    graphml = "graphml"
    json = "json"
    svg = "svg"
    png = "png"


def sites_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: SitesFormat = typer.Option(SitesFormat.text, "--format", "-f", help="text, json or csv."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Most sites to show."),
    window_days: int | None = typer.Option(None, "--window-days", min=0, help=WINDOW_HELP),
) -> None:
    """Profile every site: volume, derived share and lag, unidentified sources, artefacts, sources, community."""
    from unspun.render.sites import render_sites_text, sites_csv, sites_json
    from unspun.run.sites import sites_report
    from unspun.store import open_store

    with open_store(db) as store:
        bring_stories_up_to_date(store)
        report = sites_report(store, window_days=window_days)
    if format is SitesFormat.json:
        print(json.dumps(sites_json(report, limit), ensure_ascii=False, indent=2))
    elif format is SitesFormat.csv:
        sys.stdout.write(sites_csv(report, limit))
    else:
        console = SafeConsole()
        render_sites_text(report, console if console.is_terminal else SafeConsole(width=160), limit)


def site_command(
    domain: str = typer.Argument(..., help="The site, as `unspun sites` lists it (its registered domain)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: SiteFormat = typer.Option(SiteFormat.text, "--format", "-f", help="text or json."),
    window_days: int | None = typer.Option(None, "--window-days", min=0, help=WINDOW_HELP),
) -> None:
    """One site's profile, its weekly volume, and the sites it publishes in step with (with the evidence)."""
    from unspun.render.sites import render_site_text, site_json
    from unspun.run.sites import site_report
    from unspun.store import open_store

    site = domain.strip().lower()
    with open_store(db) as store:
        bring_stories_up_to_date(store)
        report = site_report(store, site, window_days)
    if format is SiteFormat.json:
        print(json.dumps(site_json(report, site), ensure_ascii=False, indent=2))
        return
    console = SafeConsole()
    render_site_text(report, site, console if console.is_terminal else SafeConsole(width=160))


def network_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    format: NetworkFormat = typer.Option(NetworkFormat.gexf, "--format", "-f", help="gexf, graphml, json, svg or png."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default unspun-network.FORMAT); "
                                    "'-' writes JSON, GEXF or GraphML to standard output."),
    window_days: int | None = typer.Option(None, "--window-days", min=0, help=WINDOW_HELP),
    min_co_stories: int = typer.Option(2, "--min-co-stories", min=1, help="Fewest stories in step for an edge."),
) -> None:
    """The coordination graph of sites (open GEXF or GraphML in Gephi); every edge lists its evidence."""
    from unspun.errors import InputError
    from unspun.render.network import network_gexf, network_graphml, network_json, write_network
    from unspun.run.sites import sites_report
    from unspun.store import open_store

    with open_store(db) as store:
        bring_stories_up_to_date(store)
        report = sites_report(store, window_days=window_days, min_co_stories=min_co_stories)
    graph = report.graph
    summary = (f"{len(graph.edges)} edges among {len({e.source for e in graph.edges} | {e.target for e in graph.edges})}"
               f" sites in {len(set(graph.communities.values()))} communities (window {graph.window_days} day(s), "
               f"{graph.stories} stories derived by two or more sites)")
    if str(out) == "-":
        if format in (NetworkFormat.svg, NetworkFormat.png):
            raise InputError("--out - writes JSON, GEXF or GraphML; write SVG or PNG to a file")
        text = {"json": lambda: json.dumps(network_json(report), ensure_ascii=False, indent=2) + "\n",
                "gexf": lambda: network_gexf(report), "graphml": lambda: network_graphml(report)}[format.value]()
        sys.stdout.write(text)
        print(f"unspun: {summary}", file=sys.stderr)
        return
    target = out or Path(f"unspun-network.{format.value}")
    try:
        write_network(report, target, format.value)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    print(f"unspun: wrote {summary} to {target}", file=sys.stderr)
