"""The Dask engine on a real 2-worker LocalCluster over the real PostgreSQL: ingest, re-analysis and stories
store exactly what the serial engine stores; a worker killed mid-run loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTICLE_TEXT
from unspun.ingest.normalize import normalize_article
from unspun.records import Article
from unspun.run.cluster import ClusterReport, Engine
from unspun.run.ingest import IngestOptions, ingest, reanalyse
from unspun.store import open_store
from unspun.stories.update import update_stories

pytestmark = pytest.mark.cluster
TABLES = ("articles", "analyses", "quotes", "entities", "dates", "hedges", "artefacts", "techniques", "narratives",
          "stories", "story_members")
VOLATILE = {"ingested_at", "analysed_at", "updated_at", "id"}  # clocks, and the row numbers of child tables


@pytest.fixture
def database(postgres_url: str) -> Iterator[Any]:
    """make() -> the URL of a fresh database on the test server (all dropped afterwards)."""
    import psycopg

    made: list[str] = []

    def make() -> str:
        name = f"c_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return postgres_url.rsplit("/", 1)[0] + f"/{name}"

    yield make
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row, clocks and row numbers left out, in a stable order."""
    with open_store(url, readonly=True) as store:
        out = {}
        for table in TABLES:
            rows = [tuple(sorted((k, repr(v)) for k, v in row.items() if k not in VOLATILE))
                    for row in store.export_rows(table)]
            out[table] = sorted(rows)
    return out


def demo_path() -> str:
    return str(resources.files("unspun").joinpath("demo", "articles.jsonl"))


def test_cluster_stores_exactly_what_the_serial_engine_stores(database: Any, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    from unspun.stories import distributed

    # Small chunks, so that even the demo's few pairs and one story are scored and built on the workers.
    monkeypatch.setattr(distributed, "LOCAL_BELOW", 0)
    monkeypatch.setattr(distributed, "PAIRS_PER_TASK", 3)
    monkeypatch.setattr(distributed, "STORIES_PER_TASK", 0)
    monkeypatch.setattr(distributed, "QUERIED_LOCAL_BELOW", 0)
    monkeypatch.setattr(distributed, "QUERIES_PER_TASK", 3)
    monkeypatch.setattr(distributed, "BANDS_PER_TASK", 5)
    # Two deliveries, stories after each: the first matches everything (a rebuild), the second only the new.
    lines = Path(demo_path()).read_text(encoding="utf-8").splitlines(keepends=True)
    parts = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    parts[0].write_text("".join(lines[:6]), encoding="utf-8")
    parts[1].write_text("".join(lines[6:]), encoding="utf-8")
    serial, cluster = database(), database()
    with open_store(serial) as store:
        for part in parts:
            ingest([str(part)], store, IngestOptions(batch_size=2))
            update_stories(store)
    report = ClusterReport()
    engine = Engine("dask", workers=2)
    stories = ClusterReport()
    with open_store(cluster) as store:
        for part in parts:
            summary = ingest([str(part)], store, IngestOptions(batch_size=2, engine=engine, cluster=report))
            update_stories(store, engine=engine, cluster=stories)
    assert summary.ingested == 4 and report.workers == 2 and report.dashboard
    assert report.retried == [] and report.workers_lost == 0 and report.tasks["worker_batch"] == 5
    assert stories.tasks["compute_features"] >= 1 and stories.tasks["score_pairs"] >= 2
    assert stories.tasks["build_stories"] >= 1 and stories.tasks["candidate_pairs"] >= 8  # all on the workers
    expected, got = contents(serial), contents(cluster)
    assert expected["quotes"] and expected["story_members"]  # something to compare
    for table in TABLES:
        assert got[table] == expected[table], table

    with open_store(cluster) as store:  # a re-analysis of everything on the cluster changes nothing
        again = reanalyse(store, batch_size=3, everything=True, engine=engine)
    assert again.analysed == 9
    assert contents(cluster) == expected


def many_articles(count: int) -> list[Article]:
    """Articles long enough that a batch of four takes a worker about a second (time to kill it mid-task)."""
    return [normalize_article(Article(text=(ARTICLE_TEXT.replace("Riverside", f"Town{n}") + "\n") * 6, id=f"a{n:03d}",
                                      site=f"site{n % 7}.example", published="2026-03-01"), "test")
            for n in range(count)]


def test_cluster_worker_killed_mid_run_loses_and_duplicates_nothing(database: Any, tmp_path: Any) -> None:
    from dask.distributed import Client, LocalCluster

    articles = many_articles(40)
    source = tmp_path / "many.jsonl"
    source.write_text("".join(f'{{"id": "{a.id}", "site": "{a.site}", "published": "{a.published}", '
                              f'"text": {json.dumps(a.text)}}}\n' for a in articles), encoding="utf-8")
    serial, killed = database(), database()
    with open_store(serial) as store:
        ingest([str(source)], store, IngestOptions(batch_size=4))

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0")
    watcher = Client(cluster)
    pids = watcher.run(os.getpid)  # worker address -> its process, known before the run
    report = ClusterReport()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with open_store(killed) as store:
                outcome["summary"] = ingest([str(source)], store, IngestOptions(
                    batch_size=4, engine=Engine("dask", scheduler=cluster.scheduler_address), cluster=report))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread below
            outcome["error"] = exc

    try:
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        victim = None
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            if stored_count(killed) >= 4:  # some batches stored; kill a worker while it analyses the next
                busy = [w for w, keys in watcher.processing().items() if keys and w in pids]
                if busy:
                    victim = min(busy)
                    os.kill(pids[victim], signal.SIGKILL)
            time.sleep(0.02)
        assert victim is not None, "no worker was busy while batches were being stored"
        thread.join(timeout=300)
        assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    finally:
        watcher.close()
        cluster.close()
    assert outcome["summary"].ingested == 40 and outcome["summary"].analysed == 40
    assert report.workers_lost >= 1 and report.retried  # the dead worker's batches ran again elsewhere
    assert contents(killed) == contents(serial)  # nothing lost, nothing twice


def stored_count(url: str) -> int:
    try:
        with open_store(url, readonly=True) as store:
            return store.counts()["articles"]
    except Exception:  # noqa: BLE001 - not created yet
        return 0


def _pipelines_loaded() -> int:
    from unspun.nlp.pipeline import load_pipeline

    return load_pipeline.cache_info().currsize


def test_cluster_workers_load_the_pipeline_for_analysis_only() -> None:
    from unspun.run.cluster import dask_client

    with dask_client(Engine("dask", workers=1), pipeline=False) as client:
        assert list(client.run(_pipelines_loaded).values()) == [0]  # stories: no spaCy on the workers
    with dask_client(Engine("dask", workers=1)) as client:
        assert list(client.run(_pipelines_loaded).values()) == [1]  # analysis: loaded once, at start


def test_cluster_unreachable_scheduler_is_one_clear_message() -> None:
    from unspun.run.cluster import ClusterError, dask_client

    engine = Engine("dask", scheduler="tcp://127.0.0.1:9", connect_timeout_s=2)
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"), \
            dask_client(engine):
        pass


def test_cluster_cli_ingest_and_stories(database: Any) -> None:
    from tests.cli.test_cli import run_unspun

    url = database()
    ingested = run_unspun("ingest", demo_path(), "--db", url, "--engine", "dask", "--workers", "2",
                          "--batch-size", "4")
    assert ingested.returncode == 0, ingested.stderr
    assert "Dask: 2 worker(s) on this machine; dashboard http://127.0.0.1:" in ingested.stderr
    assert "ingested 10" in ingested.stderr + ingested.stdout
    stories = run_unspun("stories", "--db", url, "--engine", "dask", "--workers", "2", "--format", "json")
    assert stories.returncode == 0, stories.stderr
    assert json.loads(stories.stdout)["stories"][0]["origin"] == "origin-ministry"
    wrong = run_unspun("ingest", demo_path(), "--db", url, "--scheduler", "tcp://127.0.0.1:9")
    assert wrong.returncode != 0 and wrong.stderr.strip() == "unspun: --scheduler needs --engine dask"
