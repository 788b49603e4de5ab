"""The Crawler: pauses per host, robots.txt read once per site and allowed when it cannot be had."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import STORIES, news_page
from unspun.errors import FetchError, RobotsDisallowedError
from unspun.ingest.crawler import Crawler, FetchOptions

if TYPE_CHECKING:
    from tests.conftest import FakeClock, SiteServer


def crawler(clock: FakeClock, **kwargs: object) -> Crawler:
    options = FetchOptions(sleep=clock.sleep, clock=clock.monotonic, **kwargs)  # type: ignore[arg-type]
    return Crawler(options, allow_private=True)


@pytest.mark.parametrize(
    ("robots", "status"),
    [(None, 404), ("oops", 500), ("<html><body>Welcome</body></html>", 200)],
    ids=["missing", "server-error", "html-page"],
)
def test_crawler_unreadable_robots_txt_allows(
    site_server: SiteServer, fake_clock: FakeClock, robots: str | None, status: int
) -> None:
    url = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    if robots is not None:
        site_server.page("/robots.txt", robots, "text/html", status=status)
    article = crawler(fake_clock).fetch_article(url)
    assert article.title == STORIES["ferry"][0]
    assert site_server.paths() == ["/robots.txt", "/news/ferry"]


def test_crawler_robots_txt_is_read_once_per_site(site_server: SiteServer, fake_clock: FakeClock) -> None:
    site_server.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    ferry = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    library = site_server.page("/news/library", news_page(*STORIES["library"]))
    c = crawler(fake_clock)
    c.fetch_article(ferry)
    c.fetch_article(library)
    with pytest.raises(RobotsDisallowedError):
        c.fetch_article(site_server.url("/private/x"))
    assert site_server.paths() == ["/robots.txt", "/news/ferry", "/news/library"]


def test_crawler_waits_only_what_is_left_of_the_pause(site_server: SiteServer, fake_clock: FakeClock) -> None:
    ferry = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    c = crawler(fake_clock, delay_s=2.0, obey_robots=False)
    c.fetch(ferry)
    fake_clock.now += 0.5  # time spent elsewhere, say on analysis
    c.fetch(ferry)
    fake_clock.now += 5.0
    c.fetch(ferry)
    assert fake_clock.sleeps == [1.5]


def test_crawler_failed_requests_count_for_the_pause(site_server: SiteServer, fake_clock: FakeClock) -> None:
    c = crawler(fake_clock, obey_robots=False)
    with pytest.raises(FetchError, match="HTTP 404"):
        c.fetch(site_server.url("/gone"))
    with pytest.raises(FetchError, match="HTTP 404"):
        c.fetch(site_server.url("/gone-too"))
    assert fake_clock.sleeps == [1.0]


def test_crawler_sends_the_user_agent_and_robots_match_it(
    site_server: SiteServer, fake_clock: FakeClock
) -> None:
    site_server.page("/robots.txt", "User-agent: newsbot\nDisallow: /\n", "text/plain")
    ferry = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    with pytest.raises(RobotsDisallowedError):
        crawler(fake_clock, user_agent="newsbot/2.0 (+https://example.org/bot)").fetch_article(ferry)
    assert site_server.requests == [("/robots.txt", "newsbot/2.0 (+https://example.org/bot)")]
    assert crawler(fake_clock).fetch_article(ferry).url == ferry  # unspun is not newsbot


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"delay_s": -1}, "delay_s must be 0 or more"),
        ({"timeout_s": 0}, "timeout_s must be more than 0"),
        ({"max_articles": 0}, "max_articles must be at least 1"),
        ({"user_agent": " "}, "user_agent must name the client"),
    ],
)
def test_crawler_options_are_checked(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        FetchOptions(**kwargs)  # type: ignore[arg-type]


def test_crawler_options_are_frozen_and_comparable() -> None:
    options = FetchOptions()
    assert options == FetchOptions() and options.delay_s == 1.0 and options.obey_robots
    with pytest.raises(AttributeError):
        options.delay_s = 0  # type: ignore[misc]
