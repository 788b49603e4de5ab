"""JSON Lines of articles: one {id, text, url?, site?, title?, published?} object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator

from unspun.errors import InvalidRecordError, UnspunError
from unspun.ingest.text import clean_text
from unspun.records import Article

_FIELDS = ("url", "site", "title", "published", "author")


def parse_record(line: str, label: str) -> Article:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidRecordError(f"{label}: not valid JSON ({exc.msg}: column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise InvalidRecordError(f"{label}: expected a JSON object with a 'text' field")
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidRecordError(f"{label}: the record has no 'text' string")
    article_id = data.get("id")
    extras = {k: str(data[k]) for k in _FIELDS if data.get(k) is not None}
    if "published" in extras:
        extras["published"] = extras["published"][:10]
    return Article(text=clean_text(text, label), id=None if article_id is None else str(article_id), **extras)


def read_jsonl(text: str, source: str) -> Iterator[tuple[str, Article | UnspunError]]:
    """Yield (label, article or the error that made the line unusable) for each non-blank line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{source}:{number}"
        try:
            article = parse_record(line, label)
        except UnspunError as exc:
            yield label, exc
            continue
        yield (f"{source}:{number} ({article.id})" if article.id else label), article
