"""Tell English text from other languages before analysing it."""

from __future__ import annotations

import re

from unspun.config import MIN_ENGLISH_FUNCTION_SHARE, MIN_WORDS_FOR_LANGUAGE_CHECK
from unspun.errors import NotEnglishError

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# High-frequency English function words that are rare as words of other languages.
_ENGLISH = frozenset(
    ["the", "of", "and", "to", "that", "is", "was", "for", "on", "with", "as", "by", "at", "from", "it", "this", "be", "are", "have", "has", "had", "were", "which", "not", "but", "or", "an", "their", "they", "he", "she", "his", "her", "its", "we", "our", "you", "will", "would", "been", "who", "said", "than", "also", "after", "about", "more", "into", "over", "when", "there", "can", "could", "what", "all", "one", "new", "these", "those"]
)


def english_share(text: str, sample_words: int = 400) -> tuple[float, int]:
    """Share of the first words that are common English function words, and how many words were read."""
    words = [w.lower() for w in _WORD.findall(text[: sample_words * 12])[:sample_words]]
    if not words:
        return 0.0, 0
    return sum(w in _ENGLISH for w in words) / len(words), len(words)


def check_english(text: str, source: str) -> None:
    share, count = english_share(text)
    if count == 0:
        raise NotEnglishError(f"{source}: the text has no words to analyse")
    if count >= MIN_WORDS_FOR_LANGUAGE_CHECK and share < MIN_ENGLISH_FUNCTION_SHARE:
        raise NotEnglishError(
            f"{source}: this text does not look like English ({share:.0%} common English words); "
            "unspun analyses English articles only"
        )
