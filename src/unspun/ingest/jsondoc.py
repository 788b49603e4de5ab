"""A .json file of articles: one article object, or an array of them (the fields of a .jsonl record)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from unspun.errors import EmptyInputError, InvalidRecordError, UnspunError
from unspun.ingest.jsonl import article_from_record, labelled
from unspun.records import Article


def read_json(text: str, source: str) -> Iterator[tuple[str, Article | UnspunError]]:
    """Yield (label, article or error) per element, labelled ``file:[index]``; one object is the file.

    Invalid JSON spoils the whole file (there is no way to tell where one element ends), so it is one
    error; a bad element is an error for that element only.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield (
            source,
            InvalidRecordError(f"{source}: not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"),
        )
        return
    if isinstance(data, dict):
        try:
            yield source, article_from_record(data, source)
        except UnspunError as exc:
            yield source, exc
        return
    if not isinstance(data, list):
        yield source, InvalidRecordError(f"{source}: expected an article object or an array of them")
        return
    if not data:
        yield source, EmptyInputError(f"{source}: the JSON array is empty")
    for index, element in enumerate(data):
        location = f"{source}:[{index}]"
        try:
            article = article_from_record(element, location)
        except UnspunError as exc:
            yield location, exc
            continue
        yield labelled(article, location)
