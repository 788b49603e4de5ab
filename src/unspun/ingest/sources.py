"""Resolve what the user named (a path, a directory, a URL, '-' for stdin) into articles.

Every item comes back as (label, Article) or (label, UnspunError) so a batch can report a bad item
and carry on; a single input raises instead. This module only dispatches: each format has its own
module, and every Article passes through normalize_article on its way out.

    .txt .text .md .html .htm   one article (a .txt of nothing but URLs is a URL list)
    .jsonl .json                 article records
    .warc                        archived HTML pages
    .rss .atom .xml              a feed or sitemap, whose articles are fetched
    .urls                        one URL per line, each fetched
    any of these + .gz           gzipped
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from unspun.config import (
    FEED_CONTENT_TYPES,
    FETCH_CONTENT_TYPES,
    MAX_DECOMPRESSED_BYTES,
    MAX_FEED_BYTES,
    MAX_HTML_BYTES,
    MAX_TEXT_BYTES,
)
from unspun.errors import InputError, UnspunError
from unspun.ingest.compression import GZIP_MAGIC, gunzip, is_gzip_name, iter_gunzip
from unspun.ingest.crawler import Crawler, FetchOptions, article_from_response
from unspun.ingest.feeds import listing_kind, looks_like_feed_url, not_a_feed, read_listing
from unspun.ingest.html import article_from_html, looks_like_html
from unspun.ingest.jsondoc import read_json
from unspun.ingest.jsonl import read_jsonl, read_jsonl_chunks
from unspun.ingest.normalize import normalize_article
from unspun.ingest.text import check_size, clean_text, decode_bytes, printable_name
from unspun.ingest.url import fetch_url
from unspun.ingest.urllist import is_url_list, read_url_file, read_url_list
from unspun.ingest.warc import read_warc
from unspun.records import Article

__all__ = ["ARTICLE_SUFFIXES", "FetchOptions", "Item", "article_from_url", "is_batch", "is_url", "read_inputs"]

Item = tuple[str, Article | UnspunError]
TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
BATCH_SUFFIXES = (".jsonl", ".json", ".warc", ".urls", *FEED_SUFFIXES)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + BATCH_SUFFIXES  # and each of them + ".gz"


def is_url(spec: str) -> bool:
    try:
        return urlsplit(spec).scheme in ("http", "https")
    except ValueError:  # a malformed IPv6 host: not a URL unspun can fetch
        return False


def read_inputs(
    spec: str, allow_private: bool = False, options: FetchOptions | None = None
) -> Iterator[Item]:
    """Yield every article named by spec; errors come back as items, never raised.

    options says how pages named by feeds, sitemaps and URL lists are fetched (politeness, robots.txt).
    """
    crawler = Crawler(options, allow_private)
    try:
        if spec == "-":
            data = sys.stdin.buffer.read(MAX_HTML_BYTES + 1)
            # A text piped in has no name, so its id stays empty rather than becoming a hash.
            yield from _normalized(_from_bytes(data, "stdin", Path("stdin"), crawler), assign_id=False)
        elif is_url(spec):
            yield from _normalized(_from_url(spec, crawler))
        else:
            path = Path(spec)
            kind = _kind_of(path)
            if kind == "directory":
                yield from _normalized(_from_directory(path, crawler))
            elif kind == "file":
                yield from _normalized(_from_file(path, crawler))
            else:
                name = printable_name(spec)
                yield name, InputError(f"{name}: {kind}")
    except UnspunError as exc:
        yield printable_name(spec), exc


def _kind_of(path: Path) -> str:
    """"file", "directory", or why the path cannot be read (a name too long, a symlink loop, ...)."""
    try:
        if path.is_dir():
            return "directory"
        if path.is_file():
            return "file"
        return "no such file, directory or URL" if not path.is_symlink() else "a broken or looping symbolic link"
    except OSError as exc:
        return f"cannot read this path ({exc.strerror or exc})"


def is_batch(spec: str) -> bool:
    """Whether spec names many articles (a directory, a batch file, a feed or URL list) rather than one.

    Decided without fetching: a URL is a batch when its path names a feed or sitemap. A plain .txt file
    is read to see whether it is a list of URLs.
    """
    if spec == "-":
        return False
    if is_url(spec):
        return looks_like_feed_url(spec)
    path = Path(spec)
    kind = _kind_of(path)
    if kind == "directory" or _inner_suffix(path) in BATCH_SUFFIXES:
        return True
    if path.suffix.lower() in (".txt", ".text") and kind == "file":
        try:
            return path.stat().st_size <= MAX_TEXT_BYTES and is_url_list(decode_bytes(path.read_bytes(), spec))
        except (OSError, UnspunError):
            return False
    return False


def article_from_url(url: str, allow_private: bool = False) -> Article:
    final_url, body, content_type = fetch_url(url, allow_private=allow_private)
    return article_from_response(url, final_url, body, content_type)


def _normalized(items: Iterator[Item], assign_id: bool = True) -> Iterator[Item]:
    for label, item in items:
        yield label, normalize_article(item, label, assign_id) if isinstance(item, Article) else item


def _from_url(url: str, crawler: Crawler) -> Iterator[Item]:
    """A page is an article; a feed or sitemap is expanded. The URL itself is fetched as a browser would."""
    feedish = looks_like_feed_url(url)
    try:
        final_url, body, content_type = crawler.fetch(
            url,
            content_types=FETCH_CONTENT_TYPES + FEED_CONTENT_TYPES,
            max_bytes=MAX_FEED_BYTES if feedish else MAX_HTML_BYTES,
            check_robots=False,
        )
        if _is_listing(body, content_type):
            yield from read_listing(body, url, crawler, base_url=final_url)
            return
        if feedish and content_type != "text/plain":
            raise not_a_feed(url, body)
        check_size(len(body), url, MAX_HTML_BYTES)
        yield url, article_from_response(url, final_url, body, content_type)
    except UnspunError as exc:
        yield url, exc


def _is_listing(body: bytes, content_type: str) -> bool:
    if body.startswith(GZIP_MAGIC) or listing_kind(body):
        return True
    # An XML type with an unknown root is a broken feed, unless it is a page (XHTML served as XML).
    return content_type in FEED_CONTENT_TYPES and not looks_like_html(body[:4096].decode("utf-8", "replace"))


def _from_directory(directory: Path, crawler: Crawler) -> Iterator[Item]:
    files = sorted(p for p in directory.rglob("*") if p.is_file() and _inner_suffix(p) in ARTICLE_SUFFIXES)
    if not files:
        yield (
            printable_name(str(directory)),
            InputError(
                f"{printable_name(str(directory))}: no .txt, .html or .jsonl files (nor .json, .warc, feeds, .urls or their .gz) "
                "in this directory"
            ),
        )
    for path in files:
        yield from _from_file(path, crawler)


def _inner_suffix(path: Path) -> str:
    """The format's suffix: .html for page.html and for page.html.gz."""
    name = path.name.lower()
    return Path(name[:-3] if is_gzip_name(name) else name).suffix


def _from_file(path: Path, crawler: Crawler) -> Iterator[Item]:
    label = printable_name(str(path))
    suffix = _inner_suffix(path)
    gzipped = is_gzip_name(path.name)
    if suffix == ".warc":
        yield from read_warc(path, label)
        return
    if suffix == ".jsonl":
        yield from _from_jsonl(path, label, gzipped)
        return
    limit = _limit_for(suffix, path)
    try:
        check_size(path.stat().st_size, label, limit)
        with path.open("rb") as handle:
            data = gunzip(handle, label, limit) if gzipped else handle.read()
    except OSError as exc:
        yield label, InputError(f"{label}: cannot read the file ({exc.strerror})")
        return
    except UnspunError as exc:
        yield label, exc
        return
    name = printable_name(path.name)
    yield from _from_bytes(data, label, Path(name[:-3] if gzipped else name), crawler)


def _limit_for(suffix: str, path: Path) -> int:
    if suffix in (".jsonl", ".json"):
        # A batch file may be large (each record is checked); gzipped, it is capped once decompressed.
        return max(MAX_DECOMPRESSED_BYTES if is_gzip_name(path.name) else 0, path.stat().st_size)
    if suffix in FEED_SUFFIXES:
        return MAX_FEED_BYTES
    return MAX_HTML_BYTES if suffix in HTML_SUFFIXES else MAX_TEXT_BYTES


def _from_jsonl(path: Path, label: str, gzipped: bool) -> Iterator[Item]:
    """JSON Lines streamed a chunk at a time, gzipped or not: memory stays flat however large the file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield label, InputError(f"{label}: cannot read the file ({exc.strerror})")
        return
    with handle:
        chunks = iter_gunzip(handle, label) if gzipped else iter(lambda: handle.read(1 << 20), b"")
        yield from read_jsonl_chunks(chunks, label)


def _from_bytes(data: bytes, label: str, path: Path, crawler: Crawler) -> Iterator[Item]:
    """One file's content; path is its name without any .gz, which says the format."""
    suffix = path.suffix.lower()
    try:
        if suffix in FEED_SUFFIXES:
            yield from read_listing(data, label, crawler)
            return
        if suffix == ".urls":  # decoded line by line: one line in a broken encoding costs only itself
            yield from read_url_file(data, label, crawler)
            return
        text = decode_bytes(data, label)
        if suffix == ".jsonl":
            yield from read_jsonl(text, label)
            return
        if suffix == ".json":
            yield from read_json(text, label)
            return
        if suffix in (".txt", ".text") and is_url_list(text):
            yield from read_url_list(text, label, crawler)
            return
        is_html = suffix in HTML_SUFFIXES or looks_like_html(text)
        check_size(len(data), label, MAX_HTML_BYTES if is_html else MAX_TEXT_BYTES)
        if is_html:
            article = article_from_html(text, label, article_id=path.stem)
        else:
            article = Article(text=clean_text(text, label), id=path.stem if label != "stdin" else None)
    except UnspunError as exc:
        yield label, exc
        return
    yield label, article
