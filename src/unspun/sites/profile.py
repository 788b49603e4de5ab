"""Site profiles: per site, its volume and when it was seen; how much of what it publishes is derived from
stories that originate elsewhere, and how long after the origin; how its quotes are sourced; its narratives,
rewrite artefacts, the sources it derives from, and its template fingerprint."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from unspun.sites.coordination import DAY_SECONDS, Version
from unspun.sites.templates import Template

TOP = 10  # narratives and sources listed per site


@dataclass
class SiteCounts:
    """Per-site figures the database aggregates (store/sites.py)."""

    articles: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    analysed: int = 0
    quotes: int = 0
    unidentified: int = 0  # quotes from anonymous or unnamed (vague) sources
    with_artefacts: int = 0  # analysed articles carrying at least one rewrite artefact


@dataclass
class SiteProfile:
    site: str
    articles: int = 0
    first_seen: str | None = None  # first and last publication date of its stored articles
    last_seen: str | None = None
    analysed: int = 0
    in_stories: int = 0  # its articles in stories of two or more versions
    derived: int = 0  # ... marked derived from a version on another site
    derived_share: float = 0.0  # derived / articles
    median_lag_seconds: int | None = None  # of its derived versions behind the story's origin (dates are days)
    quotes: int = 0
    unidentified_share: float = 0.0  # quotes from anonymous or unnamed sources / quotes
    artefact_rate: float = 0.0  # analysed articles with a rewrite artefact / analysed articles
    narratives: list[tuple[str, int]] = field(default_factory=list)  # label -> its articles carrying it
    sources: list[tuple[str, int]] = field(default_factory=list)  # origin site or credited outlet -> derived articles
    template: Template = field(default_factory=Template)
    community: int | None = None  # in the coordination graph (None: no coordination edge)
    weekly: list[tuple[str, int]] = field(default_factory=list)  # ISO week -> articles (a single site's view only)


@dataclass
class Derivation:
    """What the stories say about each site: its versions, derived ones, their lags and sources."""

    in_stories: Counter[str] = field(default_factory=Counter)
    derived: Counter[str] = field(default_factory=Counter)
    lags: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def derivations(versions: Iterable[tuple[Version, str | None]]) -> Derivation:
    """Per site: versions in stories, derived versions (of an origin on another site), their lags behind the
    origin, and where they derive from (the origin's site, else the outlet the story credits)."""
    by_story: dict[str, list[tuple[Version, str | None]]] = defaultdict(list)
    for version, credited in versions:
        by_story[version.story].append((version, credited))
    out = Derivation()
    for members in by_story.values():
        origin = next((v for v, _ in members if v.is_origin), None)
        for version, credited in members:
            if not version.site:
                continue
            out.in_stories[version.site] += 1
            if version.role != "derived" or (origin is not None and origin.site == version.site):
                continue
            out.derived[version.site] += 1
            source = origin.site if origin is not None and origin.site else credited
            if source:
                out.sources[version.site][source] += 1
            if origin is not None and origin.day is not None and version.day is not None:
                out.lags[version.site].append((version.day - origin.day) * DAY_SECONDS)
    return out


def build_profile(site: str, counts: SiteCounts, derivation: Derivation, narratives: list[tuple[str, int]],
                  template: Template) -> SiteProfile:
    """One site's profile from the store's counts and the derivations."""
    articles, analysed, quotes = counts.articles, counts.analysed, counts.quotes
    lags = derivation.lags.get(site, [])
    return SiteProfile(
        site=site, articles=articles, first_seen=counts.first_seen, last_seen=counts.last_seen, analysed=analysed,
        in_stories=derivation.in_stories.get(site, 0), derived=derivation.derived.get(site, 0),
        derived_share=round(derivation.derived.get(site, 0) / articles, 3) if articles else 0.0,
        median_lag_seconds=int(statistics.median(lags)) if lags else None, quotes=quotes,
        unidentified_share=round(counts.unidentified / quotes, 3) if quotes else 0.0,
        artefact_rate=round(counts.with_artefacts / analysed, 3) if analysed else 0.0,
        narratives=narratives[:TOP], sources=derivation.sources.get(site, Counter()).most_common(TOP),
        template=template)
