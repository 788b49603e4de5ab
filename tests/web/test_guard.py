"""What guards every request and what an error looks like: the token, the Host check, same-origin posts, the
body limit; 404, 422 and 503 pages, and never a stack trace."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.conftest import LOOPBACK_BASE, fill_store
from tests.render.test_html import parse
from unspun.records import Analysis, Article
from unspun.web.app import Settings, create_app

TOKEN = "a-long-enough-test-token-1234"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory, demo_entries: list[tuple[Article, Analysis | None]]) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('guard') / 'demo.db'}"
    fill_store(url, demo_entries[:3])
    return url


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=store_url, warm=False)), base_url=LOOPBACK_BASE) as test_client:
        yield test_client


@pytest.fixture
def guarded(store_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(db=store_url, token=TOKEN, hosts=None, warm=False))
    with TestClient(app, base_url="http://unspun.newsroom.example", follow_redirects=False) as test_client:
        yield test_client


def test_guard_token_is_checked_on_every_request(guarded: TestClient) -> None:
    assert guarded.get("/api/home").status_code == 401
    assert guarded.get("/api/home", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/api/home", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    page = guarded.get("/stories?order=latest")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fstories%3Forder%3Dlatest"
    assert guarded.get("/static/unspun.css").status_code == 200  # the login page needs its style


def test_guard_login_sets_a_strict_cookie_and_refuses_a_wrong_token(guarded: TestClient) -> None:
    wrong = guarded.post("/login", data={"token": "nope", "next": "/stories"})
    assert wrong.status_code == 401 and "not the server" in wrong.text
    right = guarded.post("/login", data={"token": TOKEN, "next": "https://evil.example/"})
    assert right.status_code == 303 and right.headers["location"] == "/"  # never sent elsewhere
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert guarded.get("/stories").status_code == 200  # the client keeps the cookie
    assert guarded.post("/logout").status_code == 303


def test_guard_loopback_server_answers_only_loopback_names(store_url: str) -> None:
    app = create_app(Settings(db=store_url, warm=False))
    for base, status in (("http://127.0.0.1:8000", 200), ("http://localhost:8000", 200), ("http://[::1]:8000", 200),
                         ("http://attacker.example", 400), ("http://127.0.0.1.nip.io:8000", 400)):
        with TestClient(app, base_url=base) as client:
            assert client.get("/api/home").status_code == status, base


def test_guard_refuses_posts_from_other_origins(client: TestClient) -> None:
    form = {"text": "The mayor said the road would open in May."}
    assert client.post("/analyze", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/analyze", data=form, headers={"Origin": "null"}).status_code == 403
    assert client.post("/analyze", data=form, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/analyze", data=form, headers={"Origin": LOOPBACK_BASE}).status_code == 200


def test_guard_limits_request_bodies(store_url: str) -> None:
    app = create_app(Settings(db=store_url, warm=False, max_body=10_000))
    with TestClient(app, base_url=LOOPBACK_BASE) as client:
        big = client.post("/api/analyze", json={"text": "word " * 5000})
        assert big.status_code == 413 and "limit" in big.json()["error"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            yield b'{"text": "'
            for _ in range(50):
                yield b"word " * 100
            yield b'"}'

        streamed = client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/articles/no-such-article", 404, "no article"),
    ("/api/articles/no-such-article", 404, "no article"),
    ("/stories/story:none", 404, "no story"),
    ("/no/such/page", 404, "no such page"),
    ("/search?since=2026-13", 422, "since"),
    ("/search?role=villain", 422, "role"),
    ("/api/quotes?type=secret", 422, "type"),
    ("/api/quotes?limit=0", 422, "limit"),
    ("/api/quotes?after=not-a-cursor", 422, "cursor"),
    ("/api/search?q=x&after=WzEsMl0", 422, "cursor"),  # a cursor of another list ([1, 2])
    ("/narratives?week=2026-W60", 422, "iso week"),
    ("/stories?order=random", 422, "order"),
])
def test_guard_bad_requests_get_a_clear_page(client: TestClient, url: str, status: int, words: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()["error"] if url.startswith("/api") else \
        "".join(d for d, _ in parse(response.text).texts)
    assert words in body.lower()
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_guard_unexpected_failure_shows_no_trace(store_url: str) -> None:
    app = create_app(Settings(db=store_url, warm=False))

    def broken() -> None:
        raise RuntimeError("secret internals at /srv/unspun/app.py line 12")

    app.add_api_route("/api/broken", broken)
    app.add_api_route("/broken", broken)
    with TestClient(app, base_url=LOOPBACK_BASE, raise_server_exceptions=False) as client:
        for url in ("/api/broken", "/broken"):
            response = client.get(url)
            assert response.status_code == 500
            assert "secret internals" not in response.text and "Traceback" not in response.text
            shown = response.json()["error"] if url.startswith("/api") else "".join(d for d, _ in parse(response.text).texts)
            assert "server's log" in shown


def test_guard_database_gone_is_a_503(postgres_url: str, demo_entries: list[tuple[Article, Analysis | None]]) -> None:
    name = f"g_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    fill_store(url, demo_entries[:2])
    with TestClient(create_app(Settings(db=url, warm=False)), base_url=LOOPBACK_BASE) as client:
        assert client.get("/api/home").status_code == 200
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        for url_ in ("/api/search?q=visit", "/search?q=minister", "/articles/origin-ministry", "/stories", "/quotes"):
            response = client.get(url_)
            assert response.status_code == 503, url_
            assert name in response.text and "Traceback" not in response.text


def test_guard_sqlite_file_gone_is_a_503(tmp_path: Path, demo_entries: list[tuple[Article, Analysis | None]]) -> None:
    path = tmp_path / "gone.db"
    fill_store(f"sqlite:///{path}", demo_entries[:2])
    with TestClient(create_app(Settings(db=f"sqlite:///{path}", warm=False)), base_url=LOOPBACK_BASE) as client:
        assert client.get("/api/home").status_code == 200
        client.app.state.store.engine.dispose()  # type: ignore[attr-defined]
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"gone.db{suffix}").unlink(missing_ok=True)
        tmp_path.chmod(0o500)  # nor can it be made again
        try:
            response = client.get("/search?q=minister")
        finally:
            tmp_path.chmod(0o700)
        assert response.status_code == 503 and "gone.db" in response.text


def test_guard_refusals_carry_the_security_headers(client: TestClient) -> None:
    response = client.get("/articles/nothing-here")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
