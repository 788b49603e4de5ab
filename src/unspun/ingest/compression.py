"""Gzipped inputs: decompress member by member, keeping everything that came before a corrupt stretch.

Python's gzip module reads ahead and raises on a truncated file before handing over the data it did
decompress, so a batch cut short by an interrupted download would lose its good records too. Here the
data comes out in chunks as it is decompressed, and the error comes only where the stream breaks.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from unspun.errors import CorruptInputError, InputTooLargeError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 16
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around a deflate stream


def is_gzip_name(name: str) -> bool:
    return name.lower().endswith(".gz")


def iter_gunzip(stream: BinaryIO, source: str) -> Iterator[bytes]:
    """Yield the decompressed bytes of every gzip member in turn; raise CorruptInputError where they break.

    Output comes in pieces of at most CHUNK_BYTES, so a gzip bomb never sits in memory whole.
    """
    decompressor = zlib.decompressobj(_GZIP_WBITS)
    in_member = False
    pending = b""
    while True:
        if not pending:
            pending = stream.read(CHUNK_BYTES)
            if not pending:
                break
        try:
            out = decompressor.decompress(pending, CHUNK_BYTES)
        except zlib.error as exc:
            raise CorruptInputError(
                f"{source}: the gzip data is corrupt ({exc}); check the file with `gzip -t`"
            ) from exc
        in_member = True
        if out:
            yield out
        if decompressor.eof:  # one member done: what is left over starts the next
            pending = decompressor.unused_data
            decompressor = zlib.decompressobj(_GZIP_WBITS)
            in_member = False
        else:
            pending = decompressor.unconsumed_tail
    if in_member:
        raise CorruptInputError(
            f"{source}: the gzip data is truncated: the file ends inside a compressed stream "
            "(an interrupted download or copy?)"
        )


def gunzip(stream: BinaryIO, source: str, limit: int) -> bytes:
    """The whole decompressed content, refused once it passes limit bytes."""
    parts: list[bytes] = []
    size = 0
    for chunk in iter_gunzip(stream, source):
        size += len(chunk)
        if size > limit:
            raise InputTooLargeError(
                f"{source}: over the {limit / 1e6:g} MB limit once decompressed; split it into smaller files"
            )
        parts.append(chunk)
    return b"".join(parts)


class GunzipStream:
    """A read-only file over iter_gunzip that ends quietly at a corrupt stretch and keeps the error.

    For readers that read ahead in blocks (warcio): they see every byte up to the break, then end of
    file; the caller asks `error` afterwards whether the end was a real one.
    """

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self._chunks = iter_gunzip(stream, source)
        self._buffer = b""
        self._offset = 0
        self.error: CorruptInputError | None = None

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = self._next_chunk()
            if not chunk:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self._offset += len(data)
        return data

    def tell(self) -> int:
        return self._offset

    def _next_chunk(self) -> bytes:
        if self.error is not None:
            return b""
        try:
            return next(self._chunks, b"")
        except CorruptInputError as exc:
            self.error = exc
            return b""
