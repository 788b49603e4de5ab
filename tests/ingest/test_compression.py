"""Gzipped inputs: every format gzipped, corrupt and truncated streams, bombs."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest

from unspun.errors import CorruptInputError, InputTooLargeError
from unspun.ingest.compression import GunzipStream, gunzip, iter_gunzip
from unspun.ingest.sources import read_inputs
from unspun.records import Article


def records(article_text: str, count: int) -> list[dict[str, str]]:
    return [{"id": f"r{i}", "text": f"Story number {i}. {article_text}"} for i in range(count)]


def noisy_records(count: int) -> list[dict[str, str]]:
    """Records of random words, which gzip cannot squeeze much: a cut lands among the records."""
    rng = random.Random(7)
    words = ["council", "bridge", "harbour", "ferry", "minister", "said", "report", "river", "court", "vote"]
    return [
        {"id": f"n{i}", "text": " ".join(rng.choice(words) + str(rng.randrange(10_000)) for _ in range(60))}
        for i in range(count)
    ]


def test_compression_gz_of_each_format(tmp_path: Path, article_text: str, article_html: str) -> None:
    batch = records(article_text, 2)
    files = {
        "story.txt.gz": article_text.encode(),
        "page.html.gz": article_html.encode(),
        "batch.json.gz": json.dumps(batch).encode(),
        "batch.jsonl.gz": "".join(json.dumps(r) + "\n" for r in batch).encode(),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(gzip.compress(content))

    [(label, story)] = list(read_inputs(str(tmp_path / "story.txt.gz")))
    assert label == str(tmp_path / "story.txt.gz")
    assert isinstance(story, Article) and story.text == article_text and story.id == "story"

    [(_, page)] = list(read_inputs(str(tmp_path / "page.html.gz")))
    assert isinstance(page, Article) and page.id == "page"
    assert page.title == "Harbour bridge to stay shut until spring" and "<p>" not in page.text

    json_items = list(read_inputs(str(tmp_path / "batch.json.gz")))
    assert [label for label, _ in json_items] == [
        f"{tmp_path}/batch.json.gz:[0] (r0)",
        f"{tmp_path}/batch.json.gz:[1] (r1)",
    ]
    assert all(isinstance(item, Article) for _, item in json_items)

    jsonl_items = list(read_inputs(str(tmp_path / "batch.jsonl.gz")))
    assert [label for label, _ in jsonl_items] == [
        f"{tmp_path}/batch.jsonl.gz:1 (r0)",
        f"{tmp_path}/batch.jsonl.gz:2 (r1)",
    ]
    first = jsonl_items[0][1]
    assert isinstance(first, Article) and first.text == batch[0]["text"]
    assert first.source == f"{tmp_path}/batch.jsonl.gz:1"


@pytest.mark.parametrize("name", ["story.txt.gz", "page.html.gz", "batch.json.gz", "batch.jsonl.gz"])
def test_compression_corrupt_gz_is_one_error_naming_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)  # a gzip header, then noise
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path)
    assert isinstance(item, CorruptInputError)
    assert str(item).startswith(f"{path}: the gzip data is corrupt") and "gzip -t" in str(item)


def test_compression_not_gzip_at_all_is_corrupt(tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "story.txt.gz"
    path.write_text(article_text, encoding="utf-8")  # named .gz, but plain text
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path) and isinstance(item, CorruptInputError)


def test_compression_truncated_jsonl_gz_keeps_the_lines_before(tmp_path: Path) -> None:
    batch = noisy_records(60)
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in batch).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])

    items = list(read_inputs(str(path)))
    *good, (last_label, last) = items
    assert 10 < len(good) < 60
    assert [label for label, _ in good] == [f"{path}:{n} (n{n - 1})" for n in range(1, len(good) + 1)]
    assert all(
        isinstance(item, Article) and item.text == batch[n]["text"] for n, (_, item) in enumerate(good)
    )
    assert last_label == str(path) and isinstance(last, CorruptInputError)
    assert "truncated" in str(last)


def test_compression_truncated_single_file_is_one_error(tmp_path: Path, article_text: str) -> None:
    data = gzip.compress(article_text.encode())
    path = tmp_path / "story.txt.gz"
    path.write_bytes(data[:-12])
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path) and isinstance(item, CorruptInputError)
    assert str(item).startswith(f"{path}: the gzip data is truncated")


def test_compression_multi_member_gzip_is_read_whole(tmp_path: Path, article_text: str) -> None:
    half = len(article_text) // 2
    path = tmp_path / "story.txt.gz"
    path.write_bytes(
        gzip.compress(article_text[:half].encode()) + gzip.compress(article_text[half:].encode())
    )
    [(_, item)] = list(read_inputs(str(path)))
    assert isinstance(item, Article) and item.text == article_text


def test_compression_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 30_000_000))  # 30 MB of text in some 30 kB
    assert path.stat().st_size < 100_000
    [(label, item)] = list(read_inputs(str(path)))
    assert label == str(path) and isinstance(item, InputTooLargeError)
    assert "once decompressed" in str(item)


def test_compression_iter_gunzip_gives_the_data_before_the_break() -> None:
    payload = random.Random(3).randbytes(300_000)
    data = gzip.compress(payload)
    out = bytearray()
    with pytest.raises(CorruptInputError, match="truncated"):
        for chunk in iter_gunzip(io.BytesIO(data[:-1000]), "x.gz"):
            out += chunk
    assert len(out) > 200_000 and payload.startswith(bytes(out))


def test_compression_gunzip_stream_ends_quietly_and_keeps_the_error() -> None:
    data = gzip.compress(b"line\n" * 50_000)
    stream = GunzipStream(io.BytesIO(data[: len(data) - 20]), "x.gz")
    read = stream.read()
    assert read and b"line\n" * 100 in read and stream.tell() == len(read)
    assert stream.read(10) == b""
    assert isinstance(stream.error, CorruptInputError)

    whole = GunzipStream(io.BytesIO(data), "x.gz")
    assert whole.read() == b"line\n" * 50_000 and whole.error is None


def test_compression_gunzip_refuses_past_the_limit() -> None:
    data = gzip.compress(b"x" * 100_000)
    assert gunzip(io.BytesIO(data), "x.gz", 100_000) == b"x" * 100_000
    with pytest.raises(InputTooLargeError, match="over the 0.05 MB limit once decompressed"):
        gunzip(io.BytesIO(data), "x.gz", 50_000)
