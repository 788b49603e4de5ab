"""Fill the fields every ingested Article carries: source, content hash, id, site and language.

- ``content_hash``: sha256 (hex) of the text in Unicode NFC with every run of whitespace made one space
  and the ends stripped, so re-wrapped or re-indented copies of a text hash alike.
- ``id``, when the input gave none: ``"sha-"`` and the first 16 hex digits of the content hash. 64 bits
  keep collisions unlikely below some hundred million articles (birthday bound), and the same text
  gets the same id wherever it is read from.
- ``site``: the registered domain (public-suffix aware: news.bbc.co.uk -> bbc.co.uk) of the URL when
  the input named no site or named a host; a site given as a name ("The Riverside Courier") is kept.
  Hosts without a public suffix (an IP address, localhost) are kept as they are.
- ``language``: an ISO 639-1 code from py3langid, or "und" when it cannot tell (see config).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from unspun.config import (
    ENGLISH_FAST_PATH_SHARE,
    LANGUAGE_MIN_CONFIDENCE,
    LANGUAGE_MIN_WORDS,
    LANGUAGE_SAMPLE_CHARS,
)
from unspun.nlp.language import english_share
from unspun.records import Article

if TYPE_CHECKING:
    import tldextract

UNDETERMINED = "und"  # ISO 639-2 for "undetermined"
_WHITESPACE = re.compile(r"\s+")
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}\.?$", re.IGNORECASE
)


def normalize_article(article: Article, label: str, assign_id: bool = True) -> Article:
    """The article with source, content_hash, id, site and language filled in; given values are kept.

    assign_id=False leaves a missing id missing (a text piped in has no name to keep).
    """
    digest = content_hash(article.text)
    article_id = article.id
    if article_id is None and assign_id:
        article_id = "sha-" + digest[:16]
    return replace(
        article,
        source=article.source or label,
        content_hash=digest,
        id=article_id,
        site=site_for(article.site, article.url),
        language=article.language or detect_language(article.text),
    )


def content_hash(text: str) -> str:
    normalised = " ".join(unicodedata.normalize("NFC", text).split())  # str.split: every whitespace run
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def site_for(site: str | None, url: str | None) -> str | None:
    """The registered domain of a host-like site, or of the URL's host when no site is given."""
    if site and _HOST.match(site.strip()):
        return registered_domain(site.strip())
    if site:
        return site
    host = _hostname(url) if url else None
    return registered_domain(host) if host else None


def registered_domain(host: str) -> str:
    host = host.lower().rstrip(".")
    return _extractor()(host).top_domain_under_public_suffix or host


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; "und" when the text is short and the guess unsure."""
    share, words = english_share(text)
    if words >= LANGUAGE_MIN_WORDS and share >= ENGLISH_FAST_PATH_SHARE:
        return "en"  # the common case, decided in microseconds (see config.ENGLISH_FAST_PATH_SHARE)
    language, probability = _identifier().classify(text[:LANGUAGE_SAMPLE_CHARS])
    if len(text.split()) < LANGUAGE_MIN_WORDS and probability < LANGUAGE_MIN_CONFIDENCE:
        return UNDETERMINED
    # The model also knows languages without a two-letter code (yue, zxx: "no linguistic content").
    return str(language) if len(language) == 2 else UNDETERMINED


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # a malformed IPv6 host
        return None


@cache
def _extractor() -> tldextract.TLDExtract:
    import tldextract  # here, not at the top: `unspun analyze FILE` starts 0.06 s sooner without it

    # suffix_list_urls=() keeps tldextract on the snapshot it ships with: it never goes to the network.
    # cache_dir=None: nothing written under ~/.cache. Private suffixes (blogspot.com, github.io) count,
    # so each blog on a shared host is its own site.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def is_iso_day(value: str) -> bool:
    """Whether value is a calendar date written YYYY-MM-DD (the form every stored date takes)."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
