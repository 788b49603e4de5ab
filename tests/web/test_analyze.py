"""The Analyze page and POST /api/analyze: a pasted text or a URL analysed, stored only when asked, and its
other versions found in the store; what cannot be analysed is said above the form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import LOOPBACK_BASE, LoopbackServer
from tests.render.test_html import parse
from unspun.store import open_store
from unspun.web.app import Settings, create_app


@pytest.fixture(scope="module")
def client(demo_store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=demo_store_url, warm=False)), base_url=LOOPBACK_BASE) as test_client:
        yield test_client


def origin_text(store_url: str) -> str:
    with open_store(store_url, readonly=True) as store:
        origin = store.article("origin-ministry")
    assert origin is not None
    return origin.text


def test_analyze_pasted_text_finds_its_other_versions_without_storing(client: TestClient,
                                                                     demo_store_url: str) -> None:
    paragraphs = origin_text(demo_store_url).split("\n")
    reworded = "\n".join(paragraphs[1:]) + "\nA senior official, who asked not to be named, said: \"The visit " \
        "changes everything for the region and our partners know it.\""
    result = client.post("/api/analyze", json={"text": reworded, "published": "2026-11-18", "find_versions": True})
    assert result.status_code == 200, result.text
    outcome = result.json()
    assert outcome["stored"] is False
    assert any(q["speaker"]["type"] == "anonymous" for q in outcome["analysis"]["quotes"])
    story = outcome["versions"]["story"]
    assert "origin-ministry" in story["articles"] and len(story["articles"]) >= 5
    assert outcome["versions"]["reference"] == "origin-ministry"
    assert outcome["versions"]["diff"]["counts"]["unsupported_quotes"] >= 1  # the invented quote
    with open_store(demo_store_url, readonly=True) as store:
        assert store.article(outcome["analysis"]["article"]["id"]) is None


def test_analyze_form_stores_on_request(client: TestClient) -> None:
    text = ("The harbour board approved a new ferry timetable on Tuesday, its chair Mara Olsen said. \"We will run "
            "every half hour from March,\" Olsen told reporters. A port official, who declined to be named, said the "
            "change would cost more than planned.")
    page = client.post("/analyze", data={"text": text, "title": "Ferry timetable", "site": "harbour-news.example",
                                         "published": "2026-03-03", "keep": "true"})
    assert page.status_code == 200
    html = parse(page.text)
    [stored] = [e.attrs["href"] for e in html.find("a") if e.attrs.get("href", "").startswith("/articles/sha-")]
    article = client.get(stored + ".json").json()
    assert article["article"]["title"] == "Ferry timetable" and article["article"]["site"] == "harbour-news.example"
    assert {q["speaker"]["type"] for q in article["analysis"]["quotes"]} >= {"named", "anonymous"}
    assert html.find("span", id="a-quote-1")  # the report is shown highlighted


def test_analyze_paragraph_techniques_on_request(client: TestClient) -> None:
    """The opt-in paragraph techniques (issue 15) through the API and the form; left out when not asked for."""
    from tests.techniques.test_paragraphs import ARTICLE, LOADED

    asked = client.post("/api/analyze", json={"text": ARTICLE, "paragraphs": True})
    assert asked.status_code == 200, asked.text
    records = [t for t in asked.json()["analysis"]["techniques"] if t["level"] == "paragraph"]
    assert records and {t["text"] for t in records if t["shown"]} == {LOADED}
    plain = client.post("/api/analyze", json={"text": ARTICLE}).json()["analysis"]["techniques"]
    assert {t["level"] for t in plain} <= {"span"}
    page = client.post("/analyze", data={"text": ARTICLE, "paragraphs": "true"})
    assert page.status_code == 200 and "Paragraph techniques" in page.text
    assert "Paragraph techniques" not in client.post("/analyze", data={"text": ARTICLE}).text


@pytest.mark.parametrize(("form", "message"), [
    ({"text": "   "}, "empty"),
    ({"text": "Some text.", "url": "https://example.org/x"}, "either a text or a URL"),
    ({"text": "Ann said hello.", "published": "18/11/2026"}, "YYYY-MM-DD"),
    ({"url": "http://127.0.0.1:9/article"}, "private"),
    ({"url": "http://169.254.169.254/latest/meta-data/"}, "private"),
    ({"url": "file:///etc/passwd"}, "http"),
])
def test_analyze_refusals_are_shown_above_the_form(client: TestClient, form: dict[str, str], message: str) -> None:
    page = client.post("/analyze", data=form)
    assert page.status_code == 422
    [problem] = [e for e in parse(page.text).elements if "problem" in e.attrs.get("class", "")]
    text = "".join(d for d, around in parse(page.text).texts if problem in around)
    assert message in text.lower() or message in text
    api = client.post("/api/analyze", json=form)
    assert api.status_code == 422 and message.lower() in api.json()["error"].lower()


def test_analyze_text_in_another_language_is_matched_by_its_sentences(client: TestClient,
                                                                      demo_store_url: str) -> None:
    with open_store(demo_store_url, readonly=True) as store:
        russian = store.article("translated-vesti")
    assert russian is not None
    outcome = client.post("/api/analyze", json={"text": russian.text + "\nДополнительный абзац о визите.",
                                                "find_versions": True, "published": russian.published}).json()
    assert "not english" in outcome["note"].lower() or "english" in outcome["note"].lower()
    assert "origin-ministry" in outcome["versions"]["story"]["articles"]


def test_analyze_url_fetches_only_where_allowed(demo_store_url: str, http_server: LoopbackServer) -> None:
    url = http_server.url("/article")
    with TestClient(create_app(Settings(db=demo_store_url, warm=False)), base_url=LOOPBACK_BASE) as refusing:
        assert refusing.post("/api/analyze", json={"url": url}).status_code == 422
    assert http_server.requests == []  # refused before any connection
    allowed = Settings(db=demo_store_url, warm=False, allow_private=True)
    with TestClient(create_app(allowed), base_url=LOOPBACK_BASE) as client:
        outcome = client.post("/api/analyze", json={"url": url})
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["analysis"]["article"]["url"] == url and outcome.json()["analysis"]["quotes"]
