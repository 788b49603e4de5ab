"""Word shingles: the set of hashed, lower-cased word n-grams that MinHash compares between articles.

Every hash here is plain arithmetic modulo 2**64 in numpy, so a text gives the same shingles in every
process, on every machine and in every Python version (unlike the salted built-in ``hash()``). Saved
signatures therefore stay comparable with ones computed years later, as long as these constants stay put.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["hash_words", "mix64", "normalize_words", "shingle_hashes", "word_shingles"]

# Constants of the 64-bit MurmurHash3 finalizer; changing any constant below changes every stored signature.
_FMIX_M1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
# Odd multipliers (odd, so invertible modulo 2**64) for the byte and the word polynomials.
_BYTE_BASE = 0x100000001B3  # the FNV-1 64-bit prime
_WORD_BASE = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, made odd
_LENGTH_SALT = np.uint64(0x2545F4914F6CDD1D)

_APOSTROPHES = re.compile(r"['\u2019\u02bc\u2032`]")
_WORD = re.compile(r"[^\W_]+")


def mix64(values: np.ndarray) -> np.ndarray:
    """Scramble uint64 values with the MurmurHash3 finalizer, a bijection whose every output bit depends on
    every input bit. Returns a new uint64 array."""
    h = np.asarray(values, dtype=np.uint64).copy()
    h ^= h >> _S33
    h *= _FMIX_M1
    h ^= h >> _S33
    h *= _FMIX_M2
    h ^= h >> _S33
    return h


def normalize_words(text: str) -> list[str]:
    """The words of ``text`` as shingling sees them: NFKC-normalised, case-folded, apostrophes dropped
    (so "don't" and "don’t" agree) and split at every other non-letter, non-digit character."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_APOSTROPHES.sub("", folded))


def hash_words(words: Sequence[str]) -> np.ndarray:
    """A stable 64-bit hash of each word, vectorised: a polynomial over the UTF-8 bytes, then ``mix64``.

    Words must not contain spaces (``normalize_words`` guarantees that). Returns uint64, one per word.
    """
    if not words:
        return np.empty(0, dtype=np.uint64)
    data = np.frombuffer(" ".join(words).encode("utf-8"), dtype=np.uint8).astype(np.uint64)
    spaces = np.flatnonzero(data == 32)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [data.size]))
    if np.any(ends == starts):
        raise ValueError("hash_words got an empty word; pass the output of normalize_words(text)")
    # Word hash = sum(byte_j * B**(end-1-j)). With prefix sums C of byte_j * B**-j (B is odd, so it has an
    # inverse modulo 2**64) each word is (C[end-1] - C[start-1]) * B**(end-1): one pass, no Python loop.
    base = np.full(data.size, _BYTE_BASE, dtype=np.uint64)
    base[0] = 1
    powers = np.cumprod(base, dtype=np.uint64)
    inverse = np.full(data.size, pow(_BYTE_BASE, -1, 1 << 64), dtype=np.uint64)
    inverse[0] = 1
    prefix = np.cumsum(data * np.cumprod(inverse, dtype=np.uint64), dtype=np.uint64)
    before = np.where(starts > 0, prefix[np.maximum(starts - 1, 0)], np.uint64(0))
    poly = (prefix[ends - 1] - before) * powers[ends - 1]
    lengths = (ends - starts).astype(np.uint64)
    return mix64(poly ^ (lengths * _LENGTH_SALT))


def shingle_hashes(word_hashes: np.ndarray, n: int = 5) -> np.ndarray:
    """Combine the hashes of each run of ``n`` consecutive words into one shingle hash.

    Fewer than ``n`` words give one shingle covering them all; no words give an empty array.
    The hash of an n-gram depends only on its own words, so callers may shingle a concatenation of
    documents and drop the windows that cross a document boundary.
    """
    _check_n(n)
    words = np.asarray(word_hashes, dtype=np.uint64)
    if words.size == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(n, words.size)
    count = words.size - width + 1
    combined = words[:count].copy()
    for offset in range(1, width):
        combined *= _WORD_BASE
        combined += words[offset : offset + count]
    return mix64(combined ^ (np.uint64(width) * _LENGTH_SALT))


def word_shingles(text: str, n: int = 5) -> np.ndarray:
    """The hashed word ``n``-grams of ``text`` (uint64, in text order, repeats kept).

    >>> a = word_shingles("The minister said on Tuesday that talks would resume.")
    >>> b = word_shingles("THE MINISTER said, on Tuesday, that talks would resume!")
    >>> bool((a == b).all()), a.size
    (True, 5)
    """
    _check_n(n)
    return shingle_hashes(hash_words(normalize_words(text)), n)


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of words, 1 or more (got {n!r}); 5 suits news articles")
