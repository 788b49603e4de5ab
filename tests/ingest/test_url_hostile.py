"""fetch_url against servers that misbehave: every failure is one FetchError naming the URL, and quickly.

The servers (tests/ingest/hostile_server.py) speak raw sockets on 127.0.0.1 so they can break HTTP itself:
a body shorter than its Content-Length, a stall, a trickle, broken gzip, a malformed redirect.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.hostile_server import HostileServer, hostile_server
from unspun.errors import FetchError
from unspun.ingest.url import fetch_url, is_http_url, resolve_host


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def fetch_error(url: str, **kwargs: float) -> tuple[FetchError, float]:
    """The FetchError fetching url raises, and the seconds it took."""
    started = time.perf_counter()
    with pytest.raises(FetchError) as caught:
        fetch_url(url, allow_private=True, **kwargs)  # type: ignore[arg-type]
    return caught.value, time.perf_counter() - started


def assert_one_line_naming(error: FetchError, url: str, words: str) -> None:
    message = str(error)
    assert message.startswith(f"{url}: "), message
    assert words in message, message
    assert "\n" not in message and "\r" not in message
    assert len(message) < 400


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/short", "cut the page short"),  # urllib3 ProtocolError(IncompleteRead)
        ("/stall", "stopped sending for 0.5 s"),  # urllib3 ReadTimeoutError, mid-body
        ("/stall-headers", "stopped sending for 0.5 s"),
        ("/gzip", "compressed body (Content-Encoding) is corrupt"),  # urllib3 DecodeError
        ("/reset", "reset the connection"),  # ConnectionResetError mid-body
        ("/chunked", "broke the chunked encoding"),  # a chunk size line that is not hexadecimal
        ("/chunked-cut", "cut the page short"),
        ("/garbage", "did not answer in HTTP (SSH-2.0-OpenSSH_9.6)"),
        ("/hangup", "closed the connection without answering"),
        ("/redirect-ipv6", "redirected to a malformed URL ('http://[::1/x')"),  # ValueError in urljoin
        ("/redirect-ipv6-zz", "redirected to a malformed URL ('http://[zz::1]/')"),
        ("/redirect-bad-port", "redirected to 'http://127.0.0.1:99999/x', not a valid URL"),
        ("/redirect-bad-host", "'a..b' is not a valid host name"),  # UnicodeError from IDNA
        ("/redirect-long-host", "is not a valid host name"),
    ],
)
def test_url_hostile_server_is_one_fetch_error(hostile: HostileServer, path: str, words: str) -> None:
    url = hostile.url(path)
    error, seconds = fetch_error(url, timeout=0.5, deadline=2.0)
    assert_one_line_naming(error, url, words)
    assert seconds < 1.5


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers", "/continue-flood"])
def test_url_trickle_stops_at_the_total_deadline(hostile: HostileServer, path: str) -> None:
    # A byte every 0.2 s (or a "100 Continue" every 10 ms) never trips the 1 s read timeout: only the total
    # deadline ends the fetch.
    url = hostile.url(path)
    error, seconds = fetch_error(url, timeout=1.0, deadline=1.0)
    assert_one_line_naming(error, url, "gave up after 1 s without the whole page")
    assert "--fetch-timeout" in str(error)
    assert 0.9 < seconds < 2.0


def test_url_deadline_covers_the_whole_redirect_chain(hostile: HostileServer) -> None:
    # Each hop answers in 0.4 s, well within the read timeout; five of them overrun a 1 s deadline.
    url = hostile.url("/slow-redirect")
    error, seconds = fetch_error(url, timeout=5.0, deadline=1.0)
    assert_one_line_naming(error, url, "gave up after 1 s")
    assert seconds < 2.0
    assert 2 <= len(hostile.requests) <= 4


def test_url_location_with_raw_non_ascii_bytes_is_percent_encoded(hostile: HostileServer) -> None:
    final, body, _ = fetch_url(hostile.url("/redirect-nonascii"), allow_private=True, timeout=2)
    assert b"Island ferry" in body
    assert final == hostile.url("/caf\xe9-\xff\xfe")
    assert hostile.requests == ["/redirect-nonascii", "/caf%C3%A9-%C3%BF%C3%BE"]


def test_url_location_with_a_non_ascii_host_is_sent_in_idna(hostile: HostileServer) -> None:
    calls: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["127.0.0.1"]

    final, body, _ = fetch_url(hostile.url("/redirect-idn"), allow_private=True, timeout=2, resolver=resolve)
    assert final == f"http://caf\xe9.test:{hostile.port}/good" and b"Island ferry" in body
    assert calls == [("127.0.0.1", hostile.port), ("xn--caf-dma.test", hostile.port)]


def test_url_too_long_is_refused_before_connecting(hostile: HostileServer) -> None:
    url = hostile.url("/" + "a" * 100_000)
    error, _ = fetch_error(url, timeout=1)
    message = str(error)
    assert message.startswith(f"{url[:200]}...: the URL is {len(url):,} characters long, over the 8,000"), message
    assert len(message) < 400
    assert hostile.requests == []


def test_url_control_characters_are_refused_before_connecting(hostile: HostileServer) -> None:
    url = hostile.url("/a\x00b")
    error, _ = fetch_error(url, timeout=1)
    assert str(error) == f"{url}: not a valid URL (it holds control characters)"
    assert hostile.requests == []


@pytest.mark.parametrize("text", ["http://127.0.0.1/a\x00b", "http://127.0.0.1/\x1b[2J", "http://[::1/x"])
def test_url_is_http_url_refuses_control_characters_and_bad_hosts(text: str) -> None:
    assert not is_http_url(text)


@pytest.mark.parametrize("host", ["a..b", "a" * 64 + ".example", ""])
def test_url_resolve_host_refuses_an_invalid_name_in_one_line(host: str) -> None:
    with pytest.raises(FetchError, match="is not a valid host name|cannot resolve host"):
        resolve_host(host, 80)


def test_url_tls_to_a_plain_http_server_is_a_fetch_error(hostile: HostileServer) -> None:
    url = hostile.url("/good").replace("http://", "https://")
    error, _ = fetch_error(url, timeout=2)
    assert_one_line_naming(error, url, "could not connect (TLS failed")


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (made by openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_url_untrusted_certificate_is_a_fetch_error(self_signed: ssl.SSLContext) -> None:
    with hostile_server(tls=self_signed) as server:
        url = server.url("/good")
        error, _ = fetch_error(url, timeout=2)
    assert_one_line_naming(error, url, "could not connect (TLS certificate not trusted: self-signed certificate)")
