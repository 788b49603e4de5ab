"""A .json file of articles: one article object, or an array of them (the fields of a .jsonl record)."""

from __future__ import annotations

from collections.abc import Iterator

from unspun.errors import EmptyInputError, InvalidRecordError, UnspunError
from unspun.ingest.jsonl import article_from_record, labelled, load_json
from unspun.records import Article


def read_json(text: str, source: str) -> Iterator[tuple[str, Article | UnspunError]]:
    """Yield (label, article or error) per element, labelled ``file:[index]``; one object is the file.

    Invalid JSON spoils the whole file (there is no way to tell where one element ends), so it is one
    error; a bad element is an error for that element only.
    """
    try:
        data = load_json(text, source)
    except InvalidRecordError as exc:
        yield source, exc
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
