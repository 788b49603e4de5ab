"""Every page of the web interface and its JSON twin, on SQLite and PostgreSQL, over the demo corpus: the
pages show what the library computes (checked against the library's own answers), and every list pages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import LOOPBACK_BASE
from tests.render.test_html import parse
from unspun.store import open_store
from unspun.store.narratives import NarrativeFilter, narrative_counts
from unspun.store.store import QuoteQuery
from unspun.web.app import Settings, create_app

PAGES = ["/", "/search", "/search?q=minister", "/analyze", "/stories", "/stories?order=latest", "/narratives",
         "/quotes", "/api", "/articles/farm-daily-herald", "/stories/story:farm-daily-herald", "/sites",
         "/sites/valdoria-daily-herald.com", "/network"]


@pytest.fixture(scope="module")
def client(demo_store_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(db=demo_store_url, warm=False))
    with TestClient(app, base_url=LOOPBACK_BASE) as test_client:
        yield test_client


def json_of(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("url", PAGES)
def test_pages_every_page_renders_with_the_strict_policy(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "'unsafe-inline'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    page = parse(response.text)
    assert not page.find("script")
    assert [e.attrs["href"] for e in page.find("link")] == ["/static/unspun.css"]


@pytest.mark.parametrize("url", [p for p in PAGES if p not in ("/analyze", "/api")])
def test_pages_every_page_has_a_json_twin(client: TestClient, url: str) -> None:
    page = parse(client.get(url).text)
    [twin] = [e.attrs["href"] for e in page.find("a") if "twin" in e.attrs.get("class", "")]
    path, _, query = url.partition("?")
    assert twin == "/api" + ("/home" if path == "/" else path) + (f"?{query}" if query else "")
    data = json_of(client, twin)
    suffixed = ("/index" if path == "/" else path) + ".json" + (f"?{query}" if query else "")
    assert json_of(client, suffixed) == data


def test_pages_openapi_describes_every_json_twin(client: TestClient) -> None:
    schema = json_of(client, "/api/openapi.json")
    paths = set(schema["paths"])
    for expected in ("/api/home", "/api/search", "/api/articles/{article_id}", "/api/stories",
                     "/api/stories/{story_id}", "/api/narratives", "/api/quotes", "/api/quotes/export.csv",
                     "/api/quotes/export.jsonl", "/api/analyze"):
        assert expected in paths
    article = schema["paths"]["/api/articles/{article_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert article["schema"]["$ref"].endswith("/ArticleView")
    listed = parse(client.get("/api").text)
    assert {"/api/search", "/api/stories/{story_id}"} <= {t for t, _ in listed.texts}


def test_pages_home_figures_and_facets_match_the_store(client: TestClient, demo_store_url: str) -> None:
    home = json_of(client, "/api/home")
    from collections import Counter

    from unspun.store.stories import load_stories

    with open_store(demo_store_url, readonly=True) as store:
        counts = store.counts()
        roles = Counter(role for story, _ in load_stories(store) for role in story.roles.values())
    assert home["figures"]["articles"] == counts["articles"] == 10
    assert home["figures"]["quotes"] == counts["quotes"]
    assert home["figures"]["stories"] == 1  # of two or more versions; the distractor stands alone
    assert dict(map(tuple, home["facets"]["role"])) == dict(roles)
    assert roles["derived"] == 6 and roles["origin"] == 1
    assert home["largest_stories"][0]["id"] == "story:farm-daily-herald"
    assert home["largest_stories"][0]["origin"] == "origin-ministry"


def test_pages_search_finds_filters_and_facets(client: TestClient) -> None:
    found = json_of(client, "/api/search?q=Vessarin+Tarsania")
    ids = [a["id"] for a in found["articles"]]
    assert "origin-ministry" in ids and "translated-vesti" not in ids  # Cyrillic text: no English words match
    for article in found["articles"]:
        for start, end in article["matched"]:
            assert article["snippet"][start:end].lower() in ("vessarin", "tarsania")
    assert {value for value, _ in found["facets"]["role"]} <= {"origin", "derived", "independent"}

    independent = json_of(client, "/api/search?q=Vessarin&role=independent")["articles"]
    assert {a["id"] for a in independent} == {"independent-selvara-chronicle", "independent-halvard-post"}
    anonymous = json_of(client, "/api/search?source_type=anonymous")["articles"]
    assert anonymous and "origin-ministry" not in {a["id"] for a in anonymous}
    site = json_of(client, "/api/search?site=www.mod-valdoria.gov.vl")["articles"]
    assert {a["site"] for a in site} == {"www.mod-valdoria.gov.vl"} and len(site) == 2
    dated = json_of(client, "/api/search?since=2026-11-19&until=2026-11-19")["articles"]
    assert dated and {a["published"] for a in dated} == {"2026-11-19"}


@pytest.mark.parametrize("query", ["q=Valdoria", ""])
def test_pages_search_pages_by_keyset_without_gaps_or_repeats(client: TestClient, query: str) -> None:
    everything = [a["id"] for a in json_of(client, f"/api/search?{query}&limit=50")["articles"]]
    paged, after = [], None
    while True:
        url = f"/api/search?{query}&limit=3" + (f"&after={after}" if after else "")
        found = json_of(client, url)
        paged += [a["id"] for a in found["articles"]]
        after = found["next"]
        if after is None:
            break
    assert paged == everything and len(set(paged)) == len(paged) and len(paged) >= 8


def test_pages_search_page_shows_facet_links_that_keep_the_query(client: TestClient) -> None:
    page = parse(client.get("/search?q=minister").text)
    facet_links = [e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("/search?")]
    assert any("q=minister" in link and "role=derived" in link for link in facet_links)
    marks = [data for data, around in page.texts if around and around[-1].tag == "mark"]
    assert marks and all(m.lower() == "minister" for m in marks)


def test_pages_article_highlights_every_quote_by_source_type(client: TestClient, demo_store_url: str) -> None:
    with open_store(demo_store_url, readonly=True) as store:
        analysis = store.analysis("farm-daily-herald")
    assert analysis is not None
    page = parse(client.get("/articles/farm-daily-herald").text)
    for n, quote in enumerate(analysis.quotes, start=1):
        [span] = page.find("span", id=f"a-quote-{n}")
        assert f"t-{quote.speaker.type}" in span.attrs["class"]
    assert page.text_within("div", "text").strip() == analysis.article.text.strip()
    links = {e.attrs["href"] for e in page.find("a")}
    assert "/stories/story%3Afarm-daily-herald" in links and "/articles/origin-ministry" in links
    data = json_of(client, "/api/articles/farm-daily-herald")
    assert data["story"]["role"] == "derived" and data["story"]["derived_from"] == "origin-ministry"
    assert len(data["analysis"]["quotes"]) == len(analysis.quotes)


def test_pages_article_in_another_language_shows_its_text(client: TestClient) -> None:
    data = json_of(client, "/api/articles/translated-vesti")
    assert data["analysis"] is None and data["article"]["language"] == "ru"
    page = parse(client.get("/articles/translated-vesti").text)
    assert data["article"]["text"] in "".join(d for d, _ in page.texts)


def test_pages_story_shows_every_version_and_the_diffs_the_trace_computes(client: TestClient,
                                                                          demo_store_url: str) -> None:
    from unspun.analysis import analyze_article
    from unspun.stories.build import trace_article

    first = json_of(client, "/api/stories/story:farm-daily-herald")
    assert first["story"]["origin"] == "origin-ministry" and first["reference"]["id"] == "origin-ministry"
    assert len(first["timeline"]) == 9
    versions = list(first["versions"])
    after = first["next"]
    while after:
        page = json_of(client, f"/api/stories/story:farm-daily-herald?after={after}")
        versions += page["versions"]
        after = page["next"]
    assert sorted(v["id"] for v in versions) == sorted(e["id"] for e in first["timeline"] if e["id"] != "origin-ministry")
    with open_store(demo_store_url, readonly=True) as store:
        article = store.article("farm-koros-panorama")
        assert article is not None
        trace = trace_article(store, article, analyze_article, update=False)
    [koros] = [v for v in versions if v["id"] == "farm-koros-panorama"]
    assert koros["counts"] == trace["diff"]["counts"] and koros["role"] == "derived"
    assert koros["evidence"]["added"]

    html = client.get("/stories/story:farm-daily-herald").text
    page = parse(html)
    assert len(page.find("circle")) == 9  # the timeline
    columns = [e for e in page.elements if e.tag == "article" and "col" in e.attrs.get("class", "")]
    assert len(columns) == 1 + len(first["versions"])  # the reference beside one page of versions
    assert {"added", "unsupported"} <= {c for e in page.elements for c in e.attrs.get("class", "").split()}


def test_pages_stories_list_pages_by_keyset(client: TestClient) -> None:
    assert [s["id"] for s in json_of(client, "/api/stories")["stories"]] == ["story:farm-daily-herald"]
    latest = json_of(client, "/api/stories?order=latest&limit=1")
    assert latest["stories"][0]["size"] == 9 and latest["next"] is None


@pytest.fixture
def narratives_shown(demo_store_url: str) -> Iterator[None]:
    """Every narrative the demo's analyses found, marked shown for one test (most of them are below the shown
    threshold, precision first), then put back: the chart and its links are tested, not the model."""
    from sqlalchemy import update

    from unspun.store import schema

    with open_store(demo_store_url) as store, store.write() as conn:
        hidden = [row.id for row in conn.execute(schema.narratives.select().where(~schema.narratives.c.shown))]
        conn.execute(update(schema.narratives).values(shown=True))
    yield
    with open_store(demo_store_url) as store, store.write() as conn:
        conn.execute(update(schema.narratives).where(schema.narratives.c.id.in_(hidden)).values(shown=False))


def test_pages_narratives_chart_links_to_the_evidence(client: TestClient, demo_store_url: str,
                                                      narratives_shown: None) -> None:
    data = json_of(client, "/api/narratives")
    with open_store(demo_store_url, readonly=True) as store:
        expected = narrative_counts(store, NarrativeFilter())
    assert [(c["site"], c["week"], c["label"], c["articles"]) for c in data["counts"]] == \
        [(c.site, c.week, c.label, c.articles) for c in expected]
    assert expected, "the demo corpus carries narratives"
    page = parse(client.get("/narratives").text)
    bars = [e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("/narratives?")
            and "week=" in e.attrs["href"]]
    assert bars
    evidence = parse(client.get(bars[0]).text)
    anchors = [e.attrs["href"] for e in evidence.find("a") if "#a-narrative-" in e.attrs.get("href", "")]
    assert anchors
    target, _, anchor = anchors[0].partition("#")
    article = parse(client.get(target).text)
    assert article.find("span", id=anchor)  # the link lands on the evidence sentence


def test_pages_quotes_filter_page_and_export(client: TestClient, demo_store_url: str) -> None:
    with open_store(demo_store_url, readonly=True) as store:
        anonymous = store.quotes(QuoteQuery(speaker_type="anonymous", limit=1000))
    paged, after = [], None
    while True:
        found = json_of(client, "/api/quotes?type=anonymous&limit=4" + (f"&after={after}" if after else ""))
        paged += [(q["article_id"], q["position"]) for q in found["quotes"]]
        assert {q["quote"]["speaker"]["type"] for q in found["quotes"]} <= {"anonymous"}
        after = found["next"]
        if after is None:
            break
    assert paged == [(h.article_id, h.position) for h in anonymous] and len(paged) >= 5

    exported = client.get("/api/quotes/export.csv?type=anonymous")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["text"] for r in rows] == [h.quote.text for h in anonymous]
    lines = client.get("/api/quotes/export.jsonl?type=anonymous").text.splitlines()
    assert [json.loads(line)["text"] for line in lines] == [h.quote.text for h in anonymous]
    page = parse(client.get("/quotes?type=anonymous&speaker=official").text)
    exports = [e.attrs["href"] for e in page.find("a") if "export" in e.attrs.get("href", "")]
    assert exports == ["/api/quotes/export.csv?type=anonymous&speaker=official",
                       "/api/quotes/export.jsonl?type=anonymous&speaker=official"]


def test_pages_empty_form_fields_mean_any(client: TestClient) -> None:
    assert client.get("/search?q=&site=&since=&until=&narrative=&source_type=&role=").status_code == 200
    assert client.get("/quotes?type=&kind=&site=&speaker=&since=&until=").status_code == 200


EXAMPLES = {  # one request for every GET route of the application
    "/": "/", "/api/home": "/api/home", "/search": "/search?q=visit", "/api/search": "/api/search?q=visit",
    "/articles/{article_id:path}": "/articles/origin-ministry",
    "/api/articles/{article_id:path}": "/api/articles/origin-ministry",
    "/stories": "/stories", "/api/stories": "/api/stories",
    "/stories/{story_id:path}": "/stories/story:farm-daily-herald",
    "/api/stories/{story_id:path}": "/api/stories/story:farm-daily-herald",
    "/narratives": "/narratives", "/api/narratives": "/api/narratives", "/quotes": "/quotes",
    "/api/quotes": "/api/quotes", "/api/quotes/export.csv": "/api/quotes/export.csv",
    "/api/quotes/export.jsonl": "/api/quotes/export.jsonl", "/analyze": "/analyze", "/api": "/api",
    "/api/openapi.json": "/api/openapi.json", "/static/unspun.css": "/static/unspun.css", "/login": "/login",
    "/sites": "/sites", "/api/sites": "/api/sites", "/sites/{domain}": "/sites/valdoria-daily-herald.com",
    "/api/sites/{domain}": "/api/sites/valdoria-daily-herald.com", "/network": "/network",
    "/api/network": "/api/network",
}


def test_pages_every_route_answers(client: TestClient) -> None:
    def flat(routes: list[Any]) -> list[Any]:  # included routers hold their routes (FastAPI >= 0.160)
        return [r for route in routes for r in (flat(route.original_router.routes)
                                                 if hasattr(route, "original_router") else [route])]

    routes = {(route.path, method) for route in flat(client.app.routes)  # type: ignore[attr-defined]
              for method in getattr(route, "methods", ()) if method in ("GET", "POST")}
    gets = {path for path, method in routes if method == "GET"} - {"/favicon.ico"}
    assert gets == set(EXAMPLES), "a route without an example here is a route without a test"
    for path in gets:
        response = client.get(EXAMPLES[path])
        assert response.status_code == 200, (path, response.text[:200])
    assert {path for path, method in routes if method == "POST"} == {"/analyze", "/api/analyze", "/login",
                                                                      "/logout"}
