"""A loopback HTTP server that misbehaves on purpose, written on raw sockets so it can break the protocol.

Each path names one misbehaviour (a body shorter than its Content-Length, a stall, a trickle, a broken
gzip body, a redirect to a malformed URL, ...); /good answers a real news page. The server only ever
listens on 127.0.0.1, and every connection is closed when the test ends.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tests.conftest import STORIES, news_page

GOOD_PAGE = news_page(*STORIES["ferry"]).encode()
TRICKLE_INTERVAL_S = 0.2  # under any read timeout a test sets, so only a total deadline can end the fetch


def head(status: str = "200 OK", *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


HTML = "Content-Type: text/html; charset=utf-8"


@dataclass
class HostileServer:
    """Raw-socket HTTP server on 127.0.0.1; `url(path)` for each misbehaviour, `requests` logs the paths."""

    port: int = 0
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    scheme: str = "http"

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def answer(self, conn: socket.socket, path: str) -> None:
        routes: dict[str, Callable[[socket.socket], None]] = {
            "/good": lambda c: c.sendall(head("200 OK", HTML, f"Content-Length: {len(GOOD_PAGE)}") + GOOD_PAGE),
            "/short": lambda c: c.sendall(head("200 OK", HTML, "Content-Length: 5000") + GOOD_PAGE[:100]),
            "/stall": self._stall,
            "/stall-headers": self._stall_headers,
            "/trickle": self._trickle,
            "/trickle-headers": self._trickle_headers,
            "/gzip": lambda c: c.sendall(
                head("200 OK", HTML, "Content-Encoding: gzip", "Content-Length: 40")
                + b"\x1f\x8b\x08\x00" + b"\xff" * 36
            ),
            "/reset": self._reset,
            # The second chunk's size line is "broken", not hexadecimal.
            "/chunked": lambda c: c.sendall(
                head("200 OK", HTML, "Transfer-Encoding: chunked") + b"10\r\n<html><body>\r\nzz\r\nbroken\r\n"
            ),
            "/chunked-cut": lambda c: c.sendall(
                head("200 OK", HTML, "Transfer-Encoding: chunked") + b"400\r\n<html><body>"
            ),
            "/garbage": lambda c: c.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
            "/hangup": lambda c: None,
            "/redirect-ipv6": self._redirect("http://[::1/x"),
            "/redirect-ipv6-zz": self._redirect("http://[zz::1]/"),
            "/redirect-bad-port": self._redirect("http://127.0.0.1:99999/x"),
            # A Location header of raw bytes that are not ASCII (nor UTF-8): http.client reads them as Latin-1.
            "/redirect-nonascii": lambda c: c.sendall(
                head("302 Found", "Content-Length: 0")[:-2] + b"Location: /caf\xe9-\xff\xfe\r\n\r\n"
            ),
            "/redirect-bad-host": self._redirect("http://a..b/x"),
            "/redirect-long-host": self._redirect("http://" + "a" * 70 + ".example/x"),
            "/caf%C3%A9-%C3%BF%C3%BE": lambda c: c.sendall(
                head("200 OK", HTML, f"Content-Length: {len(GOOD_PAGE)}") + GOOD_PAGE
            ),
            "/slow-redirect": self._slow_redirect,
            "/continue-flood": self._continue_flood,
            # A host name in Latin-1 bytes: "café.test", which IDNA writes as xn--caf-dma.test.
            "/redirect-idn": lambda c: c.sendall(
                head("302 Found", "Content-Length: 0")[:-2]
                + f"Location: http://caf\xe9.test:{self.port}/good\r\n\r\n".encode("latin-1")
            ),
            "/robots.txt": lambda c: c.sendall(head("404 Not Found", "Content-Length: 0")),
        }
        route = routes.get(path.split("?")[0])
        if route is None:
            conn.sendall(head("404 Not Found", "Content-Length: 0"))
        else:
            route(conn)

    def _redirect(self, location: str) -> Callable[[socket.socket], None]:
        return lambda c: c.sendall(head("302 Found", f"Location: {location}", "Content-Length: 0"))

    def _stall(self, conn: socket.socket) -> None:
        conn.sendall(head("200 OK", HTML, "Content-Length: 5000") + GOOD_PAGE[:100])
        self.stop.wait(30)

    def _stall_headers(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        self.stop.wait(30)

    def _slow_redirect(self, conn: socket.socket) -> None:
        self.stop.wait(0.4)
        self._redirect("/slow-redirect")(conn)

    def _continue_flood(self, conn: socket.socket) -> None:
        # http.client skips "100 Continue" answers in a loop of its own, with no end but the server's.
        while not self.stop.wait(0.01):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _trickle(self, conn: socket.socket) -> None:
        conn.sendall(head("200 OK", HTML, "Content-Length: 100000") + b"<html><body><p>")
        while not self.stop.wait(TRICKLE_INTERVAL_S):
            conn.sendall(b"x")

    def _trickle_headers(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not self.stop.wait(TRICKLE_INTERVAL_S):
            conn.sendall(b"x")

    def _reset(self, conn: socket.socket) -> None:
        conn.sendall(head("200 OK", HTML, "Content-Length: 5000") + GOOD_PAGE[:100])
        time.sleep(0.05)
        # SO_LINGER with a zero timeout makes close() send RST: the client sees ConnectionResetError.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _read_path(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk or chunk.startswith(b"\x16"):  # a TLS ClientHello: answer in plain HTTP, as servers do
            break
        data += chunk
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    return parts[1].decode("latin-1") if len(parts) > 1 else ""


@contextlib.contextmanager
def hostile_server(tls: ssl.SSLContext | None = None) -> Iterator[HostileServer]:
    """Run a HostileServer for the length of a test; its stalls and trickles end when the test does.

    With tls, every connection is wrapped in TLS first (the URLs are then https://).
    """
    server = HostileServer(scheme="https" if tls is not None else "http")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    server.port = listener.getsockname()[1]

    def handle(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):  # ssl.SSLError too: a client that refuses the certificate
            conn.settimeout(30)
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            path = _read_path(conn)
            server.requests.append(path)
            server.answer(conn, path)
        conn.close()

    def serve() -> None:
        while not server.stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        thread.join(5)
        listener.close()
