"""Benchmark: full unspun analysis vs bare spaCy `nlp.pipe` on the same news texts, in one run.

Texts: PolNeAR (train, dev, annotator-training) and the English articles of the development corpus,
read from ../shared at run time (never copied). Each configuration runs in its own fresh process so
its peak memory is its own. With one process it also runs the analysis with the opt-in paragraph techniques
(`--paragraphs`: every paragraph embedded). Writes bench/results/analysis_speed.json and .md.

    .venv/bin/python bench/analysis_speed.py [--limit N] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"


def load_texts(limit: int | None) -> list[str]:
    texts = []
    polnear = SHARED / "data" / "polnear"
    for split in ("train", "dev", "annotator-training"):
        texts += [p.read_text(encoding="utf-8") for p in sorted((polnear / split / "text").glob("*.txt"))]
    corpus = SHARED / "corpus" / "dev" / "articles.jsonl"
    if corpus.exists():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("lang") == "en":
                texts.append(record["text"])
    texts = [t for t in texts if t.strip()]
    return texts[:limit] if limit else texts


def run_config(mode: str, processes: int, limit: int | None) -> dict:
    """Run one configuration in this process (called in a child)."""
    started = time.perf_counter()
    import spacy  # noqa: F401  # first, in a fresh process: what importing spaCy costs a script that uses it

    import_s = time.perf_counter() - started
    from unspun.analysis import AnalysisOptions, analyze_items
    from unspun.nlp.pipeline import load_pipeline
    from unspun.records import Article

    texts = load_texts(limit)
    if mode == "cli":
        return run_cli(texts, processes)
    started = time.perf_counter()
    nlp = load_pipeline()
    load_s = time.perf_counter() - started
    items = [(str(n), Article(text=t, id=str(n))) for n, t in enumerate(texts)]
    started = time.perf_counter()
    if mode == "spacy":
        count = sum(1 for _ in nlp.pipe(texts, n_process=processes, batch_size=16))
    else:
        options = AnalysisOptions(paragraphs=mode == "paragraphs")
        count = sum(1 for _ in analyze_items(items, nlp=nlp, n_process=processes, options=options))
    elapsed = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"mode": mode, "processes": processes, "articles": count, "words": words, "seconds": round(elapsed, 2),
            "articles_per_s": round(count / elapsed, 2), "words_per_s": round(words / elapsed),
            "model_load_s": round(load_s, 2), "spacy_import_s": round(import_s, 2),
            "peak_rss_mb": round(max(peak_kb, child_kb) / 1024, 1)}


def run_cli(texts: list[str], processes: int) -> dict:
    """`unspun analyze FILE.jsonl --format json` on the same texts, as a user runs it (start-up, reading, every
    analysis, the JSON written): the texts go to a temporary file outside the repository."""
    import tempfile

    exe = Path(sys.executable).with_name("unspun")
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "texts.jsonl", Path(tmp) / "out.json"
        source.write_text("".join(json.dumps({"id": str(n), "text": t}) + "\n" for n, t in enumerate(texts)),
                          encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([str(exe), "analyze", str(source), "--format", "json", "--out", str(out), "--processes",
                        str(processes)], check=True, capture_output=True)
        elapsed = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"mode": "cli", "processes": processes, "articles": len(texts), "words": words,
            "seconds": round(elapsed, 2), "articles_per_s": round(len(texts) / elapsed, 2),
            "words_per_s": round(words / elapsed), "model_load_s": None, "peak_rss_mb": round(peak_kb / 1024, 1)}


def child(mode: str, processes: int, limit: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--processes", str(processes)]
    if limit:
        cmd += ["--limit", str(limit)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cli_latency(runs: int = 5) -> dict:
    seed = SHARED / "seed" / "000_1fd3dc944a29abde.txt"
    exe = Path(sys.executable).with_name("unspun")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(exe), "analyze", str(seed), "--format", "json"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return {"runs": runs, "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}


def write_results(rows: list[dict], latency: dict, runs: list[dict] | None = None) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    by = {(r["mode"], r["processes"]): r for r in rows}
    lines = ["| configuration | processes | articles/s | words/s | peak RSS, largest process (MB) | time vs bare spaCy |",
             "|---|---|---|---|---|---|"]
    names = {"spacy": "bare spaCy nlp.pipe", "unspun": "unspun full analysis (analyze_items)",
             "cli": "`unspun analyze FILE.jsonl --format json` (start-up included)",
             "paragraphs": "unspun full analysis with paragraph techniques (--paragraphs)"}
    for r in rows:
        base = by.get(("spacy", r["processes"]))
        if r["mode"] == "spacy" or not base:
            overhead = "baseline"
        elif r["mode"] == "cli":  # against importing spaCy, loading and piping: both from nothing to the last Doc
            whole = base["seconds"] + base["model_load_s"] + base.get("spacy_import_s", 0.0)
            overhead = f"{r['seconds'] / whole:.2f}x (vs import spacy + load + pipe, {whole:.1f} s)"
        elif "median_round_ratio" in r:
            overhead = (f"{r['median_round_ratio']:.2f}x (median of the rounds' ratios "
                        f"{', '.join(f'{x:.2f}' for x in r['round_ratios'])})")
        else:
            overhead = f"{r['seconds'] / base['seconds']:.2f}x"
        lines.append(f"| {names[r['mode']]} | {r['processes']} | {r['articles_per_s']} | {r['words_per_s']:,} | "
                     f"{r['peak_rss_mb']} | {overhead} |")
    lines.append("")
    times = "; ".join(f"{names[r['mode']].split(' (')[0]} ({r['processes']}): {r.get('all_seconds', [r['seconds']])} s"
                      for r in rows)
    lines.append(f"Median of interleaved runs (every run's seconds: {times}). "
                 f"{rows[0]['articles']} articles, {rows[0]['words']:,} words; "
                 f"`unspun analyze` on one article (seed, JSON) incl. start-up: median {latency['median_s']} s "
                 f"over {latency['runs']} runs (max {latency['max_s']} s). "
                 f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
                 f"{platform.python_version()}.")
    (RESULTS / "analysis_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "analysis_speed.json").write_text(json.dumps({"runs": rows, "every_run": runs or rows,
                                                             "cli_latency": latency}, indent=2) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each configuration, interleaved")
    parser.add_argument("--child", choices=("spacy", "unspun", "cli", "paragraphs"), help=argparse.SUPPRESS)
    parser.add_argument("--render", action="store_true", help="rewrite the .md table from the saved .json")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((RESULTS / "analysis_speed.json").read_text())
        every = saved.get("every_run")
        write_results(median_runs(every) if every else saved["runs"], saved["cli_latency"], every)
        return
    if args.child:
        print(json.dumps(run_config(args.child, args.processes[0], args.limit)))
        return
    runs = []
    for _ in range(args.repeats):  # interleaved, so that a slow spell of the machine hits every configuration
        for processes in args.processes:
            for mode in ("spacy", "unspun", "cli", "paragraphs") if processes == 1 else ("spacy", "unspun"):
                runs.append(child(mode, processes, args.limit))
                print(json.dumps(runs[-1]), file=sys.stderr)
    write_results(median_runs(runs), cli_latency(), runs)


def median_runs(runs: list[dict]) -> list[dict]:
    """One row per configuration: the run of median time (its other figures with it), every time in run order,
    and, against bare spaCy, the ratio of each round (runs made back to back share the machine's state, so their
    ratio is steadier than a ratio of medians on a shared machine) and the median of those."""
    rows = []
    keys = list(dict.fromkeys((r["mode"], r["processes"]) for r in runs))
    for key in keys:
        mine = [r for r in runs if (r["mode"], r["processes"]) == key]
        base = [r for r in runs if (r["mode"], r["processes"]) == ("spacy", key[1])]
        row = {**sorted(mine, key=lambda r: r["seconds"])[(len(mine) - 1) // 2], "all_seconds": [r["seconds"] for r in mine]}
        if key[0] in ("unspun", "paragraphs") and len(base) == len(mine):
            rounds = sorted(m["seconds"] / b["seconds"] for m, b in zip(mine, base, strict=True))
            row["round_ratios"] = [round(x, 3) for x in rounds]
            row["median_round_ratio"] = round(rounds[(len(rounds) - 1) // 2], 3)
        rows.append(row)
    return rows


if __name__ == "__main__":
    main()
