"""The coordination graph of sites, after CooRnet's coordinated link sharing, for rewritten text: two sites
co-publish a story when both publish a version derived from the same origin within a time window estimated from
the data; an edge joins two sites that co-publish more often than chance allows, and carries every co-published
story as evidence.

    >>> versions = [Version("s1", "a1", "farm-a.example", 20000, "derived")]  # doctest: +SKIP
    >>> graph = coordination_graph(versions)  # doctest: +SKIP

The window (CooRnet's estimate_coord_interval, q = 0.1, p = 0.5): for every story that two or more sites
derived, the time from its first derived version to the second; among the quickest tenth of stories by that
measure, the median time they took to gather half of their derived versions. Publication dates are days, so the
window is counted in days and is at least MIN_WINDOW_DAYS (the same or the next calendar day).

Chance: in a random bipartite graph of sites and stories that keeps every site's number of stories and every
story's number of sites (the configuration model), a story S of site a also has site b with probability about
n_b (m_S - 1) / T (n_b: b's stories, m_S: S's sites, T: the sum of m_S). Summed over a's own stories, and made
symmetric, a and b share by chance E = (n_b A_a + n_a A_b) / 2T stories, A_a = sum over a's stories of (m_S - 1):
busy sites meet often, and so do sites that cover only the big stories, whatever their volume. (A pair's own
meetings are left in A: leaving them out lowered every expectation and let more chance pairs through on the
development worlds.) The tail P(X >= k) of a Poisson(E) is the chance of a pair's count k; edges
are kept by the Benjamini-Hochberg procedure over every pair that met at all, so that at most FDR of the kept
edges are expected to be chance, and only with k >= MIN_CO_STORIES; an edge's weight is -log10 of its tail.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unspun.sites.joining import Joined

Q_QUICKEST = 0.1  # CooRnet's q: the quickest share of stories the window is read from
P_SHARE = 0.5  # CooRnet's p: the share of a story's versions the window must cover
MIN_WINDOW_DAYS = 1  # dates are days: the same or the next calendar day at least
FDR = 0.01  # expected share of chance edges among those kept (Benjamini-Hochberg)
MIN_CO_STORIES = 2  # one co-published story is never coordination
MIN_SPLIT_MODULARITY = 0.1  # a connected part splits into communities only when the split is worth this much
MAX_EVIDENCE = 50  # co-published stories listed per edge (the count is always whole)
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Version:
    """One stored version of a story, as coordination needs it: its day is days since 1970 (None undated)."""

    story: str
    article: str
    site: str
    day: int | None
    role: str  # origin, derived or independent
    is_origin: bool = False


@dataclass(frozen=True)
class CoPublished:
    """One story two sites both derived within the window: the evidence of an edge."""

    story: str
    articles: tuple[str, str]  # the source site's and the target site's versions
    lag_seconds: int | None  # between the two versions (days apart x 86,400); None when one is undated


@dataclass
class Edge:
    source: str
    target: str
    co_stories: int  # stories both derived within the window
    expected: float  # stories they would share by chance (configuration model)
    p_value: float
    weight: float  # -log10(p_value), capped at 300
    evidence: list[CoPublished] = field(default_factory=list)
    shared_template: list[str] = field(default_factory=list)  # boilerplate both sites carry (templates.py)


@dataclass
class CoordinationGraph:
    window_days: int
    stories: int  # stories with derived versions on two or more sites
    sites: dict[str, int]  # site -> stories it derived (its degree in the site-story graph)
    edges: list[Edge]
    pairs_tested: int
    communities: dict[str, int] = field(default_factory=dict)  # site -> community number (0 = largest)
    joined: list[Joined] = field(default_factory=list)  # sites that joined a community as a whole (joining.py)


def derived_by_site(versions: Iterable[Version]) -> dict[str, dict[str, Version]]:
    """Per story: each site's earliest derived version, leaving out the origin's own site (a site re-publishing its
    own story is not coordinating with itself)."""
    origin_site: dict[str, str] = {}
    per_story: dict[str, dict[str, Version]] = defaultdict(dict)
    pending: list[Version] = []
    for v in versions:
        if v.is_origin:
            origin_site[v.story] = v.site
        elif v.role == "derived":
            pending.append(v)
    for v in pending:
        if origin_site.get(v.story) == v.site:
            continue
        held = per_story[v.story].get(v.site)
        if held is None or _earlier(v, held):
            per_story[v.story][v.site] = v
    return {story: sites for story, sites in per_story.items() if len(sites) >= 2}


def _earlier(a: Version, b: Version) -> bool:
    if a.day is None:
        return False
    return b.day is None or (a.day, a.article) < (b.day, b.article)


def estimate_window(stories: dict[str, dict[str, Version]], q: float = Q_QUICKEST, p: float = P_SHARE) -> int:
    """The coordination window in days (see the module docstring)."""
    spreads = []
    for sites in stories.values():
        days = sorted(v.day for v in sites.values() if v.day is not None)
        if len(days) < 2:
            continue
        reach = days[max(1, math.ceil(p * len(days))) - 1] - days[0]
        spreads.append((days[1] - days[0], reach))
    if not spreads:
        return MIN_WINDOW_DAYS
    spreads.sort()
    quickest = spreads[: max(1, math.ceil(q * len(spreads)))]
    return max(MIN_WINDOW_DAYS, math.ceil(statistics.median(r for _, r in quickest)))


def coordination_graph(versions: Iterable[Version], window_days: int | None = None,
                       fdr: float = FDR, min_co_stories: int = MIN_CO_STORIES) -> CoordinationGraph:
    """Sites joined by co-publishing derived versions of the same stories in step, beyond chance."""
    return graph_of(derived_by_site(versions), window_days, fdr, min_co_stories)


def graph_of(stories: dict[str, dict[str, Version]], window_days: int | None = None, fdr: float = FDR,
             min_co_stories: int = MIN_CO_STORIES) -> CoordinationGraph:
    """The graph over derived_by_site's stories: pairs counted in one pass, evidence gathered for the kept edges
    only in a second (a million-article store has hundreds of thousands of pairs and a thousand edges)."""
    window = window_days if window_days is not None else estimate_window(stories)
    degree: dict[str, int] = defaultdict(int)
    crowd: dict[str, int] = defaultdict(int)  # A_a: the other sites of a's stories, summed
    stubs = 0
    co: dict[tuple[str, str], int] = defaultdict(int)
    ordered = sorted(stories.items())
    for _, sites in ordered:
        m = len(sites)
        stubs += m
        for site in sites:
            degree[site] += 1
            crowd[site] += m - 1
        for a, b in _in_step(sites, window):
            co[(a, b)] += 1
    tested = len(co)
    candidates = []
    for (a, b), k in co.items():
        expected = (degree[b] * crowd[a] + degree[a] * crowd[b]) / (2 * stubs)
        candidates.append((poisson_tail(k, expected), a, b, expected, k))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    # Benjamini-Hochberg: the largest rank r whose p-value is at most r / tested * fdr, and every pair before it
    cut = max((r for r, c in enumerate(candidates, start=1) if c[0] <= r / tested * fdr), default=0)
    edges = {(a, b): Edge(a, b, k, round(expected, 4), p_value, round(min(300.0, -math.log10(max(p_value, 1e-300))), 3))
             for p_value, a, b, expected, k in candidates[:cut] if k >= min_co_stories}
    for story, sites in ordered:
        for a, b in _in_step(sites, window):
            edge = edges.get((a, b))
            if edge is not None and len(edge.evidence) < MAX_EVIDENCE:
                va, vb = sites[a], sites[b]
                gap = abs(va.day - vb.day) if va.day is not None and vb.day is not None else None
                edge.evidence.append(CoPublished(story, (va.article, vb.article),
                                                 gap * DAY_SECONDS if gap is not None else None))
    kept = sorted(edges.values(), key=lambda e: (-e.weight, e.source, e.target))
    return CoordinationGraph(window, len(stories), dict(degree), kept, tested)


def _in_step(sites: dict[str, Version], window: int) -> Iterator[tuple[str, str]]:
    """The pairs of a story's sites (in name order) whose versions are within the window (undated: always)."""
    for a, b in combinations(sorted(sites), 2):
        da, db = sites[a].day, sites[b].day
        if da is None or db is None or abs(da - db) <= window:
            yield a, b


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed from k upward in log space until the terms vanish."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k == 1:
        return -math.expm1(-mean)
    log_term = k * math.log(mean) - mean - math.lgamma(k + 1)
    total, n = 0.0, k
    while True:
        term = math.exp(log_term)
        total += term
        n += 1
        log_term += math.log(mean) - math.log(n)
        if term < total * 1e-15 or n > k + 10_000:
            return min(1.0, total)


def communities(sites: Sequence[str], edges: Sequence[Edge], seed: int = 0) -> dict[str, int]:
    """Louvain communities of the weighted graph (networkx, seeded: the same graph gives the same communities),
    found in each connected part on its own, numbered largest first. A part is split only when the split is
    worth at least MIN_SPLIT_MODULARITY: a single dense network, where every site meets every other, has no
    real split (Louvain still finds one of modularity near 0). A site without edges is a community of its own."""
    import networkx as nx

    names = sorted(set(sites) | {e.source for e in edges} | {e.target for e in edges})
    number = {site: n for n, site in enumerate(names)}  # integers: no string hashing, the same order every run
    graph = nx.Graph()
    graph.add_nodes_from(range(len(names)))
    graph.add_weighted_edges_from((number[e.source], number[e.target], e.weight) for e in edges)
    found: list[set[int]] = []
    for part in sorted(nx.connected_components(graph), key=min):
        if len(part) < 4:
            found.append(set(part))
            continue
        sub = graph.subgraph(sorted(part))
        split = nx.community.louvain_communities(sub, weight="weight", seed=seed)
        worth = nx.community.modularity(sub, split, weight="weight") if len(split) > 1 else 0.0
        found.extend(split if worth >= MIN_SPLIT_MODULARITY else [set(part)])
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {names[n]: k for k, members in enumerate(ordered) for n in members}
