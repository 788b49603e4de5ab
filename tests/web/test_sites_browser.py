"""The site pages and the network view in Chromium against a real server: the drawing's sites lead to their
pages, its edges name their stories, the community filter narrows it, and a site whose name carries a script
payload never runs it. Screenshots go with the other browser tests' (test_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import fill_world
from tests.sites.world import FARMS, HOSTILE
from tests.web.server import serving
from tests.web.test_browser import shot
from unspun.records import Analysis, Article

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory,
             world_entries: tuple[list[tuple[Article, Analysis | None]], list[Any]]) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sites-browser') / 'world.db'}"
    fill_world(url, *world_entries)
    with serving(url) as base:
        yield base


def test_sites_browser_network_leads_to_sites_and_stories(page: Any, base_url: str) -> None:
    page.goto(base_url + "/network")
    drawing = page.locator(".chart svg.network")
    assert drawing.locator("circle").count() == len(FARMS) + 1  # the farms and the hostile fourth
    assert drawing.locator("line").count() == 6  # every pair of the four
    tip = drawing.locator("line title").first.text_content()
    assert "stories in step" in tip and "story:" in tip
    shot(page, "network")
    drawing.locator(f"a[href='/sites/{FARMS[1]}']").click()
    page.wait_for_url(f"**/sites/{FARMS[1]}")
    assert page.locator("#coordination .hit").count() == len(FARMS)  # the other farms and the hostile one
    shot(page, "site")
    page.locator("#coordination table.list a[href^='/stories/']").first.click()
    page.wait_for_url("**/stories/story*")
    assert page.locator("svg.timeline circle").count() >= len(FARMS)


def test_sites_browser_community_filter_and_sites_table(page: Any, base_url: str) -> None:
    page.goto(base_url + "/sites")
    page.locator("table.sites a[href^='/network?community=']").first.click()
    page.wait_for_url("**/network?community=*")
    assert page.locator(".chart svg.network circle").count() == len(FARMS) + 1
    page.select_option("select[name=community]", "")
    page.fill("input[name=min_weight]", "300")
    page.click("form.filters button")
    page.wait_for_url("**/network?*min_weight=300*")
    assert page.locator(".chart svg").count() == 0 and "No coordination edge matches" in page.inner_text("main")


@pytest.mark.parametrize("path", ["/sites", "/network", f"/sites/{quote(HOSTILE, safe='')}",
                                  f"/sites/{FARMS[0]}"])
def test_sites_browser_hostile_site_name_never_runs(page: Any, base_url: str, path: str) -> None:
    response = page.goto(base_url + path)
    assert response.status == 200
    page.wait_for_load_state("load")
    assert HOSTILE in page.inner_text("main")  # shown, as text
    page.mouse.move(300, 400)
    page.mouse.move(700, 600)
    assert page.evaluate("window.pwned") is None and page.dialogs == []
    assert page.locator("main img").count() == 0 and page.locator("script").count() == 0
