"""The ingest loop against real stores: idempotent, batch-atomic, and whole again after a SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unspun.run.ingest import IngestOptions, ingest, reanalyse
from unspun.store import open_store

UNSPUN = str(Path(sys.executable).with_name("unspun"))


def write_jsonl(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(start, start + count):
            text = (f"Officials in Town {n} said that the new bridge number {n} would open next spring. "
                    f"“We are ready,” said Mayor Ana Ruiz of Town {n}.")
            handle.write(json.dumps({"id": f"art-{n}", "text": text, "site": f"site{n % 7}.example",
                                     "published": "2026-11-20"}) + "\n")
    return path


def test_ingest_twice_adds_nothing(store_url: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", 30)
    with open_store(store_url) as store:
        first = ingest([str(source)], store, IngestOptions(analyze=False, batch_size=7))
        second = ingest([str(source)], store, IngestOptions(analyze=False, batch_size=7))
        assert (first.ingested, first.present) == (30, 0)
        assert (second.ingested, second.present) == (0, 30)
        assert store.counts()["articles"] == 30


@pytest.mark.model
def test_ingest_analyses_and_reports_bad_items(store_url: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", 5)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"id": "art-1", "text": "A different text under an id already used."}) + "\n")
        handle.write(json.dumps({"id": "de", "text": "Die Regierung hat am Montag beschlossen, dass die neue "
                                                   "Brücke im nächsten Frühjahr eröffnet wird und alle Bürger "
                                                   "sie kostenlos benutzen dürfen."}) + "\n")
    with open_store(store_url) as store:
        summary = ingest([str(source)], store, IngestOptions(batch_size=4))
        assert summary.ingested == 6 and summary.analysed == 5
        reasons = " ".join(reason for _, reason in summary.skipped)
        assert "JSON" in reasons and "different text" in reasons and len(summary.skipped) == 2
        # stored without analysis, counted by kind but not listed: another language is not a fault
        assert dict(summary.not_analysed.kinds) == {"not English": 1} and not summary.not_analysed.shown
        analysis = store.analysis("art-3")
        assert analysis is not None
        assert [q.speaker.name for q in analysis.quotes if q.kind == "direct"] == ["Ana Ruiz"]
        again = ingest([str(source)], store, IngestOptions(batch_size=4))
        assert again.ingested == 0 and again.analysed == 0


@pytest.mark.model
def test_ingest_reanalyse_finds_older_versions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_store(url) as store:
        ingest([str(write_jsonl(tmp_path / "a.jsonl", 4))], store, IngestOptions(analyze=False))
        assert reanalyse(store).analysed == 4
        assert reanalyse(store).analysed == 0  # all current now
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE analyses SET pipeline_version = 'old' WHERE article_id = 'art-2'")
        assert reanalyse(store).analysed == 1


@pytest.mark.model
def test_ingest_with_worker_processes_matches_serial(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", 12)
    results = []
    for workers in (1, 2):
        with open_store(f"sqlite:///{tmp_path / f'w{workers}.db'}") as store:
            ingest([str(source)], store, IngestOptions(workers=workers, batch_size=3))
            results.append([store.analysis(f"art-{n}") for n in range(12)])
    assert results[0] == results[1] and all(a is not None for a in results[0])


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _kill_midway(cmd: list[str], db: Path, table: str, threshold: int, limit_s: float = 120) -> None:
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit_s
    try:
        while _count(db, table) < threshold:
            assert process.poll() is None, "the ingest finished before it could be killed"
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL


def test_ingest_survives_sigkill_of_a_10000_article_ingest(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "big.jsonl", 10_000)
    db = tmp_path / "crash.db"
    cmd = [UNSPUN, "ingest", str(source), "--db", f"sqlite:///{db}", "--no-analyze", "--batch-size", "250"]
    _kill_midway(cmd, db, "articles", threshold=2_000)
    stored = _count(db, "articles")
    assert 0 < stored < 10_000 and stored % 250 == 0  # whole batches only
    subprocess.run(cmd, check=True, capture_output=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (10_000, 10_000)


@pytest.mark.model
def test_ingest_sigkill_never_leaves_half_results(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "small.jsonl", 240)
    db = tmp_path / "crash.db"
    cmd = [UNSPUN, "ingest", str(source), "--db", f"sqlite:///{db}", "--batch-size", "20"]
    _kill_midway(cmd, db, "analyses", threshold=40)
    with sqlite3.connect(db) as conn:
        articles, analysed = conn.execute(
            "SELECT count(*), (SELECT count(*) FROM analyses) FROM articles").fetchone()
        assert articles == analysed  # an article and its results are written in one transaction
        assert conn.execute("SELECT count(*) FROM analyses a WHERE a.quotes != "
                            "(SELECT count(*) FROM quotes q WHERE q.article_id = a.article_id)").fetchone()[0] == 0
    subprocess.run(cmd, check=True, capture_output=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (240, 240)
        assert conn.execute("SELECT count(*) FROM analyses").fetchone()[0] == 240
        assert conn.execute("SELECT count(*) FROM quotes").fetchone()[0] == conn.execute(
            "SELECT sum(quotes) FROM analyses").fetchone()[0]


def test_reanalyse_a_batch_with_nothing_analysable(tmp_path: Path) -> None:
    """A re-analysis batch holding only an article in another language stores nothing for it, and fails not."""
    from importlib import resources

    from unspun.run.ingest import IngestOptions, ingest, reanalyse
    from unspun.store import open_store

    demo = str(resources.files("unspun").joinpath("demo", "articles.jsonl"))
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        ingest([demo], store, IngestOptions(analyze=False))
        summary = reanalyse(store, batch_size=1, everything=True)
        assert summary.analysed == 9 and store.counts()["analyses"] == 9
        assert summary.not_analysed.kinds.get("not English") == 1
