"""Resolve what the user named (a path, a directory, a URL, '-' for stdin) into articles.

Every item comes back as (label, Article) or (label, UnspunError) so a batch can report a bad item
and carry on; a single input raises instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from unspun.config import MAX_HTML_BYTES, MAX_TEXT_BYTES
from unspun.errors import InputError, UnspunError
from unspun.ingest.html import article_from_html, looks_like_html
from unspun.ingest.jsonl import read_jsonl
from unspun.ingest.text import check_size, clean_text, decode_bytes
from unspun.ingest.url import fetch_url
from unspun.records import Article

Item = tuple[str, Article | UnspunError]
ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".jsonl")


def is_url(spec: str) -> bool:
    return urlsplit(spec).scheme in ("http", "https")


def read_inputs(spec: str, allow_private: bool = False) -> Iterator[Item]:
    """Yield every article named by spec; errors come back as items, never raised."""
    try:
        if spec == "-":
            yield from _from_bytes(sys.stdin.buffer.read(MAX_HTML_BYTES + 1), "stdin", Path("stdin"))
        elif is_url(spec):
            yield spec, article_from_url(spec, allow_private)
        else:
            path = Path(spec)
            if path.is_dir():
                yield from _from_directory(path)
            elif path.is_file():
                yield from _from_file(path)
            else:
                yield spec, InputError(f"{spec}: no such file, directory or URL")
    except UnspunError as exc:
        yield spec, exc


def article_from_url(url: str, allow_private: bool = False) -> Article:
    final_url, body, content_type = fetch_url(url, allow_private=allow_private)
    text = decode_bytes(body, url)
    site = urlsplit(final_url).hostname
    if content_type == "text/plain":
        return Article(text=clean_text(text, url), url=final_url, site=site)
    article = article_from_html(text, url, url=final_url)
    return article if article.site else Article(**{**article.__dict__, "site": site})


def _from_directory(directory: Path) -> Iterator[Item]:
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    if not files:
        yield str(directory), InputError(f"{directory}: no .txt, .html or .jsonl files in this directory")
    for path in files:
        yield from _from_file(path)


def _from_file(path: Path) -> Iterator[Item]:
    label = str(path)
    try:
        limit = MAX_HTML_BYTES if path.suffix.lower() in (".html", ".htm") else MAX_TEXT_BYTES
        if path.suffix.lower() == ".jsonl":
            limit = max(limit, path.stat().st_size)  # a batch file may be large; each record is checked
        check_size(path.stat().st_size, label, limit)
        data = path.read_bytes()
    except OSError as exc:
        yield label, InputError(f"{label}: cannot read the file ({exc.strerror})")
        return
    except UnspunError as exc:
        yield label, exc
        return
    yield from _from_bytes(data, label, path)


def _from_bytes(data: bytes, label: str, path: Path) -> Iterator[Item]:
    try:
        text = decode_bytes(data, label)
        if path.suffix.lower() == ".jsonl":
            yield from read_jsonl(text, label)
            return
        is_html = path.suffix.lower() in (".html", ".htm") or looks_like_html(text)
        check_size(len(data), label, MAX_HTML_BYTES if is_html else MAX_TEXT_BYTES)
        if is_html:
            article = article_from_html(text, label, article_id=path.stem)
        else:
            article = Article(text=clean_text(text, label), id=path.stem if label != "stdin" else None)
    except UnspunError as exc:
        yield label, exc
        return
    yield label, article
