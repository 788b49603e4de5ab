"""normalize_article: content hash and id, registered-domain site, language, source."""

from __future__ import annotations

import hashlib
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspun.ingest import normalize
from unspun.ingest.normalize import (
    content_hash,
    detect_language,
    normalize_article,
    registered_domain,
    site_for,
)
from unspun.records import Article

# Written for these tests: a market story in three languages.
ENGLISH = (
    "Traders at the covered market said on Thursday that rents for the smallest stalls had doubled "
    "since the summer, and several of them warned that they would have to close before Christmas."
)
GERMAN = (
    "Die Händler in der Markthalle berichteten am Donnerstag, dass sich die Mieten für die kleinsten "
    "Stände seit dem Sommer verdoppelt hätten, und mehrere von ihnen warnten, dass sie vor Weihnachten "
    "schließen müssten."
)
RUSSIAN = (
    "Торговцы крытого рынка в четверг рассказали, что аренда самых маленьких прилавков с лета выросла "
    "вдвое, и несколько из них предупредили, что им придётся закрыться до Рождества."
)


def test_normalize_fills_every_field() -> None:
    article = normalize_article(Article(text=ENGLISH, url="https://news.bbc.co.uk/business/1"), "in.jsonl:3")
    digest = content_hash(ENGLISH)
    assert article.content_hash == digest and len(digest) == 64
    assert article.id == "sha-" + digest[:16]
    assert (article.site, article.language, article.source) == ("bbc.co.uk", "en", "in.jsonl:3")
    assert article.text == ENGLISH


def test_normalize_id_from_the_hash_is_stable_across_whitespace() -> None:
    wrapped = "  " + ENGLISH.replace(", and ", ",\n\tand  ").replace(" ", "  ", 3) + "\n\n"
    one = normalize_article(Article(text=ENGLISH), "a.txt")
    two = normalize_article(Article(text=wrapped), "b.txt")
    assert one.id == two.id and one.content_hash == two.content_hash
    assert one.content_hash == hashlib.sha256(" ".join(ENGLISH.split()).encode()).hexdigest()
    assert normalize_article(Article(text=ENGLISH + " More."), "c.txt").id != one.id


def test_normalize_hash_uses_composed_characters() -> None:
    assert content_hash("cafe\u0301 opened") == content_hash("caf\u00e9 opened")


@given(st.text(min_size=1))
def test_normalize_hash_ignores_whitespace_layout(text: str) -> None:
    assert content_hash(text) == content_hash("\n " + text.replace(" ", "\t  ") + " \r\n")


def test_normalize_keeps_what_the_input_gave() -> None:
    given_article = Article(text=ENGLISH, id="mine", site="The Market Times", language="en", source="feed#2")
    article = normalize_article(given_article, "other-label")
    assert (article.id, article.site, article.source) == ("mine", "The Market Times", "feed#2")


def test_normalize_can_leave_a_missing_id_missing() -> None:
    article = normalize_article(Article(text=ENGLISH), "stdin", assign_id=False)
    assert article.id is None and article.content_hash is not None


@pytest.mark.parametrize(
    ("site", "url", "expected"),
    [
        (None, "https://news.bbc.co.uk/1/hi/world/123.stm", "bbc.co.uk"),
        (None, "https://www.example.com.au/news/story", "example.com.au"),
        ("news.bbc.co.uk", None, "bbc.co.uk"),  # a host given as the site
        ("WWW.Example.COM.AU", "https://x.example.org/", "example.com.au"),
        ("www.theguardian.com", "https://www.theguardian.com/world/1", "theguardian.com"),
        (None, "https://someone.blogspot.com/2025/01/post.html", "someone.blogspot.com"),  # its own site
        ("The Riverside Courier", "https://www.courier.example.co.uk/a", "The Riverside Courier"),
        (None, "http://127.0.0.1:8080/story", "127.0.0.1"),
        ("127.0.0.1", "http://127.0.0.1:8080/story", "127.0.0.1"),
        (None, "http://localhost/story", "localhost"),
        (None, "http://[::1/broken", None),
        (None, None, None),
    ],
)
def test_normalize_site_is_the_registered_domain(
    site: str | None, url: str | None, expected: str | None
) -> None:
    assert site_for(site, url) == expected


def test_normalize_site_lookup_never_uses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tldextract tried to reach the network")

    normalize._extractor.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    try:
        assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    finally:
        normalize._extractor.cache_clear()


@pytest.mark.parametrize(("text", "language"), [(ENGLISH, "en"), (GERMAN, "de"), (RUSSIAN, "ru")])
def test_normalize_language_of_a_paragraph(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert normalize_article(Article(text=text), "x").language == language


def test_normalize_short_texts_get_a_language_only_when_sure() -> None:
    assert detect_language("Minister resigns") == "und"  # two words: py3langid is not sure
    assert detect_language("Traders at the covered market said rents had doubled since the summer.") == "en"
    assert detect_language("12 345 678") == "und"
