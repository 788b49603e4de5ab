"""Files of URLs (.urls, or a .txt of nothing but URLs): one article fetched per line, politely.

Blank lines and lines starting with # are skipped; each item is labelled ``file:line``. A bad line (not
UTF-8, a NUL byte, not a URL, a URL that cannot be fetched) is reported under its label and skipped; the
other lines are still fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from unspun.errors import EmptyInputError, FetchError, InputError, UnspunError
from unspun.ingest.crawler import Crawler
from unspun.ingest.text import decode_bytes
from unspun.ingest.url import is_http_url
from unspun.records import Article

Item = tuple[str, Article | UnspunError]
# A line as read: its text, or the error that says why it has none.
Entry = tuple[int, str | UnspunError]

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 cannot be split into lines as bytes
_UTF8_BOM = b"\xef\xbb\xbf"


def is_url_list(text: str) -> bool:
    """Whether every line that is not blank or a # comment is an http(s) URL (and there is one)."""
    lines = list(_entries(text))
    return bool(lines) and all(is_http_url(line) for _, line in lines)


def read_url_list(text: str, source: str, crawler: Crawler) -> Iterator[Item]:
    """The articles of a decoded URL list, fetched in order."""
    yield from _fetch_entries(list(_entries(text)), source, crawler)


def read_url_file(data: bytes, source: str, crawler: Crawler) -> Iterator[Item]:
    """The articles of a URL list given as bytes (a .urls file), each line decoded on its own.

    A line that is not UTF-8 is reported as ``file:line`` and skipped, so one line pasted in a legacy encoding
    does not cost the file's other URLs. A file with no good URL line at all is decoded as a whole, as any
    text file is: a list in one legacy encoding still works, and binary data is refused once, not per line.
    """
    if data.startswith(_WIDE_BOMS):
        entries = None
    else:
        entries = list(_byte_entries(data.removeprefix(_UTF8_BOM), source))
        if not any(isinstance(line, str) and is_http_url(line) for _, line in entries):
            entries = None
    if entries is None:
        try:
            text = decode_bytes(data, source)
        except UnspunError as exc:
            yield source, exc
            return
        yield from read_url_list(text, source, crawler)
        return
    yield from _fetch_entries(entries, source, crawler)


def _fetch_entries(entries: Iterable[Entry], source: str, crawler: Crawler) -> Iterator[Item]:
    listed = list(entries)
    if not listed:
        yield (
            source,
            EmptyInputError(f"{source}: no URLs in this file (one http:// or https:// URL per line)"),
        )
    for count, (number, line) in enumerate(listed):
        if crawler.options.max_articles is not None and count >= crawler.options.max_articles:
            return
        label = f"{source}:{number}"
        if isinstance(line, UnspunError):
            yield label, line
            continue
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


def _byte_entries(data: bytes, source: str) -> Iterator[Entry]:
    # bytes.splitlines splits at \n, \r and \r\n only, so the line numbers match what an editor shows.
    for number, raw in enumerate(data.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError as exc:
            label = f"{source}:{number}"
            yield number, InputError(
                f"{label}: this line is not UTF-8 text (byte {exc.start + 1} of {line[:100]!r}); "
                "save the list as UTF-8"
            )
