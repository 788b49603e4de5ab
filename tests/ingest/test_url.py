"""Fetching URLs against a real loopback server; no packet ever leaves 127.0.0.1.

Private targets are refused before any connection is made, so the private addresses below are only
ever resolved (IP literals need no DNS; named hosts go through the `resolver` hook), never contacted.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from unspun.errors import FetchError, InputTooLargeError, PrivateAddressError
from unspun.ingest.url import Resolver, fetch_url, is_public_address

if TYPE_CHECKING:
    from tests.conftest import LoopbackServer


def resolver_for(table: dict[str, list[str]], calls: list[tuple[str, int]] | None = None) -> Resolver:
    """A resolver hook answering from a fixed table and recording each look-up."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append((host, port))
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("0.0.0.0", False),  # connects to this host on Linux
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::a00:5", False),  # NAT64 of 10.0.0.5
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
    ],
)
def test_url_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_url_loopback_refused_without_allow_private(http_server: LoopbackServer, host: str) -> None:
    with pytest.raises(PrivateAddressError, match="--allow-private"):
        fetch_url(http_server.url("/article", host=host))
    assert http_server.requests == []  # refused before connecting


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/news", "http://169.254.169.254/latest/meta-data/", "https://192.168.0.1:8443/"],
)
def test_url_private_literal_refused_without_allow_private(url: str) -> None:
    with pytest.raises(PrivateAddressError, match="pass --allow-private"):
        fetch_url(url, timeout=1)


@pytest.mark.parametrize(
    "addresses",
    [
        pytest.param(["10.0.0.5"], id="private"),
        pytest.param(["169.254.169.254"], id="metadata"),
        pytest.param(["93.184.216.34", "10.0.0.5"], id="one-of-several"),
        pytest.param(["64:ff9b::a9fe:a9fe"], id="nat64-metadata"),
    ],
)
def test_url_named_host_resolving_private_is_refused(addresses: list[str]) -> None:
    calls: list[tuple[str, int]] = []
    resolve = resolver_for({"evil.test": addresses}, calls)
    with pytest.raises(PrivateAddressError) as caught:
        fetch_url("http://evil.test/story", resolver=resolve, timeout=1)
    assert "evil.test resolves to a private" in str(caught.value)
    assert "--allow-private" in str(caught.value)
    assert calls == [("evil.test", 80)]


def test_url_allow_private_fetches_from_loopback(http_server: LoopbackServer) -> None:
    final, body, content_type = fetch_url(http_server.url("/article"), allow_private=True, timeout=5)
    assert final == http_server.url("/article")
    assert content_type == "text/html"
    assert b"<article>" in body and b"Helen Marsh" in body
    assert http_server.requests == [("/article", f"127.0.0.1:{http_server.port}")]


def test_url_plain_text_content_type(http_server: LoopbackServer) -> None:
    _, body, content_type = fetch_url(http_server.url("/plain"), allow_private=True, timeout=5)
    assert content_type == "text/plain"
    assert body.startswith(b"Riverside council")


def test_url_binary_content_type_is_refused(http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="'application/octet-stream' is not an HTML or text page"):
        fetch_url(http_server.url("/binary"), allow_private=True, timeout=5)


def test_url_body_over_max_bytes_is_refused(http_server: LoopbackServer) -> None:
    with pytest.raises(InputTooLargeError, match="is over the"):
        fetch_url(http_server.url("/big"), allow_private=True, timeout=5, max_bytes=64_000)
    _, body, _ = fetch_url(http_server.url("/big"), allow_private=True, timeout=5, max_bytes=300_000)
    assert len(body) == 200_007


def test_url_declared_length_over_the_limit_is_refused(http_server: LoopbackServer) -> None:
    with pytest.raises(InputTooLargeError, match="over the 10 MB limit"):
        fetch_url(http_server.url("/big-declared"), allow_private=True, timeout=5)


def test_url_http_404_is_a_fetch_error(http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404"):
        fetch_url(http_server.url("/no-such-story"), allow_private=True, timeout=5)


@pytest.mark.parametrize("path", ["/redirect", "/redirect-relative"])
def test_url_redirect_to_loopback_only_with_allow_private(http_server: LoopbackServer, path: str) -> None:
    final, body, _ = fetch_url(http_server.url(path), allow_private=True, timeout=5)
    assert final == http_server.url("/article")
    assert b"Helen Marsh" in body
    assert [p for p, _ in http_server.requests] == [path, "/article"]

    http_server.requests.clear()
    with pytest.raises(PrivateAddressError):
        fetch_url(http_server.url(path), timeout=5)
    assert http_server.requests == []


def test_url_every_redirect_hop_is_resolved_and_checked(http_server: LoopbackServer) -> None:
    # The server redirects to http://evil.test:<port>/article. Both hosts resolve to loopback here, so the
    # chain can be followed; what matters is that the second hop went through the resolver (and with it the
    # address check) and that the connection went to the checked address with the original Host header.
    calls: list[tuple[str, int]] = []
    resolve = resolver_for({"127.0.0.1": ["127.0.0.1"], "evil.test": ["127.0.0.1"]}, calls)
    final, body, _ = fetch_url(
        http_server.url("/redirect-named"), allow_private=True, resolver=resolve, timeout=5
    )
    port = http_server.port
    assert final == f"http://evil.test:{port}/article"
    assert b"Helen Marsh" in body
    assert calls == [("127.0.0.1", port), ("evil.test", port)]
    assert http_server.requests == [
        ("/redirect-named", f"127.0.0.1:{port}"),
        ("/article", f"evil.test:{port}"),
    ]


def test_url_redirect_hop_to_private_address_is_refused() -> None:
    # The same per-hop check, refusing: a hop whose host resolves to a private address fails before any
    # connection, whichever hop it is (fetch_url runs one resolve-check-connect step per hop).
    calls: list[tuple[str, int]] = []
    resolve = resolver_for({"evil.test": ["10.0.0.5"]}, calls)
    with pytest.raises(PrivateAddressError, match=r"10\.0\.0\.5"):
        fetch_url("http://evil.test:8080/article", resolver=resolve, timeout=1)
    assert calls == [("evil.test", 8080)]


def test_url_redirect_loop_stops(http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_url(http_server.url("/redirect-loop"), allow_private=True, timeout=5)
    assert len(http_server.requests) == 6


def test_url_redirect_to_other_scheme_is_refused(http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch_url(http_server.url("/redirect-ftp"), allow_private=True, timeout=5)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http:///nohost"])
def test_url_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch_url(url, allow_private=True, timeout=1)


def test_url_unreachable_port_fails_quickly(closed_port: int) -> None:
    started = time.perf_counter()
    with pytest.raises(FetchError, match="could not connect"):
        fetch_url(f"http://127.0.0.1:{closed_port}/article", allow_private=True, timeout=5)
    assert time.perf_counter() - started < 5
