"""The site pages and the network view, and their JSON twins, on SQLite and PostgreSQL over the world of
tests/sites/world.py: they show what the library computes, the network narrows as asked, every site links to
its page, and a site name carrying markup stays text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.conftest import LOOPBACK_BASE
from tests.render.test_html import parse
from tests.sites.world import BUSY, FARMED, FARMS, HOSTILE, MINISTRY
from unspun.render.network import network_json
from unspun.render.sites import site_json
from unspun.run.sites import site_report, sites_report
from unspun.store import open_store
from unspun.web.app import Settings, create_app


@pytest.fixture(scope="module")
def client(world_store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=world_store_url, warm=False)), base_url=LOOPBACK_BASE) as test_client:
        yield test_client


def json_of(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def test_site_pages_twins_are_the_cli_documents(client: TestClient, world_store_url: str) -> None:
    with open_store(world_store_url, readonly=True) as store:
        everything = sites_report(store)
        one = site_report(store, FARMS[1])
    assert json_of(client, "/api/network") == network_json(everything)
    assert json_of(client, f"/api/sites/{FARMS[1]}") == site_json(one, FARMS[1])
    assert json_of(client, f"/sites/{FARMS[1]}.json") == site_json(one, FARMS[1])


def test_site_pages_sites_list_pages_through_every_site(client: TestClient) -> None:
    seen, after = [], None
    while True:
        found = json_of(client, "/api/sites?limit=3" + (f"&after={after}" if after else ""))
        assert found["schema"] == "unspun.sites/1" and len(found["sites"]) <= 3
        seen += [s["site"] for s in found["sites"]]
        after = found["next"]
        if after is None:
            break
    assert sorted(seen) == sorted({MINISTRY, HOSTILE, *FARMS, *BUSY}) and len(seen) == len(set(seen))
    page = parse(client.get("/sites").text)
    links = {e.attrs["href"] for e in page.find("a")}
    assert {f"/sites/{quote(s, safe='')}" for s in seen} <= links


def test_site_pages_site_shows_partners_with_evidence_and_volume(client: TestClient) -> None:
    page = parse(client.get(f"/sites/{FARMS[0]}").text)
    links = [e.attrs["href"] for e in page.find("a")]
    assert f"/sites/{FARMS[1]}" in links and f"/sites/{quote(HOSTILE, safe='')}" in links
    assert sum(href.startswith("/stories/story") for href in links) >= len(FARMED)  # each story in step
    assert any(href.startswith(f"/articles/s0-{FARMS[0]}") for href in links)
    weeks = [h for h in links if h.startswith(f"/search?site={FARMS[0]}&")]  # the chart's bars
    assert len(weeks) >= 10 and all("since=" in h and "until=" in h for h in weeks)  # each bar leads to that week
    text = " ".join(t for t, _ in page.texts)
    assert "subscribe to <site>" in text and MINISTRY in text


def test_site_pages_network_narrows_by_community_site_and_weight(client: TestClient) -> None:
    whole = json_of(client, "/api/network")
    community = {n["site"]: n["community"] for n in whole["nodes"]}[FARMS[0]]
    within = json_of(client, f"/api/network?community={community}")
    assert within["edges"] and all(community == next(n["community"] for n in within["nodes"] if n["site"] == s)
                                   for e in within["edges"] for s in (e["source"], e["target"]))
    around = json_of(client, f"/api/network?site={BUSY[0]}")
    assert around["edges"] == []  # a busy outlet in step with nobody
    strong = json_of(client, "/api/network?min_weight=300")
    assert strong["edges"] == []
    page = parse(client.get("/network").text)
    svg_links = {e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("/sites/")}
    assert {f"/sites/{quote(s, safe='')}" for s in (*FARMS, HOSTILE)} <= svg_links
    assert page.find("svg") and page.find("line")


@pytest.mark.parametrize("url,status", [("/sites/nowhere.example", 404), ("/api/sites/nowhere.example", 404),
                                        ("/network?site=nowhere.example", 404), ("/api/network?community=-1", 422),
                                        ("/api/network?min_weight=x", 422), ("/api/sites?after=damaged", 422)])
def test_site_pages_bad_requests_are_clear(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert "Traceback" not in response.text


def test_site_pages_hostile_site_name_stays_text(client: TestClient) -> None:
    for url in ("/sites", "/network", f"/sites/{quote(HOSTILE, safe='')}"):
        html = client.get(url).text
        assert HOSTILE not in html and "<img" not in html  # escaped wherever it appears
        page = parse(html)
        assert not page.find("img") and not page.find("script")
        assert any(HOSTILE in t for t, _ in page.texts)
