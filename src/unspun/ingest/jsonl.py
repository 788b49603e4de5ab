"""JSON Lines of articles: one {id, text, url?, site?, title?, published?, author?} object per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

from unspun.config import MAX_HTML_BYTES
from unspun.errors import InputTooLargeError, InvalidRecordError, UnspunError
from unspun.ingest.text import clean_text, decode_bytes, valid_unicode
from unspun.records import Article

_FIELDS = ("url", "site", "title", "published", "author")


def parse_record(line: str, label: str) -> Article:
    return article_from_record(load_json(line, label), label)


def load_json(text: str, label: str) -> object:
    """Decode JSON, or raise one InvalidRecordError: invalid syntax, or nesting deeper than Python's
    recursion limit (a few thousand levels; no article record is nested more than two)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        raise InvalidRecordError(f"{label}: not valid JSON ({exc.msg}: {where})") from exc
    except RecursionError as exc:
        raise InvalidRecordError(f"{label}: the JSON is nested too deeply to be an article record") from exc


def article_from_record(data: object, label: str) -> Article:
    """One decoded JSON value to an Article; the same fields in .jsonl and .json files."""
    if not isinstance(data, dict):
        raise InvalidRecordError(f"{label}: expected a JSON object with a 'text' field")
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidRecordError(f"{label}: the record has no 'text' string")
    article_id = data.get("id")
    for key in ("id", *_FIELDS):
        if data.get(key) is not None and not isinstance(data[key], str | int | float):
            raise InvalidRecordError(f"{label}: the field {key!r} must be a string, not {type(data[key]).__name__}")
    extras = {k: valid_unicode(str(data[k])) for k in _FIELDS if data.get(k) is not None}
    if "published" in extras:
        extras["published"] = extras["published"][:10]
    return Article(text=clean_text(text, label), id=None if article_id is None else valid_unicode(str(article_id)),
                   **extras)


def labelled(article: Article, location: str) -> tuple[str, Article]:
    """The item for a record: its label shows the record's id; its source stays the bare location."""
    label = f"{location} ({article.id})" if article.id else location
    return label, replace(article, source=location)


def read_jsonl(text: str, source: str) -> Iterator[tuple[str, Article | UnspunError]]:
    """Yield (label, article or the error that made the line unusable) for each non-blank line."""
    return read_jsonl_chunks([text.encode("utf-8")], source)


def read_jsonl_chunks(chunks: Iterable[bytes], source: str) -> Iterator[tuple[str, Article | UnspunError]]:
    """The same from a stream of bytes (a gzipped file), one line at a time, never the whole file.

    A stream that breaks (a corrupt gzip) still gives every complete line before the break, then the
    error; the broken line itself is dropped.
    """
    try:
        for number, line in _split_lines(chunks):
            label = f"{source}:{number}"
            if line is None:
                yield (
                    label,
                    InputTooLargeError(f"{label}: the line is over the {MAX_HTML_BYTES / 1e6:g} MB limit"),
                )
                continue
            if not line.strip():
                continue
            try:
                article = parse_record(decode_bytes(line, label), label)
            except UnspunError as exc:
                yield label, exc
                continue
            yield labelled(article, label)
    except UnspunError as exc:
        yield source, exc


def _split_lines(chunks: Iterable[bytes], limit: int = MAX_HTML_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line; None for a line over limit bytes, whose bytes are skipped."""
    number, buffer, skipping = 1, b"", False
    for chunk in chunks:
        searched = len(buffer)  # a long line is scanned once, not once per chunk
        buffer += chunk
        while (end := buffer.find(b"\n", searched)) >= 0:
            if not skipping:
                yield number, buffer[:end]
            number, buffer, skipping, searched = number + 1, buffer[end + 1 :], False, 0
        if len(buffer) > limit and not skipping:
            yield number, None
            skipping = True
        if skipping:
            buffer = b""
    if buffer and not skipping:
        yield number, buffer
