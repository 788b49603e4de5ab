"""The English check that runs before any article is analysed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspun.config import MIN_ENGLISH_FUNCTION_SHARE, MIN_WORDS_FOR_LANGUAGE_CHECK
from unspun.errors import NotEnglishError
from unspun.nlp.language import check_english, english_share


def test_language_english_article_passes(article_text: str, cp1252_text: str) -> None:
    check_english(article_text, "a.txt")
    check_english(cp1252_text, "b.txt")
    share, words = english_share(article_text)
    assert share > 2 * MIN_ENGLISH_FUNCTION_SHARE and words > 50


@pytest.mark.parametrize("language", ["de", "fr", "ru"])
def test_language_other_languages_are_refused(foreign_texts: dict[str, str], language: str) -> None:
    with pytest.raises(NotEnglishError) as caught:
        check_english(foreign_texts[language], f"{language}.txt")
    message = str(caught.value)
    assert message.startswith(f"{language}.txt: this text does not look like English")
    assert "English articles only" in message


@pytest.mark.parametrize("text", ["2024 2025 17 3.5 100,000 42", "-- ... 12:30 / 14:45 !!!", "___ 000"])
def test_language_text_without_words_is_refused(text: str) -> None:
    with pytest.raises(NotEnglishError, match=r"^n\.txt: the text has no words to analyse"):
        check_english(text, "n.txt")


def test_language_short_text_is_not_judged() -> None:
    check_english("Merci beaucoup.", "short.txt")  # too few words to tell


def test_language_english_quoting_a_foreign_phrase_passes(foreign_texts: dict[str, str]) -> None:
    text = (
        "The French daily ran the council's statement in full. It said: "
        + foreign_texts["fr"][:60]
        + " The mayor, who was at the meeting, said that it was not true and that the bridge would "
        "reopen in the spring, as the engineers had told him after their inspection of the piers."
    )
    check_english(text, "mixed.txt")


@given(st.text(max_size=3000))
def test_language_check_agrees_with_the_share(text: str) -> None:
    share, words = english_share(text)
    assert 0.0 <= share <= 1.0 and 0 <= words <= 400
    refuse = words == 0 or (words >= MIN_WORDS_FOR_LANGUAGE_CHECK and share < MIN_ENGLISH_FUNCTION_SHARE)
    try:
        check_english(text, "x")
    except NotEnglishError:
        assert refuse
    else:
        assert not refuse
