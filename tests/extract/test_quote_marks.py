"""Quote-mark scanning on hand-built texts: every mark style, stray marks, multi-paragraph quotes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from unspun.extract.quote_marks import find_quoted_spans, paragraph_bounds


def contents(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quoted_spans(text)]


def test_quote_marks_curly_double() -> None:
    assert contents("“We will win,” she said.") == ["We will win,"]


def test_quote_marks_straight_double_pairs_in_order() -> None:
    text = 'He said "first one," and then "second one."'
    assert contents(text) == ["first one,", "second one."]


def test_quote_marks_single_curly_with_apostrophes_inside() -> None:
    text = "‘India’s policy isn’t for sale,’ said an analyst. The ties are ‘strong’ now."
    assert contents(text) == ["India’s policy isn’t for sale,", "strong"]


def test_quote_marks_plural_possessive_is_not_a_closing_mark() -> None:
    text = "‘The nations’ interests come first,’ he said."
    assert contents(text) == ["The nations’ interests come first,"]


def test_quote_marks_straight_single_quotes() -> None:
    assert contents("'We don't agree,' he said.") == ["We don't agree,"]


def test_quote_marks_elision_is_not_an_opening_mark() -> None:
    assert contents("In the ‘90s it was cheap, and ’em too.") == []


def test_quote_marks_guillemets_and_german_quotes() -> None:
    assert contents("«Это правда», сказал он. „Das ist gut“, sagte sie.") == ["Это правда", "Das ist gut"]


def test_quote_marks_stray_mark_loses_only_itself() -> None:
    text = "The “plan is here. Later: “We will go,” he said. Then “more.”"
    assert contents(text) == ["We will go,", "more."]


def test_quote_marks_multi_paragraph_quote_is_grouped() -> None:
    text = "He said: “This first paragraph does not close its quotation\n“and this one does,” he added.\nNext."
    spans = find_quoted_spans(text)
    assert [text[s.start : s.end] for s in spans] == [
        "This first paragraph does not close its quotation",
        "and this one does,",
    ]
    assert spans[0].continues and spans[1].continued
    assert spans[0].group == spans[1].group


def test_quote_marks_unclosed_quote_without_continuation_is_dropped() -> None:
    text = "He said “this never closes at all in this paragraph\nA new paragraph. “Fine,” she said."
    assert contents(text) == ["Fine,"]


def test_quote_marks_single_quote_inside_double_is_part_of_it() -> None:
    text = "“They called it a ‘special operation’ again,” he said."
    assert contents(text) == ["They called it a ‘special operation’ again,"]


def test_quote_marks_paragraphs_by_blank_lines_when_present() -> None:
    text = "One line\nwrapped.\n\nSecond paragraph."
    assert [text[s:e] for s, e in paragraph_bounds(text)] == ["One line\nwrapped.", "Second paragraph."]


@given(st.text(alphabet=st.sampled_from(list("ab ’‘'\"“”«»„\n.,")), max_size=80))
def test_quote_marks_offsets_always_index_the_text(text: str) -> None:
    for span in find_quoted_spans(text):
        assert 0 <= span.open_mark < span.start <= span.end <= len(text)
        if span.close_mark is not None:
            assert span.end <= span.close_mark < len(text)
