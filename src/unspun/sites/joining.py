"""Sites that publish in step with a community as a whole: a look-alike site that rewrites only some of its
network's stories meets each fellow site once or twice (never enough for an edge of its own), but meets the
network, taken together, story after story.

The test treats a community C as one site (the stories any member derived: n_C of them; the other sites of
those stories: A_C) and a site x outside every community as the other end: x's stories in step with some member
of C within the window (k) against the configuration model's chance (E = (n_C A_x + n_x A_C) / 2T, as for a pair
in coordination.py); Benjamini-Hochberg over every (site, community) that met, at the same FDR, and at least
MIN_CO_STORIES stories. A site that passes joins the community with the smallest p; the communities, grown,
are tested again (JOIN_ROUNDS rounds at most). Every join carries its evidence: each story, the site's version
and the member's version nearest in time, and how far apart they were.

    >>> graph = coordinate(versions)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from unspun.sites.coordination import (
    DAY_SECONDS,
    FDR,
    MAX_EVIDENCE,
    MIN_CO_STORIES,
    CoordinationGraph,
    CoPublished,
    Version,
    communities,
    derived_by_site,
    graph_of,
    poisson_tail,
)

JOIN_ROUNDS = 3


@dataclass
class Joined:
    site: str
    community: int
    co_stories: int  # its stories in step with some member of the community
    expected: float
    p_value: float
    weight: float  # -log10(p_value), capped at 300
    evidence: list[CoPublished] = field(default_factory=list)  # (its version, the nearest member's version)
    met: list[str] = field(default_factory=list)  # the members it met in step, most stories first


def coordinate(versions: Iterable[Version], window_days: int | None = None, fdr: float = FDR,
               min_co_stories: int = MIN_CO_STORIES) -> CoordinationGraph:
    """The coordination graph, its communities, and the sites that joined a community as a whole."""
    stories = derived_by_site(versions)
    graph = graph_of(stories, window_days, fdr, min_co_stories)
    linked = sorted({e.source for e in graph.edges} | {e.target for e in graph.edges})
    found = communities(linked, graph.edges) if linked else {}
    joined: dict[str, Joined] = {}
    for _ in range(JOIN_ROUNDS):
        fresh = join_round(stories, graph.window_days, {**found, **{j.site: j.community for j in joined.values()}},
                           fdr, min_co_stories)
        if not fresh:
            break
        joined.update((j.site, j) for j in fresh)
    graph.communities = {**found, **{j.site: j.community for j in joined.values()}}
    graph.joined = sorted(joined.values(), key=lambda j: (j.community, -j.weight, j.site))
    return graph


def join_round(stories: dict[str, dict[str, Version]], window: int, members: dict[str, int], fdr: float,
               min_co_stories: int) -> list[Joined]:
    """The sites outside every community that pass the test against one (see the module docstring)."""
    sizes: dict[int, int] = defaultdict(int)
    for community in members.values():
        sizes[community] += 1
    degree: dict[str, int] = defaultdict(int)
    crowd: dict[str, int] = defaultdict(int)
    n_c: dict[int, int] = defaultdict(int)
    a_c: dict[int, int] = defaultdict(int)
    met: dict[tuple[str, int], list[tuple[CoPublished, str]]] = defaultdict(list)
    stubs = 0
    for story, sites in sorted(stories.items()):
        stubs += len(sites)
        present: dict[int, list[Version]] = defaultdict(list)
        for site, version in sites.items():
            degree[site] += 1
            crowd[site] += len(sites) - 1
            belongs = members.get(site)
            if belongs is not None and sizes[belongs] >= 2:
                present[belongs].append(version)
        for community, versions in present.items():
            n_c[community] += 1
            a_c[community] += len(sites) - len(versions)
            for site, version in sites.items():
                if site in members:
                    continue
                nearest = _nearest(version, versions, window)
                if nearest is not None:
                    gap = abs(version.day - nearest.day) if version.day is not None and nearest.day is not None \
                        else None
                    met[(site, community)].append((CoPublished(story, (version.article, nearest.article),
                                                               gap * DAY_SECONDS if gap is not None else None),
                                                   nearest.site))
    if not met:
        return []
    tested = []
    for (site, community), shared in met.items():
        expected = (n_c[community] * crowd[site] + degree[site] * a_c[community]) / (2 * stubs)
        tested.append((poisson_tail(len(shared), expected), site, community, expected, shared))
    tested.sort(key=lambda t: (t[0], t[1], t[2]))
    cut = max((r for r, t in enumerate(tested, start=1) if t[0] <= r / len(tested) * fdr), default=0)
    best: dict[str, Joined] = {}
    for p_value, site, community, expected, shared in tested[:cut]:
        if len(shared) >= min_co_stories and site not in best:
            members = Counter(member for _, member in shared)
            best[site] = Joined(site, community, len(shared), round(expected, 4), p_value,
                                round(min(300.0, -math.log10(max(p_value, 1e-300))), 3),
                                [c for c, _ in shared[:MAX_EVIDENCE]],
                                sorted(members, key=lambda m: (-members[m], m)))
    return list(best.values())


def _nearest(version: Version, others: list[Version], window: int) -> Version | None:
    """The member version nearest in time within the window (an undated one meets any)."""
    best, gap = None, None
    for other in others:
        if version.day is None or other.day is None:
            distance = 0
        else:
            distance = abs(version.day - other.day)
            if distance > window:
                continue
        if gap is None or distance < gap or (distance == gap and best is not None and other.article < best.article):
            best, gap = other, distance
    return best
