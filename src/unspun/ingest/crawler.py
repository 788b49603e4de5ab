"""Fetching many pages politely: a pause between requests to one host, and robots.txt obeyed.

Every request still goes through ingest/url.py's fetch_url, so the private-address refusal, size caps
and redirect checks hold for feeds, sitemaps, URL lists and robots.txt alike.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import SplitResult, urlsplit

from unspun.config import (
    FETCH_CONTENT_TYPES,
    FETCH_DEADLINE_S,
    FETCH_TIMEOUT_S,
    MAX_CRAWL_DELAY_S,
    MAX_HTML_BYTES,
    POLITENESS_DELAY_S,
    ROBOTS_MAX_BYTES,
    USER_AGENT,
)
from unspun.errors import RobotsDisallowedError, UnspunError
from unspun.ingest.html import article_from_html
from unspun.ingest.text import clean_text, decode_bytes
from unspun.ingest.url import Resolver, fetch_url, is_http_url, resolve_host, shown_url
from unspun.records import Article


@dataclass(frozen=True)
class FetchOptions:
    """How unspun fetches the pages a feed, sitemap or URL list names.

    >>> FetchOptions(delay_s=2.0, obey_robots=False).delay_s
    2.0

    The pause is per host and counts from the end of the previous request to that host; a robots.txt
    Crawl-delay longer than delay_s wins (up to MAX_CRAWL_DELAY_S). timeout_s bounds each wait for a silent
    server, deadline_s the whole fetch of one URL (redirects and body included; robots.txt is a fetch of its
    own). sleep and clock are there so tests can run without waiting.
    """

    delay_s: float = POLITENESS_DELAY_S
    obey_robots: bool = True
    user_agent: str = USER_AGENT
    timeout_s: float = FETCH_TIMEOUT_S
    deadline_s: float = FETCH_DEADLINE_S
    max_articles: int | None = None  # per feed, sitemap or URL list; None for all
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.delay_s < 0:
            raise ValueError(f"delay_s must be 0 or more seconds, not {self.delay_s}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be more than 0 seconds, not {self.timeout_s}")
        if self.deadline_s <= 0:
            raise ValueError(f"deadline_s must be more than 0 seconds, not {self.deadline_s}")
        if self.max_articles is not None and self.max_articles < 1:
            raise ValueError(f"max_articles must be at least 1 (or None for all), not {self.max_articles}")
        if not self.user_agent.strip():
            raise ValueError("user_agent must name the client, e.g. 'unspun/0.1 (+https://example.org/bot)'")


class Crawler:
    """One batch's fetches: remembers when each host was last asked, and each site's robots.txt."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        allow_private: bool = False,
        resolver: Resolver = resolve_host,
    ) -> None:
        self.options = options or FetchOptions()
        self.allow_private = allow_private
        self._resolver = resolver
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def fetch(
        self,
        url: str,
        *,
        content_types: tuple[str, ...] = FETCH_CONTENT_TYPES,
        max_bytes: int = MAX_HTML_BYTES,
        check_robots: bool = True,
    ) -> tuple[str, bytes, str]:
        """fetch_url after the host's pause; raises RobotsDisallowedError for a page robots.txt forbids.

        check_robots=False is for what the user named directly (a feed URL), as a browser would fetch it.
        """
        if check_robots and self.options.obey_robots:
            self._check_robots(url)
        return self._request(url, content_types, max_bytes)

    def fetch_article(self, url: str) -> Article:
        final_url, body, content_type = self.fetch(url)
        return article_from_response(url, final_url, body, content_type)

    def _request(self, url: str, content_types: tuple[str, ...], max_bytes: int) -> tuple[str, bytes, str]:
        host = _host(url)
        self._wait_for(host)
        try:
            return fetch_url(
                url,
                allow_private=self.allow_private,
                timeout=self.options.timeout_s,
                max_bytes=max_bytes,
                resolver=self._resolver,
                content_types=content_types,
                user_agent=self.options.user_agent,
                deadline=self.options.deadline_s,
            )
        finally:
            self._last_request[host] = self.options.clock()

    def _wait_for(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is None:
            return
        wait = last + self._delay_for(host) - self.options.clock()
        if wait > 0:
            self.options.sleep(wait)

    def _delay_for(self, host: str) -> float:
        delay = self.options.delay_s
        for origin, robots in self._robots.items():
            if robots is not None and _host(origin) == host:
                asked = robots.crawl_delay(self.options.user_agent)
                if asked is not None:
                    delay = max(delay, min(float(asked), MAX_CRAWL_DELAY_S))
        return delay

    def _check_robots(self, url: str) -> None:
        if not is_http_url(url):
            return  # fetch_url refuses it, with the reason
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        robots = self._robots[origin]
        if robots is not None and not robots.can_fetch(self.options.user_agent, _robots_target(parts)):
            raise RobotsDisallowedError(
                f"{shown_url(url)}: the site's robots.txt ({origin}/robots.txt) asks crawlers like unspun not to fetch "
                "this page, so it was skipped"
            )

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The parsed robots.txt, or None (everything allowed) when it cannot be had.

        RFC 9309 lets a crawler fetch anything when robots.txt is missing (4xx); it asks for a pause
        when the server fails (5xx). unspun fetches a few pages, not a site, so any failure allows.
        """
        try:
            _, body, _ = self._request(f"{origin}/robots.txt", ("text/plain", "text/html"), ROBOTS_MAX_BYTES)
        except UnspunError:
            return None
        robots = urllib.robotparser.RobotFileParser()
        robots.parse(body.decode("utf-8", errors="replace").splitlines())
        return robots


def article_from_response(url: str, final_url: str, body: bytes, content_type: str) -> Article:
    """A fetched page to an Article: plain text as it is, HTML through trafilatura."""
    text = decode_bytes(body, url)
    site = urlsplit(final_url).hostname
    if content_type == "text/plain":
        return Article(text=clean_text(text, url), url=final_url, site=site)
    article = article_from_html(text, url, url=final_url)
    return article if article.site else replace(article, site=site)


def _robots_target(parts: SplitResult) -> str:
    """The path and query robots.txt rules match (RFC 9309). can_fetch unquotes what it is given and parses
    it again, so a whole URL with "%5B" in its host or user name ("http://user%5B@site/") would raise
    ValueError; a path that cannot start a host name (one leading slash) never does."""
    target = "/" + parts.path.lstrip("/")
    return f"{target}?{parts.query}" if parts.query else target


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed IPv6 host: fetch_url refuses it
        return ""
