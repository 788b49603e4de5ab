"""Benchmark: sentences per second of the numpy all-MiniLM-L6-v2 encoder, one BLAS thread vs the default.

Sentences: the English articles of ../shared/corpus/dev/articles.jsonl, split into sentences, topped up
from PolNeAR's news texts when the corpus has fewer than asked; read at run time, never copied. Each
configuration runs in its own fresh process, so its peak memory is its own. Writes
bench/results/embedding_speed.json and .md.

    .venv/bin/python bench/embedding_speed.py [--sentences 2000] [--batch-sizes 16 32 64 128] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
# From ../shared/notes/models.md: sentence-transformers on torch CPU, same machine, not rerun here.
TORCH_REFERENCE = {1: 155, 2: 228}
# Seen while writing this bench, in a run while other processes held a core (not in the table below).
CONTENTION_NOTE = (
    "Two BLAS threads are fragile on a shared machine: in an earlier run, while other processes held a core, "
    "three of the four 2-thread rows fell to medians of 27-37 sentences/s (OpenBLAS threads wait on each other) while the "
    "1-thread rows held 135-141. For batch work, one BLAS thread per worker process is the safer setting."
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if len(s.split()) >= 4]


def load_sentences(count: int) -> tuple[list[str], dict[str, int]]:
    corpus_sentences: list[str] = []
    corpus = SHARED / "corpus" / "dev" / "articles.jsonl"
    if corpus.exists():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("lang") == "en":
                corpus_sentences += split_sentences(record["text"])
    sentences = corpus_sentences[:count]
    for path in sorted((SHARED / "data" / "polnear").glob("*/text/*.txt")):
        if len(sentences) >= count:
            break
        sentences += split_sentences(path.read_text(encoding="utf-8"))
    if len(sentences) < count:
        sys.exit(f"only {len(sentences)} sentences under {SHARED}; set UNSPUN_SHARED or pass --sentences")
    from_corpus = min(len(corpus_sentences), count)
    return sentences[:count], {"corpus/dev English articles": from_corpus, "PolNeAR texts": count - from_corpus}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def run_config(threads: str, batch_size: int, count: int, repeats: int) -> dict:
    """Measure one setting in this process (a child whose environment sets the thread count)."""
    import numpy as np

    from unspun.nlp.minilm import DIMENSIONS, load_encoder

    sentences, sources = load_sentences(count)
    before_mb = rss_mb()
    started = time.perf_counter()
    encoder = load_encoder()
    load_s = time.perf_counter() - started
    loaded_mb = rss_mb()
    tokens = sum(encoder.count_tokens(sentences))
    encoder.encode(sentences[:batch_size])  # warm-up: BLAS threads start, first allocations
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        vectors = encoder.encode(sentences, batch_size=batch_size)
        times.append(time.perf_counter() - started)
    assert vectors.shape == (count, DIMENSIONS) and vectors.dtype == np.float32
    best, median = min(times), statistics.median(times)
    return {"threads": threads, "batch_size": batch_size, "sentences": count, "tokens": tokens,
            "sources": sources, "repeats": repeats, "best_s": round(best, 2), "median_s": round(median, 2),
            "sentences_per_s": round(count / best, 1), "median_sentences_per_s": round(count / median, 1),
            "tokens_per_s": round(tokens / best), "model_load_s": round(load_s, 2),
            "rss_before_load_mb": before_mb, "rss_after_load_mb": loaded_mb,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "torch_imported": "torch" in sys.modules}


def child(threads: str, batch_size: int, count: int, repeats: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    if threads != "default":
        env.update(dict.fromkeys(THREAD_VARIABLES, threads))
    cmd = [sys.executable, __file__, "--child", threads, "--batch-sizes", str(batch_size),
           "--sentences", str(count), "--repeats", str(repeats)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine() -> dict:
    import numpy as np

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "blas": f"{blas['name']} {blas['version']}", "load_average_at_start": os.getloadavg()}


def load(averages: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in averages) or "not recorded"


def write_results(runs: list[dict], host: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = ["| BLAS threads | batch size | sentences/s (best) | sentences/s (median) | tokens/s | peak RSS (MB) |",
             "|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['threads']} | {r['batch_size']} | {r['sentences_per_s']} | "
                     f"{r['median_sentences_per_s']} | {r['tokens_per_s']:,} | {r['peak_rss_mb']} |")
    first = runs[0]
    sources = ", ".join(f"{n:,} from {name}" for name, n in first["sources"].items() if n)
    torch = ", ".join(f"{speed} sentences/s on {cores} core(s)" for cores, speed in TORCH_REFERENCE.items())
    lines += [
        "",
        (f"{first['sentences']:,} sentences ({sources}); {first['tokens']:,} tokens with [CLS] and [SEP] "
        f"(mean {first['tokens'] / first['sentences']:.1f}). Best and median of {first['repeats']} runs over "
        "all sentences; each row in a fresh process, so its peak RSS is its own. \"default\" leaves OpenBLAS "
        f"its own thread count ({host['cpus']} here); \"1\" sets OPENBLAS_NUM_THREADS and RAYON_NUM_THREADS "
        f"(the tokenizer) to 1. Model load with hash checks: {first['model_load_s']} s; resident memory "
        f"{first['rss_before_load_mb']} MB before loading, {first['rss_after_load_mb']} MB after; torch "
        f"imported: {first['torch_imported']}."),
        "",
        (f"For comparison (../shared/notes/models.md, same machine, measured separately, sentence lengths not "
        f"recorded): sentence-transformers on torch CPU, {torch}."),
        "",
        CONTENTION_NOTE,
        "",
        (f"Machine: {host['cpu']}, {host['cpus']} CPUs, Python {host['python']}, numpy {host['numpy']} with "
        f"{host['blas']}. Load average (1, 5, 15 min) at start {load(host['load_average_at_start'])}, at end "
         f"{load(host.get('load_average_at_end', []))}: other work on the machine makes runs noisy, hence best-of."),
    ]
    (RESULTS / "embedding_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "embedding_speed.json").write_text(json.dumps({"machine": host, "runs": runs}, indent=2) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32, 64, 128])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", nargs="+", default=["1", "default"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--render", action="store_true", help="rewrite the .md table from the saved .json")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((RESULTS / "embedding_speed.json").read_text())
        write_results(saved["runs"], saved["machine"])
        return
    if args.child:
        print(json.dumps(run_config(args.child, args.batch_sizes[0], args.sentences, args.repeats)))
        return
    host = machine()
    runs = []
    for threads in args.threads:
        for batch_size in args.batch_sizes:
            runs.append(child(threads, batch_size, args.sentences, args.repeats))
            print(json.dumps(runs[-1]), file=sys.stderr)
    host["load_average_at_end"] = os.getloadavg()
    write_results(runs, host)


if __name__ == "__main__":
    main()
