"""Site profiles together with the coordination graph they sit in: what the site commands and pages show, and
the parts of the graph a view asks for (one community, one site's neighbours, the stronger edges)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from unspun.sites.coordination import CoordinationGraph, Edge
from unspun.sites.profile import SiteProfile


@dataclass
class SitesReport:
    profiles: dict[str, SiteProfile]  # every site asked for (all sites by default), most articles first
    graph: CoordinationGraph


def partners(report: SitesReport, site: str) -> list[tuple[str, Edge]]:
    """The sites joined to `site` by an edge, strongest first, each with the edge."""
    return [(e.target if e.source == site else e.source, e) for e in report.graph.edges if site in (e.source, e.target)]


def subgraph(report: SitesReport, community: int | None = None, site: str | None = None,
             min_weight: float = 0.0) -> SitesReport:
    """The report with only the edges within one community, or touching one site, of at least min_weight, and
    the sites they join (with the sites that joined a community as a whole, likewise); asked for nothing, the
    whole report (every site that derived a story included)."""
    if community is None and site is None and min_weight <= 0:
        return report
    graph = report.graph
    edges = [e for e in graph.edges if e.weight >= min_weight
             and (community is None or graph.communities.get(e.source) == community == graph.communities.get(e.target))
             and (site is None or site in (e.source, e.target))]
    joined = [j for j in graph.joined if j.weight >= min_weight and (community is None or j.community == community)
              and (site is None or site == j.site or site in j.met)]
    kept = {e.source for e in edges} | {e.target for e in edges} | {j.site for j in joined}
    kept |= {m for j in joined for m in j.met if site is None or site == j.site or m == site}
    if site is not None:
        kept.add(site)
    narrowed = replace(graph, edges=edges, joined=joined, sites={s: n for s, n in graph.sites.items() if s in kept},
                       communities={s: c for s, c in graph.communities.items() if s in kept})
    return SitesReport(report.profiles, narrowed)
