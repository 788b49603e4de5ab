"""WARC files (plain or gzipped): each archived HTML page with a 2xx status becomes an Article.

Records are numbered from 1 in file order, whatever their type, and an item is labelled
``file.warc.gz#record-N``. Requests, metadata, redirects, errors and non-HTML responses are skipped
without a word; a record that is cut short or unreadable is one error, after the records before it.
warcio takes a truncated file for a shorter one, so each record's length is checked here.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from unspun.config import MAX_HTML_BYTES
from unspun.errors import CorruptInputError, EmptyInputError, InputError, InputTooLargeError, UnspunError
from unspun.ingest.compression import CHUNK_BYTES, GZIP_MAGIC, GunzipStream
from unspun.ingest.html import article_from_html
from unspun.ingest.text import decode_bytes
from unspun.records import Article

Item = tuple[str, Article | UnspunError]
HTML_TYPES = ("text/html", "application/xhtml+xml")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# What a malformed record can make warcio (or a payload's own gzip/deflate/brotli layer) raise. warcio
# trusts its input: headers cut off before WARC-Target-URI end in AttributeError, bad numbers in
# ValueError or TypeError, so those count as corrupt input here too (only around warcio's own calls).
_READ_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    EOFError,
    OSError,
    zlib.error,
)


def read_warc(path: Path, source: str | None = None) -> Iterator[Item]:
    """Yield an item per archived HTML page of the WARC file at path (gzipped or not: its bytes tell)."""
    source = source or str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield source, InputError(f"{source}: cannot read the file ({exc.strerror})")
        return
    with handle:
        yield from read_warc_stream(handle, source, gzipped=handle.peek(2)[:2] == GZIP_MAGIC)


def read_warc_stream(stream: BinaryIO, source: str, gzipped: bool = False) -> Iterator[Item]:
    gunzipped = GunzipStream(stream, source) if gzipped else None
    number, found = 0, False
    records = ArchiveIterator(gunzipped or stream)
    while True:
        try:
            record = next(records, None)
        except _READ_ERRORS as exc:
            label = f"{source}#record-{number + 1}"
            yield (
                label,
                CorruptInputError(
                    f"{label}: not a readable WARC record ({_first_line(exc)}); the ones before it were read"
                ),
            )
            return
        if record is None:
            break
        number += 1
        label = f"{source}#record-{number}"
        try:
            item = _read_record(record, label)
        except CorruptInputError as exc:  # cut short: nothing after it can be trusted
            yield label, exc
            return
        if item is not None:
            found = True
            yield label, item
    if gunzipped is not None and gunzipped.error is not None:
        yield f"{source}#record-{number + 1}", gunzipped.error
    elif _left_over(records):
        label = f"{source}#record-{number + 1}"
        yield label, CorruptInputError(f"{label}: the record is cut short (a truncated file?); the ones before it were read")
    elif not found:
        yield source, EmptyInputError(f"{source}: no HTML pages with a 2xx status in this WARC file")


def _read_record(record: ArcWarcRecord, label: str) -> Article | UnspunError | None:
    """The record's Article, the error that spoilt it, or None for a record that holds no article.

    Reads the record to its end either way, to see that it is all there (raising CorruptInputError).
    """
    wanted = _is_html_page(record)
    payload, problem = b"", None
    if wanted:
        try:
            payload = record.content_stream().read(MAX_HTML_BYTES + 1)
        except _READ_ERRORS as exc:  # a broken gzip or chunked body inside an intact record
            problem = CorruptInputError(f"{label}: the page's body cannot be decoded ({_first_line(exc)})")
    _drain(record, label)
    if not wanted:
        return None
    if problem is not None:
        return problem
    if len(payload) > MAX_HTML_BYTES:
        return InputTooLargeError(f"{label}: the page is over the {MAX_HTML_BYTES / 1e6:g} MB limit")
    headers = record.rec_headers
    captured = headers.get_header("WARC-Date") or ""
    captured = captured[:10] if _DATE.match(captured) else ""
    try:
        article = article_from_html(
            decode_bytes(payload, label), label, url=headers.get_header("WARC-Target-URI")
        )
    except UnspunError as exc:
        return exc
    return replace(article, published=article.published or captured or None, captured=captured or None)


def _is_html_page(record: ArcWarcRecord) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    return status.startswith("2") and len(status) == 3 and content_type in HTML_TYPES


def _drain(record: ArcWarcRecord, label: str) -> None:
    """Read what is left of the record; one shorter than its Content-Length was cut off."""
    if (
        record.format.startswith("warc")
        and not str(record.rec_headers.get_header("Content-Length", "")).isdigit()
    ):
        raise CorruptInputError(
            f"{label}: the record has no valid Content-Length; the records before it were read"
        )
    stream = record.raw_stream
    while stream.read(CHUNK_BYTES):
        pass
    if getattr(stream, "limit", 0) > 0:
        raise CorruptInputError(
            f"{label}: the record is cut short (a truncated file?); the records before it were read"
        )


def _left_over(records: ArchiveIterator) -> bool:
    """Whether bytes follow the last whole record: warcio ends quietly at a record whose headers are cut.

    records.offset is where warcio's last whole record (and the blank lines after it) ended.
    """
    stream = records.fh
    while stream.read(CHUNK_BYTES):
        pass
    return bool(stream.tell() > records.offset)


def _first_line(exc: BaseException) -> str:
    if not isinstance(exc, (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, zlib.error)):
        return "its headers are cut off or malformed"  # warcio tripping over them: its message says nothing
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:200]
