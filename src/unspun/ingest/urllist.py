"""Files of URLs (.urls, or a .txt of nothing but URLs): one article fetched per line, politely.

Blank lines and lines starting with # are skipped; each item is labelled ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator

from unspun.errors import EmptyInputError, FetchError, UnspunError
from unspun.ingest.crawler import Crawler
from unspun.ingest.url import is_http_url
from unspun.records import Article


def is_url_list(text: str) -> bool:
    """Whether every line that is not blank or a # comment is an http(s) URL (and there is one)."""
    lines = list(_entries(text))
    return bool(lines) and all(is_http_url(line) for _, line in lines)


def read_url_list(text: str, source: str, crawler: Crawler) -> Iterator[tuple[str, Article | UnspunError]]:
    entries = list(_entries(text))
    if not entries:
        yield (
            source,
            EmptyInputError(f"{source}: no URLs in this file (one http:// or https:// URL per line)"),
        )
    for count, (number, line) in enumerate(entries):
        if crawler.options.max_articles is not None and count >= crawler.options.max_articles:
            return
        label = f"{source}:{number}"
        if not is_http_url(line):
            yield label, FetchError(f"{label}: {line[:200]!r} is not an http:// or https:// URL")
            continue
        try:
            article = crawler.fetch_article(line)
        except UnspunError as exc:
            yield label, exc
            continue
        yield label, article


def _entries(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, line
