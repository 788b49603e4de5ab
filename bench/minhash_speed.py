"""Benchmark the candidate-pair stage (MinHash + LSH) against datasketch at equal parameters.

    .venv/bin/python bench/minhash_speed.py [--sizes 10000,100000,1000000] [--budget 900]

Synthetic corpora of ~300-word articles drawn from a Zipf-like vocabulary (word ids generated directly in
numpy), with planted rewrite families: a base article and 1-9 copies, each with 10-30% of its words
substituted in runs of 1-6 words (phrase edits). Word ids are hashed and shingled into 5-gram hashes once;
both libraries then get the same shingles, num_perm=128, seed 1 and threshold 0.5 (so the same 25 bands of 5
rows). datasketch gets its fastest path: 32-bit values with an identity hashfunc, MinHash.bulk and an
insertion session; real use would add a SHA1 per shingle. Each library and size runs in a fresh subprocess:
signature time, index build, all candidate pairs (keys), peak RSS above the loaded corpus, recall of the
planted family pairs, and the time to add 1,000 new articles (sign, insert, query each). For unspun also the
saved index: write, reload and add 1,000 to the reloaded index, and the signature time on 2 threads.
datasketch at the largest size runs only if
its measured cost at the previous size, scaled linearly, fits in what is left of --budget; otherwise the
row is a labelled linear extrapolation. Writes bench/results/minhash_speed.json and .md. The corpus,
memory and subprocess helpers here are also imported by bench/clustering_speed.py.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
NUM_PERM, THRESHOLD, SHINGLE = 128, 0.5, 5
VOCABULARY = 50_000
ADDED = 1000


# ---------------------------------------------------------------------------------------------- corpus


class Corpus:
    """Per-article shingle arrays (views into one flat array) plus the planted families, the articles to add
    later and, for the last 200 of those (rewrites), the indexed article each rewrites."""

    def __init__(self, shingles: list[np.ndarray], families: list[np.ndarray], added: list[np.ndarray],
                 added_bases: np.ndarray):
        self.shingles = shingles
        self.families = families
        self.added = added
        self.added_bases = added_bases


def _word_sampler(rng: np.random.Generator) -> Any:
    ranks = np.arange(1, VOCABULARY + 1, dtype=np.float64)
    weights = 1.0 / (ranks + 2.7)  # Zipf-Mandelbrot: the commonest word is ~7% of running text
    cdf = np.cumsum(weights) / weights.sum()
    table = np.searchsorted(cdf, (np.arange(1 << 20) + 0.5) / (1 << 20)).astype(np.uint32)

    def sample(count: int) -> np.ndarray:
        return table[rng.integers(0, 1 << 20, count)]

    return sample


def _rewrite(rng: np.random.Generator, words: np.ndarray, sample: Any) -> np.ndarray:
    copy = words.copy()
    target = round(words.size * rng.uniform(0.10, 0.30))
    changed = np.zeros(words.size, dtype=bool)
    while changed.sum() < target:
        run = int(rng.integers(1, 7))
        start = int(rng.integers(0, words.size - run + 1))
        changed[start : start + run] = True
    copy[changed] = sample(int(changed.sum()))
    return copy


def make_corpus(size: int, seed: int = 2026, shingle: int = SHINGLE) -> Corpus:
    """``size`` articles as shingle-hash arrays (``shingle``-word shingles), the planted families, and 1,000
    articles to add later (800 new stories, 200 rewrites of indexed articles)."""
    from unspun.stories.shingles import mix64, shingle_hashes

    rng = np.random.default_rng(seed + size)
    sample = _word_sampler(rng)
    family_sizes = rng.integers(2, 11, size // 60)  # ~10% of the articles belong to a family
    copies = int((family_sizes - 1).sum())
    originals = size - copies
    lengths = rng.integers(250, 351, originals)
    words = sample(int(lengths.sum()))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    bases = rng.choice(originals, family_sizes.size, replace=False)
    docs: list[np.ndarray] = []
    families = []
    next_id = originals
    for base, family_size in zip(bases.tolist(), family_sizes.tolist(), strict=True):
        base_words = words[starts[base] : starts[base] + lengths[base]]
        members = [base]
        for _ in range(family_size - 1):
            docs.append(_rewrite(rng, base_words, sample))
            members.append(next_id)
            next_id += 1
        families.append(np.array(members, dtype=np.int64))
    # 1,000 articles to add later: 800 new stories and 200 rewrites of indexed articles.
    added_words = [sample(int(n)) for n in rng.integers(250, 351, ADDED - 200)]
    added_bases = rng.choice(originals, 200, replace=False)
    for base in added_bases.tolist():
        added_words.append(_rewrite(rng, words[starts[base] : starts[base] + lengths[base]], sample))
    all_words = np.concatenate([words, *docs, *added_words])
    all_lengths = np.concatenate([lengths, [d.size for d in docs], [d.size for d in added_words]])
    del words, docs, added_words
    ends = np.cumsum(all_lengths)
    views: list[np.ndarray] = []
    # Groups of 10,000 articles keep the temporaries small enough to stay fast.
    for first in range(0, all_lengths.size, 10_000):
        last = min(first + 10_000, all_lengths.size)
        lo, hi = int(ends[first] - all_lengths[first]), int(ends[last - 1])
        word_hashes = mix64(all_words[lo:hi].astype(np.uint64) + np.uint64(0x51ED270B))
        hashed = shingle_hashes(word_hashes, shingle)
        # A window starting at position p covers words p .. p+shingle-1; keep those inside one article.
        local_ends = (ends[first:last] - lo).tolist()
        local_begins = (ends[first:last] - all_lengths[first:last] - lo).tolist()
        views.extend(hashed[b : e - shingle + 1] for b, e in zip(local_begins, local_ends, strict=True))
    return Corpus(views[:size], families, views[size:], added_bases.astype(np.int64))


def planted_pairs(families: list[np.ndarray]) -> np.ndarray:
    codes = []
    for members in families:
        i, j = np.triu_indices(members.size, 1)
        a, b = np.minimum(members[i], members[j]), np.maximum(members[i], members[j])
        codes.append((a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64))
    return np.unique(np.concatenate(codes))


def exact_jaccard(corpus: Corpus, codes: np.ndarray) -> np.ndarray:
    out = np.empty(codes.size)
    for n, code in enumerate(codes.tolist()):
        a, b = np.unique(corpus.shingles[code >> 32]), np.unique(corpus.shingles[code & 0xFFFFFFFF])
        inter = np.intersect1d(a, b, assume_unique=True).size
        out[n] = inter / (a.size + b.size - inter)
    return out


# ---------------------------------------------------------------------------------------------- memory


def _status(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> int:
    """Return freed heap to the OS, then reset the kernel's peak-RSS counter (Linux 4.0+) and return the RSS:
    without the trim, the library under test would silently reuse what corpus generation freed."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")
    return _status("VmRSS:")


def peak_above(baseline: int) -> float:
    return round((_status("VmHWM:") - baseline) / 2**20, 1)


# ---------------------------------------------------------------------------------------------- children


def child(library: str, size: int) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = make_corpus(size)
    planted = planted_pairs(corpus.families)
    sample = planted[np.random.default_rng(1).permutation(planted.size)[:20_000]]
    jaccards = exact_jaccard(corpus, sample)
    keys = [f"a{i}" for i in range(size)]
    new_keys = [f"n{i}" for i in range(ADDED)]
    prep = time.perf_counter() - started
    result: dict[str, Any] = {"library": library, "articles": size, "corpus_seconds": round(prep, 1),
                              "load_average": round(os.getloadavg()[0], 2),
                              "planted_pairs": int(planted.size),
                              "planted_pairs_at_threshold": round(float((jaccards >= THRESHOLD).mean()), 3),
                              "planted_mean_jaccard": round(float(jaccards.mean()), 3)}
    run = run_unspun if library == "unspun" else run_datasketch
    candidates, timings = run(corpus, keys, new_keys)
    result.update(timings)
    found = np.isin(planted, candidates)
    found_sample = np.isin(sample, candidates)
    result["candidate_pairs"] = int(candidates.size)
    result["non_family_pairs"] = int(candidates.size - found.sum())
    result["recall"] = round(float(found.mean()), 4)
    at = jaccards >= THRESHOLD
    result["recall_at_threshold"] = round(float(found_sample[at].mean()), 4) if at.any() else None
    return result


def _encode(pairs: np.ndarray) -> np.ndarray:
    return np.unique((pairs[:, 0].astype(np.uint64) << np.uint64(32)) | pairs[:, 1].astype(np.uint64))


def run_unspun(corpus: Corpus, keys: list[str], new_keys: list[str]) -> tuple[np.ndarray, dict[str, Any]]:
    from unspun.stories.lsh import MinHashLSH
    from unspun.stories.minhash import MinHasher

    out: dict[str, Any] = {}
    baseline = reset_peak()
    hasher = MinHasher(num_perm=NUM_PERM, seed=1)
    t0 = time.perf_counter()
    sigs = hasher.signatures(corpus.shingles)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    lsh.insert_many(keys, sigs)
    del sigs
    lsh.query(lsh.signatures[0])  # the first read merges the new articles into the sorted bands
    t2 = time.perf_counter()
    pairs = list(lsh.candidate_pairs())
    t3 = time.perf_counter()
    out["peak_mb"] = peak_above(baseline)
    out.update(signature_s=round(t1 - t0, 2), index_s=round(t2 - t1, 2), pairs_s=round(t3 - t2, 2),
               bands=lsh.bands, rows=lsh.rows)
    position = {key: n for n, key in enumerate(keys)}
    candidates = _encode(np.array([(position[a], position[b]) for a, b in pairs], dtype=np.int64).reshape(-1, 2))
    del pairs, position

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.npz"
        t0 = time.perf_counter()
        np.savez(path, **lsh.to_arrays())
        t1 = time.perf_counter()
        del lsh
        with np.load(path) as saved:
            loaded = MinHashLSH.from_arrays(saved, copy=False)  # fresh arrays from disk: adopt, don't copy
        t2 = time.perf_counter()
        out.update(save_s=round(t1 - t0, 2), load_s=round(t2 - t1, 2),
                   saved_mb=round(path.stat().st_size / 2**20, 1))
    t0 = time.perf_counter()
    new_sigs = hasher.signatures(corpus.added)
    loaded.insert_many(new_keys, new_sigs)
    matched = sum(len(loaded.query(sig)) > 1 for sig in new_sigs)
    out["add_1000_s"] = round(time.perf_counter() - t0, 3)
    out["add_1000_matched"] = int(matched)
    del loaded
    t0 = time.perf_counter()
    hasher.signatures(corpus.shingles, workers=2)
    out["signature_2_threads_s"] = round(time.perf_counter() - t0, 2)
    return candidates, out


def identity(value: Any) -> Any:
    """datasketch's hashfunc for values that are already 32-bit hashes."""
    return value


def datasketch_values(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The same scrambled 32-bit values unspun's MinHasher permutes, so both libraries get identical inputs."""
    from unspun.stories.shingles import mix64

    folded: list[np.ndarray] = []
    for first in range(0, len(arrays), 10_000):
        group = arrays[first : first + 10_000]
        flat = (mix64(np.concatenate(group)) >> np.uint64(32)).astype(np.uint32)
        folded.extend(np.split(flat, np.cumsum([a.size for a in group])[:-1]))
    return folded


def run_datasketch(corpus: Corpus, keys: list[str], new_keys: list[str]) -> tuple[np.ndarray, dict[str, Any]]:
    from datasketch import MinHash, MinHashLSH

    docs, added = datasketch_values(corpus.shingles), datasketch_values(corpus.added)
    corpus.shingles = []
    out: dict[str, Any] = {}
    baseline = reset_peak()
    t0 = time.perf_counter()
    minhashes = MinHash.bulk(docs, num_perm=NUM_PERM, seed=1, hashfunc=identity)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, minhash in zip(keys, minhashes, strict=True):
            session.insert(key, minhash)
    t2 = time.perf_counter()
    found: set[tuple[str, str]] = set()
    for table in lsh.hashtables:
        for bucket in table.keys():  # noqa: SIM118 - a datasketch storage object, not a dict
            members = table.get(bucket)
            if len(members) > 1:
                ordered = sorted(members)
                found.update((ordered[i], b) for i in range(len(ordered)) for b in ordered[i + 1 :])
    pairs = list(found)
    t3 = time.perf_counter()
    out["peak_mb"] = peak_above(baseline)
    out.update(signature_s=round(t1 - t0, 2), index_s=round(t2 - t1, 2), pairs_s=round(t3 - t2, 2),
               bands=lsh.b, rows=lsh.r)
    position = {key: n for n, key in enumerate(keys)}
    index_pairs = np.array([sorted((position[a], position[b])) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
    t0 = time.perf_counter()
    new_minhashes = MinHash.bulk(added, num_perm=NUM_PERM, seed=1, hashfunc=identity)
    with lsh.insertion_session() as session:
        for key, minhash in zip(new_keys, new_minhashes, strict=True):
            session.insert(key, minhash)
    matched = sum(len(lsh.query(m)) > 1 for m in new_minhashes)
    out["add_1000_s"] = round(time.perf_counter() - t0, 3)
    out["add_1000_matched"] = int(matched)
    return _encode(index_pairs), out


# ---------------------------------------------------------------------------------------------- parent


def run_child(library: str, size: int, timeout: float, script: str | Path = __file__,
              extra: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Run ``script --child LIBRARY SIZE *extra`` in a fresh process and return the JSON on its last line."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(script), "--child", library, str(size), *extra], check=True,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  {library} at {size:,}: stopped after {timeout:.0f} s", file=sys.stderr)
        return None
    except subprocess.CalledProcessError as error:
        print(error.stderr[-3000:], file=sys.stderr)
        raise
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["child_s"] = round(time.perf_counter() - started, 1)
    print(f"  {library} at {size:,}: {json.dumps(result)}", file=sys.stderr)
    return result


def stage_total(row: dict[str, Any]) -> float:
    return float(row["signature_s"] + row["index_s"] + row["pairs_s"])


def extrapolate(row: dict[str, Any], size: int) -> dict[str, Any]:
    scale = size / row["articles"]
    keys = ("signature_s", "index_s", "pairs_s", "peak_mb")
    guess = {key: round(row[key] * scale, 1) for key in keys}
    guess.update(library="datasketch", articles=size, extrapolated_from=row["articles"],
                 add_1000_s=row["add_1000_s"], recall=row["recall"], recall_at_threshold=row["recall_at_threshold"])
    return guess


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def write_results(rows: list[dict[str, Any]], sizes: list[int], wall: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    summary = []
    for size in sizes:
        ours = next((r for r in rows if r["articles"] == size and r["library"] == "unspun"), None)
        theirs = next((r for r in rows if r["articles"] == size and r["library"] == "datasketch"), None)
        if ours and theirs:
            summary.append({"articles": size, "extrapolated": "extrapolated_from" in theirs,
                            "speedup_total": round(stage_total(theirs) / stage_total(ours), 1),
                            "speedup_signatures": round(theirs["signature_s"] / ours["signature_s"], 1),
                            "memory_ratio": round(ours["peak_mb"] / theirs["peak_mb"], 3)})
    data = {"machine": machine, "bench_seconds": round(wall), "num_perm": NUM_PERM, "threshold": THRESHOLD,
            "shingle_words": SHINGLE, "rows": rows, "summary": summary}
    (RESULTS / "minhash_speed.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    lines = [
        ("| articles | library | signatures (s) | index build (s) | all candidate pairs (s) | total (s) "
         "| peak memory (MB) | candidate pairs | recall, all planted pairs | recall, planted pairs J ≥ 0.5 "
         "| add 1,000 (s) |"),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        label = row["library"]
        if "extrapolated_from" in row:
            label += f" (NOT MEASURED: linear extrapolation from {row['extrapolated_from']:,})"
        lines.append(
            f"| {row['articles']:,} | {label} | {fmt(row['signature_s'])} | {fmt(row['index_s'])} "
            f"| {fmt(row['pairs_s'])} | {fmt(stage_total(row), 1)} | {fmt(row['peak_mb'], 0)} "
            f"| {fmt(row.get('candidate_pairs'))} | {fmt(row['recall'], 3)} | {fmt(row['recall_at_threshold'], 3)} "
            f"| {fmt(row['add_1000_s'])} |")
    lines += ["", "| articles | speed-up, total | speed-up, signatures | memory, unspun / datasketch |",
              "|---:|---:|---:|---:|"]
    for item in summary:
        mark = " (vs extrapolation)" if item["extrapolated"] else ""
        lines.append(f"| {item['articles']:,}{mark} | {item['speedup_total']}x | {item['speedup_signatures']}x "
                     f"| {item['memory_ratio']:.2f} |")
    ours = [r for r in rows if r["library"] == "unspun"]
    if ours:
        lines += ["", ("| articles | unspun µs per article (sig + index + pairs) | signatures on 2 threads (s) "
                       "| saved index (MB) | write (s) | reload (s) | add 1,000 to the reloaded index (s) |"),
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in ours:
            lines.append(f"| {r['articles']:,} | {stage_total(r) / r['articles'] * 1e6:.1f} "
                         f"| {fmt(r['signature_2_threads_s'])} | {fmt(r['saved_mb'], 1)} | {fmt(r['save_s'])} "
                         f"| {fmt(r['load_s'])} | {fmt(r['add_1000_s'])} |")
        first = ours[0]
        lines += ["", f"num_perm {NUM_PERM}, threshold {THRESHOLD} → {first['bands']} bands × {first['rows']} rows "
                  f"for both libraries; {SHINGLE}-word shingles. Planted pairs: mean exact Jaccard "
                  f"{first['planted_mean_jaccard']}, {first['planted_pairs_at_threshold']:.0%} of them at or "
                  "above 0.5 (the rest are rewrites too heavy for a 0.5 threshold on 5-word shingles, for "
                  "either library). Peak memory is the peak RSS of the fresh process above its RSS once the "
                  "corpus was loaded (after malloc_trim, so memory freed by corpus generation is not silently reused). "
                  "\"add 1,000\" signs, inserts and queries 1,000 new articles (200 of them "
                  "rewrites of indexed ones); for unspun it runs on the index reloaded from disk. unspun ran on "
                  f"one thread (MinHasher.signatures(workers=1)). Machine: {machine}; whole bench "
                  f"{wall / 60:.1f} min; 1-minute load average when each run started: "
                  + ", ".join(f"{r['library']} {r['articles']:,}: {r['load_average']}" for r in rows
                              if "load_average" in r)
                  + " (other work shared the 2 CPUs, so timings carry some noise)."]
    (RESULTS / "minhash_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--budget", type=float, default=900, help="seconds for the whole run")
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    for size in sizes:
        ours = run_child("unspun", size, timeout=600)
        if ours is None:
            raise SystemExit(f"unspun did not finish {size:,} articles in 10 minutes")
        rows.append(ours)
        measured = [r for r in rows if r["library"] == "datasketch" and "extrapolated_from" not in r]
        left = args.budget - (time.perf_counter() - started)
        if measured:
            last = measured[-1]
            projected = last["child_s"] * size / last["articles"]
            if projected > min(left, 600):
                print(f"  datasketch at {size:,}: projected {projected:.0f} s > {min(left, 600):.0f} s left; "
                      "extrapolating", file=sys.stderr)
                rows.append(extrapolate(last, size))
                continue
        theirs = run_child("datasketch", size, timeout=min(max(left, 60), 600))
        rows.append(theirs if theirs is not None else extrapolate(measured[-1], size))
    write_results(rows, sizes, time.perf_counter() - started)
    print((RESULTS / "minhash_speed.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
