"""The store under hostile conditions, through the library: a held write lock, writers racing on one store,
damaged files, read-only stores. Every failure is one StoreError naming the store; nothing stored is lost."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.store.test_store import make_article
from unspun.errors import StoreError
from unspun.records import Article
from unspun.run.ingest import IngestOptions, ingest
from unspun.store import open_store
from unspun.store.locking import LOCK_WAIT_ENV, lock_wait_s
from unspun.store.migrate import upgrade
from unspun.store.store import BatchResult, QuoteQuery

PG_LOCK_KEY = 0x756E7370756E


def articles(n: int, prefix: str = "a") -> list[Article]:
    return [make_article(f"{prefix}{i}", f"Article {prefix}{i}: the harbour council met on Monday.") for i in range(n)]


def seeded(path: Path, n: int = 30) -> Path:
    with open_store(str(path)) as store:
        store.add([(a, None) for a in articles(n)])
    return path


def damage(path: Path, everywhere: bool = False) -> None:
    """Overwrite the b-tree header of the root page of every table and index (the schema stays readable, so
    the store opens and its queries fail), or of every page after the first (then not even the schema reads)."""
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    with sqlite3.connect(path) as conn:
        roots = [r for (r,) in conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 1 "
                                            "AND tbl_name != 'alembic_version'")]
    conn.close()
    pages = range(2, len(data) // size + 1) if everywhere else roots
    for page in pages:
        start = (page - 1) * size
        data[start : start + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


class LockHolder:
    """Another connection that holds a store's write lock (BEGIN IMMEDIATE) from hold() until release()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held, self.released = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def hold(self) -> None:
        if not self.thread.is_alive():
            self.thread.start()
        assert self.held.wait(10)

    def release(self) -> None:
        self.released.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.held.set()
        self.released.wait(30)
        conn.execute("ROLLBACK")
        conn.close()


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[tuple[Path, threading.Event]]:
    """A store of 30 articles whose write lock another connection holds until the event is set."""
    holder = LockHolder(seeded(tmp_path / "locked.db"))
    holder.hold()
    yield holder.path, holder.released
    holder.release()


# --- the write lock -------------------------------------------------------------------------------------


def test_store_write_lock_held_too_long_is_one_error_after_one_notice(
        held_lock: tuple[Path, threading.Event], capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = held_lock
    with open_store(str(path), lock_wait=0.6) as store:
        assert len(store.search("harbour", limit=100)) == 30  # readers do not wait for the writer
        started = time.monotonic()
        with pytest.raises(StoreError, match=rf"the database {path} is still locked by another process after 0.6 s"):
            store.add([(make_article("new", "A new article."), None)])
        assert 0.5 < time.monotonic() - started < 5
        with pytest.raises(StoreError, match="still locked"):
            store.add([(make_article("new", "A new article."), None)])
    notices = [line for line in capsys.readouterr().err.splitlines() if "waiting for the database" in line]
    notice = f"unspun: waiting for the database {path}: another process holds its write lock (giving up after 0.6 s)"
    assert notices == [notice]  # said once, not once per try


def test_store_write_waits_for_the_lock_and_then_writes(held_lock: tuple[Path, threading.Event],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path, release = held_lock
    threading.Timer(1.3, release.set).start()  # after the notice (at half the wait), before the bound
    with open_store(str(path), lock_wait=2) as store:
        result = store.add([(make_article("new", "A new article."), None)])
        assert result.inserted == ["new"] and store.counts()["articles"] == 31
    assert "waiting for the database" in capsys.readouterr().err


def test_store_optimize_does_not_wait_for_a_held_lock(held_lock: tuple[Path, threading.Event]) -> None:
    path, _ = held_lock
    with open_store(str(path), lock_wait=0.4) as store:
        store.optimize()  # only a planner hint: skipped, no error


def test_store_ingest_stopped_by_a_held_lock_says_what_it_kept(tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps({"id": f"n{i}", "text": f"Story {i}: the council met on Monday."}) + "\n"
                              for i in range(6)), encoding="utf-8")
    path = tmp_path / "corpus.db"
    holder = LockHolder(path)
    kept = r"still locked by another process after 0.3 s: .*; this run stored 2 new article\(s\) before it stopped"
    with open_store(str(path), lock_wait=0.3) as store, pytest.raises(StoreError, match=kept):
        # another process takes the lock once the first batch is stored
        ingest([str(source)], store, IngestOptions(analyze=False, batch_size=2), lambda _: holder.hold())
    holder.release()
    with open_store(str(path)) as store:
        assert store.counts()["articles"] == 2
        assert ingest([str(source)], store, IngestOptions(analyze=False, batch_size=2)).ingested == 4


def test_store_lock_wait_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCK_WAIT_ENV, "2.5")
    assert lock_wait_s() == 2.5 and lock_wait_s(1.0) == 1.0
    monkeypatch.setenv(LOCK_WAIT_ENV, "soon")
    with pytest.raises(StoreError, match=r"\$UNSPUN_LOCK_WAIT must be a number of seconds"):
        lock_wait_s()
    monkeypatch.delenv(LOCK_WAIT_ENV)
    assert lock_wait_s() == 300.0


@contextmanager
def write_lock_held_elsewhere(url: str) -> Iterator[None]:
    """Another connection holds the store's write lock: SQLite's, or PostgreSQL's advisory lock."""
    if url.startswith("sqlite"):
        holder = LockHolder(Path(url.removeprefix("sqlite:///")))
        holder.hold()
        yield
        holder.release()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (PG_LOCK_KEY,))
        yield
        other.execute("SELECT pg_advisory_unlock(%s)", (PG_LOCK_KEY,))


def test_store_write_lock_held_too_long_on_each_backend(store_url: str) -> None:
    open_store(store_url).close()
    with open_store(store_url, lock_wait=0.5) as store:
        with write_lock_held_elsewhere(store_url), pytest.raises(StoreError, match="still locked .* after 0.5 s"):
            store.add([(make_article("new", "A new article."), None)])
        assert store.add([(make_article("new", "A new article."), None)]).inserted == ["new"]


# --- writers racing -------------------------------------------------------------------------------------


def test_store_overlapping_adds_store_each_article_once(store_url: str) -> None:
    """Four writers add the same 200 articles in batches at once: no error, each stored once, and between them
    every article is reported inserted exactly once."""
    open_store(store_url).close()
    batch = articles(200)
    results: list[BatchResult] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with open_store(store_url, lock_wait=30) as store:
                for i in range(0, len(batch), 20):
                    results.append(store.add([(a, None) for a in batch[i : i + 20]]))
        except BaseException as exc:  # noqa: BLE001 - reported below: the test fails on any of them
            errors.append(exc)

    run_at_once(writer, 4)
    assert errors == []
    inserted = [i for r in results for i in r.inserted]
    assert sorted(inserted) == sorted(a.id or "" for a in batch)
    assert sum(len(r.present) for r in results) == 3 * 200
    with open_store(store_url) as store:
        assert store.counts()["articles"] == 200


def test_store_new_store_opened_by_many_at_once_is_created_once(store_url: str) -> None:
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_store(store_url, lock_wait=30).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    run_at_once(opener, 4)
    assert errors == []
    with open_store(store_url) as store:
        assert store.counts()["articles"] == 0


# --- damaged files ----------------------------------------------------------------------------------------


def test_store_damaged_pages_are_one_error_naming_the_file(tmp_path: Path) -> None:
    path = seeded(tmp_path / "damaged.db")
    damage(path)
    expected = rf"the database {path} is damaged \(.+\): restore it from a backup"
    with open_store(str(path)) as store:
        for read in (lambda: store.search("harbour"), lambda: store.counts(), lambda: store.article("a1"),
                     lambda: store.quotes(QuoteQuery()), lambda: list(store.export_rows("articles")),
                     lambda: list(store.iter_articles()), lambda: store.status(["a1"], "v1")):
            with pytest.raises(StoreError, match=expected):
                read()
        with pytest.raises(StoreError, match=expected):
            store.add([(make_article("new", "A new article."), None)])
    damage(path, everywhere=True)
    with pytest.raises(StoreError, match=expected):
        open_store(str(path))


@pytest.mark.parametrize("content", [b"just some notes, not a database\n" * 20, b"\x00" * 4096,
                                     b"SQLite format 3\x00" + b"\xff" * 200])
def test_store_file_that_is_not_a_database_is_one_error_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    for readonly in (None, True):
        with pytest.raises(StoreError, match=rf"the database {path} is (damaged|not)"):
            open_store(str(path), readonly=readonly)
    assert path.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_store_empty_file_becomes_a_new_store_or_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StoreError, match=f"the database {path} holds no unspun store yet"):
        open_store(str(path), readonly=True)
    with open_store(str(path)) as store:
        assert store.counts()["articles"] == 0


def test_store_written_by_a_newer_unspun_is_one_error(tmp_path: Path) -> None:
    path = seeded(tmp_path / "future.db")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    for readonly in (None, True):
        with pytest.raises(StoreError, match=r"was written by a newer unspun \(schema 0999"):
            open_store(str(path), readonly=readonly)


def test_store_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="has tables but no unspun schema"):
        open_store(str(path))
    assert path.read_bytes() == before


# --- read-only stores -------------------------------------------------------------------------------------


def test_store_readonly_reads_without_changing_a_byte(tmp_path: Path) -> None:
    path = seeded(tmp_path / "corpus.db")
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with open_store(str(path), readonly=True) as store:
        assert store.readonly and len(store.search("harbour", limit=100)) == 30
        assert store.counts()["articles"] == 30 and len(list(store.export_rows("articles"))) == 30
        store.optimize()  # a no-op, not an error
        with pytest.raises(StoreError, match=rf"the database {path} is open read-only \(opened read-only, as "
                                             r"asked\): this command writes"):
            store.add([(make_article("new", "A new article."), None)])
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_store_readonly_where_the_log_cannot_be_created(tmp_path: Path) -> None:
    """A folder where the write-ahead log cannot be made (as in a read-only folder or mount; here its name is
    taken by a directory, which stops root too): read commands still read, write commands say why they cannot."""
    path = seeded(tmp_path / "corpus.db")
    (tmp_path / "corpus.db-wal").mkdir()
    before = path.read_bytes()
    for readonly in (True, None):  # asked for, or found out on opening
        with open_store(str(path), readonly=readonly) as store:
            assert store.readonly and store.counts()["articles"] == 30
            assert [h.id for h in store.search("a7")] == ["a7"]
            with pytest.raises(StoreError, match=rf"the database {path} is open read-only"):
                store.add([(make_article("new", "A new article."), None)])
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db", "corpus.db-wal"]


def test_store_readonly_with_an_older_schema_says_to_upgrade_it_first(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    engine.dispose()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"has an older schema \(0001; this unspun needs \d+\) and is open read-only: "
                                         r"run a command that writes"):
        open_store(str(path), readonly=True)
    assert path.read_bytes() == before
    with open_store(str(path)) as store:  # where it may write, it upgrades
        assert not store.readonly


def test_store_readonly_missing_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(StoreError, match=f"no database at {path}"):
        open_store(str(path), readonly=True)
    assert not path.exists()


def test_store_readonly_refuses_writes_on_each_backend(store_url: str) -> None:
    open_store(store_url).close()
    with open_store(store_url, readonly=True) as store:
        assert store.counts()["articles"] == 0
        with pytest.raises(StoreError, match="is open read-only"):
            store.add([(make_article("new", "A new article."), None)])


def run_at_once(target: Callable[[], None], count: int) -> None:
    """Start count threads running target together and wait for all of them."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
