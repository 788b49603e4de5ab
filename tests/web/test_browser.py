"""The web interface in a real browser (Debian's Chromium driven by Playwright) against a real server on
loopback: search, facets, a story, a version, highlights, the chart's links, Analyze; and articles whose text,
title, site, URL, quotes and narrative carry HTML and script payloads, none of which runs on any page.

Screenshots of every page go to $UNSPUN_ARTIFACTS (default test-artifacts/screenshots), kept by CI."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    HOSTILE_BREAKOUT,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    HOSTILE_STRINGS,
    build_hostile_analysis,
    fill_store,
)
from tests.web.server import serving
from unspun.ingest.normalize import content_hash
from unspun.records import Analysis, Article, Narrative, NarrativeEvidence

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("UNSPUN_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")) / "screenshots"


def hostile_versions(analysis: Analysis) -> list[tuple[Article, Analysis | None]]:
    """Two versions of the hostile article (so they form a story), one carrying a hostile narrative."""
    text = analysis.article.text
    evidence = text.index("Finally")
    narrative = Narrative(label=f"Narrative {HOSTILE_SCRIPT}", score=0.9, evidence=[
        NarrativeEvidence(text=text[evidence:], start=evidence, end=len(text), score=0.8)])
    first = replace(analysis, article=replace(analysis.article, content_hash=content_hash(text), language="en"),
                    narratives=[narrative])
    second_article = replace(analysis.article, id=f"hostile-copy-{HOSTILE_IMG}", site="copy.example",
                             title=HOSTILE_BREAKOUT, content_hash=content_hash(text + " "), text=text + " ",
                             language="en")
    second = replace(analysis, article=second_article)
    return [(first.article, first), (second.article, second)]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory,
             demo_entries: list[tuple[Article, Analysis | None]]) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'web.db'}"
    fill_store(url, [*demo_entries, *hostile_versions(build_hostile_analysis())])
    with serving(url) as base:
        yield base


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_browser_search_facets_story_version_and_highlights(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    shot(page, "home")
    page.fill("form.search input[name=q]", "minister")
    page.click("form.search button")
    page.wait_for_url("**/search?q=minister")
    assert page.locator("ol.hits mark").count() > 0
    shot(page, "search")
    page.click("aside.facets a:text-is('derived')")
    assert "role=derived" in page.url and "q=minister" in page.url
    assert page.locator("ol.hits > li").count() >= 3

    page.goto(base_url + "/")
    page.click("text=story:farm-daily-herald >> nth=0")
    page.wait_for_url("**/stories/story*")
    assert page.locator("svg.timeline circle").count() == 9
    assert page.locator(".columns article.col").count() == 5  # the reference and a page of four versions
    assert page.locator(".columns span.added").count() > 0
    shot(page, "story")
    page.click("table.list >> text=farm-daily-herald")
    page.wait_for_url("**/articles/farm-daily-herald")
    anonymous = page.locator(".text span.quote.t-anonymous").first
    assert anonymous.is_visible()
    colour = anonymous.evaluate("e => getComputedStyle(e).borderBottomColor")
    assert colour == "rgb(198, 40, 40)"  # the anonymous colour of the style sheet: the highlights render
    assert page.locator(".text span.speaker").count() > 0 and page.locator(".text span.hedge").count() > 0
    shot(page, "article")


def test_browser_narrative_bar_leads_to_the_evidence_sentence(page: Any, base_url: str) -> None:
    page.goto(base_url + "/narratives")
    shot(page, "narratives")
    bar = page.locator(".chart svg a").first
    bar.click()
    page.wait_for_url("**/narratives?*week=*")
    link = page.locator("#evidence a[href*='#a-narrative-']").first
    link.click()
    page.wait_for_url("**/articles/**#a-narrative-*")
    target = page.locator(".narrative:target")
    assert target.count() == 1 and target.is_visible()


def test_browser_quotes_filter_and_analyze(page: Any, base_url: str) -> None:
    page.goto(base_url + "/quotes")
    page.select_option("select[name=type]", "anonymous")
    page.click("form.filters button")
    page.wait_for_url("**/quotes?type=anonymous*")
    badges = page.locator("table.list td .badge").all_inner_texts()
    assert badges and set(badges) == {"anonymous"}
    shot(page, "quotes")
    page.goto(base_url + "/analyze")
    page.fill("textarea[name=text]", "The port reopened on Monday, harbour master Ida Berg said. \"We are back to "
                                     "normal,\" Berg said. An official who asked not to be named said repairs may "
                                     "take months.")
    with page.expect_navigation():
        page.click("form.analyze button")
    assert page.locator(".text span.quote.t-named").count() >= 1
    assert page.locator(".text span.quote.t-anonymous").count() >= 1
    shot(page, "analyze")


HOSTILE_PAGES = ["/articles/hostile", "/search?q=harmless", "/search", "/quotes", "/narratives",
                 "/stories/story:hostile", "/", "/search?q=harmless&site=" + HOSTILE_IMG]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_browser_hostile_content_never_runs(page: Any, base_url: str, path: str) -> None:
    response = page.goto(base_url + path)
    assert response.status == 200, path
    page.wait_for_load_state("load")
    assert page.evaluate("window.pwned") is None
    assert page.title() != "pwned" and page.dialogs == []
    assert page.locator("script").count() == 0
    assert page.locator("main img").count() == 0
    if path in ("/articles/hostile", "/stories/story:hostile", "/search?q=harmless"):
        visible = page.inner_text("main")
        assert sum(hostile in visible for hostile in HOSTILE_STRINGS) >= 1  # shown, as text
    page.mouse.move(400, 400)  # an onmouseover that had slipped into an attribute would fire now
    assert page.evaluate("window.pwned") is None
    shot(page, "hostile-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:40] or "home"))
