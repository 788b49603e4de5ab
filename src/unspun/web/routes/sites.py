"""Sites and their coordination network: the table of site profiles, one site (its weekly volume, where it
derives from, its template, the sites it publishes in step with and the stories that show it), and the network
view (an SVG whose sites link to their pages and whose edges name their stories; narrowed by community, site or
weight). The JSON twins are the CLI's documents (docs/json-contract.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from unspun.render.chart import chart_svg
from unspun.render.network import network_json, network_svg
from unspun.render.sites import site_json, sites_json
from unspun.run.sites import UnknownSiteError, sites_report, weekly_volume
from unspun.sites.report import SitesReport, partners, subgraph
from unspun.store.narratives import UNDATED, NarrativeCount, week_range
from unspun.store.store import Store
from unspun.web.pages import data, decode_cursor, encode_cursor, page, quote_path
from unspun.web.recent import recent
from unspun.web.routes.params import After, Limit, store_of

router = APIRouter()
Stored = Annotated[Store, Depends(store_of)]
Domain = Annotated[str, Path(max_length=255, description="a site (registered domain), as /api/sites lists it")]
Community = Annotated[int | None, Query(ge=0, description="only the edges within this community")]
Around = Annotated[str | None, Query(max_length=255, description="only the edges of this site")]
MinWeight = Annotated[float, Query(ge=0, le=300, description="only edges at least this strong (-log10 p)")]
# The graph reads every stored story version: built at most this often per server process.
SITES_TTL_S = 60.0
EDGES_SHOWN = 100  # edges listed under the network drawing (the JSON has them all)


def recent_sites(request: Request, store: Store) -> SitesReport:
    return recent(request, store, "sites", sites_report, SITES_TTL_S)


def one_site(request: Request, store: Store, domain: str) -> SitesReport:
    """The report narrowed to one site (its profile with its weekly volume, and its edges)."""
    site = domain.strip().lower()
    report = recent_sites(request, store)
    if site not in report.profiles:
        raise UnknownSiteError(f"no stored article comes from {site}: see /sites for the sites")
    profile = replace(report.profiles[site], weekly=weekly_volume(store, site))
    return SitesReport({site: profile}, subgraph(report, site=site).graph)


def page_of(report: SitesReport, after: str | None, limit: int) -> tuple[dict[str, Any], str | None]:
    cursor = decode_cursor(after, (int,))
    start = cursor[0] if cursor else 0
    document = sites_json(report, limit, start)
    more = start + limit < len(report.profiles)
    return document, encode_cursor([start + limit]) if more else None


@router.get("/api/sites", tags=["sites"], response_class=JSONResponse,
            summary="Site profiles, most articles first (unspun.sites/1), with the network's figures")
def sites_data(request: Request, store: Stored, after: After = None, limit: Limit = 50) -> JSONResponse:
    document, after_ = page_of(recent_sites(request, store), after, limit)
    return data({**document, "next": after_})


@router.get("/sites", response_class=HTMLResponse, include_in_schema=False)
def sites_page(request: Request, store: Stored, after: After = None, limit: Limit = 50) -> HTMLResponse:
    report = recent_sites(request, store)
    document, after_ = page_of(report, after, limit)
    shown = [report.profiles[s["site"]] for s in document["sites"]]
    return page(request, "sites.html", title="Sites", report=report, network=document["network"], profiles=shown,
                next=after_)


@router.get("/api/sites/{domain}", tags=["sites"], response_class=JSONResponse,
            summary="One site's profile, weekly volume and the sites it publishes in step with (unspun.site/1)")
def site_data(request: Request, domain: Domain, store: Stored) -> JSONResponse:
    report = one_site(request, store, domain)
    return data(site_json(report, next(iter(report.profiles))))


@router.get("/sites/{domain}", response_class=HTMLResponse, include_in_schema=False)
def site_page(request: Request, domain: Domain, store: Stored) -> HTMLResponse:
    report = one_site(request, store, domain)
    site, profile = next(iter(report.profiles.items()))

    def week_link(_: str, week: str) -> str:
        if week == UNDATED:
            return "/search?" + urlencode({"site": site})
        since, until = week_range(week)
        return "/search?" + urlencode({"site": site, "since": since, "until": until})

    weeks = [NarrativeCount(site, week, "articles", n) for week, n in profile.weekly]
    chart = chart_svg(weeks, f"Articles per week on {site}", week_link) if weeks else None
    everyone = recent_sites(request, store).profiles
    drawing = (network_svg(SitesReport(everyone, report.graph), lambda s: f"/sites/{quote_path(s)}", size=520)
               if report.graph.edges or report.graph.joined else None)
    joined = next((j for j in report.graph.joined if j.site == site), None)
    return page(request, "site.html", title=site, site=site, profile=profile, chart=chart, drawing=drawing,
                partners=partners(report, site), joined=joined, window=report.graph.window_days,
                known=set(everyone))


def narrowed(request: Request, store: Store, community: int | None, site: str | None,
             min_weight: float) -> SitesReport:
    report = recent_sites(request, store)
    if site is not None and site.strip().lower() not in report.profiles:
        raise UnknownSiteError(f"no stored article comes from {site}: see /sites for the sites")
    return subgraph(report, community, site.strip().lower() if site else None, min_weight)


@router.get("/api/network", tags=["sites"], response_class=JSONResponse,
            summary="The coordination graph of sites with the evidence of every edge (unspun.network/1)")
def network_data(request: Request, store: Stored, community: Community = None, site: Around = None,
                 min_weight: MinWeight = 0.0) -> JSONResponse:
    return data(network_json(narrowed(request, store, community, site, min_weight)))


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(request: Request, store: Stored, community: Community = None, site: Around = None,
                 min_weight: MinWeight = 0.0) -> HTMLResponse:
    report = narrowed(request, store, community, site, min_weight)
    full = recent_sites(request, store).graph
    members: dict[int, list[str]] = {}
    for name, number in sorted(full.communities.items()):
        members.setdefault(number, []).append(name)
    drawing = (network_svg(report, lambda s: f"/sites/{quote_path(s)}")
               if report.graph.edges or report.graph.joined else None)
    return page(request, "network.html", title="Network", graph=report.graph, full=full, drawing=drawing,
                communities=sorted(members.items()), edges=report.graph.edges[:EDGES_SHOWN], joined=report.graph.joined,
                filters={"community": community, "site": site, "min_weight": min_weight})
