"""Site profiles and the coordination graph of a store: the orchestrator behind `unspun sites`, `unspun site`,
`unspun network` and the web interface's site pages. Reads the stored stories (run `unspun stories` first, or
pass update=True) and a few aggregates; nothing is written."""

from __future__ import annotations

from collections.abc import Sequence

from unspun.errors import InputError
from unspun.sites.joining import coordinate
from unspun.sites.profile import SiteCounts, build_profile, derivations
from unspun.sites.report import SitesReport
from unspun.sites.templates import Template, fingerprint, shared_lines
from unspun.store import sites as site_store
from unspun.store.narratives import week_of
from unspun.store.store import Store


class UnknownSiteError(InputError):
    """A site asked for has no stored article."""


def sites_report(store: Store, sites: Sequence[str] | None = None, window_days: int | None = None,
                 min_co_stories: int | None = None) -> SitesReport:
    """Profiles of the given sites (all by default) and the coordination graph of the whole store."""
    versions = list(site_store.story_versions(store))
    options = {} if min_co_stories is None else {"min_co_stories": min_co_stories}
    graph = coordinate((v for v, _ in versions), window_days, **options)
    linked = sorted(graph.communities)
    wanted = list(sites) if sites is not None else None
    counts = site_store.site_counts(store, wanted)
    if wanted is not None:
        missing = [s for s in wanted if s not in counts]
        if missing:
            raise UnknownSiteError(f"no stored article comes from {', '.join(missing)}: see `unspun sites` for the "
                                   "sites")
    template_sites = sorted(set(counts) | set(linked)) if wanted is None else sorted(set(wanted) | set(linked))
    templates = {site: fingerprint(site, samples)
                 for site, samples in site_store.template_samples(store, template_sites).items()}
    for edge in graph.edges:
        edge.shared_template = shared_lines(templates.get(edge.source, Template()),
                                            templates.get(edge.target, Template()))
    derived = derivations(versions)
    narratives = site_store.site_narratives(store, wanted)
    profiles = {}
    for site in sorted(counts, key=lambda s: (-counts[s].articles, s)):
        profile = build_profile(site, counts.get(site, SiteCounts()), derived, narratives.get(site, []),
                                templates.get(site, Template()))
        profile.community = graph.communities.get(site)
        profiles[site] = profile
    return SitesReport(profiles, graph)


def site_report(store: Store, site: str, window_days: int | None = None) -> SitesReport:
    """One site's profile with its weekly volume, and the graph (its edges are those naming it)."""
    report = sites_report(store, [site], window_days)
    report.profiles[site].weekly = weekly_volume(store, site)
    return report


def weekly_volume(store: Store, site: str) -> list[tuple[str, int]]:
    """A site's articles per ISO week ("undated" last)."""
    weeks: dict[str, int] = {}
    for published, count in site_store.site_days(store, site):
        week = week_of(published)
        weeks[week] = weeks.get(week, 0) + count
    return sorted(weeks.items())
