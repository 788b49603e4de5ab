"""Fetch an article over HTTP(S): timeout, size cap, content-type check, no private targets.

Every hop of a redirect chain is resolved and checked before connecting, and the connection goes to
the checked address itself (with the original host name for TLS and the Host header), so a host
that resolves to a public address at check time cannot be swapped for a private one at connect time.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import urllib3

from unspun.config import (
    FETCH_CONTENT_TYPES,
    FETCH_MAX_REDIRECTS,
    FETCH_TIMEOUT_S,
    MAX_HTML_BYTES,
    USER_AGENT,
)
from unspun.errors import FetchError, InputTooLargeError, PrivateAddressError

Resolver = Callable[[str, int], list[str]]


def is_http_url(text: str) -> bool:
    """Whether text is one http(s) URL with a host (no spaces; a malformed one is not)."""
    if not text or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed IPv6 host, say
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}") from exc
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
) -> tuple[str, bytes, str]:
    """Return (final URL, body bytes, content type) of a page, following redirects safely.

    content_types lists what may come back (HTML and text pages unless a feed reader asks for more).
    """
    current = url
    for _ in range(FETCH_MAX_REDIRECTS + 1):
        response = _get_once(current, allow_private, timeout, resolver, content_types, user_agent)
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status >= 400:
                raise FetchError(f"{url}: the server answered HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type and content_type not in content_types:
                raise FetchError(f"{url}: content type {content_type!r} is not {_describe(content_types)}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputTooLargeError(f"{url}: the page is over the {_size(max_bytes)} limit")
            body = response.read(max_bytes + 1, decode_content=True)
            if len(body) > max_bytes:
                raise InputTooLargeError(f"{url}: the page is over the {_size(max_bytes)} limit")
            return current, body, content_type or "text/html"
        finally:
            response.release_conn()
    raise FetchError(f"{url}: more than {FETCH_MAX_REDIRECTS} redirects")


def _get_once(
    url: str,
    allow_private: bool,
    timeout: float,
    resolver: Resolver,
    content_types: tuple[str, ...],
    user_agent: str,
) -> urllib3.BaseHTTPResponse:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port out of range, a malformed IPv6 host
        raise FetchError(f"{url}: not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    addresses = resolver(parts.hostname, port)
    if not allow_private:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise PrivateAddressError(
                f"{url}: {parts.hostname} resolves to a private, loopback or link-local address "
                f"({blocked[0]}); pass --allow-private to fetch it anyway"
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"Host": parts.netloc, "User-Agent": user_agent, "Accept": ",".join(content_types)}
    last_error: Exception | None = None
    for address in addresses:
        pool = _pool_for(parts.scheme, address, port, parts.hostname, timeout)
        try:
            return pool.urlopen(
                "GET", path, headers=headers, redirect=False, retries=False, preload_content=False
            )
        except urllib3.exceptions.HTTPError as exc:
            last_error = exc
    raise FetchError(f"{url}: could not connect ({_reason(last_error)})")


def _pool_for(scheme: str, address: str, port: int, host: str, timeout: float) -> urllib3.HTTPConnectionPool:
    t = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port, timeout=t, server_hostname=host, assert_hostname=host, maxsize=1
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=t, maxsize=1)


def _describe(content_types: tuple[str, ...]) -> str:
    if set(content_types) <= set(FETCH_CONTENT_TYPES):
        return "an HTML or text page"
    return "an HTML or text page, a feed or a sitemap"


def _reason(exc: Exception | None) -> str:
    if exc is None:
        return "no address"
    reason = getattr(exc, "reason", None)
    return str(reason or exc).split(": ", 1)[-1][:200]


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit / 1000:g} kB"
