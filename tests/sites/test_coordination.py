"""The coordination graph on hand-made versions: the window, chance, the evidence, communities."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspun.sites.coordination import (
    DAY_SECONDS,
    MIN_WINDOW_DAYS,
    Version,
    communities,
    coordination_graph,
    derived_by_site,
    estimate_window,
    poisson_tail,
)


def story(name: str, origin_site: str, day: int, derived: dict[str, int | None]) -> list[Version]:
    out = [Version(name, f"{name}-o", origin_site, day, "origin", True)]
    out += [Version(name, f"{name}-{site}", site, when, "derived") for site, when in derived.items()]
    return out


def world(seed: int = 1, stories: int = 400) -> list[Version]:
    """Three farms that rewrite the same ministry stories the same day, and ten busy sites that cover the
    popular stories on their own schedule (often the same day as the farms)."""
    rng = random.Random(seed)
    versions: list[Version] = []
    for n in range(stories):
        day = rng.randrange(300)
        derived: dict[str, int | None] = {}
        if n % 5 == 0:
            derived |= {f"farm{k}.example": day + 1 for k in range(3) if rng.random() < 0.8}
        for b in range(10):
            if rng.random() < 0.3:
                derived[f"busy{b}.example"] = day + rng.choice((0, 1, 1, 2, 5))
        versions += story(f"s{n}", "ministry.example", day, derived)
    return versions


def test_coordination_finds_the_farms_and_not_the_busy_sites() -> None:
    graph = coordination_graph(world())
    linked = {frozenset((e.source, e.target)) for e in graph.edges}
    farms = {frozenset(p) for p in (("farm0.example", "farm1.example"), ("farm0.example", "farm2.example"),
                                     ("farm1.example", "farm2.example"))}
    assert farms <= linked
    assert all(e.source.startswith("farm") and e.target.startswith("farm") for e in graph.edges)
    found = communities(sorted({s for pair in linked for s in pair}), graph.edges)
    assert len({found[f"farm{k}.example"] for k in range(3)}) == 1


def test_coordination_edges_carry_their_evidence() -> None:
    graph = coordination_graph(world())
    edge = next(e for e in graph.edges if {e.source, e.target} == {"farm0.example", "farm1.example"})
    assert edge.co_stories == len(edge.evidence) >= 10 and edge.p_value < 1e-6 and edge.weight > 6
    for item in edge.evidence:
        assert item.articles == (f"{item.story}-farm0.example", f"{item.story}-farm1.example")
        assert item.lag_seconds == 0
    assert edge.expected < edge.co_stories / 3  # far above what chance gives two sites of their volume


def test_coordination_window_comes_from_the_quickest_stories() -> None:
    versions: list[Version] = []
    for n in range(50):  # the quickest: a second version 2 days after the first, half of them by then
        versions += story(f"f{n}", "o.example", 0, {"a.example": 10, "b.example": 12, "c.example": 12,
                                                     "d.example": 14})
    for n in range(450):  # slow coverage: a week apart
        versions += story(f"s{n}", "o.example", 0, {"x.example": 10, "y.example": 17})
    stories = derived_by_site(versions)
    assert estimate_window(stories) == 2
    assert estimate_window({}) == MIN_WINDOW_DAYS


def test_coordination_outside_the_window_is_no_evidence() -> None:
    versions: list[Version] = []
    for n in range(30):
        versions += story(f"s{n}", "o.example", n * 10, {"a.example": n * 10, "b.example": n * 10 + 9})
    assert coordination_graph(versions, window_days=1).edges == []
    [edge] = coordination_graph(versions, window_days=9).edges
    assert {item.lag_seconds for item in edge.evidence} == {9 * DAY_SECONDS}


def test_coordination_leaves_out_the_origin_site_and_single_stories() -> None:
    versions = story("s1", "a.example", 0, {"a.example": 0, "b.example": 0})
    assert derived_by_site(versions) == {}  # a re-post on the origin's own site is no second site
    lone = story("s2", "o.example", 0, {"a.example": 0, "b.example": 0})
    assert coordination_graph(lone).edges == []  # one story in step is not coordination


def test_coordination_undated_versions_count_as_in_step() -> None:
    versions: list[Version] = []
    for n in range(20):
        versions += story(f"s{n}", "o.example", n, {"a.example": None, "b.example": n})
        versions += story(f"t{n}", "o.example", n, {f"z{n}.example": n, "q.example": n})
    [edge] = [e for e in coordination_graph(versions).edges if {e.source, e.target} == {"a.example", "b.example"}]
    assert edge.co_stories == 20 and {item.lag_seconds for item in edge.evidence} == {None}


@given(k=st.integers(0, 40), mean=st.floats(0.01, 30))
def test_coordination_poisson_tail_matches_the_direct_sum(k: int, mean: float) -> None:
    direct = 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))
    assert poisson_tail(k, mean) == pytest.approx(max(direct, 0.0), rel=1e-6, abs=1e-12)
