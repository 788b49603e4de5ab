""".json files: an array of article objects (each bad element its own error) or one object."""

from __future__ import annotations

import json
from pathlib import Path

from unspun.errors import EmptyInputError, InvalidRecordError
from unspun.ingest.jsondoc import read_json
from unspun.ingest.sources import read_inputs
from unspun.records import Article


def test_jsondoc_array_with_bad_elements_keeps_the_good(tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "one",
                    "text": article_text,
                    "url": "https://news.example.co.uk/a",
                    "author": "Ann Lee",
                },
                {"id": "no-text", "title": "A record with no text"},
                42,
                {
                    "text": article_text.replace("Helen Marsh", "Tom Price"),
                    "published": "2025-03-14T10:00:00Z",
                },
            ]
        ),
        encoding="utf-8",
    )
    items = list(read_inputs(str(path)))
    labels = [label for label, _ in items]
    assert labels == [f"{path}:[0] (one)", f"{path}:[1]", f"{path}:[2]", f"{path}:[3]"]

    first = items[0][1]
    assert isinstance(first, Article)
    assert (first.id, first.author, first.site, first.source) == (
        "one",
        "Ann Lee",
        "example.co.uk",
        f"{path}:[0]",
    )

    no_text, number = items[1][1], items[2][1]
    assert (
        isinstance(no_text, InvalidRecordError)
        and str(no_text) == f"{path}:[1]: the record has no 'text' string"
    )
    assert isinstance(number, InvalidRecordError) and "expected a JSON object" in str(number)

    last = items[3][1]
    assert isinstance(last, Article) and last.published == "2025-03-14" and "Tom Price" in last.text
    assert last.id is not None and last.id.startswith("sha-")  # no id given: one from the content hash


def test_jsondoc_one_object_is_the_whole_file(tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "story.json"
    path.write_text(json.dumps({"id": "solo", "text": article_text, "title": "Bridge"}), encoding="utf-8")
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path)
    assert isinstance(item, Article) and (item.id, item.title, item.text) == ("solo", "Bridge", article_text)


def test_jsondoc_invalid_json_is_one_error_with_its_place() -> None:
    [(label, item)] = list(read_json('[{"text": "fine"},\n {"text": "unterminated}]', "bad.json"))
    assert label == "bad.json" and isinstance(item, InvalidRecordError)
    assert str(item).startswith("bad.json: not valid JSON") and "line 2" in str(item)


def test_jsondoc_other_top_level_values_and_empty_arrays() -> None:
    [(_, scalar)] = list(read_json('"just a string"', "s.json"))
    assert isinstance(scalar, InvalidRecordError) and "an article object or an array" in str(scalar)
    [(_, empty)] = list(read_json("[]", "e.json"))
    assert isinstance(empty, EmptyInputError) and str(empty) == "e.json: the JSON array is empty"
