"""Benchmark the web interface: p50/p95/p99 latency and errors of the article, story and search pages (and the
home page) on a store of 100,000 articles, at 1, 4 and 16 concurrent clients, against `unspun serve` on
loopback; beside each page, the library call behind it timed in-process in the same run (the baseline: what
the page costs before HTTP, templates and JSON).

    .venv/bin/python bench/web_speed.py [--articles 100000] [--requests 240] [--rebuild]

The store: the bundled demo corpus analysed for real once (spaCy pipeline, sentence encoder, stories), then
replicated as families of ten: each copy gets its own ids, sites, dates (spread over two years) and a title
naming its town, and carries the demo's analyses, matching features and stories (9 versions and a lone
distractor), written straight into the tables. Texts repeat across families, so a common word matches most
of the store (the full-text search's worst case); a town name matches one family.
Writes bench/results/web_speed.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
CLIENTS = (1, 4, 16)
TARGET_P95_MS = 200
WORDS = ["minister", "visit", "cooperation", "sanctions", "frigate", "defence", "treaty", "navy", "exports", "talks"]


def build_store(path: Path, families: int) -> dict[str, Any]:
    """The replicated demo store (see the module docstring); returns what it holds."""
    from sqlalchemy import insert, select
    from tests.conftest import fill_store  # the demo corpus analysed and storied as the tests do it

    from unspun.analysis import pipeline_version
    from unspun.store import open_store, schema
    from unspun.store.stories import load_stories

    started = time.perf_counter()
    seed_url = f"sqlite:///{path.with_suffix('.seed.db')}"
    path.with_suffix(".seed.db").unlink(missing_ok=True)
    fill_store(seed_url, demo_entries())
    with open_store(seed_url, readonly=True) as seed:
        ids = [a.id or "" for a in seed.iter_articles()]
        entries = [(seed.article(i), seed.analysis(i)) for i in ids]
        with seed.engine.connect() as conn:
            features = {r["article_id"]: dict(r) for r in conn.execute(select(schema.story_features)).mappings()}
        [(story, _)] = [s for s in load_stories(seed) if len(s[0].articles) > 1]
        lone = [s for s, _ in load_stories(seed) if len(s.articles) == 1]
    version = pipeline_version()
    with open_store(f"sqlite:///{path}") as store:
        # Bulk load: the full-text index is built once at the end, as FTS5's 'rebuild' does, rather than merged
        # article by article (texts repeat across families here, which makes incremental merging quadratic).
        with store.write() as conn:
            conn.exec_driver_sql("DROP TRIGGER articles_fts_insert")
        for base in range(0, families, 100):
            batch, feature_rows, story_rows, member_rows = [], [], [], []
            for k in range(base, min(families, base + 100)):
                shift = dt.timedelta(days=(k * 7) % 700)
                renamed = {}
                for article, analysis in entries:
                    assert article is not None
                    new_id = f"{article.id}-{k:05d}"
                    renamed[article.id] = new_id
                    day = (dt.date.fromisoformat(article.published) + shift).isoformat() if article.published else None
                    copy = replace(article, id=new_id, site=f"{k % 300:03d}.{article.site}", published=day,
                                   title=f"{article.title} (Town{k})")
                    batch.append((copy, replace(analysis, article=copy) if analysis is not None else None))
                    feature_rows.append({**features[article.id or ""], "article_id": new_id, "published": day})
                for group in (story, *lone):
                    story_id = f"story:{renamed[min(group.articles)]}"
                    story_rows.append({"id": story_id, "size": len(group.articles),
                                       "origin": renamed.get(group.origin) if group.origin else None,
                                       "origin_confidence": group.origin_confidence,
                                       "attributed_source": group.attributed_source,
                                       "evidence": json.dumps({"pairs": {}, "versions": {
                                           renamed[a]: v for a, v in group.versions.items()}}),
                                       "updated_at": dt.datetime.now(dt.UTC)})
                    member_rows += [{"article_id": renamed[a], "story_id": story_id, "role": group.roles[a],
                                     "derived_from": renamed.get(group.derived_from.get(a, "")),
                                     "note": group.notes.get(a)} for a in group.articles]
            store.add(batch, version)
            with store.write() as conn:
                conn.execute(insert(schema.story_features), feature_rows)
                conn.execute(insert(schema.stories), story_rows)
                conn.execute(insert(schema.story_members), member_rows)
        with store.write() as conn:
            conn.exec_driver_sql("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
            conn.exec_driver_sql("CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
                                 "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); "
                                 "END")
        store.optimize()
        counts = store.counts()
    return {"articles": counts["articles"], "quotes": counts["quotes"], "build_s": round(time.perf_counter() - started),
            "size_mb": round(path.stat().st_size / 1e6)}


def demo_entries() -> list[Any]:
    from importlib import resources

    from unspun.analysis import analyze_article
    from unspun.errors import NotEnglishError
    from unspun.ingest.sources import read_inputs

    corpus = resources.files("unspun").joinpath("demo", "articles.jsonl")
    out = []
    with resources.as_file(corpus) as source:
        for _, article in read_inputs(str(source)):
            try:
                out.append((article, analyze_article(article)))
            except NotEnglishError:
                out.append((article, None))
    return out


def page_urls(families: int, rng: random.Random) -> dict[str, list[str]]:
    demo = ["origin-ministry", "farm-daily-herald", "farm-koros-panorama", "independent-selvara-chronicle",
            "farm-eastbridge-times", "farm-tarsania-today", "farm-northern-observer", "independent-halvard-post"]
    n = 400
    return {
        "article": [f"/articles/{rng.choice(demo)}-{rng.randrange(families):05d}" for _ in range(n)],
        "story": [f"/stories/{quote(f'story:farm-daily-herald-{rng.randrange(families):05d}', safe=':')}"
                  for _ in range(n)],
        "search": [rng.choice([f"/search?q=Town{rng.randrange(families)}",
                               f"/search?q={rng.choice(WORDS)}+{rng.choice(WORDS)}",
                               f"/search?q={rng.choice(WORDS)}&site={rng.randrange(300):03d}.halvardpost.com",
                               f"/search?source_type=anonymous&since=2025-{rng.randrange(1, 13):02d}-01"])
                   for _ in range(n)],
        "home": ["/"] * 40,
    }


class Client(threading.Thread):
    """One client: requests in turn on one keep-alive connection, recording latency and failures."""

    def __init__(self, port: int, urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.urls = port, urls
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for url in self.urls:
            started = time.perf_counter()
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    self.errors.append(f"{response.status} {url}")
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__} {url}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.latencies.append(time.perf_counter() - started)
        conn.close()


def load(port: int, urls: list[str], clients: int, requests: int) -> dict[str, Any]:
    """`requests` requests spread over `clients` concurrent clients (bounded: each waits for its answer)."""
    per = max(1, requests // clients)
    workers = [Client(port, [urls[(c * per + i) % len(urls)] for i in range(per)]) for c in range(clients)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = [e for w in workers for e in w.errors]
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "error_examples": errors[:3],
            "p50_ms": ms(pct(latencies, 50)), "p95_ms": ms(pct(latencies, 95)), "p99_ms": ms(pct(latencies, 99)),
            "throughput_rps": round(len(latencies) / wall, 1)}


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(len(values) * p / 100 + 0.5) - 1)] if values else 0.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def library_baseline(db: str, urls: dict[str, list[str]], count: int) -> dict[str, dict[str, float]]:
    """The library calls behind each page, in this process, one at a time."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from unspun.reports.pages import article_view, home_view
    from unspun.reports.story import story_view
    from unspun.store import browse, open_store
    from unspun.stories.update import default_embed

    embed = default_embed()
    embed(["warm up"])
    out = {}
    with open_store(db, readonly=True) as store:
        calls = {
            "article": lambda u: article_view(store, unquote(u.split("/articles/", 1)[1])),
            "story": lambda u: story_view(store, unquote(u.split("/stories/", 1)[1]), embed),
            "search": lambda u: browse.search(store, browse.SearchFilter(**{
                ("query" if k == "q" else k): v[0] for k, v in parse_qs(urlsplit(u).query).items()})),
            "home": lambda u: home_view(store),
        }
        for kind, call in calls.items():
            times = []
            for url in urls[kind][:count]:
                started = time.perf_counter()
                call(url)
                times.append(time.perf_counter() - started)
            times.sort()
            out[kind] = {"p50_ms": ms(pct(times, 50)), "p95_ms": ms(pct(times, 95)), "p99_ms": ms(pct(times, 99))}
    return out


def serve(db: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    unspun = Path(sys.executable).parent / "unspun"
    process = subprocess.Popen([str(unspun), "serve", "--db", db, "--port", str(port), "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"unspun serve stopped: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.2)
    raise SystemExit("unspun serve did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes, now."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if status.parent.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return round(total / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=240, help="requests per page kind and concurrency level")
    parser.add_argument("--store", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "unspun-web-bench.db")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes to try")
    args = parser.parse_args()
    families = args.articles // 10
    built = None
    if args.rebuild or not args.store.exists():
        args.store.unlink(missing_ok=True)
        built = build_store(args.store, families)
        print(f"built {args.store}: {built}", file=sys.stderr)
    db = f"sqlite:///{args.store}"
    urls = page_urls(families, random.Random(2026))
    baseline = library_baseline(db, urls, 60)
    runs, memory = [], {}
    for workers in args.workers:
        process, port = serve(db, workers)
        try:
            for kind in urls:  # warm: models loaded, caches filled
                load(port, urls[kind][-20:], 2 * workers, 20 * workers)
            for kind in ("article", "story", "search", "home"):
                for clients in CLIENTS:
                    requests = args.requests if kind != "home" else 40
                    result = {"workers": workers, "page": kind, **load(port, urls[kind], clients, requests)}
                    runs.append(result)
                    print(json.dumps(result), file=sys.stderr)
            memory[workers] = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    write_results({"store": {"path": str(args.store), "articles": args.articles, **(built or {})},
                   "runs": runs, "library": baseline, "server_rss_mb": memory,
                   "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                               "platform": platform.machine()}})


def write_results(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web_speed.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = [(f"Store of {results['store']['articles']:,} articles (SQLite); `unspun serve --workers N` on loopback; "
              f"{results['machine']['cpus']} CPUs shared by the server and the load generator. Target: "
              f"p95 < {TARGET_P95_MS} ms for the article, story and search pages. The last column is the library "
              "call behind the page, timed in-process in the same run (no HTTP, no template)."), "",
             "| page | workers | clients | requests | errors | p50 ms | p95 ms | p99 ms | req/s | library p50 / p95 ms |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for run in results["runs"]:
        lib = results["library"][run["page"]]
        lines.append(f"| {run['page']} | {run['workers']} | {run['clients']} | {run['requests']} | {run['errors']} | "
                     f"{run['p50_ms']} | {run['p95_ms']} | {run['p99_ms']} | {run['throughput_rps']} | "
                     f"{lib['p50_ms']} / {lib['p95_ms']} |")
    memory = ", ".join(f"{mb} MB with {w} worker(s)" for w, mb in results["server_rss_mb"].items())
    lines += ["", f"Server memory after the runs: {memory}. Produced by `python bench/web_speed.py`."]
    (RESULTS / "web_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
