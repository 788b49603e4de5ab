"""Story candidate generation on Dask workers against one process, in the same run (issue #14).

Synthetic index (families of near-copies and paraphrases, a fifth in a language the encoder does not read),
queried two ways: a rebuild (every article queried: LSH split by bands, vectors and names by chunks) and an
update (1,000 new articles against the rest). Checks that the cluster finds exactly the one-process pairs.
Writes bench/results/cluster_candidates.{json,md}.

    python bench/cluster_candidates.py [--articles 30000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from unspun.run.cluster import ClusterReport, Engine, dask_client
from unspun.stories import distributed
from unspun.stories.candidates import CandidateIndex, identity_keys
from unspun.stories.distributed import ClusterScorer
from unspun.stories.minhash import MinHasher

RESULTS = Path(__file__).parent / "results"


def synthetic_index(count: int, seed: int = 7) -> CandidateIndex:
    rng = np.random.default_rng(seed)
    hasher = MinHasher(num_perm=128, seed=1)
    families = max(1, count // 5)
    bases = rng.integers(0, 2**63, (families, 200), dtype=np.uint64)
    directions = rng.normal(size=(families, 512)).astype(np.float32)
    family = rng.integers(0, families, count)
    vectors = directions[family] + rng.normal(scale=1.2, size=(count, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    shingles = [np.concatenate([bases[f][: int(rng.integers(40, 200))], rng.integers(0, 2**63, 60, dtype=np.uint64)])
                for f in family]
    signatures = list(hasher.signatures(shingles))
    keys = [identity_keys([f"name{f}", f"name{(f * 7) % families}"], [f"{f}", f"{f + 3}"]) for f in family]
    languages = ["hy" if n % 5 == 0 else "en" for n in range(count)]
    index = CandidateIndex()
    index.add([f"a{n}" for n in range(count)], vectors, signatures, keys, languages)
    index.settle()
    return index


def timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = call()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--new", type=int, default=1_000)
    args = parser.parse_args()
    index, build_s = timed(lambda: synthetic_index(args.articles))
    everyone = list(range(args.articles))
    new = everyone[-args.new:]
    rows: dict[str, Any] = {}
    serial_all, rows["rebuild, 1 process (s)"] = timed(lambda: index.pairs_for(everyone))
    serial_new, rows["update, 1 process (s)"] = timed(lambda: index.pairs_for(new))
    report = ClusterReport()
    distributed.QUERIED_LOCAL_BELOW = 0  # measure the cluster's search even where the product would search here
    with dask_client(Engine("dask", workers=args.workers), report) as client:
        scorer = ClusterScorer(client, report)
        scorer.candidates(index, new)  # warm: workers started, index shipped once
        cluster_all, rows[f"rebuild, Dask {args.workers} workers (s)"] = timed(lambda: scorer.candidates(index, everyone))
        cluster_new, rows[f"update, Dask {args.workers} workers (s)"] = timed(lambda: scorer.candidates(index, new))
    same = cluster_all == serial_all and cluster_new == serial_new
    result = {"articles": args.articles, "new": args.new, "workers": args.workers, "index_build_s": round(build_s, 2),
              "times_s": {k: round(v, 2) for k, v in rows.items()}, "pairs_rebuild": len(serial_all),
              "pairs_update": len(serial_new), "identical_pairs": same, "tasks": dict(report.tasks),
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
              "when": time.strftime("%Y-%m-%d %H:%M")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster_candidates.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [(f"Candidate generation, {args.articles:,} synthetic articles ({len(serial_all):,} candidate pairs in a "
             f"rebuild; {args.new:,} new: {len(serial_new):,} pairs); the cluster's pairs identical to one "
             f"process: {'yes' if same else 'NO'}."), "", "| run | s |", "|---|---:|"]
    lines += [f"| {k.removesuffix(' (s)')} | {v:.2f} |" for k, v in rows.items()]
    lines += ["", ("Both queries are sent to the cluster here; the product searches here below "
              "QUERIED_LOCAL_BELOW queried articles (stories/distributed.py), since shipping the index costs in "
              "proportion to the window and the search in proportion to queried x window."),
              "", (f"Dask timings exclude starting the cluster and the first shipment of the index (a warm-up query); "
              f"{result['machine']}; {result['when']}.")]
    (RESULTS / "cluster_candidates.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if not same:
        raise SystemExit("the cluster's candidate pairs differ from one process's")


if __name__ == "__main__":
    main()
