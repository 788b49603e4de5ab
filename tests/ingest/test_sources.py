"""read_inputs: every input named comes back as an Article or as the error that made it unusable."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from unspun.errors import BinaryInputError, InputError, InvalidRecordError, UnspunError
from unspun.ingest.sources import is_batch, read_inputs
from unspun.records import Article

if TYPE_CHECKING:
    from tests.conftest import LoopbackServer


def test_sources_directory_keeps_every_item_good_or_bad(mixed_directory: Path, article_text: str) -> None:
    items = dict(read_inputs(str(mixed_directory)))
    d = mixed_directory
    assert set(items) == {
        f"{d}/a-report.txt",
        f"{d}/b-page.html",
        f"{d}/c-batch.jsonl:1",
        f"{d}/c-batch.jsonl:2",
        f"{d}/c-batch.jsonl:4 (good-1)",
        f"{d}/d-photo.txt",
        f"{d}/nested/e-nested.md",
    }
    text_file = items[f"{d}/a-report.txt"]
    assert isinstance(text_file, Article) and text_file.text == article_text and text_file.id == "a-report"

    page = items[f"{d}/b-page.html"]
    assert isinstance(page, Article) and page.id == "b-page"
    assert page.title == "Harbour bridge to stay shut until spring" and "Copyright" not in page.text

    record = items[f"{d}/c-batch.jsonl:4 (good-1)"]
    assert isinstance(record, Article)
    assert (record.id, record.title, record.published) == ("good-1", "Bridge", "2025-03-14")

    nested = items[f"{d}/nested/e-nested.md"]
    assert isinstance(nested, Article) and nested.id == "e-nested"

    for label, kind, words in [
        (
            f"{d}/c-batch.jsonl:1",
            InvalidRecordError,
            "not valid JSON (Unterminated string starting at: column 26)",
        ),
        (f"{d}/c-batch.jsonl:2", InvalidRecordError, "no 'text' string"),
        (f"{d}/d-photo.txt", BinaryInputError, "binary data"),
    ]:
        error = items[label]
        assert isinstance(error, kind), label
        assert str(error).startswith(f"{label}: ") and words in str(error)


def test_sources_items_come_in_path_order(mixed_directory: Path) -> None:
    labels = [label for label, _ in read_inputs(str(mixed_directory))]
    assert labels == sorted(labels, key=lambda label: label.split(":")[0])


def test_sources_missing_path_is_an_error_item(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.txt")
    [(label, item)] = list(read_inputs(missing))
    assert label == missing
    assert isinstance(item, InputError)
    assert str(item) == f"{missing}: no such file, directory or URL"


def test_sources_directory_without_articles(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    [(label, item)] = list(read_inputs(str(tmp_path)))
    assert label == str(tmp_path) and isinstance(item, InputError)
    assert "no .txt, .html or .jsonl files" in str(item)


def test_sources_text_file_that_is_html_inside(tmp_path: Path, article_html: str) -> None:
    path = tmp_path / "saved-page.txt"
    path.write_text(article_html, encoding="utf-8")
    [(_, item)] = list(read_inputs(str(path)))
    assert isinstance(item, Article)
    assert item.title == "Harbour bridge to stay shut until spring" and "<p>" not in item.text


def test_sources_oversized_text_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: instant, and no disk used
    [(_, item)] = list(read_inputs(str(path)))
    assert isinstance(item, UnspunError)
    assert "50.0 MB is over the 2 MB limit" in str(item)


def test_sources_url_via_loopback(http_server: LoopbackServer) -> None:
    url = http_server.url("/article")
    [(label, item)] = list(read_inputs(url, allow_private=True))
    assert label == url and isinstance(item, Article)
    assert item.url == url and item.site == "The Riverside Courier"
    assert item.published == "2025-03-14"

    plain = http_server.url("/plain")
    [(_, text_item)] = list(read_inputs(plain, allow_private=True))
    assert isinstance(text_item, Article) and text_item.site == "127.0.0.1"
    assert text_item.text.startswith("Riverside council keeps harbour bridge shut")


@pytest.mark.parametrize(
    ("path", "allow_private", "words"),
    [
        ("/article", False, "--allow-private"),
        ("/binary", True, "is not an HTML or text page"),
        ("/empty", True, "no article text found"),
        ("/gone", True, "HTTP 404"),
    ],
)
def test_sources_url_failures_are_items(
    http_server: LoopbackServer, path: str, allow_private: bool, words: str
) -> None:
    url = http_server.url(path)
    [(label, item)] = list(read_inputs(url, allow_private=allow_private))
    assert label == url and isinstance(item, UnspunError) and words in str(item)


def test_sources_directory_picks_up_the_new_formats(
    tmp_path: Path, article_text: str, article_html: str
) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"id": "j1", "text": article_text}]), encoding="utf-8")
    record = json.dumps({"id": "z1", "text": article_text}) + "\n"
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(record.encode()))
    (tmp_path / "c.html.gz").write_bytes(gzip.compress(article_html.encode()))
    (tmp_path / "d.warc.gz").write_bytes(b"")  # empty: no pages, one error item
    (tmp_path / "e.csv.gz").write_bytes(gzip.compress(b"not,an,article\n"))
    items = dict(read_inputs(str(tmp_path)))
    assert set(items) == {
        f"{tmp_path}/a.json:[0] (j1)",
        f"{tmp_path}/b.jsonl.gz:1 (z1)",
        f"{tmp_path}/c.html.gz",
        f"{tmp_path}/d.warc.gz",
    }
    assert isinstance(items[f"{tmp_path}/c.html.gz"], Article)
    assert isinstance(items[f"{tmp_path}/d.warc.gz"], InputError)


def test_sources_every_article_is_normalised(mixed_directory: Path) -> None:
    articles = [item for _, item in read_inputs(str(mixed_directory)) if isinstance(item, Article)]
    assert len(articles) == 4
    for article in articles:
        assert article.language == "en" and article.content_hash and len(article.content_hash) == 64
        assert article.source and article.source.startswith(str(mixed_directory))
    by_id = {a.id: a for a in articles}
    assert by_id["good-1"].source == f"{mixed_directory}/c-batch.jsonl:4"  # the place, without the id
    assert by_id["a-report"].content_hash == by_id["e-nested"].content_hash  # the same text twice


def test_sources_stdin_keeps_no_id(monkeypatch: pytest.MonkeyPatch, article_text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(article_text.encode())))
    [(label, item)] = list(read_inputs("-"))
    assert label == "stdin" and isinstance(item, Article)
    assert item.id is None and item.source == "stdin" and item.content_hash and item.language == "en"


def test_sources_bad_port_is_an_item_not_a_crash() -> None:
    [(label, item)] = list(read_inputs("http://127.0.0.1:99999/story", allow_private=True))
    assert label == "http://127.0.0.1:99999/story" and isinstance(item, UnspunError)
    assert "not a valid URL (Port out of range" in str(item)


@pytest.mark.parametrize(
    ("name", "batch"),
    [
        ("story.txt", False),
        ("page.html.gz", False),
        ("batch.jsonl", True),
        ("batch.json.gz", True),
        ("crawl.warc.gz", True),
        ("reading.urls", True),
        ("news.rss", True),
        ("sitemap.xml.gz", True),
    ],
)
def test_sources_is_batch_from_the_name(tmp_path: Path, name: str, batch: bool) -> None:
    assert is_batch(str(tmp_path / name)) is batch


def test_sources_is_batch_for_a_txt_of_urls(tmp_path: Path, article_text: str) -> None:
    links, story = tmp_path / "links.txt", tmp_path / "story.txt"
    links.write_text("# to read\nhttps://news.example/1\nhttps://news.example/2\n", encoding="utf-8")
    story.write_text(article_text, encoding="utf-8")
    assert is_batch(str(links)) and not is_batch(str(story))


def test_sources_is_batch_for_directories_urls_and_stdin(tmp_path: Path) -> None:
    assert is_batch(str(tmp_path)) and not is_batch("-")
    assert is_batch("https://news.example/feed/") and not is_batch("https://news.example/2025/story")
