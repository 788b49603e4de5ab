"""Files of URLs: a .urls file, or a .txt of nothing but URLs, each line fetched as an article."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import STORIES, news_page
from unspun.errors import EmptyInputError, FetchError, RobotsDisallowedError
from unspun.ingest.crawler import FetchOptions
from unspun.ingest.sources import read_inputs
from unspun.ingest.urllist import is_url_list
from unspun.records import Article

if TYPE_CHECKING:
    from tests.conftest import FakeClock, SiteServer


def test_urllist_urls_file_labels_each_line(
    site_server: SiteServer, fake_clock: FakeClock, tmp_path: Path
) -> None:
    ferry = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    library = site_server.page("/news/library", news_page(*STORIES["library"]))
    site_server.page("/robots.txt", "User-agent: *\nDisallow: /drafts/\n", "text/plain")
    draft = site_server.url("/drafts/orchard")
    path = tmp_path / "reading.urls"
    path.write_text(f"# today's reading\n{ferry}\n\n  {library}  \nnot a url\n{draft}\n", encoding="utf-8")

    opts = FetchOptions(sleep=fake_clock.sleep, clock=fake_clock.monotonic)
    items = list(read_inputs(str(path), allow_private=True, options=opts))

    assert [label for label, _ in items] == [f"{path}:2", f"{path}:4", f"{path}:5", f"{path}:6"]
    first, second, bad, disallowed = (item for _, item in items)
    assert isinstance(first, Article) and first.url == ferry and first.source == f"{path}:2"
    assert isinstance(second, Article) and second.title == STORIES["library"][0]
    assert (
        isinstance(bad, FetchError) and str(bad) == f"{path}:5: 'not a url' is not an http:// or https:// URL"
    )
    assert isinstance(disallowed, RobotsDisallowedError)
    assert site_server.paths() == ["/robots.txt", "/news/ferry", "/news/library"]
    assert fake_clock.sleeps == [1.0, 1.0]


def test_urllist_txt_of_only_urls_is_a_url_list(
    site_server: SiteServer, fake_clock: FakeClock, tmp_path: Path
) -> None:
    ferry = site_server.page("/news/ferry", news_page(*STORIES["ferry"]))
    path = tmp_path / "links.txt"
    path.write_text(f"{ferry}\n", encoding="utf-8")
    opts = FetchOptions(sleep=fake_clock.sleep, clock=fake_clock.monotonic)
    [(label, item)] = list(read_inputs(str(path), allow_private=True, options=opts))
    assert label == f"{path}:1" and isinstance(item, Article) and item.url == ferry


@pytest.mark.parametrize(
    ("text", "is_list"),
    [
        ("https://a.example/1\nhttp://b.example/2\n", True),
        ("# saved\n\nhttps://a.example/1\n", True),
        ("Read this: https://a.example/1\n", False),
        ("https://a.example/1\nThe council said on Tuesday...\n", False),
        ("# only a comment\n\n", False),
        ("ftp://a.example/file\n", False),
        ("http://[::1\n", False),
    ],
)
def test_urllist_is_url_list(text: str, is_list: bool) -> None:
    assert is_url_list(text) is is_list


def test_urllist_empty_urls_file(tmp_path: Path) -> None:
    path = tmp_path / "none.urls"
    path.write_text("# nothing yet\n", encoding="utf-8")
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path) and isinstance(item, EmptyInputError) and "no URLs in this file" in str(item)
