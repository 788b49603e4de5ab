"""Feeds and sitemaps served on 127.0.0.1: listed articles fetched politely, robots.txt obeyed."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import STORIES, news_page
from unspun.errors import EmptyInputError, NotAFeedError, PrivateAddressError, RobotsDisallowedError
from unspun.ingest.crawler import FetchOptions
from unspun.ingest.feeds import listing_kind, looks_like_feed_url, parse_listing
from unspun.ingest.sources import read_inputs
from unspun.records import Article

if TYPE_CHECKING:
    from tests.conftest import FakeClock, SiteServer


def serve_stories(site: SiteServer, dated: bool = False) -> dict[str, str]:
    """Each story at /news/<key>; returns key -> URL."""
    urls = {}
    for key, (title, body) in STORIES.items():
        urls[key] = site.page(
            f"/news/{key}", news_page(title, body, "2025-02-03T09:00:00Z" if dated else None)
        )
    return urls


def rss(urls: list[str], dates: list[str] | None = None) -> str:
    items = "".join(
        f"<item><title>Item {n}</title><link>{url}</link>"
        + (f"<pubDate>{dates[n]}</pubDate>" if dates else "")
        + "</item>"
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Local news</title>'
        f"<link>http://127.0.0.1/</link><description>News</description>{items}</channel></rss>"
    )


def atom(urls: list[str]) -> str:
    entries = "".join(
        f'<entry><title>Entry {n}</title><id>urn:entry:{n}</id><link rel="alternate" href="{url}"/>'
        f"<updated>2025-01-0{n + 1}T10:00:00Z</updated></entry>"
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Local news</title><id>urn:feed</id><updated>2025-01-03T10:00:00Z</updated>{entries}</feed>"
    )


def urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>2025-01-01</lastmod></url>" for url in urls)
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return (
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    )


def options(clock: FakeClock, **kwargs: object) -> FetchOptions:
    return FetchOptions(sleep=clock.sleep, clock=clock.monotonic, **kwargs)  # type: ignore[arg-type]


def test_feeds_rss_articles_are_fetched_politely(site_server: SiteServer, fake_clock: FakeClock) -> None:
    urls = serve_stories(site_server)
    feed = site_server.page("/feed.xml", rss(list(urls.values())), "application/rss+xml")

    items = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))

    assert [label for label, _ in items] == [f"{feed}#1", f"{feed}#2", f"{feed}#3"]
    articles = [item for _, item in items]
    assert all(isinstance(a, Article) for a in articles)
    assert [a.url for a in articles if isinstance(a, Article)] == list(urls.values())
    ferry = articles[0]
    assert isinstance(ferry, Article) and ferry.title == STORIES["ferry"][0] and ferry.source == f"{feed}#1"
    assert ferry.language == "en" and ferry.content_hash and ferry.id and ferry.id.startswith("sha-")
    # The feed, robots.txt and three pages: one host, so a full second before each request after the first.
    assert site_server.paths() == [
        "/feed.xml",
        "/robots.txt",
        "/news/ferry",
        "/news/library",
        "/news/orchard",
    ]
    assert fake_clock.sleeps == [1.0, 1.0, 1.0, 1.0]
    assert {agent for _, agent in site_server.requests} == {FetchOptions().user_agent}


def test_feeds_atom_feed_from_a_local_file(
    site_server: SiteServer, fake_clock: FakeClock, tmp_path: Path
) -> None:
    urls = serve_stories(site_server)
    path = tmp_path / "news.atom"
    path.write_text(atom([urls["library"], urls["orchard"]]), encoding="utf-8")

    items = list(read_inputs(str(path), allow_private=True, options=options(fake_clock, delay_s=2.5)))

    assert [label for label, _ in items] == [f"{path}#1", f"{path}#2"]
    library, orchard = (item for _, item in items)
    assert isinstance(library, Article) and isinstance(orchard, Article)
    assert (library.url, orchard.url) == (urls["library"], urls["orchard"])
    # The pages carry no date: the feed's is used. Its own title comes from the page.
    assert (library.published, orchard.published) == ("2025-01-01", "2025-01-02")
    assert library.title == STORIES["library"][0]
    assert fake_clock.sleeps == [2.5, 2.5]  # robots.txt, then one page, then the next


def test_feeds_sitemap_index_is_followed(site_server: SiteServer, fake_clock: FakeClock) -> None:
    urls = serve_stories(site_server, dated=True)
    first = site_server.page("/sitemap-1.xml", urlset([urls["ferry"], urls["library"]]), "application/xml")
    second = site_server.page(
        "/sitemap-2.xml.gz", gzip.compress(urlset([urls["orchard"]]).encode()), "application/x-gzip"
    )
    index = site_server.page("/sitemap_index.xml", sitemap_index([first, second]), "text/xml")

    items = list(read_inputs(index, allow_private=True, options=options(fake_clock)))

    assert [label for label, _ in items] == [f"{first}#1", f"{first}#2", f"{second}#1"]
    assert [item.url for _, item in items if isinstance(item, Article)] == list(urls.values())
    assert all(isinstance(item, Article) and item.published == "2025-02-03" for _, item in items)
    assert site_server.paths() == [
        "/sitemap_index.xml",
        "/robots.txt",
        "/sitemap-1.xml",
        "/news/ferry",
        "/news/library",
        "/sitemap-2.xml.gz",
        "/news/orchard",
    ]
    assert fake_clock.sleeps == [1.0] * 6


def test_feeds_robots_txt_disallowing_a_path_skips_it_with_a_reason(
    site_server: SiteServer, fake_clock: FakeClock
) -> None:
    urls = serve_stories(site_server)
    secret = site_server.page("/private/memo", news_page(*STORIES["orchard"]))
    site_server.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    feed = site_server.page("/rss", rss([urls["ferry"], secret, urls["library"]]), "application/rss+xml")

    items = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))

    assert [label for label, _ in items] == [f"{feed}#1", f"{feed}#2", f"{feed}#3"]
    skipped = items[1][1]
    assert isinstance(skipped, RobotsDisallowedError)
    assert str(skipped).startswith(f"{secret}: the site's robots.txt") and "skipped" in str(skipped)
    assert isinstance(items[0][1], Article) and isinstance(items[2][1], Article)
    assert "/private/memo" not in site_server.paths()


def test_feeds_robots_txt_can_be_ignored_and_names_unspun(
    site_server: SiteServer, fake_clock: FakeClock
) -> None:
    urls = serve_stories(site_server)
    site_server.page("/robots.txt", "User-agent: unspun\nDisallow: /news/\n", "text/plain")
    feed = site_server.page("/feed", rss([urls["ferry"]]), "application/rss+xml")

    [(_, refused)] = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))
    assert isinstance(refused, RobotsDisallowedError)

    site_server.requests.clear()
    [(_, fetched)] = list(
        read_inputs(feed, allow_private=True, options=options(fake_clock, obey_robots=False))
    )
    assert isinstance(fetched, Article) and "/robots.txt" not in site_server.paths()


def test_feeds_crawl_delay_in_robots_txt_is_honoured(site_server: SiteServer, fake_clock: FakeClock) -> None:
    urls = serve_stories(site_server)
    site_server.page("/robots.txt", "User-agent: *\nCrawl-delay: 4\nDisallow:\n", "text/plain")
    feed = site_server.page("/feed.xml", rss([urls["ferry"], urls["library"]]), "application/rss+xml")
    list(read_inputs(feed, allow_private=True, options=options(fake_clock)))
    assert fake_clock.sleeps == [1.0, 4.0, 4.0]  # before robots.txt the site had not asked for more


def test_feeds_pause_is_per_host(site_server: SiteServer, fake_clock: FakeClock) -> None:
    serve_stories(site_server)
    # 127.0.0.1 and localhost are one server but two hosts: their requests need not wait for each other.
    listed = [
        site_server.url("/news/ferry"),
        site_server.url("/news/library", host="localhost"),
        site_server.url("/news/orchard"),
    ]
    feed = site_server.page("/feed.xml", rss(listed), "application/rss+xml")
    items = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))
    assert all(isinstance(item, Article) for _, item in items)
    # 127.0.0.1: feed, robots.txt (wait), ferry (wait). localhost: robots.txt at once, library (wait).
    # 127.0.0.1 again: its second went by during localhost's wait, so orchard goes at once.
    assert fake_clock.sleeps == [1.0, 1.0, 1.0]
    assert site_server.paths().count("/robots.txt") == 2


def test_feeds_feed_url_returning_html_is_a_clear_error(
    site_server: SiteServer, fake_clock: FakeClock
) -> None:
    feed = site_server.page("/feed.xml", news_page(*STORIES["ferry"]))
    [(label, item)] = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))
    assert label == feed and isinstance(item, NotAFeedError)
    assert str(item).startswith(f"{feed} is an HTML page, not an RSS/Atom feed or sitemap")


def test_feeds_a_page_url_is_still_an_article(site_server: SiteServer, fake_clock: FakeClock) -> None:
    urls = serve_stories(site_server)
    [(label, item)] = list(read_inputs(urls["ferry"], allow_private=True, options=options(fake_clock)))
    assert label == urls["ferry"] and isinstance(item, Article) and item.title == STORIES["ferry"][0]
    assert site_server.paths() == ["/news/ferry"]  # a page the user names is fetched as a browser would


def test_feeds_listing_failures_are_items(site_server: SiteServer, fake_clock: FakeClock) -> None:
    serve_stories(site_server)
    missing = site_server.url("/news/missing")
    feed = site_server.page("/feed.xml", rss([missing, "ftp://127.0.0.1/story"]), "application/rss+xml")
    items = list(read_inputs(feed, allow_private=True, options=options(fake_clock)))
    assert [label for label, _ in items] == [f"{feed}#1", f"{feed}#2"]
    assert "HTTP 404" in str(items[0][1]) and "only http:// and https://" in str(items[1][1])

    empty = site_server.page("/empty.xml", rss([]), "application/rss+xml")
    [(label, item)] = list(read_inputs(empty, allow_private=True, options=options(fake_clock)))
    assert label == empty and isinstance(item, EmptyInputError) and "lists no pages" in str(item)


def test_feeds_private_addresses_stay_refused(site_server: SiteServer, fake_clock: FakeClock) -> None:
    feed = site_server.page("/feed.xml", rss([site_server.url("/news/ferry")]), "application/rss+xml")
    [(label, item)] = list(read_inputs(feed, options=options(fake_clock)))
    assert label == feed and isinstance(item, PrivateAddressError)
    assert site_server.requests == []


def test_feeds_max_articles(site_server: SiteServer, fake_clock: FakeClock) -> None:
    urls = serve_stories(site_server)
    feed = site_server.page("/feed.xml", rss(list(urls.values())), "application/rss+xml")
    items = list(read_inputs(feed, allow_private=True, options=options(fake_clock, max_articles=2)))
    assert len(items) == 2 and "/news/orchard" not in site_server.paths()


def test_feeds_parse_listing_kinds_and_dates() -> None:
    feed = rss(
        ["http://a.example/1", "http://a.example/1", "/relative"], ["Tue, 11 Mar 2025 23:30:00 -0500"] * 3
    )
    listing = parse_listing(feed.encode(), "feed.xml", base_url="http://a.example/feed.xml")
    assert listing.kind == "feed"
    assert [p.url for p in listing.pages] == ["http://a.example/1", "http://a.example/relative"]
    assert listing.pages[0].published == "2025-03-11"  # the publisher's date, not UTC's 12 March
    assert listing_kind(urlset([]).encode()) == "sitemap"
    assert listing_kind(sitemap_index([]).encode()) == "sitemap index"
    assert listing_kind(b"<!-- <rss> --><html><body></body></html>") is None


def test_feeds_google_news_sitemap_titles_and_dates() -> None:
    data = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<url><loc>https://n.example/a</loc><image:image><image:title>A photo</image:title></image:image>"
        "<news:news><news:publication_date>2025-03-01T08:00:00+01:00</news:publication_date>"
        "<news:title>Ferry cut</news:title></news:news></url></urlset>"
    )
    [page] = parse_listing(data.encode(), "news.xml").pages
    assert (page.url, page.title, page.published) == ("https://n.example/a", "Ferry cut", "2025-03-01")


def test_feeds_sitemap_with_entities_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><urlset>&b;</urlset>'
    with pytest.raises(NotAFeedError, match="declares XML entities"):
        parse_listing(bomb, "bomb.xml")


@pytest.mark.parametrize(
    ("url", "feedish"),
    [
        ("https://n.example/feed", True),
        ("https://n.example/news/feed/", True),
        ("https://n.example/rss.xml", True),
        ("https://n.example/sitemap_news.xml.gz", True),
        ("https://n.example/index.atom", True),
        ("https://n.example/news/2025/ferry-cut", False),
        ("https://n.example/feedback", False),
        ("https://n.example/", False),
    ],
)
def test_feeds_looks_like_feed_url(url: str, feedish: bool) -> None:
    assert looks_like_feed_url(url) is feedish


def test_feeds_page_served_as_xml_is_still_an_article(site_server: SiteServer, fake_clock: FakeClock) -> None:
    url = site_server.page("/news/ferry", news_page(*STORIES["ferry"]), "application/xml")
    [(label, item)] = list(read_inputs(url, allow_private=True, options=options(fake_clock)))
    assert label == url and isinstance(item, Article) and item.title == STORIES["ferry"][0]
