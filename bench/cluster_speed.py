"""Benchmark the Dask engine (run/cluster.py): ingest throughput with 1 and 2 Dask workers against the serial and
local engines, story features on the cluster, and the parts that bound a larger cluster (the scheduler's
per-task cost, the single writer's database write path), with a projection for 10 and 100 workers.

    .venv/bin/python bench/cluster_speed.py [--articles 400] [--repeats 2] [--batch-size 200]

Texts: the English articles of the development corpus and PolNeAR train texts, read from ../shared at run time
(never copied; synthetic text when ../shared is missing), written to a temporary JSON Lines file.
1. `ingest` with analysis into fresh stores, each run in a fresh process: serial engine (1 process) on SQLite and
   PostgreSQL, local engine with 2 processes, Dask LocalCluster with 1 and 2 workers (PostgreSQL: the shared store
   of a cluster; a throwaway server from tests/postgres_server.py). The timed span is the `ingest(...)` call. Not
   in it: loading the spaCy pipeline (serial: loaded before), and the LocalCluster start-up (cluster, client,
   worker plugin loading the pipeline on each worker), which is timed before it and reported apart; the local
   engine's pool start-up is inside its call (it starts its pool there) and is timed apart too.
2. `update_stories` on copies of an ingested store (no features yet): serial vs Dask with 2 workers.
3. The parts of the projection: the scheduler's tasks/s (no-op tasks, in bulk and through the engine's own
   `in_order` window, and real batches echoed back), the driver's per-article work (read and normalise, status
   query, unpickling results) and the PostgreSQL write path (`store.add` of analysed batches, one writer).
Each configuration is repeated --repeats times, interleaved, and the median is reported.
Writes bench/results/cluster_speed.json and .md. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"
TARGET_OVERHEAD = 0.10
PROJECTED_WORKERS = (2, 10, 100)
PROJECTED_BATCH = 200

# (name, engine, workers, backend): the ingest configurations, in the order each repeat runs them
INGEST_CONFIGS = (
    ("serial_sqlite", "serial", 1, "sqlite"),
    ("serial_pg", "serial", 1, "pg"),
    ("dask1_pg", "dask", 1, "pg"),
    ("local2_pg", "local", 2, "pg"),
    ("dask2_pg", "dask", 2, "pg"),
)


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
                     if s % 5 == 0 else f"The {rng.choice(nouns)} in Town {n} discussed the {rng.choice(nouns)} "
                     f"with the {rng.choice(nouns)} on day {s}." for s in range(35)]
        out.append({"id": f"syn-{n}", "text": " ".join(sentences), "site": f"site{n % 20}.example",
                    "published": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"})
    return out


# --- children: each measurement in a fresh process ---------------------------------------------------------


def start_cluster(workers: int, encoder: bool = False) -> tuple[Any, Any, float]:
    """A LocalCluster as dask_client starts one, with the worker plugin (pipeline loaded) and the retry
    counter registered: (cluster, client, seconds)."""
    from dask.distributed import Client, LocalCluster

    from unspun.run.dask_worker import RetryCounter, UnspunWorker

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0", host="127.0.0.1")
    client = Client(cluster)
    client.register_plugin(RetryCounter())
    client.register_plugin(UnspunWorker())
    if encoder:
        client.run(_load_encoder)
    return cluster, client, time.perf_counter() - started


def _load_encoder() -> None:
    from unspun.nlp.multilingual import load_multilingual_encoder

    load_multilingual_encoder()


def child_ingest(engine_kind: str, workers: int, source: str, url: str, batch_size: int) -> dict[str, Any]:
    from unspun.run.cluster import ClusterReport, Engine
    from unspun.run.ingest import IngestOptions, ingest
    from unspun.store import open_store

    load = os.getloadavg()[0]
    cluster = client = None
    report = ClusterReport()
    started = time.perf_counter()
    if engine_kind == "serial":
        from unspun.nlp.pipeline import load_pipeline

        load_pipeline()
        options = IngestOptions(workers=1, batch_size=batch_size)
    elif engine_kind == "local":
        options = IngestOptions(workers=workers, batch_size=batch_size)
    else:
        cluster, client, _ = start_cluster(workers)
        options = IngestOptions(engine=Engine("dask", scheduler=cluster.scheduler_address, workers=workers),
                                batch_size=batch_size, cluster=report)
    startup = time.perf_counter() - started
    try:
        with open_store(url) as store:
            started = time.perf_counter()
            summary = ingest([source], store, options)
            seconds = time.perf_counter() - started
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return {"articles": summary.ingested, "analysed": summary.analysed, "seconds": round(seconds, 2),
            "articles_per_s": round(summary.ingested / seconds, 2),
            "startup_s": round(startup, 2) if engine_kind != "local" else None,
            "retried": len(report.retried), "load_1min": round(load, 2)}


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
    cluster = client = None
    engine, report = None, ClusterReport()
    started = time.perf_counter()
    if mode == "serial":
        _load_encoder()
    else:
        cluster, client, _ = start_cluster(2, encoder=True)
        engine = Engine("dask", scheduler=cluster.scheduler_address, workers=2)
    startup = time.perf_counter() - started
    try:
        with open_store(url) as store:
            started = time.perf_counter()
            summary = update_stories(store, engine=engine, cluster=report)
            seconds = time.perf_counter() - started
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return {"embedded": summary.embedded, "matched": summary.matched, "stories_written": summary.stories_written,
            "seconds": round(seconds, 2), "articles_per_s": round(summary.embedded / seconds, 2),
            "startup_s": round(startup, 2), "load_1min": round(load, 2)}


def _stored_outcomes(url: str) -> list[tuple[str, Any]]:
    """(label, Analysis) of every analysed article of an ingested store, in id order."""
    from unspun.store import open_store

    with open_store(url, readonly=True) as store:
        ids = sorted(a.id or "" for a in store.iter_articles())
        return [(i, a) for i in ids if (a := store.analysis(i)) is not None]


def _echo(batch: Any) -> Any:
    return batch


def child_scheduler(url: str, tasks: int, batch_size: int) -> dict[str, Any]:
    """No-op tasks through a 2-worker LocalCluster, in bulk (client.map) and through the engine's in_order window;
    then real batches (analysed articles) sent to a worker and back."""
    from unspun.run.cluster import in_order

    cluster, client, startup = start_cluster(2)
    try:
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
        payload = [b for _ in range(rounds) for b in batches]
        started = time.perf_counter()
        moved = sum(len(b) for b, _ in in_order(client, _echo, payload, lambda b: b))
        echoed = time.perf_counter() - started
    finally:
        client.close()
        cluster.close()
    return {"startup_2_workers_s": round(startup, 2), "tasks": tasks,
            "bulk_tasks_per_s": round(tasks / bulk), "in_order_tasks_per_s": round(tasks / ordered),
            "in_order_ms_per_task": round(ordered / tasks * 1000, 3),
            "echo_batches": len(payload), "echo_batch_articles": len(payload[0]),
            "echo_articles_per_s": round(moved / echoed), "echo_tasks_per_s": round(len(payload) / echoed, 1),
            "batch_pickle_mb": round(len(pickle.dumps(payload[0], protocol=5)) / 1e6, 2)}


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


# --- the parent: orchestration, PostgreSQL databases, results -------------------------------------------------


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
        }[kind]()
        print(json.dumps(result))
        return
    sys.path.insert(0, str(REPO))
    from tests.postgres_server import PostgresServer

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
            source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in INGEST_CONFIGS}
            seed = ""
            for repeat in range(args.repeats):
                for name, engine, workers, backend in INGEST_CONFIGS:
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
        if name.startswith("dask"):
            startup = _median(runs, "startup_s")
            row["startup_s"] = round(startup, 2)
            row["with_startup_articles_per_s"] = round(n / (seconds + startup), 2)
        elif name.startswith("local"):
            row["startup_s"] = round(pool_s, 2)  # inside the timed call
            row["without_startup_articles_per_s"] = round(n / max(seconds - pool_s, 1e-9), 2)
        else:
            row["startup_s"] = round(_median(runs, "startup_s"), 2)  # the pipeline, loaded before the call
            row["with_startup_articles_per_s"] = round(n / (seconds + row["startup_s"]), 2)
        ingest[name] = row
    overhead = {
        "dask1_vs_serial_pg": round(ingest["dask1_pg"]["seconds"] / ingest["serial_pg"]["seconds"] - 1, 4),
        "dask2_vs_local2_pg": round(ingest["dask2_pg"]["seconds"] / ingest["local2_pg"]["seconds"] - 1, 4),
        "dask2_vs_local2_pg_both_without_startup": round(
            ingest["dask2_pg"]["seconds"] / (ingest["local2_pg"]["seconds"] - pool_s) - 1, 4),
        "dask2_vs_local2_pg_both_with_startup": round(
            (ingest["dask2_pg"]["seconds"] + ingest["dask2_pg"]["startup_s"]) / ingest["local2_pg"]["seconds"] - 1, 4),
        "target": TARGET_OVERHEAD,
    }
    stories = {mode: {"seconds": round(_median(runs, "seconds"), 2), "startup_s": round(_median(runs, "startup_s"), 2),
                      "embedded": runs[0]["embedded"], "stories_written": runs[0]["stories_written"],
                      "all_seconds": [r["seconds"] for r in runs]}
               for mode, runs in results["stories"].items()}
    results.update(ingest_summary=ingest, overhead=overhead, stories_summary=stories,
                   projection=project(results, ingest), machine=machine())
    return results


def project(results: dict[str, Any], ingest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """throughput(W) = min(W x per-worker rate x efficiency, scheduler tasks/s x batch, single-writer rate)."""
    per_worker = ingest["dask1_pg"]["articles_per_s"]
    efficiency = min(1.0, ingest["dask2_pg"]["articles_per_s"] / (2 * per_worker))
    s, w = results["scheduler"], results["write"]
    scheduler = min(s["bulk_tasks_per_s"], s["in_order_tasks_per_s"]) * PROJECTED_BATCH
    transfer = s["echo_articles_per_s"]
    write = w["add_pg_articles_per_s"]
    # the driver does all of these in one process, one after another (the LocalCluster's scheduler too)
    driver_ms = (1000 / write + w["status_pg_ms_per_article"] + w["read_normalise_ms_per_article"]
                 + 1000 / transfer)
    driver = 1000 / driver_ms
    limits = {"scheduler (tasks/s x batch)": scheduler, "batches to the workers and back (echo)": transfer,
              "database write (store.add, one writer)": write,
              "whole driver (read and normalise, status, batches out and back, write)": driver}
    rows = []
    for workers in PROJECTED_WORKERS:
        compute = workers * per_worker * efficiency
        candidates = {"workers (analysis)": compute, **limits}
        bound = min(candidates, key=lambda k: candidates[k])
        rows.append({"workers": workers, "analysis_articles_per_s": round(compute, 1),
                     "projected_articles_per_s": round(candidates[bound], 1), "limited_by": bound})
    first = min(limits, key=lambda k: limits[k])
    return {"per_worker_articles_per_s": per_worker, "efficiency": round(efficiency, 3),
            "batch_size": PROJECTED_BATCH, "limits_articles_per_s": {k: round(v, 1) for k, v in limits.items()},
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
    i, o, p, s, w = r["ingest_summary"], r["overhead"], r["projection"], r["scheduler"], r["write"]
    labels = {"serial_sqlite": "serial engine, 1 process, SQLite (reference)",
              "serial_pg": "serial engine, 1 process, PostgreSQL", "dask1_pg": "Dask LocalCluster, 1 worker, PostgreSQL",
              "local2_pg": "local engine, 2 processes, PostgreSQL", "dask2_pg": "Dask LocalCluster, 2 workers, PostgreSQL"}
    lines = [
        (f"Ingest with analysis of {r['articles']} articles ({r['words']:,} words), batches of {r['batch_size']}; "
        f"median of {r['repeats']} runs, each in a fresh process."),
        "",
        "| configuration | ingest (s) | articles/s | start-up (s) | articles/s including start-up | runs (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, label in labels.items():
        row = i[name]
        with_startup = row.get("with_startup_articles_per_s", row["articles_per_s"])
        startup = f"{row['startup_s']}" + (" (inside the call)" if name.startswith("local") else "")
        lines.append(f"| {label} | {row['seconds']} | {row['articles_per_s']} | {startup} | {with_startup} | "
                     f"{', '.join(str(x) for x in row['all_seconds'])} |")
    lines += [
        "",
        "| overhead of the Dask engine | result | target |",
        "|---|---:|---:|",
        f"| 1 worker vs serial 1 process (PostgreSQL) | {_pct(o['dask1_vs_serial_pg'])} | ≤ +10 % |",
        (f"| 2 workers vs local 2 processes (as timed: the pool start-up is inside the local call only) | "
        f"{_pct(o['dask2_vs_local2_pg'])} | ≤ +10 % |"),
        (f"| 2 workers vs local 2 processes, both without start-up | {_pct(o['dask2_vs_local2_pg_both_without_startup'])}"
        " | ≤ +10 % |"),
        f"| 2 workers vs local 2 processes, both with start-up | {_pct(o['dask2_vs_local2_pg_both_with_startup'])} | — |",
        "",
        "| update_stories (features of every article, then stories) | s | articles/s | start-up (s) |",
        "|---|---:|---:|---:|",
    ]
    for mode, label in (("serial", "serial (encoder in-process)"), ("dask2", "Dask LocalCluster, 2 workers")):
        st = r["stories_summary"][mode]
        lines.append(f"| {label} | {st['seconds']} | {round(st['embedded'] / st['seconds'], 1)} | {st['startup_s']} |")
    lines += [
        "",
        "| part of the projection (measured) | result |",
        "|---|---:|",
        f"| analysis per worker (Dask, 1 worker) | {p['per_worker_articles_per_s']} articles/s |",
        f"| efficiency at 2 workers (2-worker rate / 2 x 1-worker rate) | {p['efficiency']:.0%} |",
        f"| scheduler, {s['tasks']:,} no-op tasks in bulk (client.map) | {s['bulk_tasks_per_s']:,} tasks/s |",
        (f"| scheduler, {s['tasks']:,} no-op tasks through in_order (4 in flight) | {s['in_order_tasks_per_s']:,} "
        f"tasks/s ({s['in_order_ms_per_task']} ms a task) |"),
        (f"| real batches of {s['echo_batch_articles']} analysed articles ({s['batch_pickle_mb']} MB pickled) to a "
        f"worker and back | {s['echo_articles_per_s']:,} articles/s |"),
        (f"| store.add on PostgreSQL, {w['articles']:,} analysed articles in batches of {w['batch_size']} | "
        f"{w['add_pg_articles_per_s']:,} articles/s |"),
        f"| store.add on SQLite (reference) | {w['add_sqlite_articles_per_s']:,} articles/s |",
        (f"| driver: status query (PostgreSQL) / read and normalise / unpickle results | "
        f"{w['status_pg_ms_per_article']} / {w['read_normalise_ms_per_article']} / {w['unpickle_ms_per_article']} "
        f"ms an article |"),
        "",
        "| workers | analysis alone (articles/s) | projected (articles/s) | limited by |",
        "|---:|---:|---:|---|",
        *(f"| {row['workers']} | {row['analysis_articles_per_s']:,} | {row['projected_articles_per_s']:,} | "
          f"{row['limited_by']} |" for row in p["rows"]),
        "",
        (f"Projection: throughput = min(workers x {p['per_worker_articles_per_s']} articles/s x "
         f"{p['efficiency']:.0%}, each limit of the driver side). Limits (articles/s): "
         + "; ".join(f"{k} {v:,}" for k, v in p["limits_articles_per_s"].items())
         + f". The first to bind is {p['first_bottleneck']}, at about {p['workers_at_first_bottleneck']} workers. "
         f"Assumptions: batches of {p['batch_size']}; one core per worker on worker machines, each as fast as one "
         f"here, with the 2-worker efficiency measured here (workers, driver, scheduler and PostgreSQL sharing 2 "
         f"CPUs, so a lower bound); network not limiting; one writer process (the driver stores every batch); "
         f"PostgreSQL on the driver's machine with fsync off (the test server), one connection."),
        "",
        (f"Corpus: {r['corpus']}, read from ../shared at run time. Machine: {r['machine']['machine']}, "
         f"{r['machine']['cpus']} CPUs, {r['machine']['memory_gb']} GB, Python {r['machine']['python']}, "
         f"Dask {r['machine']['dask']}; nothing else heavy ran meanwhile (on 2 CPUs the driver, the scheduler, "
         f"PostgreSQL and the workers share the cores). Whole bench {r['bench_minutes']} min."),
    ]
    (RESULTS / "cluster_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "cluster_speed.json").write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
