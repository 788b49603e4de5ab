"""Shared fixtures: the real pipeline, a loopback HTTP server, hand-written articles, a hostile analysis."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from tests.paths import SHARED
from unspun.nlp.pipeline import load_pipeline
from unspun.records import (
    Analysis,
    Article,
    DateMention,
    Entity,
    Hedge,
    Quote,
    Sourcing,
    Span,
    Speaker,
)

# --- The development data (../shared): tests marked `data` need it ---------------------------------------

def pytest_runtest_setup(item: pytest.Item) -> None:
    """A `data` test is skipped, with its reason, where ../shared is absent (a user's clone); CI sets
    UNSPUN_REQUIRE_DATA=1 and has the data, so there a missing folder fails instead of skipping."""
    if item.get_closest_marker("data") is None or (SHARED / "seed").is_dir():
        return
    reason = f"needs the development data in {SHARED} (set UNSPUN_SHARED); not here"
    if os.environ.get("UNSPUN_REQUIRE_DATA") == "1":
        pytest.fail(f"UNSPUN_REQUIRE_DATA=1 but the test {reason}", pytrace=False)
    pytest.skip(reason)


CHROMIUM = "/usr/bin/chromium"
# From /work/shared/notes/browser.md: without the background-networking flags Chromium tries outside hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

ARTICLE_TEXT = """\
Riverside council keeps harbour bridge shut until March

Officials in Riverside said on Tuesday that the harbour bridge would stay closed until March, after \
engineers found cracks in two of its piers.

"We have no choice but to keep it shut," said Helen Marsh, the council's head of transport.

A senior engineer, speaking on condition of anonymity, said the repairs could cost more than four \
million pounds.

Shopkeepers on the north bank said the closure had already cut their trade by a third.
"""
ARTICLE_QUOTE = "We have no choice but to keep it shut,"
ARTICLE_SPEAKER = "Helen Marsh"

ARTICLE_HTML = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harbour bridge to stay shut until spring | The Riverside Courier</title>
<meta name="author" content="Maria Okafor">
<meta property="article:published_time" content="2025-03-14T08:30:00Z">
<meta property="og:site_name" content="The Riverside Courier">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/subscribe">Subscribe to our newsletter today</a></li></ul></nav>
<article>
<h1>Harbour bridge to stay shut until spring</h1>
<p>The harbour bridge in Riverside will stay closed to traffic until April, the city council said on
Friday, after engineers found deep cracks in two of its concrete piers.</p>
<p>"We cannot take any risk with people's lives," said Helen Marsh, the council's head of transport.
"The bridge will reopen when it is safe, and not a day before."</p>
<p>A senior engineer, who asked not to be named because the report has not been published, said the
repairs could cost more than four million pounds.</p>
<p>Shopkeepers on the north bank said the closure had already cut their trade by a third, and several
said they feared for their jobs if the work ran late.</p>
</article>
<footer><p>Copyright 2025 Riverside Media Group. All rights reserved. Cookie settings. Privacy policy.</p>
</footer>
</body>
</html>
"""

# The same kind of story in other languages, written for these tests.
GERMAN_TEXT = (
    "Die Stadtverwaltung teilte am Dienstag mit, dass die Brücke über den Hafen bis zum Frühjahr "
    "gesperrt bleibt. Ingenieure hatten bei einer Prüfung tiefe Risse in zwei Pfeilern entdeckt. "
    "Die Händler am Nordufer klagen über deutlich weniger Kundschaft und fürchten um ihre Existenz."
)
FRENCH_TEXT = (
    "Le conseil municipal a annoncé mardi que le pont du port resterait fermé jusqu'au printemps. "
    "Les ingénieurs ont découvert des fissures profondes dans deux piliers, et les commerçants de la "
    "rive nord craignent pour leur chiffre d'affaires si les travaux prennent du retard."
)
RUSSIAN_TEXT = (
    "Городской совет во вторник сообщил, что мост через гавань останется закрытым до весны. "
    "Инженеры обнаружили глубокие трещины в двух опорах, а торговцы на северном берегу опасаются "
    "за свои доходы, если ремонт затянется."
)
# English with characters that differ between cp1252 and its look-alikes (cp1250, cp437).
CP1252_TEXT = (
    "The caf\u00e9 on Rue Saint-Denis reopened on Monday \u2013 three weeks after the flood \u2013 and "
    "its owner, Ana\u00efs Dupr\u00e9, said \u201cwe are back, and we are not leaving.\u201d "
    "The council\u2019s spokesman said the repairs had cost \u20ac40,000, "
    "and that the insurers had paid for most of it."
)

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + bytes(200)
)

# Would run if any of it were ever treated as markup: each sets window.pwned and the title, or opens a dialog.
HOSTILE_SCRIPT = "<script>window.pwned=1;document.title='pwned';alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=\"window.pwned=1;document.title='pwned';alert(1)\">"
HOSTILE_ATTR = '" onmouseover="window.pwned=1;alert(1)'
HOSTILE_BREAKOUT = "</span></div><script>window.pwned=1;alert(1)</script>"
HOSTILE_STRINGS = (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_ATTR, HOSTILE_BREAKOUT)


@pytest.fixture
def runner() -> CliRunner:
    """Runs the Typer app in-process, stdout and stderr kept apart; rich gets a wide terminal."""
    return CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pinned English pipeline, loaded once for the whole session (the same object the CLI uses)."""
    return load_pipeline()


@pytest.fixture
def article_text() -> str:
    """A short English news story with a named, an anonymous and an unnamed source."""
    return ARTICLE_TEXT


@pytest.fixture
def article_html() -> str:
    """A news page: title, author and date meta, an <article>, and nav/footer boilerplate."""
    return ARTICLE_HTML


@pytest.fixture
def foreign_texts() -> dict[str, str]:
    """News paragraphs in German, French and Russian."""
    return {"de": GERMAN_TEXT, "fr": FRENCH_TEXT, "ru": RUSSIAN_TEXT}


@pytest.fixture
def cp1252_text() -> str:
    """English whose accents, curly quotes, dashes and euro sign are mangled by cp1250 or cp437."""
    return CP1252_TEXT


@pytest.fixture
def png_bytes() -> bytes:
    return PNG_BYTES


@pytest.fixture
def hostile_strings() -> tuple[str, ...]:
    """HTML injections that set window.pwned, change the title or open a dialog if they ever run."""
    return HOSTILE_STRINGS


@pytest.fixture
def mixed_directory(tmp_path: Path, article_text: str, article_html: str, png_bytes: bytes) -> Path:
    """A directory of good and bad inputs, with one file nested and one that is not an article type."""
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "a-report.txt").write_text(article_text, encoding="utf-8")
    (folder / "b-page.html").write_text(article_html, encoding="utf-8")
    good = {"id": "good-1", "text": article_text, "title": "Bridge", "published": "2025-03-14T10:00:00Z"}
    (folder / "c-batch.jsonl").write_text(
        '{"id": "broken", "text": "unterminated\n'
        + json.dumps({"id": "no-text", "title": "A record with no text"})
        + "\n"
        + "\n"
        + json.dumps(good)
        + "\n",
        encoding="utf-8",
    )
    (folder / "d-photo.txt").write_bytes(png_bytes)
    (folder / "nested" / "e-nested.md").write_text(article_text, encoding="utf-8")
    (folder / "notes.csv").write_text("not,an,article\n", encoding="utf-8")
    return folder


@dataclass
class LoopbackServer:
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, content_type: str, body: bytes, length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            # The client may stop reading at its size limit and close the connection.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Host", "")))
            port = server.port
            html = "text/html; charset=utf-8"
            routes = {
                "/article": lambda: self._send(200, html, ARTICLE_HTML.encode()),
                "/plain": lambda: self._send(200, "text/plain; charset=utf-8", ARTICLE_TEXT.encode()),
                "/binary": lambda: self._send(200, "application/octet-stream", PNG_BYTES),
                "/empty": lambda: self._send(200, html, b"<html><body><div></div></body></html>"),
                # 200 kB with no Content-Length: the size is only known by reading.
                "/big": lambda: self._send(200, html, b"<p>" + b"x" * 200_000 + b"</p>"),
                "/big-declared": lambda: self._send(200, html, b"", length=20_000_000),
                "/redirect": lambda: self._redirect(f"http://127.0.0.1:{port}/article"),
                "/redirect-relative": lambda: self._redirect("/article"),
                "/redirect-named": lambda: self._redirect(f"http://evil.test:{port}/article"),
                "/redirect-loop": lambda: self._redirect("/redirect-loop"),
                "/redirect-ftp": lambda: self._redirect("ftp://127.0.0.1/article"),
            }
            route = routes.get(self.path)
            if route is None:
                self._send(404, html, b"<html><body><p>Not found</p></body></html>")
            else:
                route()

    return Handler


def _serve(state: Any, handler: type[BaseHTTPRequestHandler]) -> Iterator[Any]:
    """Run a threaded HTTP server on a free loopback port for the session; state.port tells where."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def _loopback_server() -> Iterator[LoopbackServer]:
    state = LoopbackServer(port=0)
    yield from _serve(state, _handler(state))


@pytest.fixture
def http_server(_loopback_server: LoopbackServer) -> LoopbackServer:
    """A real HTTP server on 127.0.0.1: a news page, redirects and errors; its request log starts empty."""
    _loopback_server.requests.clear()
    return _loopback_server


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hostile_analysis() -> Analysis:
    """An Analysis built by hand (no model) whose article title, text and speaker carry HTML injections."""
    return build_hostile_analysis()


def build_hostile_analysis() -> Analysis:
    text = (
        f'An official, who asked not to be named, said "{HOSTILE_SCRIPT} is harmless" on Monday.\n'
        f'Helen Marsh said "{HOSTILE_IMG} was never sent" and that the page may show {HOSTILE_ATTR}.\n'
        f"Finally: {HOSTILE_BREAKOUT} [the end]."
    )

    def span(needle: str, after: int = 0) -> tuple[int, int]:
        start = text.index(needle, after)
        return start, start + len(needle)

    q1 = span(f"{HOSTILE_SCRIPT} is harmless")
    c1 = span("said")
    s2 = span("Helen Marsh")
    q2 = span(f"{HOSTILE_IMG} was never sent")
    c2 = span("said", s2[1])
    hedge = span("may")
    date = span("Monday")
    anonymous = Speaker(type="anonymous", text="An official", start=0, end=11, role="official")
    named = Speaker(
        type="named",
        text="Helen Marsh",
        start=s2[0],
        end=s2[1],
        name=HOSTILE_ATTR,
        affiliation=HOSTILE_BREAKOUT,
        resolved_by="mention",
    )
    quotes = [
        Quote(
            text=text[q1[0] : q1[1]],
            start=q1[0],
            end=q1[1],
            kind="direct",
            speaker=anonymous,
            cue=Span("said", *c1),
        ),
        Quote(
            text=text[q2[0] : q2[1]],
            start=q2[0],
            end=q2[1],
            kind="direct",
            speaker=named,
            cue=Span("said", *c2),
        ),
    ]
    return Analysis(
        article=Article(
            text=text,
            id="hostile",
            url="javascript:alert(1)",
            site=HOSTILE_IMG,
            title=f"Mayor says {HOSTILE_SCRIPT} and {HOSTILE_BREAKOUT}",
            published="2025-03-14",
        ),
        quotes=quotes,
        sourcing=Sourcing(
            quotes=2,
            named=1,
            anonymous=1,
            unnamed=0,
            document=0,
            unknown=0,
            share_unidentified=0.5,
            named_sources=[HOSTILE_ATTR],
        ),
        entities=[Entity(text="Helen Marsh", start=s2[0], end=s2[1], label="PERSON", name="Helen Marsh")],
        dates=[DateMention(text="Monday", start=date[0], end=date[1], value="2025-03-10")],
        hedges=[Hedge(text="may", start=hedge[0], end=hedge[1])],
    )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never Playwright's own downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- PostgreSQL for the store tests ------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """$UNSPUN_TEST_PG_URL if set (CI may start its own server), else a throwaway local server."""
    import os

    from tests.postgres_server import PostgresServer

    given = os.environ.get("UNSPUN_TEST_PG_URL")
    if given:
        yield given
        return
    server = PostgresServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend: the same store tests run against both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'unspun.db'}"
        return
    import uuid

    import psycopg

    base = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Feeds, sitemaps, URL lists and politeness (tests/ingest) ---------------------------------------


@dataclass
class SiteServer:
    """A loopback web site whose pages each test sets; anything not set answers 404."""

    port: int
    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)  # path -> (status, type, body)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", status: int = 200
    ) -> str:
        """Serve body at path; returns the page's URL."""
        self.pages[path] = (status, content_type, body.encode() if isinstance(body, str) else body)
        return self.url(path)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def _site_handler(site: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            status, content_type, body = site.pages.get(
                self.path, (404, "text/html", b"<html><body><p>Not found</p></body></html>")
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


@pytest.fixture(scope="session")
def _site_server() -> Iterator[SiteServer]:
    state = SiteServer(port=0)
    yield from _serve(state, _site_handler(state))


@pytest.fixture
def site_server(_site_server: SiteServer) -> SiteServer:
    """A real HTTP server on 127.0.0.1 serving the pages the test sets (none at first, so no robots.txt)."""
    _site_server.pages.clear()
    _site_server.requests.clear()
    return _site_server


def news_page(title: str, body: str, published: str | None = None) -> str:
    """A small news page; with no date, nothing in it says when it was published."""
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{date}</head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


# Three short stories, written for these tests, long enough for trafilatura to keep as main text.
STORIES = {
    "ferry": (
        "Island ferry service cut to two sailings a day",
        (
            "The ferry company that serves the northern islands said on Wednesday that it would run "
            "only two sailings a day from next month, blaming a shortage of qualified crew and rising "
            "fuel costs.\n\nResidents said the cut would make it harder to reach the hospital on the "
            "mainland, and the island council said it would ask the transport minister to step in "
            "before the timetable changes."
        ),
    ),
    "library": (
        "City library to open on Sundays after campaign",
        (
            "The central library will open on Sunday afternoons from the spring, the city council "
            "announced on Monday, after a campaign by parents and students that collected more than "
            "five thousand names.\n\nThe extra hours will be paid for by closing two small reading rooms "
            "in the suburbs, a decision that some councillors said they would try to overturn at the next "
            "budget meeting."
        ),
    ),
    "orchard": (
        "Late frost destroys half of the valley's apple blossom",
        (
            "Growers in the valley said a late frost last weekend destroyed about half of the apple blossom, "
            "and warned that the autumn harvest could be the smallest in twenty years.\n\n"
            "The growers' association asked the regional government for emergency help, saying that many "
            "family orchards had not yet recovered from the drought two summers ago."
        ),
    ),
}


@pytest.fixture
def stories() -> dict[str, tuple[str, str]]:
    """Short news stories (title, body) about a ferry, a library and an orchard."""
    return STORIES


@dataclass
class FakeClock:
    """time.monotonic and time.sleep for a crawler: sleeping moves the clock on and is recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


# --- The web interface (tests/web): stores holding the demo corpus, on each backend ------------------------


@pytest.fixture(scope="session")
def demo_entries() -> list[tuple[Article, Analysis | None]]:
    """The bundled demo corpus read and analysed once (the Russian version stored without analysis)."""
    from importlib import resources

    from unspun.analysis import analyze_article
    from unspun.errors import NotEnglishError
    from unspun.ingest.sources import read_inputs

    corpus = resources.files("unspun").joinpath("demo", "articles.jsonl")
    entries: list[tuple[Article, Analysis | None]] = []
    with resources.as_file(corpus) as path:
        for _, item in read_inputs(str(path)):
            assert isinstance(item, Article)
            try:
                entries.append((item, analyze_article(item)))
            except NotEnglishError:
                entries.append((item, None))
    return entries


def fill_store(url: str, entries: list[tuple[Article, Analysis | None]]) -> None:
    """Store the entries and build their stories, as `unspun ingest` and `unspun stories` would."""
    from unspun.analysis import pipeline_version
    from unspun.store import open_store
    from unspun.stories.update import update_stories

    with open_store(url) as store:
        store.add(entries, pipeline_version())
        update_stories(store)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   demo_entries: list[tuple[Article, Analysis | None]]) -> Iterator[str]:
    """A store of each backend holding the demo corpus and its stories (one per test module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'demo.db'}"
        fill_store(url, demo_entries)
        yield url
        return
    yield from _postgres_database(request, lambda url: fill_store(url, demo_entries))


def _postgres_database(request: pytest.FixtureRequest, fill: Any) -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, filled by fill(url), dropped afterwards."""
    import uuid

    import psycopg

    base = request.getfixturevalue("postgres_url")
    name = f"w_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    fill(url)
    yield url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


LOOPBACK_BASE = "http://127.0.0.1:8000"  # what the web tests' client addresses (the server answers loopback names)


# --- Sites and their network (tests/sites, the CLI's and the web's site pages) ------------------------------


@pytest.fixture(scope="session")
def world_entries() -> tuple[list[tuple[Article, Analysis | None]], list[Any]]:
    """The hand-made world of tests/sites/world.py, every article analysed by the real pipeline."""
    from tests.sites.world import world
    from unspun.analysis import analyze_article

    articles, stories = world()
    return [(a, analyze_article(a)) for a in articles], stories


def fill_world(url: str, entries: list[tuple[Article, Analysis | None]], stories: list[Any]) -> None:
    """Store the world, embed it as `unspun stories` does, then keep the world's own stories."""
    from unspun.analysis import pipeline_version
    from unspun.store import open_store
    from unspun.store.stories import clear_stories, replace_stories
    from unspun.stories.update import update_stories

    with open_store(url) as store:
        store.add(entries, pipeline_version())
        update_stories(store)
        clear_stories(store)
        replace_stories(store, stories, [])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    world_entries: tuple[list[tuple[Article, Analysis | None]], list[Any]]) -> Iterator[str]:
    """A store of each backend holding the world of sites (one per test module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sites') / 'world.db'}"
        fill_world(url, *world_entries)
        yield url
        return
    yield from _postgres_database(request, lambda url: fill_world(url, *world_entries))
