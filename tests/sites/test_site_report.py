"""Site profiles and the coordination graph read from a real store (SQLite and PostgreSQL) holding the world of
tests/sites/world.py: the figures each profile shows are the ones the world was built with."""

from __future__ import annotations

import pytest

from tests.sites.world import BUSY, FARMED, FARMS, HOSTILE, HOSTILE_FROM, MINISTRY, world
from unspun.errors import InputError
from unspun.run.sites import site_report, sites_report
from unspun.sites.coordination import DAY_SECONDS
from unspun.store import open_store


def test_site_report_farms_form_one_community_with_evidence(world_store_url: str) -> None:
    with open_store(world_store_url, readonly=True) as store:
        report = sites_report(store)
    graph = report.graph
    linked = {frozenset((e.source, e.target)) for e in graph.edges}
    assert {frozenset((a, b)) for a in FARMS for b in FARMS if a < b} <= linked
    assert not any(site in pair for pair in linked for site in BUSY)  # four days late: outside the window
    assert graph.window_days == 1
    assert len({graph.communities[f] for f in (*FARMS, HOSTILE)}) == 1
    edge = next(e for e in graph.edges if {e.source, e.target} == {FARMS[0], FARMS[1]})
    assert edge.co_stories == len(FARMED) == len(edge.evidence)
    for shared in edge.evidence:
        story = shared.story.removeprefix("story:").split("-")[0]
        assert shared.lag_seconds == 0 and shared.articles == (f"{story}-{edge.source}", f"{story}-{edge.target}")
    assert any("subscribe to <site>" in line for line in edge.shared_template)


def test_site_report_profiles_hold_the_worlds_figures(world_store_url: str) -> None:
    with open_store(world_store_url, readonly=True) as store:
        profiles = sites_report(store).profiles
    articles, stories = world()
    farm = profiles[FARMS[0]]
    n = len(FARMED)
    assert (farm.articles, farm.derived, farm.derived_share) == (n, n, 1.0)
    assert farm.median_lag_seconds == DAY_SECONDS
    assert farm.sources == [(MINISTRY, n)]
    farm_days = sorted(a.published or "" for a in articles if a.site == FARMS[0])
    assert (farm.first_seen, farm.last_seen) == (farm_days[0], farm_days[-1])
    assert farm.quotes >= n and farm.unidentified_share == 1.0  # "a source who asked not to be named"
    assert farm.template.boilerplate and farm.template.sampled == 20  # the newest 20 read
    busy = profiles[BUSY[0]]
    own = [a for a in articles if a.site == BUSY[0]]
    in_stories = sum(1 for s in stories for a in s.articles if a.endswith(BUSY[0]))
    assert (busy.articles, busy.derived, busy.in_stories) == (len(own), in_stories, in_stories)
    assert busy.derived_share == round(in_stories / len(own), 3) and busy.community is None
    assert 0 <= (busy.median_lag_seconds or 0) <= 3 * DAY_SECONDS
    ministry = profiles[MINISTRY]
    assert (ministry.derived, ministry.derived_share, ministry.median_lag_seconds) == (0, 0.0, None)
    assert ministry.in_stories == sum(1 for s in stories if len(s.articles) >= 2)  # stories of two or more
    assert [p.articles for p in profiles.values()] == sorted((p.articles for p in profiles.values()), reverse=True)
    assert next(iter(profiles)) == MINISTRY  # most articles first


def test_site_report_one_site_with_its_weeks(world_store_url: str) -> None:
    with open_store(world_store_url, readonly=True) as store:
        report = site_report(store, HOSTILE)
    profile = report.profiles[HOSTILE]
    assert list(report.profiles) == [HOSTILE]
    assert sum(n for _, n in profile.weekly) == profile.articles == len(FARMED) - HOSTILE_FROM
    assert all(week.startswith("2026-W") for week, _ in profile.weekly)


def test_site_report_unknown_site_is_one_clear_message(world_store_url: str) -> None:
    with open_store(world_store_url, readonly=True) as store, pytest.raises(InputError, match="no stored article"):
        site_report(store, "nowhere.example")
