"""Sites in the terminal and as data: the table of site profiles, one site's profile with the sites it is
coordinated with, and the JSON of both."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspun.render.network import joined_json
from unspun.sites.profile import SiteProfile
from unspun.sites.report import SitesReport, partners

SITES_SCHEMA = "unspun.sites/1"
SITE_SCHEMA = "unspun.site/1"
CSV_COLUMNS = ("site", "articles", "first_seen", "last_seen", "analysed", "in_stories", "derived", "derived_share",
               "median_lag_seconds", "quotes", "unidentified_share", "artefact_rate", "community", "top_source",
               "top_narrative", "boilerplate")


def lag_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    days = seconds / 86_400
    return f"{days:.0f} day" + ("" if round(days) == 1 else "s")


def percent(share: float) -> str:
    return f"{share:.0%}"


def sites_json(report: SitesReport, limit: int | None = None, start: int = 0) -> dict[str, Any]:
    """The `unspun.sites/1` document: the network's figures and the profiles (from start, at most limit)."""
    profiles = list(report.profiles.values())[start:start + limit if limit is not None else None]
    graph = report.graph
    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    return {"schema": SITES_SCHEMA, "window_days": graph.window_days,
            "network": {"stories": graph.stories, "pairs_tested": graph.pairs_tested, "edges": len(graph.edges),
                        "linked_sites": len(linked), "joined_sites": len(graph.joined),
                        "communities": len(set(graph.communities.values()))},
            "sites": [profile_json(p) for p in profiles]}


def profile_json(profile: SiteProfile) -> dict[str, Any]:
    data = asdict(profile)
    data["template"]["boilerplate"] = [{"line": line, "articles": n} for line, n in profile.template.boilerplate]
    data["narratives"] = [{"label": label, "articles": n} for label, n in profile.narratives]
    data["sources"] = [{"source": source, "articles": n} for source, n in profile.sources]
    data["weekly"] = [{"week": week, "articles": n} for week, n in profile.weekly]
    return data


def site_json(report: SitesReport, site: str) -> dict[str, Any]:
    edges = [{"site": other, "weight": e.weight, "co_stories": e.co_stories, "expected": e.expected,
              "p_value": e.p_value, "shared_template": e.shared_template,
              "evidence": [{"story": c.story, "articles": list(c.articles), "lag_seconds": c.lag_seconds}
                           for c in e.evidence]} for other, e in partners(report, site)]
    joined = next((joined_json(j) for j in report.graph.joined if j.site == site), None)
    return {"schema": SITE_SCHEMA, "window_days": report.graph.window_days, "profile": profile_json(
        report.profiles[site]), "coordinated_with": edges, "joined": joined}


def sites_csv(report: SitesReport, limit: int | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in list(report.profiles.values())[:limit]:
        writer.writerow([p.site, p.articles, p.first_seen, p.last_seen, p.analysed, p.in_stories, p.derived,
                         p.derived_share, p.median_lag_seconds, p.quotes, p.unidentified_share, p.artefact_rate,
                         p.community, p.sources[0][0] if p.sources else "", p.narratives[0][0] if p.narratives else "",
                         " | ".join(line for line, _ in p.template.boilerplate)])
    return out.getvalue()


def render_sites_text(report: SitesReport, console: Console, limit: int) -> None:
    profiles = list(report.profiles.values())
    table = Table(title=f"{len(profiles)} sites, most articles first; coordination window "
                        f"{report.graph.window_days} day(s), {len(report.graph.edges)} coordination edges")
    for column in ("site", "articles", "derived", "lag", "unidentified quotes", "artefacts", "community",
                   "derives from"):
        table.add_column(column, justify="right" if column in ("articles", "derived", "lag") else "left")
    for p in profiles[:limit]:
        table.add_row(Text(p.site), str(p.articles), percent(p.derived_share), lag_text(p.median_lag_seconds),
                      percent(p.unidentified_share), percent(p.artefact_rate),
                      "—" if p.community is None else str(p.community),
                      Text(", ".join(s for s, _ in p.sources[:2])))
    console.print(table)
    if len(profiles) > limit:
        console.print(Text(f"and {len(profiles) - limit} more sites (--limit)", style="dim"))


def render_site_text(report: SitesReport, site: str, console: Console) -> None:
    p = report.profiles[site]
    console.print(Text(f"{site}", style="bold"))
    lines = [
        f"{p.articles} articles, {p.first_seen or 'undated'} to {p.last_seen or 'undated'}; {p.analysed} analysed",
        (f"{p.in_stories} in stories with other versions; {p.derived} derived from another site's story "
        f"({percent(p.derived_share)} of its articles), median {lag_text(p.median_lag_seconds)} after the origin"),
        (f"{p.quotes} quotations, {percent(p.unidentified_share)} from anonymous or vague sources; rewrite artefacts "
        f"in {percent(p.artefact_rate)} of its analysed articles"),
        "derives from: " + (", ".join(f"{s} ({n})" for s, n in p.sources) or "—"),
        "narratives: " + ("; ".join(f"{label} ({n})" for label, n in p.narratives) or "none"),
        f"template: median {p.template.median_chars} characters, {p.template.median_paragraphs} paragraphs; "
        + (f"boilerplate in its articles: {'; '.join(repr(line) for line, _ in p.template.boilerplate[:5])}"
           if p.template.boilerplate else "no recurring boilerplate"),
        "community: " + ("none (no coordination edge)" if p.community is None else str(p.community)),
    ]
    for line in lines:
        console.print(Text(line))
    if p.weekly:
        console.print(Text(("articles per week" + (", the last 12" if len(p.weekly) > 12 else "") + ": ")
                           + ", ".join(f"{w} {n}" for w, n in p.weekly[-12:])))
    joined = next((j for j in report.graph.joined if j.site == site), None)
    if joined is not None:
        console.print(Text(
            f"Joined community {joined.community} as a whole: {joined.co_stories} stories in step with its members "
            f"({joined.expected:.2f} expected by chance, p = {joined.p_value:.1e}), beside "
            + ", ".join(joined.met[:5]) + ("…" if len(joined.met) > 5 else "") + "; stories: "
            + ", ".join(c.story for c in joined.evidence[:4]) + ("…" if len(joined.evidence) > 4 else "")))
    edges = partners(report, site)
    if not edges:
        console.print(Text("Not coordinated with any site beyond chance.", style="dim"))
        return
    table = Table(title=f"Coordinated with {len(edges)} site(s) (stories both derived within "
                        f"{report.graph.window_days} day(s), beyond chance)")
    for column in ("site", "stories in step", "expected by chance", "p", "stories", "shared boilerplate"):
        table.add_column(column)
    for other, e in edges:
        table.add_row(Text(other), str(e.co_stories), f"{e.expected:.2f}", f"{e.p_value:.1e}",
                      Text(", ".join(c.story for c in e.evidence[:4]) + ("…" if len(e.evidence) > 4 else "")),
                      Text("; ".join(e.shared_template[:2])))
    console.print(table)
