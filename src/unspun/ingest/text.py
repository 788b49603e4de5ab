"""Bytes to clean text: binary detection, encoding detection, size and emptiness checks."""

from __future__ import annotations

import re
import unicodedata

import charset_normalizer

from unspun.config import MAX_TEXT_BYTES
from unspun.errors import BinaryInputError, EmptyInputError, InputTooLargeError

_SURROGATE = re.compile("[\ud800-\udfff]")
_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


def check_size(size: int, source: str, limit: int = MAX_TEXT_BYTES) -> None:
    if size > limit:
        raise InputTooLargeError(
            f"{source}: {size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit for one article; "
            "split it, or pass a directory or .jsonl file of articles"
        )


def decode_bytes(data: bytes, source: str) -> str:
    """Decode article bytes, detecting the encoding; refuse binary data."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if _looks_binary(data):
        raise BinaryInputError(f"{source}: this looks like binary data, not text (an image, archive or PDF?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_ascii(data):
        # English in a legacy encoding is nearly always Windows-1252 (what browsers assume for unlabelled
        # Western pages), while charset_normalizer often ranks a look-alike first on such text: cp1250
        # turns "Anaïs" into "Anaďs", cp437 turns "–" into "û". Non-Latin legacy text is mostly non-ASCII.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise BinaryInputError(f"{source}: cannot tell this file's text encoding; convert it to UTF-8")
    return str(best)


_ASCII = bytes(range(0x80))
_NOT_CONTROL = bytes(range(32, 256)) + b"\t\n\x0c\r"


def _mostly_ascii(data: bytes) -> bool:
    sample = data[:65536]
    return len(sample.translate(None, _ASCII)) <= 0.1 * len(sample)  # translate runs in C


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return len(sample) > 0 and controls / len(sample) > 0.05


def clean_text(text: str, source: str) -> str:
    """Normalise line endings and invisible characters; refuse empty text.

    Offsets in every record refer to the text returned here, so it is what Article.text holds.
    """
    text = valid_unicode(text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise EmptyInputError(f"{source}: the text is empty")
    return text


def valid_unicode(text: str) -> str:
    """Text that can be encoded as UTF-8: a lone surrogate (a JSON "\\ud800" escape) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def printable_name(name: str) -> str:
    """A file name as valid text: the bytes of a name that is not UTF-8 (which Python keeps as surrogates)
    are shown as \\xNN, so the name can be stored, printed and written to JSON, and still tells the file."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file-system byte produced
        return valid_unicode(name)
