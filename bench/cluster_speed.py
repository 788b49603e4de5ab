"""Benchmark the Dask engine (run/cluster.py): ingest throughput with 1 and 2 Dask workers against the
serial and local engines, story features on the cluster, and the parts that bound a larger cluster (the
scheduler's per-task cost, what one driver and its database write path sustain), with a projection for 10 and
100 workers.

    .venv/bin/python bench/cluster_speed.py [--articles 400] [--repeats 2] [--batch-size 200]

Texts: the English articles of the development corpus and PolNeAR train texts, read from ../shared at run
time (never copied; synthetic text when ../shared is missing), written to a temporary JSON Lines file.
1. `ingest` with analysis into fresh stores, each run in a fresh process: serial engine (1 process) on SQLite
   and PostgreSQL, local engine with 2 processes, Dask LocalCluster with 1 and 2 workers (PostgreSQL, the
   shared store of a cluster: a throwaway server from tests/postgres_server.py). The timed span is the
   `ingest(...)` call. Not in it: loading the spaCy pipeline (serial: loaded before), and the LocalCluster
   start-up (cluster, client, worker plugin loading the pipeline on each worker), timed before it and reported
   apart; the local engine starts its pool inside the call, so its start-up is timed apart in another process.
   The LocalCluster is the one the engine's dask_client starts (the engine's settings: its workers run
   without the MALLOC_TRIM_THRESHOLD_=65536 Dask's nannies set). Diagnosis, one run each: the same Dask runs
   with workers that keep Dask's default, as a cluster's own workers do without docs/cluster.md's setting.
2. `update_stories` on copies of an ingested store (no features yet): serial vs Dask with 2 workers.
3. The parts of the projection: the scheduler's tasks/s (no-op tasks, in bulk and through the engine's own
   `in_order` window), batches of real articles out and their real analyses back (no analysis), `store.add` of
   analysed batches on PostgreSQL (one writer), the driver's other per-article work, and the whole driver: the
   real Dask ingest of ten copies of the corpus with workers that answer at once with stored analyses.
Configurations are repeated --repeats times, interleaved, and the median is reported.
Writes bench/results/cluster_speed.json and .md. Run it on an otherwise idle machine (about 15 minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import pickle
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"
TARGET_OVERHEAD = 0.10
PROJECTED_WORKERS = (2, 10, 100)
PROJECTED_BATCH = 200

# (name, engine, workers, backend, runs: "all" repeats or one): the ingest configurations, in the order each
# repeat runs them. "dask*_trimmed": workers with Dask's default MALLOC_TRIM_THRESHOLD_=65536 (its nannies'
# distributed.nanny.pre-spawn-environ), which the engine's own LocalCluster leaves out: a diagnosis, run once.
INGEST_CONFIGS = (
    ("serial_sqlite", "serial", 1, "sqlite", "one"),
    ("serial_pg", "serial", 1, "pg", "all"),
    ("dask1_pg", "dask", 1, "pg", "all"),
    ("dask1_pg_trimmed", "dask-trimmed", 1, "pg", "one"),
    ("local2_pg", "local", 2, "pg", "all"),
    ("dask2_pg", "dask", 2, "pg", "all"),
    ("dask2_pg_trimmed", "dask-trimmed", 2, "pg", "one"),
)
CEILING_COPIES = 10  # the driver-ceiling run ingests the corpus this many times over (new ids)


# --- corpus ------------------------------------------------------------------------------------------


def load_corpus(count: int) -> tuple[list[dict[str, Any]], str]:
    """Up to `count` English news records: the development corpus, then PolNeAR train texts with their
    publisher and date; synthetic text when ../shared is missing. Returns (records, description)."""
    records: list[dict[str, Any]] = []
    corpus = SHARED / "corpus" / "dev" / "articles.jsonl"
    if corpus.exists():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("lang") == "en" and row.get("text", "").strip():
                records.append({"id": f"dev-{row['id']}", "text": row["text"], "url": row.get("url"),
                                "site": row.get("site"), "published": row.get("published")})
    dev = len(records)
    polnear = SHARED / "data" / "polnear"
    meta: dict[str, dict[str, str]] = {}
    if (polnear / "metadata.tsv").exists():
        with (polnear / "metadata.tsv").open(encoding="utf-8") as handle:
            meta = {r["filename"]: r for r in csv.DictReader(handle, delimiter="\t")}
    for path in sorted((polnear / "train" / "text").glob("*.txt")):
        if len(records) >= count:
            break
        text = path.read_text(encoding="utf-8")
        if text.strip():
            m = meta.get(path.stem, {})
            records.append({"id": f"polnear-{path.stem}", "text": text, "site": m.get("publisher") or None,
                            "title": m.get("title") or None, "published": m.get("publication_date") or None})
    records = [{k: v for k, v in r.items() if v is not None} for r in records[:count]]
    if records:
        return records, (f"{min(dev, count)} English articles of the development corpus and "
                         f"{len(records) - min(dev, count)} PolNeAR train texts (US political news, 2016)")
    return synthetic_corpus(count), "synthetic news-like text (../shared is missing)"


def synthetic_corpus(count: int) -> list[dict[str, Any]]:
    rng = random.Random(5)
    nouns = ["minister", "government", "agreement", "border", "election", "budget", "council", "talks"]
    out = []
    for n in range(count):
        sentences = [f"“The {rng.choice(nouns)} will not change,” said a senior official in Town {n}."
                     if s % 5 == 0 else f"The {rng.choice(nouns)} in Town {n} discussed the "
                     f"{rng.choice(nouns)} with the {rng.choice(nouns)} on day {s}." for s in range(35)]
        out.append({"id": f"syn-{n}", "text": " ".join(sentences), "site": f"site{n % 20}.example",
                    "published": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"})
    return out


# --- children: each measurement in a fresh process ---------------------------------------------------------


@contextlib.contextmanager
def local_cluster(workers: int, encoder: bool = False, trimmed: bool = False) -> Iterator[tuple[Any, float]]:
    """A LocalCluster started by the engine's own dask_client (its settings; its worker plugin loading the
    pipeline on every worker): (client, seconds the start-up took). encoder: the sentence encoder loaded on
    the workers too. trimmed: started here instead, with Dask's default MALLOC_TRIM_THRESHOLD_=65536 in the
    workers' environment, as a cluster's own workers run without the setting docs/cluster.md gives."""
    from unspun.run.cluster import Engine, dask_client

    started = time.perf_counter()
    if not trimmed:
        with dask_client(Engine("dask", workers=workers)) as client:
            if encoder:
                client.run(_load_encoder)
            yield client, time.perf_counter() - started
        return
    import dask
    from dask.distributed import Client, LocalCluster

    from unspun.run.dask_worker import RetryCounter, UnspunWorker

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 65536}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", host="127.0.0.1")
    client = Client(cluster)
    try:
        client.register_plugin(RetryCounter())
        client.register_plugin(UnspunWorker())
        if encoder:
            client.run(_load_encoder)
        yield client, time.perf_counter() - started
    finally:
        client.close()
        cluster.close()


def _malloc_trim() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def _load_encoder() -> None:
    from unspun.nlp.multilingual import load_multilingual_encoder

    load_multilingual_encoder()


def child_ingest(engine_kind: str, workers: int, source: str, url: str, batch_size: int) -> dict[str, Any]:
    from unspun.run.cluster import ClusterReport, Engine
    from unspun.run.ingest import IngestOptions, ingest
    from unspun.store import open_store

    load = os.getloadavg()[0]
    report = ClusterReport()
    malloc: Any = None
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        if engine_kind == "serial":
            from unspun.nlp.pipeline import load_pipeline

            load_pipeline()
            options = IngestOptions(workers=1, batch_size=batch_size)
        elif engine_kind == "local":
            options = IngestOptions(workers=workers, batch_size=batch_size)
        else:
            client, _ = stack.enter_context(local_cluster(workers, trimmed=engine_kind == "dask-trimmed"))
            malloc = sorted(set(client.run(_malloc_trim).values()), key=str)
            engine = Engine("dask", scheduler=client.scheduler.address, workers=workers)
            options = IngestOptions(engine=engine, batch_size=batch_size, cluster=report)
        startup = time.perf_counter() - started
        with open_store(url) as store:
            started = time.perf_counter()
            summary = ingest([source], store, options)
            seconds = time.perf_counter() - started
    return {"articles": summary.ingested, "analysed": summary.analysed, "seconds": round(seconds, 2),
            "articles_per_s": round(summary.ingested / seconds, 2),
            "startup_s": round(startup, 2) if engine_kind != "local" else None,
            "retried": len(report.retried), "tasks": dict(report.tasks), "workers_malloc_trim": malloc,
            "load_1min": round(load, 2)}


def _nap(_: int) -> int:
    time.sleep(1.0)
    return os.getpid()


def child_pool_startup(workers: int) -> dict[str, Any]:
    """The local engine's pool start-up, as ingest starts it (spawn, init_worker loading the pipeline)."""
    import multiprocessing

    from unspun.analysis import init_worker

    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers, initializer=init_worker) as pool:
        pids = set(pool.map(_nap, range(workers), chunksize=1))
        seconds = time.perf_counter() - started - 1.0  # less the nap
    return {"seconds": round(seconds, 2), "processes_seen": len(pids)}


def child_stories(mode: str, url: str) -> dict[str, Any]:
    from unspun.run.cluster import ClusterReport, Engine
    from unspun.store import open_store
    from unspun.stories.update import update_stories

    load = os.getloadavg()[0]
    engine, report = None, ClusterReport()
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        if mode == "serial":
            _load_encoder()
        else:
            client, _ = stack.enter_context(local_cluster(2, encoder=True))
            engine = Engine("dask", scheduler=client.scheduler.address, workers=2)
        startup = time.perf_counter() - started
        with open_store(url) as store:
            started = time.perf_counter()
            summary = update_stories(store, engine=engine, cluster=report)
            seconds = time.perf_counter() - started
    return {"embedded": summary.embedded, "matched": summary.matched,
            "stories_written": summary.stories_written, "seconds": round(seconds, 2),
            "articles_per_s": round(summary.embedded / seconds, 2), "tasks": dict(report.tasks),
            "startup_s": round(startup, 2), "load_1min": round(load, 2)}


def _stored_outcomes(url: str) -> list[tuple[str, Any]]:
    """(label, Analysis) of every analysed article of an ingested store, in id order."""
    from unspun.store import open_store

    with open_store(url, readonly=True) as store:
        ids = sorted(a.id or "" for a in store.iter_articles())
        return [(i, a) for i in ids if (a := store.analysis(i)) is not None]


def _reply(work: tuple[Any, Any]) -> Any:
    return work[1]


def child_scheduler(url: str, tasks: int, batch_size: int) -> dict[str, Any]:
    """No-op tasks through a 2-worker LocalCluster, in bulk (client.map) and through the engine's in_order
    window; then batches of real articles sent out as ingest sends them, each task answering with the batch's
    real analyses (scattered to the workers beforehand): the traffic of an ingest without the analysis. Once
    with the articles inside the task (as in_order does), once scattered to the workers first."""
    from unspun.run.cluster import in_order

    with local_cluster(2) as (client, startup):
        client.gather(client.map(abs, range(50), pure=False))  # warm
        started = time.perf_counter()
        client.gather(client.map(abs, range(tasks), pure=False))
        bulk = time.perf_counter() - started
        started = time.perf_counter()
        done = sum(1 for _ in in_order(client, abs, range(tasks), lambda n: n))
        ordered = time.perf_counter() - started
        assert done == tasks
        outcomes = _stored_outcomes(url)
        batches = [outcomes[k:k + batch_size] for k in range(0, len(outcomes), batch_size)]
        batches = [b for b in batches if len(b) == batch_size] or batches
        rounds = max(1, 4000 // sum(len(b) for b in batches))
        articles = [[(label, a.article) for label, a in b] for b in batches] * rounds
        replies = client.scatter([b for _ in range(rounds) for b in batches])
        out_mb = len(pickle.dumps(articles[0], protocol=5)) / 1e6
        back_mb = len(pickle.dumps(batches[0], protocol=5)) / 1e6
        moved = len(articles) * len(articles[0])
        started = time.perf_counter()
        for _ in in_order(client, _reply, range(len(articles)), lambda k: (articles[k], replies[k])):
            pass
        inline = time.perf_counter() - started
        started = time.perf_counter()
        for _ in in_order(client, _reply, range(len(articles)),
                          lambda k: (client.scatter(articles[k], hash=False), replies[k])):
            pass
        scattered = time.perf_counter() - started
    return {"startup_2_workers_s": round(startup, 2), "tasks": tasks,
            "bulk_tasks_per_s": round(tasks / bulk), "in_order_tasks_per_s": round(tasks / ordered),
            "in_order_ms_per_task": round(ordered / tasks * 1000, 3),
            "transfer_batches": len(articles), "transfer_batch_articles": len(articles[0]),
            "articles_out_mb_per_batch": round(out_mb, 2), "analyses_back_mb_per_batch": round(back_mb, 2),
            "transfer_inline_articles_per_s": round(moved / inline),
            "transfer_inline_ms_per_batch": round(inline / len(articles) * 1000),
            "transfer_scattered_articles_per_s": round(moved / scattered)}


def _install_instant_analysis(seed_url: str) -> int:
    """On a worker: worker_batch answers at once with the stored analysis of the same text (a driver-ceiling
    run: everything of an ingest but the analysis)."""
    import unspun.analysis

    known = {a.article.content_hash: a for _, a in _stored_outcomes(seed_url)}

    def instant(batch: Any, catalog: Any = None) -> list[tuple[str, Any]]:
        return [(label, replace(known[article.content_hash], article=article)) for label, article in batch]

    unspun.analysis.worker_batch = instant  # type: ignore[assignment]
    return len(known)


def child_ceiling(source: str, url: str, seed_url: str, batch_size: int) -> dict[str, Any]:
    """The real Dask ingest (2 workers, PostgreSQL) of --articles x CEILING_COPIES articles with workers that
    analyse instantly: what one driver sustains (read, normalise, status, submit, receive, write)."""
    from unspun.run.cluster import Engine
    from unspun.run.ingest import IngestOptions, ingest
    from unspun.store import open_store

    with local_cluster(2) as (client, _):
        client.run(_install_instant_analysis, seed_url)
        options = IngestOptions(engine=Engine("dask", scheduler=client.scheduler.address, workers=2),
                                batch_size=batch_size)
        with open_store(url) as store:
            started = time.perf_counter()
            summary = ingest([source], store, options)
            seconds = time.perf_counter() - started
    return {"articles": summary.ingested, "analysed": summary.analysed, "seconds": round(seconds, 2),
            "articles_per_s": round(summary.ingested / seconds, 1)}


def child_write(pg_url: str, sqlite_url: str, source: str, seed_url: str, total: int, batch_size: int,
                ) -> dict[str, Any]:
    """The driver's share of an ingest, per article, without analysis: store.add of analysed batches (re-id'd
    copies of stored analyses) on PostgreSQL and SQLite, the status query, reading and normalising the input,
    unpickling a batch of results."""
    from unspun.analysis import pipeline_version
    from unspun.ingest.sources import read_inputs
    from unspun.store import open_store

    version = pipeline_version()
    outcomes = _stored_outcomes(seed_url)
    entries = []
    for n in range(total):
        _, analysis = outcomes[n % len(outcomes)]
        article = replace(analysis.article, id=f"w{n // len(outcomes)}-{analysis.article.id}")
        entries.append((article, replace(analysis, article=article)))
    batches = [entries[k:k + batch_size] for k in range(0, total, batch_size)]
    out: dict[str, Any] = {"articles": total, "batch_size": batch_size}
    for name, url in (("pg", pg_url), ("sqlite", sqlite_url)):
        with open_store(url) as store:
            started = time.perf_counter()
            for batch in batches:
                store.add(batch, version)
            seconds = time.perf_counter() - started
            out[f"add_{name}_articles_per_s"] = round(total / seconds, 1)
            out[f"add_{name}_s"] = round(seconds, 2)
            if name == "pg":
                ids = [a.id or "" for a, _ in entries]
                started = time.perf_counter()
                for k in range(0, total, batch_size):
                    store.status(ids[k:k + batch_size], version)
                out["status_pg_ms_per_article"] = round((time.perf_counter() - started) / total * 1000, 3)
    sum(1 for _ in read_inputs(source))  # the first pass pays one-time imports and caches
    started = time.perf_counter()
    read = sum(1 for _ in read_inputs(source))
    out["read_normalise_ms_per_article"] = round((time.perf_counter() - started) / read * 1000, 3)
    blob = pickle.dumps(outcomes, protocol=5)
    started = time.perf_counter()
    for _ in range(5):
        pickle.loads(blob)
    out["unpickle_ms_per_article"] = round((time.perf_counter() - started) / 5 / len(outcomes) * 1000, 3)
    out["result_kb_per_article"] = round(len(blob) / len(outcomes) / 1000, 1)
    return out


# --- the parent: orchestration, PostgreSQL databases, results -------------------------------------------


def run_child(args: list[str], timeout: float = 900) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode:
        raise RuntimeError(f"child {args[0]} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Databases:
    """Fresh PostgreSQL databases on one throwaway server (tests/postgres_server.py)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def create(self, template: str | None = None) -> str:
        import psycopg

        name = f"b_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.base.rsplit("/", 1)[0] + f"/{name}"

    def drop(self, url: str) -> None:
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200, help="ingest batch (the product's default)")
    parser.add_argument("--tasks", type=int, default=2000, help="no-op tasks through the scheduler")
    parser.add_argument("--write-articles", type=int, default=5000, help="articles written by store.add")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "ingest": lambda: child_ingest(rest[0], int(rest[1]), rest[2], rest[3], int(rest[4])),
            "pool": lambda: child_pool_startup(int(rest[0])),
            "stories": lambda: child_stories(rest[0], rest[1]),
            "scheduler": lambda: child_scheduler(rest[0], int(rest[1]), int(rest[2])),
            "write": lambda: child_write(rest[0], rest[1], rest[2], rest[3], int(rest[4]), int(rest[5])),
            "ceiling": lambda: child_ceiling(rest[0], rest[1], rest[2], int(rest[3])),
        }[kind]()
        print(json.dumps(result))
        return
    sys.path.insert(0, str(REPO))
    from tests.postgres_server import PostgresServer

    # a terminated run still stops its PostgreSQL server and removes its files (the finally blocks below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench_started = time.perf_counter()
    records, corpus = load_corpus(args.articles)
    server = PostgresServer()
    dbs = Databases(server.start())
    results: dict[str, Any] = {"corpus": corpus, "articles": len(records),
                               "words": sum(len(r["text"].split()) for r in records),
                               "batch_size": args.batch_size, "repeats": args.repeats, "runs": {}}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            source = work / "corpus.jsonl"
            source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                              encoding="utf-8")
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in INGEST_CONFIGS}
            seed = ""
            for repeat in range(args.repeats):
                for name, engine, workers, backend, times in INGEST_CONFIGS:
                    if times == "one" and repeat:
                        continue
                    url = f"sqlite:///{work}/{name}-{repeat}.db" if backend == "sqlite" else dbs.create()
                    run = run_child(["ingest", engine, str(workers), str(source), url, str(args.batch_size)])
                    runs[name].append(run)
                    print(name, json.dumps(run), file=sys.stderr)
                    if name == "serial_pg" and not seed:
                        seed = url  # kept: the template of the story runs and the write path's analyses
                    elif backend == "pg":
                        dbs.drop(url)
            results["runs"] = runs
            results["pool_startup"] = [run_child(["pool", "2"]) for _ in range(args.repeats)]
            print("pool", json.dumps(results["pool_startup"]), file=sys.stderr)
            template = seed.rsplit("/", 1)[1]
            stories: dict[str, list[dict[str, Any]]] = {"serial": [], "dask2": []}
            for _ in range(args.repeats):
                for mode, done in stories.items():
                    url = dbs.create(template)
                    done.append(run_child(["stories", mode, url]))
                    print("stories", mode, json.dumps(done[-1]), file=sys.stderr)
                    dbs.drop(url)
            results["stories"] = stories
            results["scheduler"] = run_child(["scheduler", seed, str(args.tasks), str(args.batch_size)])
            print("scheduler", json.dumps(results["scheduler"]), file=sys.stderr)
            copies = work / "copies.jsonl"
            copies.write_text("".join(json.dumps({**r, "id": f"c{k}-{r['id']}"}, ensure_ascii=False) + "\n"
                                      for k in range(CEILING_COPIES) for r in records), encoding="utf-8")
            results["ceiling"] = run_child(["ceiling", str(copies), dbs.create(), seed, str(args.batch_size)])
            print("ceiling", json.dumps(results["ceiling"]), file=sys.stderr)
            write_url = dbs.create()
            results["write"] = run_child(["write", write_url, f"sqlite:///{work}/write.db", str(source), seed,
                                          str(args.write_articles), str(args.batch_size)])
            print("write", json.dumps(results["write"]), file=sys.stderr)
    finally:
        server.stop()
    results["bench_minutes"] = round((time.perf_counter() - bench_started) / 60, 1)
    write_results(summarise(results))


# --- summary, projection, tables ---------------------------------------------------------------------------


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    n = results["articles"]
    ingest: dict[str, dict[str, Any]] = {}
    pool_s = statistics.median(r["seconds"] for r in results["pool_startup"])
    for name, runs in results["runs"].items():
        seconds = _median(runs, "seconds")
        row: dict[str, Any] = {"seconds": round(seconds, 2), "articles_per_s": round(n / seconds, 2),
                               "all_seconds": [r["seconds"] for r in runs]}
        if name.startswith("local"):
            row["startup_s"] = round(pool_s, 2)  # inside the timed call
            row["with_startup_articles_per_s"] = row["articles_per_s"]
            row["without_startup_articles_per_s"] = round(n / max(seconds - pool_s, 1e-9), 2)
        else:  # Dask: the LocalCluster with the pipeline loaded; serial: the pipeline, loaded before the call
            row["startup_s"] = round(_median(runs, "startup_s"), 2)
            row["with_startup_articles_per_s"] = round(n / (seconds + row["startup_s"]), 2)
        ingest[name] = row
    sec = {name: row["seconds"] for name, row in ingest.items()}
    local2 = sec["local2_pg"] - pool_s
    overhead = {
        "dask1_vs_serial_pg": round(sec["dask1_pg"] / sec["serial_pg"] - 1, 4),
        "dask2_vs_local2_pg": round(sec["dask2_pg"] / sec["local2_pg"] - 1, 4),
        "dask2_vs_local2_pg_both_without_startup": round(sec["dask2_pg"] / local2 - 1, 4),
        "dask2_vs_local2_pg_both_with_startup": round(
            (sec["dask2_pg"] + ingest["dask2_pg"]["startup_s"]) / sec["local2_pg"] - 1, 4),
        "dask1_trimmed_vs_serial_pg": round(sec["dask1_pg_trimmed"] / sec["serial_pg"] - 1, 4),
        "dask2_trimmed_vs_local2_pg_both_without_startup": round(sec["dask2_pg_trimmed"] / local2 - 1, 4),
        "target": TARGET_OVERHEAD,
    }
    stories = {mode: {"seconds": round(_median(runs, "seconds"), 2),
                      "startup_s": round(_median(runs, "startup_s"), 2), "embedded": runs[0]["embedded"],
                      "stories_written": runs[0]["stories_written"],
                      "all_seconds": [r["seconds"] for r in runs]}
               for mode, runs in results["stories"].items()}
    results.update(ingest_summary=ingest, overhead=overhead, stories_summary=stories,
                   projection=project(results, ingest), machine=machine())
    return results


def project(results: dict[str, Any], ingest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """throughput(W) = min(W x per-worker rate x efficiency, scheduler tasks/s x batch, what one driver
    sustains, the write path)."""
    per_worker = ingest["dask1_pg"]["articles_per_s"]
    efficiency = min(1.0, ingest["dask2_pg"]["articles_per_s"] / (2 * per_worker))
    s, w, c = results["scheduler"], results["write"], results["ceiling"]
    limits = {
        "scheduler (no-op tasks/s x batch)":
            min(s["bulk_tasks_per_s"], s["in_order_tasks_per_s"]) * PROJECTED_BATCH,
        "batches out and back through the driver": s["transfer_inline_articles_per_s"],
        "database write (store.add, one writer)": w["add_pg_articles_per_s"],
        "the whole driver (real ingest, instant workers)": c["articles_per_s"],
    }
    rows = []
    for workers in PROJECTED_WORKERS:
        compute = workers * per_worker * efficiency
        candidates = {"workers (analysis)": compute, **limits}
        bound = min(candidates, key=lambda k: candidates[k])
        rows.append({"workers": workers, "analysis_articles_per_s": round(compute, 1),
                     "projected_articles_per_s": round(candidates[bound], 1), "limited_by": bound})
    first = min(limits, key=lambda k: limits[k])
    write_share = (1 / w["add_pg_articles_per_s"]) / (1 / c["articles_per_s"])
    return {"per_worker_articles_per_s": per_worker, "efficiency": round(efficiency, 3),
            "write_share_of_driver": round(write_share, 3),
            "workers_at_first_bottleneck_full_efficiency": round(limits[first] / per_worker, 1),
            "per_worker_trimmed_articles_per_s": ingest["dask1_pg_trimmed"]["articles_per_s"],
            "batch_size": PROJECTED_BATCH,
            "limits_articles_per_s": {k: round(v, 1) for k, v in limits.items()},
            "rows": rows, "first_bottleneck": first,
            "workers_at_first_bottleneck": round(limits[first] / (per_worker * efficiency), 1)}


def machine() -> dict[str, Any]:
    import dask

    return {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
            "dask": dask.__version__}


def _pct(x: float) -> str:
    return f"{x * 100:+.1f} %"


def write_results(r: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    i, o, p, s, w, c = (r["ingest_summary"], r["overhead"], r["projection"], r["scheduler"], r["write"],
                        r["ceiling"])
    labels = {"serial_sqlite": "serial engine, 1 process, SQLite (reference)",
              "serial_pg": "serial engine, 1 process, PostgreSQL",
              "dask1_pg": "Dask LocalCluster, 1 worker, PostgreSQL",
              "dask1_pg_trimmed": "diagnosis: Dask, 1 worker keeping Dask's MALLOC_TRIM_THRESHOLD_=65536",
              "local2_pg": "local engine, 2 processes, PostgreSQL",
              "dask2_pg": "Dask LocalCluster, 2 workers, PostgreSQL",
              "dask2_pg_trimmed": "diagnosis: Dask, 2 workers keeping Dask's MALLOC_TRIM_THRESHOLD_=65536"}
    lines = [
        (f"Ingest with analysis of {r['articles']} articles ({r['words']:,} words), batches of "
         f"{r['batch_size']}; median of {r['repeats']} runs (reference and diagnosis rows: 1 run), each in a "
         f"fresh process."),
        "",
        ("| configuration | ingest (s) | articles/s | start-up (s) | articles/s including start-up "
         "| runs (s) |"),
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, label in labels.items():
        row = i[name]
        startup = f"{row['startup_s']}" + (" (inside the call)" if name.startswith("local") else "")
        runs = ", ".join(str(x) for x in row["all_seconds"])
        lines.append(f"| {label} | {row['seconds']} | {row['articles_per_s']} | {startup} | "
                     f"{row['with_startup_articles_per_s']} | {runs} |")
    lines += [
        "",
        "| overhead of the Dask engine (ingest time) | result | target |",
        "|---|---:|---:|",
        f"| 1 worker vs serial 1 process (PostgreSQL) | {_pct(o['dask1_vs_serial_pg'])} | ≤ +10 % |",
        (f"| 2 workers vs local 2 processes, as timed (the local pool's start-up is inside its call) | "
         f"{_pct(o['dask2_vs_local2_pg'])} | ≤ +10 % |"),
        (f"| 2 workers vs local 2 processes, both without start-up | "
         f"{_pct(o['dask2_vs_local2_pg_both_without_startup'])} | ≤ +10 % |"),
        (f"| 2 workers vs local 2 processes, both with start-up | "
         f"{_pct(o['dask2_vs_local2_pg_both_with_startup'])} | — |"),
        (f"| diagnosis: 1 worker keeping MALLOC_TRIM_THRESHOLD_=65536 vs serial | "
         f"{_pct(o['dask1_trimmed_vs_serial_pg'])} | ≤ +10 % |"),
        (f"| diagnosis: 2 workers keeping MALLOC_TRIM_THRESHOLD_=65536 vs local 2, both without start-up | "
         f"{_pct(o['dask2_trimmed_vs_local2_pg_both_without_startup'])} | ≤ +10 % |"),
        "",
        ("| update_stories (features of every article, then stories) | s | articles/s | start-up (s) "
         "| runs (s) |"),
        "|---|---:|---:|---:|---|",
    ]
    for mode, label in (("serial", "serial (encoder in-process)"), ("dask2", "Dask LocalCluster, 2 workers")):
        st = r["stories_summary"][mode]
        runs = ", ".join(str(x) for x in st["all_seconds"])
        lines.append(f"| {label} | {st['seconds']} | {round(st['embedded'] / st['seconds'], 1)} | "
                     f"{st['startup_s']} | {runs} |")
    lines += [
        "",
        "| part of the projection (measured) | result |",
        "|---|---:|",
        f"| analysis per worker (Dask, 1 worker) | {p['per_worker_articles_per_s']} articles/s |",
        f"| efficiency at 2 workers (2-worker rate / 2 x 1-worker rate) | {p['efficiency']:.0%} |",
        f"| scheduler, {s['tasks']:,} no-op tasks in bulk (client.map) | {s['bulk_tasks_per_s']:,} tasks/s |",
        (f"| scheduler, {s['tasks']:,} no-op tasks through in_order (4 in flight) | "
         f"{s['in_order_tasks_per_s']:,} tasks/s ({s['in_order_ms_per_task']} ms a task) |"),
        (f"| batches of {s['transfer_batch_articles']} articles out ({s['articles_out_mb_per_batch']} MB "
         f"pickled) and their analyses back ({s['analyses_back_mb_per_batch']} MB), no analysis, through "
         f"in_order | {s['transfer_inline_articles_per_s']:,} articles/s "
         f"({s['transfer_inline_ms_per_batch']} ms a batch) |"),
        (f"| the same with each batch scattered to the workers first (client.scatter) | "
         f"{s['transfer_scattered_articles_per_s']:,} articles/s |"),
        (f"| store.add on PostgreSQL, {w['articles']:,} analysed articles in batches of {w['batch_size']} | "
         f"{w['add_pg_articles_per_s']:,} articles/s |"),
        f"| store.add on SQLite (reference) | {w['add_sqlite_articles_per_s']:,} articles/s |",
        (f"| driver: status query (PostgreSQL) / read and normalise / unpickle results | "
         f"{w['status_pg_ms_per_article']} / {w['read_normalise_ms_per_article']} / "
         f"{w['unpickle_ms_per_article']} ms an article |"),
        (f"| the whole driver: real Dask ingest of {c['articles']:,} articles, 2 workers answering at once "
         f"with stored analyses | {c['articles_per_s']:,} articles/s |"),
        "",
        "| workers | analysis alone (articles/s) | projected (articles/s) | limited by |",
        "|---:|---:|---:|---|",
        *(f"| {row['workers']} | {row['analysis_articles_per_s']:,} | {row['projected_articles_per_s']:,} | "
          f"{row['limited_by']} |" for row in p["rows"]),
        "",
        (f"Projection: throughput = min(workers x {p['per_worker_articles_per_s']} articles/s x "
         f"{p['efficiency']:.0%}, each limit on the driver's side). Limits (articles/s): "
         + "; ".join(f"{k} {v:,}" for k, v in p["limits_articles_per_s"].items())
         + f". The first to bind is {p['first_bottleneck']}, at about {p['workers_at_first_bottleneck']} "
         f"workers ({p['workers_at_first_bottleneck_full_efficiency']} at full efficiency; later with "
         f"workers keeping Dask's MALLOC_TRIM_THRESHOLD_, "
         f"{p['per_worker_trimmed_articles_per_s']} articles/s a worker); store.add takes "
         f"{p['write_share_of_driver']:.0%} of the driver's time an "
         f"article in that run. Assumptions: batches of {p['batch_size']}; one core per "
         f"worker on worker machines, each as fast as one here, with the 2-worker efficiency measured here "
         f"(workers, driver, scheduler and PostgreSQL sharing 2 CPUs, so a lower bound); network not "
         f"limiting; one writer process (the driver stores every batch, one transaction each); PostgreSQL on "
         f"the driver's machine with fsync off (the test server); the scheduler in the driver's process "
         f"(LocalCluster), as here."),
        "",
        (f"Corpus: {r['corpus']}, read from ../shared at run time. Machine: {r['machine']['machine']}, "
         f"{r['machine']['cpus']} CPUs, {r['machine']['memory_gb']} GB, Python {r['machine']['python']}, "
         f"Dask {r['machine']['dask']}; nothing else heavy ran meanwhile (on 2 CPUs the driver, the "
         f"scheduler, PostgreSQL and the workers share the cores). Whole bench {r['bench_minutes']} min."),
    ]
    (RESULTS / "cluster_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "cluster_speed.json").write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
