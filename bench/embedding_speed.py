"""Benchmark: sentences per second of unspun's two sentence encoders on one process, on the same sentences.

- ``multilingual``: the story encoder (universal-sentence-encoder-multilingual v3 in numpy, 512 dimensions,
  ``unspun.nlp.multilingual.load_multilingual_encoder().encode``), what ``stories/update.default_embed()``
  returns; it batches sentences itself (``multilingual.BATCH``) and pins one BLAS thread;
- ``minilm``: the English all-MiniLM-L6-v2 of narratives (384 dimensions, ``unspun.nlp.minilm.load_encoder``),
  at its default batch size.

Sentences: the English articles of ../shared/corpus/dev/articles.jsonl, split into sentences, topped up
from PolNeAR's news texts when the corpus has fewer than asked; read at run time, never copied. Each encoder
runs in its own fresh process with one BLAS thread and one tokenizer thread (the setting of a worker process
in a batch run), so its speed and peak memory are its own. Writes bench/results/embedding_speed.json and .md.

    .venv/bin/python bench/embedding_speed.py [--sentences 2000] [--repeats 3] [--encoders multilingual minilm]
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
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")
ENCODERS = {"multilingual": "stories (story matching, 16 languages)", "minilm": "narratives (English)"}
# From ../shared/notes/models.md: sentence-transformers on torch CPU, same machine, not rerun here.
TORCH_REFERENCE = {1: 155, 2: 228}
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


def load(encoder: str) -> tuple[Any, Any, Any, int, int]:
    """(encode, tokenize, the encoder's name, its dimensions, its batch size) of one of ENCODERS."""
    if encoder == "multilingual":
        from unspun.nlp import multilingual

        model = multilingual.load_multilingual_encoder()
        # the package's own tokenizer (pure Python sentencepiece), as its encode runs it; <s> and </s> included
        tokenize = model._model._tokenizer.encode
        return model.encode, tokenize, multilingual.NAME, multilingual.DIMENSIONS, multilingual.BATCH
    from unspun.nlp import minilm

    english = minilm.load_encoder()
    return english.encode, english.count_tokens, "all-MiniLM-L6-v2", minilm.DIMENSIONS, 64


def run_config(encoder: str, count: int, repeats: int) -> dict[str, Any]:
    """Measure one encoder in this process (a child whose environment sets one thread)."""
    import numpy as np

    sentences, sources = load_sentences(count)
    before_mb = rss_mb()
    started = time.perf_counter()
    encode, tokenize, name, dimensions, batch_size = load(encoder)
    encode(sentences[:batch_size])  # warm-up: lazy weights and tokenizer, first allocations
    load_s = time.perf_counter() - started
    loaded_mb = rss_mb()
    started = time.perf_counter()
    counted = tokenize(sentences)
    tokenize_s = time.perf_counter() - started
    tokens = sum(c if isinstance(c, int) else len(c) for c in counted)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        vectors = encode(sentences)
        times.append(time.perf_counter() - started)
    assert vectors.shape == (count, dimensions) and vectors.dtype == np.float32
    best, median = min(times), statistics.median(times)
    return {"encoder": encoder, "model": name, "used_for": ENCODERS[encoder], "dimensions": dimensions,
            "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "batch_size": batch_size,
            "sentences": count, "tokens": tokens, "sources": sources, "repeats": repeats,
            "best_s": round(best, 2), "median_s": round(median, 2), "tokenize_s": round(tokenize_s, 2),
            "sentences_per_s": round(count / best, 1), "median_sentences_per_s": round(count / median, 1),
            "tokens_per_s": round(tokens / best), "model_load_s": round(load_s, 2),
            "rss_before_load_mb": before_mb, "rss_after_load_mb": loaded_mb,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "torch_imported": "torch" in sys.modules, "tensorflow_imported": "tensorflow" in sys.modules}


def child(encoder: str, count: int, repeats: int) -> dict[str, Any]:
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}
    cmd = [sys.executable, __file__, "--child", encoder, "--sentences", str(count), "--repeats", str(repeats)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def machine() -> dict[str, Any]:
    import numpy as np

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "blas": f"{blas['name']} {blas['version']}", "load_average_at_start": os.getloadavg()}


def averages(values: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in values) or "not recorded"


def write_results(runs: list[dict[str, Any]], host: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [("| encoder | used for | dimensions | batch size | sentences/s (best) | sentences/s (median) | tokens "
              "| tokens/s | tokenizer alone (s) | load (s) | RSS after load (MB) | peak RSS (MB) |"),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r['model']} | {r['used_for']} | {r['dimensions']} | {r['batch_size']} "
                     f"| {r['sentences_per_s']} | {r['median_sentences_per_s']} | {r['tokens']:,} "
                     f"| {r['tokens_per_s']:,} | {r['tokenize_s']} | {r['model_load_s']} | {r['rss_after_load_mb']} "
                     f"| {r['peak_rss_mb']} |")
    first = runs[0]
    sources = ", ".join(f"{n:,} from {name}" for name, n in first["sources"].items() if n)
    torch = ", ".join(f"{speed} sentences/s on {cores} core(s)" for cores, speed in TORCH_REFERENCE.items())
    imported = "; ".join(f"{r['model']}: torch {r['torch_imported']}, tensorflow {r['tensorflow_imported']}"
                         for r in runs)
    lines += [
        "",
        (f"The same {first['sentences']:,} sentences for every encoder ({sources}). Best and median of "
         f"{first['repeats']} runs over all sentences, each encoder in a fresh process with one BLAS thread and "
         "one tokenizer thread (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS and RAYON_NUM_THREADS "
         "set to 1; the multilingual encoder also pins one BLAS thread itself), so its peak RSS is its own. "
         "Tokens are each encoder's own word pieces, sentence markers included, so the two token counts "
         "differ. 'Tokenizer alone': one pass of the encoder's tokenizer over all sentences, which its encode "
         "repeats (the multilingual package tokenizes in pure Python, MiniLM with the Rust tokenizers "
         "library). 'Load': reading the weights (hash checks included) and a first batch. Imported: "
         f"{imported}."),
        "",
        (f"For comparison (../shared/notes/models.md, same machine, measured separately, sentence lengths not "
         f"recorded): all-MiniLM-L6-v2 under sentence-transformers on torch CPU, {torch}."),
        "",
        (f"Machine: {host['cpu']}, {host['cpus']} CPUs, Python {host['python']}, numpy {host['numpy']} with "
         f"{host['blas']}. Load average (1, 5, 15 min) at start {averages(host['load_average_at_start'])}, at "
         f"end {averages(host.get('load_average_at_end', []))}: other work on the machine makes runs noisy, "
         "hence best-of."),
    ]
    (RESULTS / "embedding_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "embedding_speed.json").write_text(json.dumps({"machine": host, "runs": runs}, indent=2) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--encoders", nargs="+", choices=list(ENCODERS), default=list(ENCODERS))
    parser.add_argument("--child", choices=list(ENCODERS), help=argparse.SUPPRESS)
    parser.add_argument("--render", action="store_true", help="rewrite the .md table from the saved .json")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((RESULTS / "embedding_speed.json").read_text())
        write_results(saved["runs"], saved["machine"])
        return
    if args.child:
        print(json.dumps(run_config(args.child, args.sentences, args.repeats)))
        return
    host = machine()
    runs = []
    for encoder in args.encoders:
        runs.append(child(encoder, args.sentences, args.repeats))
        print(json.dumps(runs[-1]), file=sys.stderr)
    host["load_average_at_end"] = os.getloadavg()
    write_results(runs, host)


if __name__ == "__main__":
    main()
