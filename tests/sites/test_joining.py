"""Sites that publish in step with a community as a whole (joining.py): a straggler that meets each member of a
network once joins it with its evidence; busy sites that meet the network by chance do not."""

from __future__ import annotations

import random

from unspun.sites.coordination import DAY_SECONDS, Version
from unspun.sites.joining import coordinate

FARMS = [f"farm{k}.example" for k in range(8)]
STRAGGLER = "straggler.example"


def world(seed: int = 3, straggler_stories: int = 8) -> list[Version]:
    """A network of eight farms (four turn out for each of its 60 stories, the next day); a straggler that
    rewrites 8 other statements, each beside exactly one farm (a different one each time); 12 busy sites that
    cover a third of all 400 statements within a few days."""
    rng = random.Random(seed)
    versions: list[Version] = []

    def story(n: int, day: int, sites: dict[str, int]) -> None:
        versions.append(Version(f"s{n}", f"s{n}-origin", "ministry.example", day, "origin", True))
        versions.extend(Version(f"s{n}", f"s{n}-{site}", site, when, "derived") for site, when in sites.items())

    for n in range(400):
        day = rng.randrange(365)
        sites: dict[str, int] = {}
        if n < 60:
            sites |= {farm: day + 1 for farm in rng.sample(FARMS, 4)}
        elif n < 60 + straggler_stories:
            sites |= {FARMS[n % len(FARMS)]: day + 1, STRAGGLER: day + 1}
        for b in range(12):
            if rng.random() < 0.33:
                sites[f"busy{b}.example"] = day + rng.choice((0, 1, 2, 4))
        story(n, day, sites)
    return versions


def test_joining_a_straggler_joins_the_network_with_its_evidence() -> None:
    graph = coordinate(world())
    assert not any(STRAGGLER in (e.source, e.target) for e in graph.edges)  # once with each: never an edge
    farms = {graph.communities[f] for f in FARMS}
    assert len(farms) == 1
    [joined] = [j for j in graph.joined if j.site == STRAGGLER]
    assert joined.community == farms.pop() == graph.communities[STRAGGLER]
    assert joined.co_stories == 8 and joined.expected < 4 and joined.p_value < 1e-3
    assert sorted(joined.met) == sorted(FARMS)  # it met every member, once each
    for shared in joined.evidence:
        assert shared.articles[0] == f"{shared.story}-{STRAGGLER}" and shared.lag_seconds == 0
        assert shared.articles[1].removeprefix(f"{shared.story}-") in FARMS
    assert not any(s.startswith("busy") for s in graph.communities)  # chance meetings join nothing


def test_joining_too_few_stories_join_nothing() -> None:
    graph = coordinate(world(straggler_stories=1))
    assert STRAGGLER not in graph.communities and not graph.joined


def test_joining_lags_are_counted_in_seconds_of_whole_days() -> None:
    versions = world()
    late = [v if v.site != STRAGGLER or v.story != "s60" else
            Version(v.story, v.article, v.site, (v.day or 0) + 1, v.role) for v in versions]
    [joined] = coordinate(late).joined
    lags = {c.story: c.lag_seconds for c in joined.evidence}
    assert lags["s60"] == DAY_SECONDS and set(lags.values()) == {0, DAY_SECONDS}


def test_joining_is_drawn_and_written_with_its_evidence() -> None:
    import xml.etree.ElementTree as ET

    from unspun.render.network import network_json, network_svg
    from unspun.render.sites import site_json
    from unspun.sites.profile import SiteProfile
    from unspun.sites.report import SitesReport, subgraph

    graph = coordinate(world())
    report = SitesReport({site: SiteProfile(site=site) for site in graph.sites}, graph)
    document = network_json(report)
    [joined] = document["joined"]
    assert joined["site"] == STRAGGLER and joined["co_stories"] == len(joined["evidence"]) == 8
    node = next(n for n in document["nodes"] if n["site"] == STRAGGLER)
    assert node["community"] == joined["community"] and node["joined_co_stories"] == 8
    assert site_json(report, STRAGGLER)["joined"] == joined and site_json(report, FARMS[0])["joined"] is None
    svg = ET.fromstring(network_svg(report))
    dashed = [line for line in svg.iter("{http://www.w3.org/2000/svg}line") if line.get("stroke-dasharray")]
    assert len(dashed) == len(FARMS)  # the straggler to each member it met
    assert all(STRAGGLER in (line.findtext("{http://www.w3.org/2000/svg}title") or "") for line in dashed)
    assert subgraph(report, community=joined["community"]).graph.joined and not subgraph(
        report, community=joined["community"] + 1).graph.joined
    assert subgraph(report, site=FARMS[3]).graph.joined  # a member the straggler met sees it
