"""The exceptions unspun raises; the CLI turns each into one clear line and an exit code.

    UnspunError
     +-- InputError            the input cannot be analysed as an English news article
     |    +-- EmptyInputError
     |    +-- BinaryInputError
     |    +-- InputTooLargeError
     |    +-- NotEnglishError
     |    +-- InvalidRecordError   a malformed .jsonl line or record
     |    +-- CorruptInputError    a corrupt or truncated gzip stream or WARC record
     |    +-- NotAFeedError        a feed or sitemap URL that gave something else (an HTML page)
     +-- FetchError            a URL could not be fetched
     |    +-- PrivateAddressError
     |    +-- RobotsDisallowedError  the site's robots.txt asks crawlers not to fetch the page
     +-- ModelError            a model package (spaCy pipeline, sentence encoder) is missing or not the pinned one
 +-- StoreError            the database cannot be opened, reached or written
 +-- AnalysisError         analysing one article failed unexpectedly (a bug: please report it)
"""

from __future__ import annotations


class UnspunError(Exception):
    """Base class: every error unspun raises on purpose."""

    exit_code = 1


class InputError(UnspunError):
    exit_code = 2


class EmptyInputError(InputError):
    pass


class BinaryInputError(InputError):
    pass


class InputTooLargeError(InputError):
    pass


class NotEnglishError(InputError):
    pass


class InvalidRecordError(InputError):
    pass


class CorruptInputError(InputError):
    pass


class NotAFeedError(InputError):
    pass


class FetchError(UnspunError):
    exit_code = 3


class PrivateAddressError(FetchError):
    pass


class RobotsDisallowedError(FetchError):
    pass


class ModelError(UnspunError):
    exit_code = 4


class AnalysisError(UnspunError):
    exit_code = 5


class StoreError(UnspunError):
    exit_code = 6
