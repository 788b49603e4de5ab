"""Fetch an article over HTTP(S): timeouts, size cap, content-type check, no private targets.

Every hop of a redirect chain is resolved and checked before connecting, and the connection goes to
the checked address itself (with the original host name for TLS and the Host header), so a host
that resolves to a public address at check time cannot be swapped for a private one at connect time.

Whatever the server does (cut the body short, stall, trickle, send broken gzip, redirect to a malformed
URL), the caller gets a FetchError naming the URL, never a urllib3, http.client, socket or ssl exception,
and no fetch outlives its total deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from unspun.config import (
    FETCH_CONTENT_TYPES,
    FETCH_DEADLINE_S,
    FETCH_MAX_REDIRECTS,
    FETCH_MAX_URL_CHARS,
    FETCH_TIMEOUT_S,
    MAX_HTML_BYTES,
    USER_AGENT,
)
from unspun.errors import FetchError, InputTooLargeError, PrivateAddressError

Resolver = Callable[[str, int], list[str]]

# What the connect and read path can raise: urllib3's own errors (DecodeError, ProtocolError,
# ReadTimeoutError, LocationParseError, ...), http.client's (IncompleteRead, BadStatusLine, LineTooLong,
# InvalidURL) and OSError, which covers socket timeouts, resets and ssl.SSLError.
_NETWORK_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
_REDIRECTS = (301, 302, 303, 307, 308)
# Printable ASCII goes into the request line as it is; anything else (spaces, non-ASCII letters of an IRI or
# of a Location header sent as raw bytes) is percent-encoded as UTF-8, as browsers do.
_TARGET_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


def is_http_url(text: str) -> bool:
    """Whether text is one http(s) URL with a host (no spaces or control characters; a malformed one is not)."""
    if not text or any(c.isspace() or not c.isprintable() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed IPv6 host, say
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def shown_url(url: str) -> str:
    """A URL as messages show it: a hostile one may be 100 kB long."""
    return url if len(url) <= 200 else url[:200] + "..."


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host[:200]!r}: {exc.strerror}") from exc
    except ValueError as exc:  # UnicodeError from IDNA: an empty label ("a..b") or one over 63 characters
        raise FetchError(f"{host[:200]!r} is not a valid host name") from exc
    return sorted({str(info[4][0]) for info in infos})


# IPv6 ranges that carry an IPv4 address in their low 32 bits and reach it through a gateway: NAT64's
# well-known prefix and the deprecated IPv4-compatible form (6to4 and mapped addresses have properties).
_IPV4_EMBEDDING = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    elif isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.sixtofour
        if embedded is None and any(ip in net for net in _IPV4_EMBEDDING):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def fetch_url(
    url: str,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_HTML_BYTES,
    resolver: Resolver = resolve_host,
    *,
    content_types: tuple[str, ...] = FETCH_CONTENT_TYPES,
    user_agent: str = USER_AGENT,
    deadline: float = FETCH_DEADLINE_S,
) -> tuple[str, bytes, str]:
    """Return (final URL, body bytes, content type) of a page, following redirects safely.

    timeout bounds each wait for the server (connecting, or any one read); deadline bounds the whole fetch,
    redirects and body included. content_types lists what may come back (HTML and text pages unless a feed
    reader asks for more). Every failure is a FetchError (or InputTooLargeError) whose message starts with url.
    """
    shown = shown_url(url)
    clock = _Deadline(deadline, shown)
    current = url
    for _ in range(FETCH_MAX_REDIRECTS + 1):
        hop = _plan_hop(url, current, allow_private, resolver, user_agent, content_types)
        try:
            location, body, content_type = _exchange(hop, clock, timeout, max_bytes, content_types)
        except _NETWORK_ERRORS as exc:
            clock.check()
            raise FetchError(f"{shown}: {_describe(exc, min(timeout, deadline))}") from exc
        clock.check()  # a watchdog that fired may have cut the body short without an error
        if location is None:
            return current, body, content_type
        try:
            current = urljoin(current, location)
        except ValueError as exc:  # a malformed IPv6 host in Location: "http://[::1/x"
            raise FetchError(f"{shown}: the server redirected to a malformed URL ({location[:200]!r})") from exc
    raise FetchError(f"{shown}: more than {FETCH_MAX_REDIRECTS} redirects")


@dataclass(frozen=True)
class _Hop:
    """One request of a redirect chain, checked and ready to send."""

    url: str  # the URL the user gave, for messages
    scheme: str
    host: str  # ASCII (IDNA) host name, for TLS
    port: int
    addresses: list[str]
    target: str  # path and query, percent-encoded
    headers: dict[str, str]


def _plan_hop(
    url: str,
    current: str,
    allow_private: bool,
    resolver: Resolver,
    user_agent: str,
    content_types: tuple[str, ...],
) -> _Hop:
    shown = shown_url(url)
    where = f"{shown}: " if current == url else f"{shown}: the server redirected to {shown_url(current)!r}, "
    if len(current) > FETCH_MAX_URL_CHARS:
        raise FetchError(f"{where}the URL is {len(current):,} characters long, over the {FETCH_MAX_URL_CHARS:,} "
                         "that servers are asked to accept")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in current):
        raise FetchError(f"{where}not a valid URL (it holds control characters)")
    try:
        parts = urlsplit(current)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except ValueError as exc:  # a port out of range, a malformed IPv6 host, a host IDNA refuses
        raise FetchError(f"{where}not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(f"{where}only http:// and https:// URLs can be fetched")
    try:
        addresses = resolver(ascii_host, port)
    except FetchError as exc:  # resolve_host's message names the host, not the URL
        raise FetchError(f"{where}{exc}") from exc
    if not allow_private:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise PrivateAddressError(
                f"{where}{host} resolves to a private, loopback or link-local address "
                f"({blocked[0]}); pass --allow-private to fetch it anyway"
            )
    target = quote(parts.path or "/", safe=_TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_TARGET_SAFE)
    authority = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    host_header = f"{authority}:{parts.port}" if parts.port else authority
    headers = {"Host": host_header, "User-Agent": user_agent, "Accept": ",".join(content_types)}
    return _Hop(url, parts.scheme, ascii_host, port, addresses, target, headers)


def _exchange(
    hop: _Hop, clock: _Deadline, timeout: float, max_bytes: int, content_types: tuple[str, ...]
) -> tuple[str | None, bytes, str]:
    """One request: (Location, b"", "") for a redirect, else (None, body, content type)."""
    shown = shown_url(hop.url)
    with _connect(hop, clock, timeout) as conn:
        conn.request("GET", hop.target, headers=hop.headers, preload_content=False)
        response = conn.getresponse()
        try:
            location = response.headers.get("Location")
            if response.status in _REDIRECTS and location:
                return location, b"", ""
            if response.status >= 400:
                raise FetchError(f"{shown}: the server answered HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type and content_type not in content_types:
                raise FetchError(f"{shown}: content type {content_type[:100]!r} is not {_kind(content_types)}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputTooLargeError(f"{shown}: the page is over the {_size(max_bytes)} limit")
            body = response.read(max_bytes + 1, decode_content=True)
            if len(body) > max_bytes:
                raise InputTooLargeError(f"{shown}: the page is over the {_size(max_bytes)} limit")
            return None, body, content_type or "text/html"
        finally:
            response.close()


@contextlib.contextmanager
def _connect(hop: _Hop, clock: _Deadline, timeout: float) -> Iterator[HTTPConnection]:
    """A connection to the first of hop's addresses that answers, watched by the deadline, closed after."""
    last_error: Exception | None = None
    for address in hop.addresses:
        clock.check()
        wait = max(min(timeout, clock.left()), 0.01)
        conn: HTTPConnection
        if hop.scheme == "https":
            conn = HTTPSConnection(address, hop.port, timeout=wait, server_hostname=hop.host, assert_hostname=hop.host)
        else:
            conn = HTTPConnection(address, hop.port, timeout=wait)
        try:
            with clock.watching():
                try:
                    conn.connect()
                except _NETWORK_ERRORS as exc:
                    last_error = exc
                    continue
                clock.sock = conn.sock
                clock.check()
                yield conn
                return
        finally:
            conn.close()
    clock.check()
    raise FetchError(f"{shown_url(hop.url)}: could not connect ({_reason(last_error)})")


class _Deadline:
    """The time one URL's fetch may take in all. When it passes, the open connection's socket is shut down,
    so a read blocked on a server that trickles a byte every few seconds returns at once.

    The socket is set once connected (http.client drops it from the connection when a response says
    "Connection: close", so it is kept here). A TLS handshake is bounded by the per-read timeout only.
    """

    def __init__(self, seconds: float, shown: str) -> None:
        self.seconds = seconds
        self.shown = shown
        self.expired = False
        self.sock: socket.socket | None = None
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()

    def check(self) -> None:
        if self.expired or self.left() <= 0:
            raise FetchError(
                f"{self.shown}: gave up after {self.seconds:g} s without the whole page (the server is too "
                "slow; --fetch-timeout sets how long to wait)"
            )

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        timer = threading.Timer(max(self.left(), 0.0), self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            self.sock = None

    def _expire(self) -> None:
        self.expired = True
        sock = self.sock
        if sock is not None:
            # socket.socket's own shutdown, not SSLSocket's, which would also drop the TLS state under the
            # reading thread; a socket closed meanwhile has no descriptor left and raises OSError.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _describe(exc: BaseException, timeout: float) -> str:
    """What went wrong on the wire, in words, from the exception urllib3 or the socket raised."""
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return "the page's compressed body (Content-Encoding) is corrupt and cannot be decoded"
    if isinstance(exc, (urllib3.exceptions.TimeoutError, TimeoutError)):
        return f"the server stopped sending for {timeout:g} s"
    cause = exc.args[1] if isinstance(exc, urllib3.exceptions.ProtocolError) and len(exc.args) > 1 else exc
    if isinstance(cause, (urllib3.exceptions.SSLError, ssl.SSLError)):
        return f"the TLS connection failed ({_reason(cause)})"
    if isinstance(cause, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(cause, (http.client.BadStatusLine, http.client.LineTooLong)):
        return f"the server did not answer in HTTP ({_reason(cause)})"
    if isinstance(cause, http.client.IncompleteRead):  # urllib3's InvalidChunkLength too
        return "the server cut the page short (it closed the connection early or broke the chunked encoding)"
    if isinstance(cause, ConnectionResetError):
        return "the server reset the connection"
    return f"the connection failed ({_reason(exc)})"


def _kind(content_types: tuple[str, ...]) -> str:
    if set(content_types) <= set(FETCH_CONTENT_TYPES):
        return "an HTML or text page"
    return "an HTML or text page, a feed or a sitemap"


def _reason(exc: BaseException | None) -> str:
    if exc is None:
        return "no address"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, urllib3.exceptions.SSLError) and exc.args and isinstance(exc.args[0], BaseException):
        return _reason(exc.args[0])
    reason = getattr(exc, "reason", None)
    text = str(reason or exc).split(": ", 1)[-1][:200]
    # What a hostile server sent may end up here (a bad status line): one line, no control characters.
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit / 1000:g} kB"
