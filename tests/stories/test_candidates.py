"""Candidate generation split into parts (as the Dask engine splits it) finds exactly the pairs of one pass."""

from __future__ import annotations

import numpy as np

from unspun.stories.candidates import CandidateIndex, identity_keys
from unspun.stories.minhash import MinHasher


def world(seed: int, count: int = 120) -> CandidateIndex:
    """Articles in families: near-copies (LSH), paraphrases (close vectors), foreign versions (names and
    numbers), and unrelated ones; two batches added separately, as a growing store adds them."""
    rng = np.random.default_rng(seed)
    hasher = MinHasher(num_perm=128, seed=1)
    bases = [rng.integers(0, 2**63, 200, dtype=np.uint64) for _ in range(count // 4)]
    directions = rng.normal(size=(count // 4, 64)).astype(np.float32)
    ids, vectors, signatures, keys, languages = [], [], [], [], []
    for n in range(count):
        family = n % len(bases)
        shingles = np.concatenate([bases[family][: int(rng.integers(60, 200))],
                                   rng.integers(0, 2**63, 40, dtype=np.uint64)])
        vector = directions[family] + rng.normal(scale=0.9, size=64).astype(np.float32)
        ids.append(f"a{n}")
        vectors.append(vector / np.linalg.norm(vector))
        signatures.append(None if n % 11 == 0 else hasher.signatures([shingles])[0])
        keys.append(identity_keys([f"name{family}", f"name{family + 1}"], [f"{family}", f"{family + 7}"]))
        languages.append("hy" if n % 5 == 0 else "en")
    index = CandidateIndex()
    half = count // 2
    for part in (slice(0, half), slice(half, count)):
        index.add(ids[part], np.stack(vectors[part]), signatures[part], keys[part], languages[part])
    return index


def test_rebuild_split_by_bands_and_chunks_equals_one_pass() -> None:
    index = world(1)
    everything = index.pairs_for(range(len(index)))
    assert len(everything) > 50  # every signal contributes in this world
    assert index.shared_band_pairs(range(index.bands)) and index.similar_pairs(range(len(index)))
    index.settle()  # as before the index is shipped to the workers
    parts = set().union(*(index.shared_band_pairs(range(k, min(k + 5, index.bands)))
                          for k in range(0, index.bands, 5)))
    positions = list(range(len(index)))
    for k in range(0, len(positions), 17):
        parts |= index.similar_pairs(positions[k:k + 17])
    assert parts == everything
    assert all(i < j for i, j in parts)


def test_new_articles_split_into_chunks_equal_one_query() -> None:
    index = world(2)
    new = list(range(70, 120, 2))
    whole = index.pairs_for(new)
    assert whole and all(i in new or j in new for i, j in whole)
    parts = set().union(*(index.pairs_for(new[k:k + 4]) for k in range(0, len(new), 4)))
    assert parts == whole
    assert index.pairs_for([]) == set()
