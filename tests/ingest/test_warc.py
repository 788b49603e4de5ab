"""WARC files built here with warcio's WARCWriter: which records become articles, and broken files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import STORIES, news_page
from unspun.errors import CorruptInputError, EmptyInputError, UnspunError
from unspun.ingest.sources import read_inputs
from unspun.ingest.warc import read_warc
from unspun.records import Article

WARC_DATE = "2024-05-06T07:08:09Z"


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": WARC_DATE},
    )
    writer.write_record(record)


def request(writer: WARCWriter, url: str) -> None:
    headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
    writer.write_record(writer.create_warc_record(url, "request", http_headers=headers))


def build_warc(path: Path, gzipped: bool, pages: list[tuple[str, str]]) -> bytes:
    """A warcinfo record, then a request and a response per (url, html); written to path and returned."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "unspun tests"}))
    for url, html in pages:
        request(writer, url)
        response(writer, url, html.encode())
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def story_page(key: str, published: str | None = None) -> str:
    title, body = STORIES[key]
    return news_page(title, body, published)


@pytest.mark.parametrize("gzipped", [True, False])
def test_warc_only_html_2xx_responses_become_articles(tmp_path: Path, gzipped: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    request(writer, "https://news.example.com/ferry")  # record 1
    response(writer, "https://news.example.com/ferry", story_page("ferry").encode())  # record 2
    response(writer, "https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")  # 3
    response(
        writer, "https://news.example.com/gone", story_page("library").encode(), status="404 Not Found"
    )  # 4
    path.write_bytes(buffer.getvalue())

    [(label, item)] = list(read_inputs(str(path)))
    assert label == f"{path}#record-2"
    assert isinstance(item, Article)
    assert item.url == "https://news.example.com/ferry"
    assert item.published == "2024-05-06" and item.captured == "2024-05-06"  # the page has no date of its own
    assert item.title == STORIES["ferry"][0] and "two sailings a day" in item.text
    assert item.site == "example.com" and item.source == label and item.language == "en"


def test_warc_page_date_wins_over_the_capture_date(tmp_path: Path) -> None:
    path = tmp_path / "dated.warc.gz"
    build_warc(
        path, True, [("https://news.example.com/orchard", story_page("orchard", "2023-04-20T06:00:00Z"))]
    )
    [(label, item)] = list(read_warc(path))
    assert label == f"{path}#record-3"
    assert isinstance(item, Article) and item.published == "2023-04-20" and item.captured == "2024-05-06"


def test_warc_truncated_gz_keeps_the_whole_records_and_reports_one_error(tmp_path: Path) -> None:
    pages = [(f"https://news.example.com/{key}", story_page(key)) for key in STORIES]
    data = build_warc(tmp_path / "whole.warc.gz", True, pages)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 200])  # inside the last gzip member, the third page

    items = list(read_warc(path))
    articles = [(label, item) for label, item in items if isinstance(item, Article)]
    errors = [(label, item) for label, item in items if isinstance(item, UnspunError)]
    assert [label for label, _ in articles] == [f"{path}#record-3", f"{path}#record-5"]
    assert [item.url for _, item in articles] == [
        "https://news.example.com/ferry",
        "https://news.example.com/library",
    ]
    [(error_label, error)] = errors
    assert error_label == f"{path}#record-7" and isinstance(error, CorruptInputError)
    assert "truncated" in str(error)
    assert items[-1] == (error_label, error)


def test_warc_plain_file_cut_inside_a_record_header(tmp_path: Path) -> None:
    pages = [(f"https://news.example.com/{key}", story_page(key)) for key in ("ferry", "library")]
    data = build_warc(tmp_path / "whole.warc", False, pages)
    cut = data.rindex(b"WARC-Target-URI")  # the headers of the last record (the library's response)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:cut])

    items = list(read_warc(path))
    assert [label for label, _ in items] == [f"{path}#record-3", f"{path}#record-5"]
    assert isinstance(items[0][1], Article)
    error = items[1][1]
    assert isinstance(error, CorruptInputError)
    assert str(error) == (
        f"{path}#record-5: not a readable WARC record (its headers are cut off or malformed); "
        "the ones before it were read"
    )


def test_warc_plain_file_cut_inside_a_payload(tmp_path: Path) -> None:
    pages = [(f"https://news.example.com/{key}", story_page(key)) for key in ("ferry", "library")]
    data = build_warc(tmp_path / "whole.warc", False, pages)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: data.rindex(b"reading rooms")])  # inside the library page

    items = list(read_warc(path))
    assert [label for label, _ in items] == [f"{path}#record-3", f"{path}#record-5"]
    assert isinstance(items[0][1], Article) and isinstance(items[1][1], CorruptInputError)


def test_warc_garbage_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(b"WARC/1.0\r\nthis is not a header\r\n\r\n" + bytes(range(256)))
    items = list(read_warc(path))
    assert len(items) == 1 and isinstance(items[0][1], (CorruptInputError, EmptyInputError))


def test_warc_without_html_pages_says_so(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    response(writer, "https://news.example.com/data.json", b'{"a": 1}', "application/json")
    path = tmp_path / "data.warc.gz"
    path.write_bytes(buffer.getvalue())
    [(label, item)] = list(read_warc(path))
    assert label == str(path) and isinstance(item, EmptyInputError)
    assert "no HTML pages with a 2xx status" in str(item)


def test_warc_whole_file_gzipped_as_one_member_is_read(tmp_path: Path) -> None:
    plain = build_warc(
        tmp_path / "plain.warc", False, [("https://news.example.com/ferry", story_page("ferry"))]
    )
    path = tmp_path / "one-member.warc.gz"
    path.write_bytes(gzip.compress(plain))  # not per-record gzip, as `gzip crawl.warc` makes it
    [(label, item)] = list(read_warc(path))
    assert label == f"{path}#record-3" and isinstance(item, Article)
