"""Benchmark the corpus store: ingest rate, analysis overhead of ingest, query latency, memory.

    .venv/bin/python bench/ingest_speed.py [--articles 20000] [--analysed 400] [--store-size 100000]

1. Ingest without analysis into SQLite on one core (synthetic news-length articles, JSON Lines).
2. Ingest with analysis vs bare analysis (analyze_items) of the same articles, in the same run.
3. Full-text search and filtered quote queries on a store of --store-size generated articles: p50/p95.
4. Peak memory of the ingest process at two corpus sizes, to show it does not grow with the corpus.
Writes bench/results/ingest_speed.json and .md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
NOUNS = ["minister", "government", "delegation", "agreement", "visit", "official", "ministry", "economy", "partnership", "border", "ceasefire", "election", "parliament", "budget", "report", "council", "company", "bridge", "talks", "summit"]
ADJECTIVES = ["new", "senior", "regional", "national", "joint", "long-awaited", "costly", "historic"]
SITES = [f"site{n}.example" for n in range(40)]


def synthetic_text(rng: random.Random, n: int, sentences: int = 30) -> str:
    """News-like English: function words, names, numbers and quotes, about 18 words a sentence."""
    out = []
    for s in range(sentences):
        a, b, c = rng.choice(NOUNS), rng.choice(NOUNS), rng.choice(NOUNS)
        adj = rng.choice(ADJECTIVES)
        if s % 6 == 0:
            out.append(f"“The {a} will not accept a {adj} {b} that was made without us,” said a senior official "
                       f"in Town {n}.")
        elif s % 3 == 0:
            out.append(f"Officials said that the {adj} {a} of the {b} would be discussed with the {c} on day {s}.")
        else:
            out.append(f"The {a} in Town {n} has been working on the {adj} {b} since {2000 + s}, and it is "
                       f"expected to reach the {c} by the end of the year.")
    return " ".join(out)


def write_corpus(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({"id": f"b-{n}", "text": synthetic_text(rng, n), "site": rng.choice(SITES),
                                     "published": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}"}) + "\n")


def run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_ingest(source: str, db: str, analyze: bool) -> dict:
    from unspun.run.ingest import IngestOptions, ingest
    from unspun.store import open_store

    if analyze:
        from unspun.nlp.pipeline import load_pipeline

        load_pipeline()
    started = time.perf_counter()
    with open_store(db) as store:
        summary = ingest([source], store, IngestOptions(analyze=analyze, batch_size=500))
    seconds = time.perf_counter() - started
    return {"articles": summary.ingested, "seconds": round(seconds, 2),
            "articles_per_s": round(summary.ingested / seconds, 1), "peak_rss_mb": _peak_mb()}


def child_bare(source: str) -> dict:
    from unspun.analysis import analyze_items
    from unspun.ingest.sources import read_inputs
    from unspun.nlp.pipeline import load_pipeline

    load_pipeline()
    items = list(read_inputs(source))
    started = time.perf_counter()
    count = sum(1 for _ in analyze_items(items))
    seconds = time.perf_counter() - started
    return {"articles": count, "seconds": round(seconds, 2), "articles_per_s": round(count / seconds, 1)}


def child_queries(db: str, size: int) -> dict:
    from unspun.records import Analysis, Article, Quote, Sourcing, Speaker
    from unspun.store import open_store
    from unspun.store.store import QuoteQuery

    rng = random.Random(11)
    types = ("named", "anonymous", "unnamed", "document", "unknown")
    with open_store(db) as store:
        started = time.perf_counter()
        for base in range(0, size, 2000):
            entries = []
            for n in range(base, min(size, base + 2000)):
                text = synthetic_text(rng, n, sentences=12)
                article = Article(text=text, id=f"q-{n}", site=rng.choice(SITES), content_hash=hashlib.sha256(
                    text.encode()).hexdigest(), published=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}")
                speaker = Speaker(type=rng.choice(types), text="a senior official", start=0, end=5,  # type: ignore[arg-type]
                                  name=f"Person {n % 500}")
                quote = Quote(text=text[1:60], start=1, end=60, kind="direct", speaker=speaker)
                entries.append((article, Analysis(article, [quote], Sourcing(1, 0, 0, 0, 0, 0, 0.0), [], [], [])))
            store.add(entries, "bench")
        build_s = time.perf_counter() - started
        store.optimize()
        timings: dict[str, list[float]] = {"search": [], "search_common": [], "quotes": []}
        for i in range(200):
            # half selective queries (a place and a word, as analysts search), half words in most articles
            selective = f"Town {rng.randrange(size)} {rng.choice(NOUNS)}"
            common = " ".join(rng.sample(NOUNS, 2))
            for name, words in (("search", selective if i % 2 else common), ("search_common", common)):
                t = time.perf_counter()
                store.search(words, limit=20)
                timings[name].append(time.perf_counter() - t)
            query = [QuoteQuery(speaker_type=rng.choice(types), site=rng.choice(SITES), since="2026-03-01",
                                until="2026-09-30", limit=50),
                     QuoteQuery(speaker_type=rng.choice(types), limit=50),
                     QuoteQuery(speaker=f"person {rng.randrange(500)}", limit=50),
                     QuoteQuery(site=rng.choice(SITES), since="2026-06-01", limit=50)][i % 4]
            t = time.perf_counter()
            store.quotes(query)
            timings["quotes"].append(time.perf_counter() - t)
    out: dict = {"store_articles": size, "build_s": round(build_s, 1)}
    for name, values in timings.items():
        values.sort()
        out[name] = {"p50_ms": round(statistics.median(values) * 1000, 2),
                     "p95_ms": round(values[int(len(values) * 0.95)] * 1000, 2)}
    return out


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--analysed", type=int, default=400)
    parser.add_argument("--store-size", type=int, default=100_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"ingest": lambda: child_ingest(rest[0], rest[1], rest[2] == "1"),
                  "bare": lambda: child_bare(rest[0]),
                  "queries": lambda: child_queries(rest[0], int(rest[1]))}[kind]()
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict = {}
        for count in (args.articles, args.articles * 2):
            source = work / f"c{count}.jsonl"
            write_corpus(source, count)
            results[f"no_analysis_{count}"] = run_child(["ingest", str(source), f"sqlite:///{work}/n{count}.db", "0"])
            print(json.dumps(results[f"no_analysis_{count}"]), file=sys.stderr)
        small = work / "small.jsonl"
        write_corpus(small, args.analysed, seed=3)
        results["with_analysis"] = run_child(["ingest", str(small), f"sqlite:///{work}/a.db", "1"])
        results["bare_analysis"] = run_child(["bare", str(small)])
        results["queries"] = run_child(["queries", f"sqlite:///{work}/q.db", str(args.store_size)])
    write_results(results, args)


def write_results(results: dict, args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    one, two = results[f"no_analysis_{args.articles}"], results[f"no_analysis_{args.articles * 2}"]
    ratio = results["with_analysis"]["articles_per_s"] / results["bare_analysis"]["articles_per_s"]
    q = results["queries"]
    lines = [
        "| measure | result | target |",
        "|---|---|---|",
        (f"| ingest without analysis, SQLite, 1 core ({args.articles:,} articles) | "
         f"{one['articles_per_s']:,} articles/s | ≥ 2,000 articles/s |"),
        (f"| peak memory of the ingest at {args.articles:,} / {args.articles * 2:,} articles | "
         f"{one['peak_rss_mb']} MB / {two['peak_rss_mb']} MB | flat |"),
        (f"| ingest with analysis vs bare analysis ({args.analysed} articles) | "
         f"{results['with_analysis']['articles_per_s']} vs {results['bare_analysis']['articles_per_s']} "
         f"articles/s = {ratio:.0%} | ≥ 90 % |"),
        (f"| full-text search, store of {q['store_articles']:,} articles (half selective, half common words) | "
         f"p50 {q['search']['p50_ms']} ms, p95 {q['search']['p95_ms']} ms | p95 < 50 ms |"),
        (f"| full-text search, only words found in most articles | p50 {q['search_common']['p50_ms']} ms, "
         f"p95 {q['search_common']['p95_ms']} ms | p95 < 50 ms |"),
        (f"| filtered quote queries (type+site+dates, type, speaker, site+date) | p50 {q['quotes']['p50_ms']} ms, "
         f"p95 {q['quotes']['p95_ms']} ms | p95 < 50 ms |"),
        "",
        (f"Synthetic news-like articles of about 560 words. Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
         f"Python {platform.python_version()}."),
    ]
    (RESULTS / "ingest_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "ingest_speed.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
