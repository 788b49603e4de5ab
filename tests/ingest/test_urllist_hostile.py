"""URL lists with bad lines and hostile servers: each bad line is one error under file:line, the rest is fetched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.hostile_server import HostileServer, hostile_server
from unspun.errors import BinaryInputError, FetchError, InputError, UnspunError
from unspun.ingest.crawler import Crawler, FetchOptions
from unspun.ingest.sources import read_inputs
from unspun.ingest.urllist import read_url_file
from unspun.records import Article

# No pause between requests and no robots.txt, so a test takes only as long as its slowest server.
FAST = FetchOptions(delay_s=0, obey_robots=False, timeout_s=0.5, deadline_s=1.0)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def read(data: bytes, source: str = "list.urls") -> list[tuple[str, Article | UnspunError]]:
    return list(read_url_file(data, source, Crawler(FAST, allow_private=True)))


def test_urllist_line_not_utf8_is_reported_and_skipped(hostile: HostileServer) -> None:
    good = hostile.url("/good").encode()
    data = good + b"\n" + hostile.url("/caf").encode() + b"\xe9\xff\xfe\x81\n" + good + b"?again\n"
    (first, a), (second, b), (third, c) = read(data)
    assert (first, second, third) == ("list.urls:1", "list.urls:2", "list.urls:3")
    assert isinstance(a, Article) and isinstance(c, Article)
    assert isinstance(b, InputError) and not isinstance(b, FetchError)
    first_bad = len(hostile.url("/caf")) + 1
    assert str(b).startswith(f"list.urls:2: this line is not UTF-8 text (byte {first_bad} of b'http://127.0.0.1:")
    assert str(b).endswith("save the list as UTF-8")
    assert hostile.requests == ["/good", "/good?again"]


def test_urllist_line_with_a_nul_byte_is_reported_and_skipped(hostile: HostileServer) -> None:
    nul_url = hostile.url("/a\x00b")
    (_, good), (label, bad) = read(f"{hostile.url('/good')}\n{nul_url}\n".encode())
    assert isinstance(good, Article)
    assert label == "list.urls:2" and isinstance(bad, FetchError)
    assert str(bad) == f"list.urls:2: {nul_url!r} is not an http:// or https:// URL"
    assert hostile.requests == ["/good"]


def test_urllist_line_of_100_kb_is_refused_in_one_short_line(hostile: HostileServer) -> None:
    long_url = hostile.url("/" + "a" * 100_000)
    (_, bad), (_, good) = read(f"{long_url}\n{hostile.url('/good')}\n".encode())
    assert isinstance(good, Article)
    assert isinstance(bad, FetchError) and "characters long, over the 8,000" in str(bad)
    assert len(str(bad)) < 400
    assert hostile.requests == ["/good"]


@pytest.mark.parametrize("line", ["http://[::1/x", "http://[zz::1]/", "http://[::1]:99999/"])
def test_urllist_malformed_ipv6_host_is_reported_and_skipped(hostile: HostileServer, line: str) -> None:
    (_, bad), (_, good) = read(f"{line}\n{hostile.url('/good')}\n".encode())
    assert isinstance(good, Article)
    assert isinstance(bad, FetchError) and str(bad).startswith(("list.urls:1: ", line)), str(bad)
    assert hostile.requests == ["/good"]


def test_urllist_bom_and_crlf_are_read(hostile: HostileServer) -> None:
    data = b"\xef\xbb\xbf# reading\r\n" + hostile.url("/good").encode() + b"\r\n"
    [(label, item)] = read(data)
    assert label == "list.urls:2" and isinstance(item, Article)


def test_urllist_binary_file_is_refused_once(png_bytes: bytes) -> None:
    [(label, item)] = read(png_bytes * 3)
    assert label == "list.urls" and isinstance(item, BinaryInputError)


def test_urllist_list_in_a_legacy_encoding_is_decoded_whole(hostile: HostileServer) -> None:
    # No line is UTF-8, so nothing is lost by reading the file as any text file is read (Windows-1252 here).
    data = (hostile.url("/good") + "?q=café\n").encode("cp1252")
    [(label, item)] = read(data)
    assert label == "list.urls:1" and isinstance(item, Article)
    assert hostile.requests == ["/good?q=caf%C3%A9"]


def test_urllist_hostile_servers_cost_only_their_own_lines(hostile: HostileServer, tmp_path: Path) -> None:
    bad = ["/short", "/stall", "/gzip", "/reset", "/redirect-ipv6", "/redirect-ipv6-zz", "/trickle"]
    path = tmp_path / "reading.urls"
    path.write_text("\n".join([hostile.url("/good"), *(hostile.url(p) for p in bad)]) + "\n", encoding="utf-8")
    items = list(read_inputs(str(path), allow_private=True, options=FAST))
    assert [label for label, _ in items] == [f"{path}:{n}" for n in range(1, len(bad) + 2)]
    assert isinstance(items[0][1], Article)
    for (_, error), route in zip(items[1:], bad, strict=True):
        assert isinstance(error, FetchError), route
        assert str(error).startswith(hostile.url(route) + ": "), str(error)
    assert sorted(hostile.requests) == sorted(["/good", *bad])


# read_inputs hands a .urls file's bytes to read_url_file, so a NUL byte or a line of invalid UTF-8 costs only
# that line, even in a mostly non-ASCII file.
@pytest.mark.parametrize(
    "bad_line",
    [b"http://127.0.0.1/a\x00b", b"http://127.0.0.1/" + bytes(range(0x80, 0x100)) * 4],
    ids=["nul", "invalid-utf8"],
)
def test_urllist_bad_line_in_a_urls_file_keeps_the_good_ones(
    hostile: HostileServer, tmp_path: Path, bad_line: bytes
) -> None:
    path = tmp_path / "reading.urls"
    path.write_bytes(hostile.url("/good").encode() + b"\n" + bad_line + b"\n")
    (_, good), (label, bad) = list(read_inputs(str(path), allow_private=True, options=FAST))
    assert isinstance(good, Article)
    assert label == f"{path}:2" and isinstance(bad, InputError | FetchError)
