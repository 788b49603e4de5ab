"""RSS/Atom feeds and XML sitemaps: list the article URLs, then fetch each one politely.

A listing can be a URL or a local file. Sitemap indexes are followed (one level of nesting, see
config.MAX_SITEMAP_DEPTH); every page and child sitemap goes through the Crawler, so it waits its turn
per host and obeys robots.txt. Each article is labelled ``<listing>#<n>``, n counting from 1 within
the feed or sitemap that named it.
"""

from __future__ import annotations

import email.utils
import io
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser

from unspun.config import FEED_CONTENT_TYPES, MAX_FEED_BYTES, MAX_SITEMAP_DEPTH
from unspun.errors import EmptyInputError, FetchError, NotAFeedError, UnspunError
from unspun.ingest.compression import GZIP_MAGIC, gunzip
from unspun.ingest.crawler import Crawler
from unspun.ingest.html import looks_like_html
from unspun.ingest.url import is_http_url
from unspun.records import Article

Item = tuple[str, Article | UnspunError]
ListingKind = Literal["feed", "sitemap", "sitemap index"]

_ROOTS: dict[str, ListingKind] = {
    "rss": "feed",
    "feed": "feed",
    "rdf": "feed",
    "urlset": "sitemap",
    "sitemapindex": "sitemap index",
}
_FIRST_TAG = re.compile(rb"<(?![?!])([A-Za-z_][\w.:-]*)")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Paths that name a feed or sitemap: an HTML page there is a mistake, not an article to analyse.
_FEED_PATH = re.compile(
    r"(\.(rss|atom|rdf|xml)(\.gz)?$)|(^|/)(feeds?|rss|atom)(/|$)|(^|/)sitemap[^/]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class ListedPage:
    """A URL a feed or sitemap lists, with what the listing says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD, as the publisher wrote it


@dataclass(frozen=True)
class Listing:
    kind: ListingKind
    pages: list[ListedPage]  # for a sitemap index, the child sitemaps


def listing_kind(data: bytes) -> ListingKind | None:
    """What the document's root element says it is, or None when it is no feed or sitemap (or gzipped)."""
    head = _COMMENT.sub(b"", data[:4096])
    match = _FIRST_TAG.search(head)
    if match is None:
        return None
    return _ROOTS.get(match.group(1).decode("ascii").rsplit(":", 1)[-1].lower())


def looks_like_feed_url(url: str) -> bool:
    """Whether the URL's path names a feed or sitemap (/feed, /rss/, .xml, sitemap_news.xml.gz)."""
    try:
        return bool(_FEED_PATH.search(urlsplit(url).path))
    except ValueError:  # a malformed IPv6 host
        return False


def not_a_feed(source: str, data: bytes) -> NotAFeedError:
    if looks_like_html(data[:4096].decode("utf-8", errors="replace")):
        return NotAFeedError(
            f"{source} is an HTML page, not an RSS/Atom feed or sitemap; give the address of the feed "
            "itself (the site's pages link to it as RSS or Atom)"
        )
    return NotAFeedError(f"{source}: not an RSS/Atom feed or sitemap (no <rss>, <feed> or <urlset> element)")


def parse_listing(data: bytes, source: str, base_url: str | None = None) -> Listing:
    """The pages a feed or sitemap lists, in its order, each URL once."""
    if data.startswith(GZIP_MAGIC):
        data = gunzip(io.BytesIO(data), source, MAX_FEED_BYTES)
    kind = listing_kind(data)
    if kind is None:
        raise not_a_feed(source, data)
    pages = _feed_pages(data, source) if kind == "feed" else _sitemap_pages(data, source)
    seen: set[str] = set()
    unique = []
    for page in pages:
        url = urljoin(base_url, page.url) if base_url else page.url
        if url not in seen:
            seen.add(url)
            unique.append(replace(page, url=url))
    return Listing(kind, unique)


def read_listing(data: bytes, source: str, crawler: Crawler, base_url: str | None = None) -> Iterator[Item]:
    """Fetch every article of a listing already in hand (a local file, or a fetched feed)."""
    fetched = 0
    for label, entry in _listed(data, source, crawler, base_url, depth=0):
        if isinstance(entry, UnspunError):
            yield label, entry
            continue
        if crawler.options.max_articles is not None and fetched >= crawler.options.max_articles:
            return
        fetched += 1
        yield label, _fetch_page(entry, crawler)


def _listed(
    data: bytes, source: str, crawler: Crawler, base_url: str | None, depth: int
) -> Iterator[tuple[str, ListedPage | UnspunError]]:
    """The article pages of a listing, child sitemaps fetched as they come; errors as they happen."""
    try:
        listing = parse_listing(data, source, base_url)
    except UnspunError as exc:
        yield source, exc
        return
    if not listing.pages:
        yield source, EmptyInputError(f"{source}: the {listing.kind} lists no pages")
        return
    if listing.kind != "sitemap index":
        for number, page in enumerate(listing.pages, start=1):
            yield f"{source}#{number}", page
        return
    if depth >= MAX_SITEMAP_DEPTH:
        yield source, NotAFeedError(f"{source}: sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep")
        return
    for child in listing.pages:
        try:
            final_url, body, _ = crawler.fetch(
                child.url, content_types=FEED_CONTENT_TYPES + ("text/html",), max_bytes=MAX_FEED_BYTES
            )
        except UnspunError as exc:
            yield child.url, exc
            continue
        yield from _listed(body, child.url, crawler, final_url, depth + 1)


def _fetch_page(page: ListedPage, crawler: Crawler) -> Article | UnspunError:
    if not is_http_url(page.url):
        return FetchError(f"{page.url}: only http:// and https:// URLs can be fetched")
    try:
        article = crawler.fetch_article(page.url)
    except UnspunError as exc:
        return exc
    return replace(article, title=article.title or page.title, published=article.published or page.published)


def _feed_pages(data: bytes, source: str) -> list[ListedPage]:
    parsed = feedparser.parse(data)  # bytes, never a str: feedparser would fetch a str that looks like a URL
    if not parsed.entries and parsed.get("bozo") and not parsed.get("version"):  # not even a feed type
        raise NotAFeedError(f"{source}: not a valid RSS/Atom feed ({parsed.get('bozo_exception')})")
    pages = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            pages.append(ListedPage(str(link).strip(), _text(entry.get("title")), _entry_date(entry)))
    return pages


def _entry_date(entry: Any) -> str | None:
    """The publication date as the publisher wrote it (feedparser's parsed form has moved it to UTC)."""
    raw = entry.get("published") or entry.get("updated")
    if not raw:
        return None
    raw = str(raw).strip()
    if _ISO_DATE.match(raw):
        return raw[:10]
    try:
        return email.utils.parsedate_to_datetime(raw).date().isoformat()  # RSS's RFC 822 dates
    except (TypeError, ValueError):
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        return time.strftime("%Y-%m-%d", parsed) if parsed else None


def _sitemap_pages(data: bytes, source: str) -> list[ListedPage]:
    # Sitemaps never need a DTD; refusing entity declarations rules out entity-expansion attacks.
    if b"<!ENTITY" in data:
        raise NotAFeedError(f"{source}: the sitemap declares XML entities, which unspun does not expand")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise NotAFeedError(f"{source}: not a valid XML sitemap ({exc})") from exc
    pages = []
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        loc = next((e.text.strip() for e in element if _local(e.tag) == "loc" and e.text), None)
        if not loc:
            continue
        # Google News sitemaps carry the title and date in <news:news>; other extensions (image:title)
        # describe something else.
        news = {_local(e.tag): (e.text or "").strip() for e in element.iter() if "sitemap-news" in e.tag}
        published = news.get("publication_date", "")
        pages.append(
            ListedPage(
                loc,
                title=news.get("title") or None,
                published=published[:10] if _ISO_DATE.match(published) else None,
            )
        )
    return pages


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _text(value: object) -> str | None:
    return (str(value).strip() or None) if value else None
