"""Hostile inputs to `analyze` and `ingest`, run through the real entry point (issue 17): one clear line per
bad item, a non-zero exit when nothing could be used, never a traceback, and every good item of a batch kept."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspun.cli.app import main
from unspun.config import MAX_ARTICLE_CHARS
from unspun.run.problems import DETAIL_LIMIT
from unspun.store import open_store

pytestmark = pytest.mark.model

UNSPUN = Path(sys.executable).parent / "unspun"
GOOD = ("Officials in Riverside said on Tuesday that the harbour bridge would stay closed until March, after "
        "engineers found cracks in two of its piers. \"We have no choice but to keep it shut,\" said Helen Marsh, "
        "the council's head of transport.")
DEEP = "[" * 5000 + "]" * 5000


@dataclass
class Run:
    code: int
    out: bytes
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


def run_main(capfd: pytest.CaptureFixture[bytes], *args: str) -> Run:
    """The `unspun` entry point in this process (the pipeline stays loaded between runs)."""
    argv = sys.argv
    sys.argv = ["unspun", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.argv = argv
        sys.stdout.flush()
        sys.stderr.flush()
    out, err = capfd.readouterr()
    return Run(code, out, err.decode("utf-8", "replace"))


def run_process(*args: str | bytes) -> Run:
    done = subprocess.run([str(UNSPUN), *args], capture_output=True, timeout=300, check=False)
    return Run(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


def stored_ids(db: Path) -> set[str]:
    with open_store(f"sqlite:///{db}") as store:
        return {a.id or "" for a in store.iter_articles()}


def assert_clean(run: Run) -> None:
    assert "Traceback" not in run.err, run.err


def test_hostile_deeply_nested_json_is_one_line(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    single = tmp_path / "deep.json"
    single.write_text(DEEP, encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(single))
    assert_clean(run)
    assert run.code == 2 and "nested too deeply" in run.err
    assert len([line for line in run.lines if "nested too deeply" in line]) == 1

    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "good", "text": GOOD}) + "\n" + '{"id": "deep", "text": ' + DEEP + "}\n",
                     encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(batch), "--format", "json")
    assert_clean(run)
    assert run.code == 0 and [json.loads(line)["article"]["id"] for line in run.out.splitlines()] == ["good"]
    assert any("batch.jsonl:2: the JSON is nested too deeply" in line for line in run.lines)
    db = tmp_path / "s.db"
    run = run_main(capfdbinary, "ingest", str(batch), "--db", f"sqlite:///{db}", "--no-analyze")
    assert_clean(run)
    assert run.code == 0 and stored_ids(db) == {"good"}


def test_hostile_text_over_the_article_limit_is_refused_and_the_batch_goes_on(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    sentence = "The council said the harbour bridge would stay closed until March, after engineers found cracks. "
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "huge.txt").write_text(sentence * (MAX_ARTICLE_CHARS // len(sentence) + 10), encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(folder / "huge.txt"))
    assert_clean(run)
    assert run.code == 2 and len(run.lines) == 1 and "1,000,000-character limit" in run.err
    run = run_main(capfdbinary, "analyze", str(folder), "--format", "json")
    assert_clean(run)
    assert run.code == 0 and len(run.out.splitlines()) == 1 and "skipped" in run.err and "huge.txt" in run.err


def test_hostile_text_over_the_limit_with_worker_processes(tmp_path: Path) -> None:
    """Two worker processes used to print three tracebacks; now the long one is stored without analysis."""
    sentence = "The council said the harbour bridge would stay closed until March, after engineers found cracks. "
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "huge.txt").write_text(sentence * (MAX_ARTICLE_CHARS // len(sentence) + 10), encoding="utf-8")
    db = tmp_path / "s.db"
    run = run_process("ingest", str(folder), "--db", f"sqlite:///{db}", "--workers", "2")
    assert_clean(run)
    assert run.code == 0 and stored_ids(db) == {"good", "huge"}
    assert "stored without analysis huge: " in run.err and "analysed 1" in run.err


def test_hostile_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    os.makedirs(os.fsencode(folder), exist_ok=True)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as handle:
        handle.write(GOOD.replace("Helen Marsh", "Ruth Adeyemi"))
    run = run_process("analyze", str(folder), "--format", "json")
    assert_clean(run)
    assert run.code == 0
    ids = [json.loads(line)["article"]["id"] for line in run.out.decode("utf-8").splitlines()]  # valid UTF-8
    assert sorted(ids) == ["caf\\xe9", "good"]
    db = tmp_path / "s.db"
    run = run_process("ingest", str(folder), "--db", f"sqlite:///{db}", "--no-analyze")
    assert_clean(run)
    assert run.code == 0 and stored_ids(db) == {"caf\\xe9", "good"}


def test_hostile_millions_of_bad_lines_are_summarised(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    batch = tmp_path / "many.jsonl"
    batch.write_text(json.dumps({"id": "good", "text": GOOD}) + "\n" + "{bad\n" * 5000, encoding="utf-8")
    db = tmp_path / "s.db"
    for args in (["analyze", str(batch), "--format", "json"],
                 ["ingest", str(batch), "--db", f"sqlite:///{db}", "--no-analyze"]):
        run = run_main(capfdbinary, *args)
        assert_clean(run)
        assert run.code == 0
        skipped = [line for line in run.lines if line.startswith("unspun: skipped ")]
        assert len(skipped) == DETAIL_LIMIT
        assert any(f"and {5000 - DETAIL_LIMIT:,} more skipped" in line and "invalid record 5,000" in line
                   for line in run.lines), run.lines
        assert len(run.lines) <= DETAIL_LIMIT + 2
    assert stored_ids(db) == {"good"}


def test_hostile_control_characters_never_reach_the_terminal(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    path = tmp_path / "ansi.txt"
    path.write_text("\x1b[2J\x1b[H" + GOOD.replace("Helen Marsh", "Helen \x1b]0;pwned\x07Marsh"), encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(path))
    assert run.code == 0
    text = run.out.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    assert "␛[2J" in text  # shown, not obeyed
    escaped_name = tmp_path / "name\x1b[31m.txt"
    escaped_name.write_text("", encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(escaped_name))
    assert run.code == 2 and "\x1b" not in run.err and "␛[31m" in run.err


def test_hostile_ingest_fails_when_nothing_is_stored(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{bad\n[1, 2]\n", encoding="utf-8")
    db = tmp_path / "s.db"
    run = run_main(capfdbinary, "ingest", str(bad), str(tmp_path / "missing.txt"), "--db", f"sqlite:///{db}")
    assert_clean(run)
    assert run.code == 2 and "ingested 0" in run.err and len(run.lines) == 4
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    run = run_main(capfdbinary, "ingest", str(bad), str(tmp_path / "good.txt"), "--db", f"sqlite:///{db}",
                   "--no-analyze")
    assert run.code == 0 and stored_ids(db) == {"good"}


def test_hostile_paths_and_outputs(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    cases = [
        (["analyze", "x" * 5000], "cannot read this path (File name too long)"),
        (["analyze", str(tmp_path / "loop")], "a broken or looping symbolic link"),
        (["analyze", str(good), "--format", "json", "--out", str(tmp_path / "no" / "such" / "dir.json")],
         "cannot write the report"),
    ]
    for args, words in cases:
        run = run_main(capfdbinary, *args)
        assert_clean(run)
        assert run.code == 2 and len(run.lines) == 1 and words in run.err, run.err


def test_hostile_json_strings_with_lone_surrogates(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "s\\ud800", "title": "T\\udfff", "text": ' + json.dumps(GOOD + " \\ud83d")[:-1]
                     + '\\udc00"}\n', encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(batch), "--format", "json")
    assert run.code == 0
    record = json.loads(run.out.decode("utf-8"))
    assert record["article"]["id"] == "s\ufffd" and record["article"]["title"] == "T\ufffd"
    db = tmp_path / "s.db"
    run = run_main(capfdbinary, "ingest", str(batch), "--db", f"sqlite:///{db}")
    assert_clean(run)
    assert run.code == 0 and stored_ids(db) == {"s\ufffd"}


def test_hostile_wrongly_typed_record_fields(capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    records = [{"id": "good", "text": GOOD}, {"id": {"nested": 1}, "text": GOOD}, {"id": "t", "text": GOOD,
               "title": ["a", "list"]}, {"id": "n", "text": 42}, "a string", None, [1]]
    batch.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    run = run_main(capfdbinary, "analyze", str(batch), "--format", "json")
    assert_clean(run)
    assert run.code == 0 and len(run.out.splitlines()) == 1
    assert len([line for line in run.lines if line.startswith("unspun: skipped")]) == len(records) - 1


# --- fuzzing: files that are broken in every way a crawl can break them ------------------------------------

def _gzip_cut(data: bytes, keep: float) -> bytes:
    packed = gzip.compress(data)
    return packed[: max(10, int(len(packed) * keep))]


_WARC = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/a\r\nContent-Length: 500\r\n"
         b"WARC-Date: 2025-01-01T00:00:00Z\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>")

# No .urls lists here: a random one could name a host outside this machine, and tests stay on loopback.
HOSTILE_FILES = st.one_of(
    st.tuples(st.sampled_from([".txt", ".html", ".json", ".jsonl", ".md", ".xml", ".warc"]),
              st.binary(max_size=2000)),
    st.tuples(st.sampled_from([".txt.gz", ".jsonl.gz", ".html.gz", ".warc.gz"]),
              st.floats(0.0, 0.95).map(lambda keep: _gzip_cut((GOOD * 5).encode(), keep))),
    st.tuples(st.just(".warc"), st.integers(0, len(_WARC)).map(lambda n: _WARC[:n])),
    st.tuples(st.just(".html"), st.integers(0, 200).map(lambda n: ("<html><body><p>" + GOOD)[:n].encode())),
    st.tuples(st.just(".jsonl"), st.lists(st.one_of(
        st.just(b"{bad"), st.just(b"[1]"), st.just(b'{"text": 5}'), st.just(b'{"text": ""}'),
        st.just(b'{"text": "' + b"\\ud800" * 3 + b'"}'), st.just(("[" * 3000).encode()),
        st.binary(max_size=60).filter(lambda b: b"\n" not in b)), min_size=1, max_size=6).map(b"\n".join)),
    st.tuples(st.sampled_from([".txt", ".html"]), st.sampled_from(["utf-16-be", "cp1251", "latin-1", "utf-32"])
              .map(lambda enc: GOOD.encode(enc, "replace"))),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(HOSTILE_FILES, min_size=1, max_size=4))
def test_hostile_fuzzed_batches_keep_every_good_item(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path_factory: pytest.TempPathFactory,
    files: list[tuple[str, bytes]],
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for n, (suffix, data) in enumerate(files):
        (folder / f"bad{n}{suffix}").write_bytes(data)
    db = folder / "s.db"
    run = run_main(capfdbinary, "ingest", str(folder), "--db", f"sqlite:///{db}", "--no-analyze")
    assert_clean(run)
    assert run.code == 0 and "good" in stored_ids(db)
    assert all(line.startswith(("unspun: ", "ingested ")) for line in run.lines), run.lines
    run = run_main(capfdbinary, "analyze", str(folder), "--format", "json")
    assert_clean(run)
    assert run.code == 0 and all(line.startswith("unspun: ") for line in run.lines), run.lines
    assert "good" in {json.loads(line)["article"]["id"] for line in run.out.splitlines()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=HOSTILE_FILES)
def test_hostile_fuzzed_single_input_is_one_line(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path_factory: pytest.TempPathFactory, file: tuple[str, bytes]
) -> None:
    suffix, data = file
    path = tmp_path_factory.mktemp("one") / f"input{suffix}"
    path.write_bytes(data)
    run = run_main(capfdbinary, "analyze", str(path), "--format", "json")
    assert_clean(run)
    if run.code != 0:
        assert run.lines and all(line.startswith("unspun: ") for line in run.lines), run.lines
        problems = [line for line in run.lines if not line.startswith("unspun: analysed ")]
        assert len(problems) <= DETAIL_LIMIT + 1
