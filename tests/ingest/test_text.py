"""Bytes to clean text: encodings, binary refusal, line endings, emptiness and size limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspun.config import MAX_TEXT_BYTES
from unspun.errors import BinaryInputError, EmptyInputError, InputTooLargeError
from unspun.ingest.text import check_size, clean_text, decode_bytes

# Printable text: no control characters (those make bytes look binary) and no BOM (it is stripped).
PRINTABLE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff"))


def test_text_decode_utf8(article_text: str) -> None:
    text = article_text + "Caf\u00e9 owners said \u201cnever again\u201d \u2014 \u65e5\u672c."
    assert decode_bytes(text.encode("utf-8"), "a.txt") == text


def test_text_decode_utf8_bom_is_stripped(article_text: str) -> None:
    assert decode_bytes(b"\xef\xbb\xbf" + article_text.encode("utf-8"), "a.txt") == article_text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_text_decode_utf16_with_bom(encoding: str, cp1252_text: str) -> None:
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    data = bom + cp1252_text.encode(encoding)
    assert b"\x00" in data  # would look binary without the BOM
    assert decode_bytes(data, "a.txt") == cp1252_text


def test_text_decode_cp1252_keeps_accents_quotes_and_dashes(cp1252_text: str) -> None:
    decoded = decode_bytes(cp1252_text.encode("cp1252"), "legacy.txt")
    assert decoded == cp1252_text
    for kept in ("caf\u00e9", "Ana\u00efs", "\u201cwe are back", "\u2013", "\u20ac40,000", "council\u2019s"):
        assert kept in decoded


def test_text_decode_latin1(article_text: str) -> None:
    text = article_text + "The caf\u00e9's na\u00efve r\u00e9sum\u00e9 was read to the g\u00e4ste.\n"
    assert decode_bytes(text.encode("latin-1"), "legacy.txt") == text


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), id="png-header"),
        pytest.param(b"text with a NUL \x00 in the middle of it", id="nul-byte"),
        pytest.param(bytes(range(1, 9)) * 100, id="control-bytes"),
        pytest.param(b"%PDF-1.7\n\x00\x01\x02\x03stream", id="pdf"),
    ],
)
def test_text_decode_binary_is_refused(data: bytes) -> None:
    with pytest.raises(BinaryInputError, match=r"^image\.png: .*binary"):
        decode_bytes(data, "image.png")


def test_text_decode_png_fixture_is_refused(png_bytes: bytes) -> None:
    with pytest.raises(BinaryInputError):
        decode_bytes(png_bytes, "photo.txt")


@given(PRINTABLE)
def test_text_decode_utf8_round_trips(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"), "x") == text


def test_text_clean_normalises_line_endings() -> None:
    assert clean_text("one\r\ntwo\rthree\n", "a.txt") == "one\ntwo\nthree\n"


def test_text_clean_strips_stray_bom_and_composes_accents() -> None:
    assert clean_text("\ufeffcafe\u0301 opened", "a.txt") == "caf\u00e9 opened"


@pytest.mark.parametrize("blank", ["", " ", "\n\n", "\r\n\t  \r\n", "\ufeff  \u3000"])
def test_text_clean_whitespace_only_is_empty(blank: str) -> None:
    with pytest.raises(EmptyInputError, match=r"^blank\.txt: the text is empty"):
        clean_text(blank, "blank.txt")


@given(st.text().filter(lambda t: t.replace("\ufeff", "").strip()))
def test_text_clean_is_idempotent_and_has_no_carriage_returns(text: str) -> None:
    once = clean_text(text, "x")
    assert "\r" not in once and "\ufeff" not in once
    assert clean_text(once, "x") == once


def test_text_check_size_refuses_over_the_limit_with_advice() -> None:
    with pytest.raises(InputTooLargeError) as caught:
        check_size(50_000_000, "dump.txt")
    message = str(caught.value)
    assert message.startswith("dump.txt: 50.0 MB is over the 2 MB limit")
    assert "split it" in message and ".jsonl" in message


def test_text_check_size_accepts_the_limit_itself() -> None:
    check_size(MAX_TEXT_BYTES, "ok.txt")
    check_size(10, "ok.html", limit=10)
    with pytest.raises(InputTooLargeError):
        check_size(11, "big.html", limit=10)
