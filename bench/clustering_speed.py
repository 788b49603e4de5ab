"""Benchmark story clustering (MinHash, LSH, verification, connected components) against datasketch.

    .venv/bin/python bench/clustering_speed.py [--sizes 10000,100000,1000000] [--operating-points-at 100000]

The corpora are bench/minhash_speed.py's (imported from it): ~300-word articles from a Zipf-like vocabulary,
~10% of them in planted rewrite families of 2-10 articles (a base plus copies with 10-30% of the words
substituted in runs of 1-6 words). Each library and size runs in a fresh subprocess, timed stage by stage:
signatures, index, all candidate pairs, verification, clusters. Verification is the same rule for both
libraries: a candidate pair is kept when its estimated Jaccard similarity (the share of equal signature
values: unspun's ``jaccard_rows``, datasketch's ``MinHash.jaccard``) is at least the LSH threshold. Clusters
are the connected components of the kept pairs (scipy.sparse.csgraph, the same call for both). Reported:
the time, the peak RSS above the loaded corpus, the number of clusters, the share of planted family pairs
that end in one cluster, the share of families recovered completely (all members in one cluster), and
B-cubed precision, recall and F1 against the planted families (every other article its own story). Then
1,000 new articles (200 rewrites of indexed articles, 800 new stories) are added to the clustering: signed,
inserted, queried, verified and unioned into the existing clusters; for unspun on the index and cluster
labels reloaded from disk.

Operating point: 3-word shingles, threshold 0.2 (28 bands of 2 rows, the optimum both libraries compute for
0.2 at 128 permutations), the same for both. minhash_speed.py's 5-word shingles at 0.5 find candidates
for near-copies, but the planted families are heavier rewrites: their pairs have a mean exact Jaccard of
0.29 on 5-word shingles, and at 0.5 only about one planted pair in eight ends in a shared cluster. On
3-word shingles a copy keeps more of its base's shingles (exact Jaccard 0.38 or more for 99% of base-copy
pairs) while unrelated articles share almost none (at most 0.002 in a sample of 10,000 pairs), so 0.2 sits
far above noise and below nearly every rewrite. The run also measures unspun alone at 100,000 articles at
5-word/0.5 and 3-word/0.3, so the table shows what the choice buys. datasketch gets its fastest path, as in
minhash_speed.py: 32-bit values with an identity hashfunc, MinHash.bulk, an insertion session and integer
keys. Writes bench/results/clustering_speed.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from minhash_speed import (
    ADDED,
    Corpus,
    datasketch_values,
    exact_jaccard,
    fmt,
    identity,
    make_corpus,
    peak_above,
    planted_pairs,
    reset_peak,
    run_child,
)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
NUM_PERM, SHINGLE, THRESHOLD = 128, 3, 0.2
# Other operating points measured (unspun only) to show what the choice of SHINGLE and THRESHOLD buys.
OTHER_POINTS = ((5, 0.5), (3, 0.3))
_VERIFY_CHUNK = 65536  # pairs per verification step: two (65536, 128) uint32 gathers, 64 MB


# ------------------------------------------------------------------------------------------ clusters


def connected_labels(size: int, pairs: np.ndarray) -> np.ndarray:
    """Cluster label of each of ``size`` articles: the connected components of the (m, 2) ``pairs``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def merge_new(labels: np.ndarray, count_new: int, edges: np.ndarray) -> np.ndarray:
    """Labels for ``labels.size + count_new`` articles: each new article starts as its own cluster, then the
    verified ``edges`` (pairs of article rows) union clusters. Only the clusters the edges touch take part
    in the union; relabelling the rest is one array lookup."""
    first_new = int(labels.max()) + 1 if labels.size else 0
    full = np.concatenate([labels, np.arange(first_new, first_new + count_new)])
    if not len(edges):
        return full
    ends = full[edges.T.ravel()]
    touched, inverse = np.unique(ends, return_inverse=True)
    components = connected_labels(touched.size, inverse.reshape(2, -1).T)
    root = np.full(int(components.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(root, components, touched)  # each component keeps its smallest existing label
    lookup = np.arange(first_new + count_new)
    lookup[touched] = root[components]
    return lookup[full]


# ------------------------------------------------------------------------------------------ scores


def bcubed(pred: np.ndarray, gold: np.ndarray, items: np.ndarray | None = None) -> dict[str, float]:
    """B-cubed precision, recall and F1 of predicted against gold labels, averaged over ``items`` (all)."""
    _, pair_of, together = np.unique(pred * (int(gold.max()) + 1) + gold, return_inverse=True, return_counts=True)
    shared = together[pair_of]  # per article: articles sharing both its predicted and its gold cluster
    precision_each = shared / np.bincount(pred)[pred]
    recall_each = shared / np.bincount(gold)[gold]
    if items is not None:
        precision_each, recall_each = precision_each[items], recall_each[items]
    p, r = float(precision_each.mean()), float(recall_each.mean())
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4)}


def score(labels: np.ndarray, families: list[np.ndarray]) -> dict[str, Any]:
    planted = planted_pairs(families)
    a, b = (planted >> np.uint64(32)).astype(np.int64), (planted & np.uint64(0xFFFFFFFF)).astype(np.int64)
    members = np.concatenate(families)
    sizes = np.array([f.size for f in families])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    member_labels = labels[members]
    complete = np.minimum.reduceat(member_labels, starts) == np.maximum.reduceat(member_labels, starts)
    exact = complete & (np.bincount(labels)[member_labels[starts]] == sizes)
    gold = np.arange(labels.size)
    gold[members] = np.repeat(members[starts], sizes)  # a family is labelled by its base article
    overall, family = bcubed(labels, gold), bcubed(labels, gold, members)
    return {"clusters": int(np.unique(labels).size), "true_clusters": int(np.unique(gold).size),
            "pair_recall": round(float((labels[a] == labels[b]).mean()), 4),
            "families_complete": round(float(complete.mean()), 4), "families_exact": round(float(exact.mean()), 4),
            "bcubed_p": overall["p"], "bcubed_r": overall["r"], "bcubed_f1": overall["f1"],
            "family_bcubed_p": family["p"], "family_bcubed_r": family["r"], "family_bcubed_f1": family["f1"]}


def score_added(labels: np.ndarray, corpus: Corpus, size: int) -> dict[str, Any]:
    """How the 1,000 added articles landed: the 200 rewrites (the last 200) should join their original's
    cluster, the 800 new stories should stay alone."""
    rewrites = np.arange(size + ADDED - corpus.added_bases.size, size + ADDED)
    counts = np.bincount(labels)
    new_stories = np.arange(size, size + ADDED - corpus.added_bases.size)
    return {"add_rewrites_joined": int((labels[rewrites] == labels[corpus.added_bases]).sum()),
            "add_new_stories_merged": int((counts[labels[new_stories]] > 1).sum())}


# ------------------------------------------------------------------------------------------ libraries


def run_unspun(corpus: Corpus, size: int, threshold: float) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Cluster, save and reload the index and labels, add 1,000: (labels, labels after adding, measurements)."""
    from unspun.stories.lsh import MinHashLSH
    from unspun.stories.minhash import MinHasher, jaccard_rows

    keys = [str(i) for i in range(size)]  # the article's row, as its id
    new_keys = [str(size + i) for i in range(ADDED)]
    connected_labels(2, np.empty((0, 2), dtype=np.int64))  # load scipy before the baseline
    out: dict[str, Any] = {}
    baseline = reset_peak()
    hasher = MinHasher(num_perm=NUM_PERM, seed=1)
    t0 = time.perf_counter()
    sigs = hasher.signatures(corpus.shingles)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    lsh.insert_many(keys, sigs)
    del sigs
    lsh.query(lsh.signatures[0])  # the first read merges the new articles into the sorted bands
    t2 = time.perf_counter()
    pairs = lsh.candidate_pair_indices()
    t3 = time.perf_counter()
    stored = lsh.signatures
    keep = np.concatenate([jaccard_rows(stored[chunk[:, 0]], stored[chunk[:, 1]]) >= threshold
                           for chunk in np.array_split(pairs, max(1, len(pairs) // _VERIFY_CHUNK))])
    verified = pairs[keep]
    t4 = time.perf_counter()
    labels = connected_labels(size, verified)
    t5 = time.perf_counter()
    out["peak_mb"] = peak_above(baseline)
    out.update(signature_s=t1 - t0, index_s=t2 - t1, pairs_s=t3 - t2, verify_s=t4 - t3, components_s=t5 - t4,
               candidate_pairs=len(pairs), verified_pairs=len(verified), bands=lsh.bands, rows=lsh.rows)
    del pairs, keep, verified, stored

    with tempfile.TemporaryDirectory() as folder:
        index_path, labels_path = Path(folder) / "index.npz", Path(folder) / "labels.npy"
        t0 = time.perf_counter()
        np.savez(index_path, **lsh.to_arrays())
        np.save(labels_path, labels)
        t1 = time.perf_counter()
        del lsh
        with np.load(index_path) as saved:
            loaded = MinHashLSH.from_arrays(saved, copy=False)  # fresh arrays from disk: adopt, don't copy
        stored_labels = np.load(labels_path)
        t2 = time.perf_counter()
        out.update(save_s=t1 - t0, load_s=t2 - t1, saved_mb=(index_path.stat().st_size
                                                              + labels_path.stat().st_size) / 2**20)
    t0 = time.perf_counter()
    new_sigs = hasher.signatures(corpus.added)
    old_sigs = loaded.signatures  # a view of the reloaded array: read before the insert adds a second chunk
    loaded.insert_many(new_keys, new_sigs)
    found = [np.array([int(key) for key in loaded.query(sig)], dtype=np.int64) for sig in new_sigs]
    new_rows = np.repeat(np.arange(size, size + ADDED), [f.size for f in found])
    other_rows = np.concatenate(found)
    mask = other_rows != new_rows
    new_rows, other_rows = new_rows[mask], other_rows[mask]
    others = np.empty((other_rows.size, NUM_PERM), dtype=np.uint32)
    is_old = other_rows < size
    others[is_old] = old_sigs[other_rows[is_old]]
    others[~is_old] = new_sigs[other_rows[~is_old] - size]
    keep = jaccard_rows(new_sigs[new_rows - size], others) >= threshold
    grown = merge_new(stored_labels, ADDED, np.stack([new_rows[keep], other_rows[keep]], axis=1))
    out["add_1000_s"] = time.perf_counter() - t0
    return labels, grown, out


def run_datasketch(corpus: Corpus, size: int, threshold: float) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The same stages with datasketch, the index kept in memory: (labels, labels after adding, measurements)."""
    from datasketch import MinHash, MinHashLSH

    docs, added = datasketch_values(corpus.shingles), datasketch_values(corpus.added)
    corpus.shingles = []
    connected_labels(2, np.empty((0, 2), dtype=np.int64))  # load scipy before the baseline
    out: dict[str, Any] = {}
    baseline = reset_peak()
    t0 = time.perf_counter()
    minhashes = MinHash.bulk(docs, num_perm=NUM_PERM, seed=1, hashfunc=identity)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, minhash in enumerate(minhashes):
            session.insert(key, minhash)
    t2 = time.perf_counter()
    found: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for bucket in table.keys():  # noqa: SIM118 - a datasketch storage object, not a dict
            members = table.get(bucket)
            if len(members) > 1:
                ordered = sorted(members)
                found.update((ordered[i], b) for i in range(len(ordered)) for b in ordered[i + 1 :])
    t3 = time.perf_counter()
    verified = [(a, b) for a, b in found if minhashes[a].jaccard(minhashes[b]) >= threshold]
    t4 = time.perf_counter()
    labels = connected_labels(size, np.array(verified, dtype=np.int64).reshape(-1, 2))
    t5 = time.perf_counter()
    out["peak_mb"] = peak_above(baseline)
    out.update(signature_s=t1 - t0, index_s=t2 - t1, pairs_s=t3 - t2, verify_s=t4 - t3, components_s=t5 - t4,
               candidate_pairs=len(found), verified_pairs=len(verified), bands=lsh.b, rows=lsh.r)
    del found, verified

    t0 = time.perf_counter()
    new_minhashes = MinHash.bulk(added, num_perm=NUM_PERM, seed=1, hashfunc=identity)
    minhashes.extend(new_minhashes)
    with lsh.insertion_session() as session:
        for key, minhash in enumerate(new_minhashes, start=size):
            session.insert(key, minhash)
    edges = [(key, other) for key, minhash in enumerate(new_minhashes, start=size) for other in lsh.query(minhash)
             if other != key and minhash.jaccard(minhashes[other]) >= threshold]
    grown = merge_new(labels, ADDED, np.array(edges, dtype=np.int64).reshape(-1, 2))
    out["add_1000_s"] = time.perf_counter() - t0
    return labels, grown, out


# ------------------------------------------------------------------------------------------ child


def child(library: str, size: int, shingle: int, threshold: float) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = make_corpus(size, shingle=shingle)
    planted = planted_pairs(corpus.families)
    sample = planted[np.random.default_rng(1).permutation(planted.size)[:20_000]]
    result: dict[str, Any] = {"library": library, "articles": size, "shingle_words": shingle,
                              "threshold": threshold, "corpus_seconds": round(time.perf_counter() - started, 1),
                              "load_average": round(os.getloadavg()[0], 2), "planted_pairs": int(planted.size),
                              "planted_mean_jaccard": round(float(exact_jaccard(corpus, sample).mean()), 3)}
    families = corpus.families
    run = run_unspun if library == "unspun" else run_datasketch
    labels, grown, measured = run(corpus, size, threshold)
    measured["total_s"] = sum(measured[f"{stage}_s"] for stage in ("signature", "index", "pairs", "verify",
                                                                   "components"))
    result.update({key: round(value, 3) if isinstance(value, float) else value for key, value in measured.items()})
    result.update(score(labels, families))
    result.update(score_added(grown, corpus, size))
    result["clusters_after_add"] = int(np.unique(grown).size)
    return result


# ------------------------------------------------------------------------------------------ parent


def write_results(rows: list[dict[str, Any]], points: list[dict[str, Any]], wall: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    sizes = sorted({r["articles"] for r in rows})
    summary = []
    for size in sizes:
        ours = next((r for r in rows if r["articles"] == size and r["library"] == "unspun"), None)
        theirs = next((r for r in rows if r["articles"] == size and r["library"] == "datasketch"), None)
        if ours and theirs:
            summary.append({"articles": size, "speedup_total": round(theirs["total_s"] / ours["total_s"], 1),
                            "memory_ratio": round(ours["peak_mb"] / theirs["peak_mb"], 3),
                            "speedup_add_1000": round(theirs["add_1000_s"] / ours["add_1000_s"], 1),
                            "pair_recall": (ours["pair_recall"], theirs["pair_recall"]),
                            "bcubed_f1": (ours["bcubed_f1"], theirs["bcubed_f1"])})
    data = {"machine": machine, "bench_seconds": round(wall), "num_perm": NUM_PERM, "shingle_words": SHINGLE,
            "threshold": THRESHOLD, "rows": rows, "summary": summary, "operating_points": points}
    (RESULTS / "clustering_speed.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    lines = [("| articles | library | signatures (s) | index (s) | candidate pairs (s) | verify (s) "
              "| components (s) | total (s) | µs per article | peak memory (MB) | add 1,000 (s) |"),
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['articles']:,} | {r['library']} | {fmt(r['signature_s'])} | {fmt(r['index_s'])} "
                     f"| {fmt(r['pairs_s'])} | {fmt(r['verify_s'])} | {fmt(r['components_s'])} "
                     f"| {fmt(r['total_s'], 1)} | {r['total_s'] / r['articles'] * 1e6:.1f} | {fmt(r['peak_mb'], 0)} "
                     f"| {fmt(r['add_1000_s'])} |")
    lines += ["", ("| articles | library | candidate pairs | verified pairs | clusters (planted) "
                   "| planted pairs in one cluster | families complete | B³ precision | B³ recall | B³ F1 "
                   "| B³ F1, family articles | add 1,000: rewrites joined / new stories merged |"),
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['articles']:,} | {r['library']} | {r['candidate_pairs']:,} | {r['verified_pairs']:,} "
                     f"| {r['clusters']:,} ({r['true_clusters']:,}) | {r['pair_recall']:.3f} "
                     f"| {r['families_complete']:.3f} | {r['bcubed_p']:.4f} | {r['bcubed_r']:.4f} "
                     f"| {r['bcubed_f1']:.4f} | {r['family_bcubed_f1']:.3f} "
                     f"| {r['add_rewrites_joined']} of 200 / {r['add_new_stories_merged']} of 800 |")
    lines += ["", ("| articles | speed-up, total | memory, unspun / datasketch | speed-up, add 1,000 "
                   "| planted pairs in one cluster, unspun / datasketch |"), "|---:|---:|---:|---:|---:|"]
    for s in summary:
        lines.append(f"| {s['articles']:,} | {s['speedup_total']}x | {s['memory_ratio']:.2f} "
                     f"| {s['speedup_add_1000']}x | {s['pair_recall'][0]:.3f} / {s['pair_recall'][1]:.3f} |")
    ours = [r for r in rows if r["library"] == "unspun"]
    if ours:
        lines += ["", "| articles | unspun: saved index + labels (MB) | write (s) | reload (s) |",
                  "|---:|---:|---:|---:|"]
        lines += [f"| {r['articles']:,} | {r['saved_mb']:.1f} | {fmt(r['save_s'])} | {fmt(r['load_s'])} |"
                  for r in ours]
    if points:
        lines += ["", ("| unspun, 100,000 articles: shingle words, threshold | bands × rows "
                       "| planted pairs: mean exact Jaccard | candidate pairs | planted pairs in one cluster "
                       "| families complete | B³ F1 | B³ F1, family articles | total (s) |"),
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {p['shingle_words']}, {p['threshold']} | {p['bands']} × {p['rows']} "
                  f"| {p['planted_mean_jaccard']:.3f} | {p['candidate_pairs']:,} | {p['pair_recall']:.3f} "
                  f"| {p['families_complete']:.3f} | {p['bcubed_f1']:.4f} | {p['family_bcubed_f1']:.3f} "
                  f"| {fmt(p['total_s'], 1)} |" for p in points]
    if ours:
        first = ours[0]
        lines += ["", (f"num_perm {NUM_PERM}, {SHINGLE}-word shingles, threshold {THRESHOLD} → {first['bands']} "
                       f"bands × {first['rows']} rows for both libraries; a candidate pair is kept when its "
                       f"estimated Jaccard similarity is ≥ {THRESHOLD} (the same rule for both), clusters are the "
                       "connected components of the kept pairs. Planted pairs have a mean exact Jaccard of "
                       f"{first['planted_mean_jaccard']} on {SHINGLE}-word shingles (0.29 on 5-word ones, where "
                       "a 0.5 threshold leaves most families apart: see the operating-point table). Total = "
                       "signatures + index + candidate pairs + verification + components, on one thread. Peak "
                       "memory is the peak RSS of the fresh process above its RSS once the corpus was loaded "
                       "(after malloc_trim). B³ counts every article outside a planted family as its own "
                       "story, so the ~90% singletons lift the overall scores; the family-articles column "
                       "averages over family members only. \"add 1,000\" signs, inserts, queries and verifies "
                       "1,000 new articles (200 rewrites of indexed ones) and unions them into the existing "
                       "clusters; for unspun on the index and labels reloaded from disk. Machine: "
                       f"{machine}; whole bench {wall / 60:.1f} min; 1-minute load average when each run "
                       "started: " + ", ".join(f"{r['library']} {r['articles']:,}: {r['load_average']}"
                                               for r in rows)
                       + " (other work shared the 2 CPUs, so timings carry some noise).")]
    (RESULTS / "clustering_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--operating-points-at", type=int, default=100_000, metavar="SIZE",
                        help="also run unspun at these other settings on SIZE articles (0: skip)")
    parser.add_argument("--child", nargs=4, metavar=("LIBRARY", "SIZE", "SHINGLE", "THRESHOLD"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        library, size, shingle, threshold = args.child
        print(json.dumps(child(library, int(size), int(shingle), float(threshold))))
        return
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        for library in ("unspun", "datasketch"):
            row = run_child(library, size, 900, __file__, (str(SHINGLE), str(THRESHOLD)))
            if row is None:
                raise SystemExit(f"{library} did not cluster {size:,} articles in 15 minutes")
            rows.append(row)
    points = []
    if args.operating_points_at:
        for shingle, threshold in OTHER_POINTS:
            point = run_child("unspun", args.operating_points_at, 600, __file__, (str(shingle), str(threshold)))
            if point is not None:
                points.append(point)
        points += [r for r in rows if r["library"] == "unspun" and r["articles"] == args.operating_points_at]
    write_results(rows, points, time.perf_counter() - started)
    print((RESULTS / "clustering_speed.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
