"""MinHash LSH: band choice, planted near-duplicates, incremental inserts, save and reload, argument checks."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspun.stories.lsh import MinHashLSH, optimal_bands
from unspun.stories.minhash import MinHasher, jaccard
from unspun.stories.shingles import word_shingles

HASHER = MinHasher(num_perm=128, seed=1)


def random_sets(rng: np.random.Generator, count: int, size: int = 300) -> list[np.ndarray]:
    return [rng.integers(0, 2**63, size, dtype=np.uint64) for _ in range(count)]


def near_copy(rng: np.random.Generator, base: np.ndarray, target: float) -> np.ndarray:
    """A set with Jaccard similarity ``target`` to ``base`` (same size, some members replaced)."""
    keep = round(2 * base.size * target / (1 + target))
    return np.concatenate([base[:keep], rng.integers(0, 2**63, base.size - keep, dtype=np.uint64)])


def brute_force_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    found = set()
    for i, j in itertools.combinations(range(len(signatures)), 2):
        for band in range(bands):
            cut = slice(band * rows, (band + 1) * rows)
            if np.array_equal(signatures[i, cut], signatures[j, cut]):
                found.add((i, j))
                break
    return found


@pytest.mark.parametrize(("threshold", "num_perm", "weights", "expected"), [
    # Values from datasketch 2.0's _optimal_param for the same arguments.
    (0.5, 128, (0.5, 0.5), (25, 5)),
    (0.8, 128, (0.5, 0.5), (9, 13)),
    (0.9, 128, (0.5, 0.5), (5, 25)),
    (0.5, 256, (0.5, 0.5), (42, 6)),
    (0.7, 64, (0.3, 0.7), (10, 6)),
    (0.1, 128, (0.3, 0.7), (22, 1)),
])
def test_lsh_bands_match_datasketch(threshold: float, num_perm: int, weights: tuple[float, float],
                                    expected: tuple[int, int]) -> None:
    assert optimal_bands(threshold, num_perm, weights) == expected
    lsh = MinHashLSH(threshold, num_perm, weights)
    assert (lsh.bands, lsh.rows) == expected


def test_lsh_finds_planted_near_duplicate_and_pairs_nothing_else() -> None:
    rng = np.random.default_rng(3)
    sets = random_sets(rng, 500)
    sets.append(near_copy(rng, sets[42], 0.8))
    sigs = HASHER.signatures(sets)
    assert abs(jaccard(sigs[42], sigs[500]) - 0.8) < 0.1
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert_many([f"a{i}" for i in range(len(sets))], sigs)
    assert list(lsh.candidate_pairs()) == [("a42", "a500")]
    assert lsh.query(sigs[500]) == ["a42", "a500"]
    assert lsh.query(HASHER.signatures(random_sets(rng, 1))[0]) == []


def test_lsh_pairs_rewritten_article_text() -> None:
    story = ("Officials in Riverside said on Tuesday that the harbour bridge would stay closed until March, "
             "after engineers found cracks in two of its piers. The council's head of transport said there "
             "was no choice but to keep it shut while repairs costing about four million pounds go ahead, "
             "and that buses would run every ten minutes across the old ferry route in the meantime.")
    rewrite = story.replace("on Tuesday", "on Tuesday evening").replace("four million", "4 million")
    other = ("The national football team beat its neighbours two goals to one in a friendly on Saturday, "
             "with both goals scored in the final fifteen minutes in front of a crowd of forty thousand.")
    lsh = MinHashLSH(threshold=0.5)
    lsh.insert_many(["story", "rewrite", "other"],
                    HASHER.signatures([word_shingles(t) for t in (story, rewrite, other)]))
    assert list(lsh.candidate_pairs()) == [("story", "rewrite")]


def test_lsh_incremental_inserts_equal_one_bulk_insert() -> None:
    rng = np.random.default_rng(8)
    sets = random_sets(rng, 600)
    for family in range(40):
        base = sets[family * 7]
        sets.extend(near_copy(rng, base, float(rng.uniform(0.4, 0.95))) for _ in range(int(rng.integers(1, 5))))
    sigs = HASHER.signatures(sets)
    keys = [f"doc-{i}" for i in range(len(sets))]
    bulk = MinHashLSH(threshold=0.5)
    bulk.insert_many(keys, sigs)
    step = MinHashLSH(threshold=0.5)
    cuts = [0, 1, 250, 251, 600, 700, len(keys)]
    for lo, hi in itertools.pairwise(cuts):
        step.insert_many(keys[lo:hi], sigs[lo:hi])
        if hi == 600:  # read between inserts so the later ones merge into an already sorted index
            assert len(list(step.candidate_pairs())) <= len(list(bulk.candidate_pairs()))
    assert len(bulk.candidate_pair_indices()) >= 40
    assert np.array_equal(step.candidate_pair_indices(), bulk.candidate_pair_indices())
    for name, array in bulk.to_arrays().items():
        assert np.array_equal(step.to_arrays()[name], array), name
    assert step.query(sigs[3]) == bulk.query(sigs[3])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=16, max_size=16), min_size=0, max_size=25),
       st.integers(0, 25))
def test_lsh_pairs_are_exactly_the_band_collisions(rows: list[list[int]], cut: int) -> None:
    # Values drawn from {0, 1, 2} make many bands collide, including buckets of three and more.
    sigs = np.array(rows, dtype=np.uint32).reshape(-1, 16)
    lsh = MinHashLSH(num_perm=16, params=(4, 4))
    lsh.insert_many([str(i) for i in range(min(cut, len(sigs)))], sigs[:cut])
    lsh.insert_many([str(i) for i in range(min(cut, len(sigs)), len(sigs))], sigs[cut:])
    found = {tuple(p) for p in lsh.candidate_pair_indices().tolist()}
    assert found == brute_force_pairs(sigs, 4, 4)
    restored = MinHashLSH.from_arrays(lsh.to_arrays())
    assert np.array_equal(restored.candidate_pair_indices(), lsh.candidate_pair_indices())


def test_lsh_save_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(21)
    sets = random_sets(rng, 300)
    sets += [near_copy(rng, sets[i], 0.85) for i in range(0, 300, 30)]
    sigs = HASHER.signatures(sets)
    keys = [f"https://example.com/{i}" for i in range(len(sets))]
    lsh = MinHashLSH(threshold=0.6)
    lsh.insert_many(keys[:-5], sigs[:-5])
    np.savez(tmp_path / "index.npz", **lsh.to_arrays())
    with np.load(tmp_path / "index.npz") as saved:
        restored = MinHashLSH.from_arrays(saved)
    assert (restored.threshold, restored.bands, restored.rows) == (lsh.threshold, lsh.bands, lsh.rows)
    assert restored.keys == lsh.keys
    assert np.array_equal(restored.signatures, lsh.signatures)
    assert list(restored.candidate_pairs()) == list(lsh.candidate_pairs())
    # The reloaded index keeps growing without rehashing what it holds.
    for index in (lsh, restored):
        index.insert_many(keys[-5:], sigs[-5:])
    assert list(restored.candidate_pairs()) == list(lsh.candidate_pairs())
    assert len(list(lsh.candidate_pairs())) >= 9
    # Rows kept in a database may leave out the sort order, or even the band hashes.
    arrays = lsh.to_arrays()
    for dropped in (("band_order",), ("band_order", "band_hashes")):
        partial = {k: v for k, v in arrays.items() if k not in dropped}
        assert list(MinHashLSH.from_arrays(partial).candidate_pairs()) == list(lsh.candidate_pairs())


def test_lsh_from_arrays_rejects_damaged_saves() -> None:
    lsh = MinHashLSH(num_perm=16, params=(4, 4))
    lsh.insert_many(["a", "b", "c"], np.arange(48, dtype=np.uint32).reshape(3, 16))
    arrays = lsh.to_arrays()
    with pytest.raises(ValueError, match=r"lacks \['signatures'\]"):
        MinHashLSH.from_arrays({k: v for k, v in arrays.items() if k != "signatures"})
    with pytest.raises(ValueError, match="format 99"):
        MinHashLSH.from_arrays({**arrays, "params": np.array([99, 16, 4, 4])})
    with pytest.raises(ValueError, match="inconsistent"):
        MinHashLSH.from_arrays({**arrays, "band_hashes": arrays["band_hashes"][:2]})
    with pytest.raises(ValueError, match="does not sort"):
        MinHashLSH.from_arrays({**arrays, "band_order": arrays["band_order"][:, ::-1]})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threshold": 0.0}, "threshold must be a Jaccard similarity strictly between 0 and 1"),
    ({"threshold": 1.0}, "threshold must be a Jaccard similarity strictly between 0 and 1"),
    ({"threshold": "0.5"}, "threshold must be a Jaccard similarity strictly between 0 and 1"),
    ({"num_perm": 1}, "num_perm must be an int from 2 to 4096"),
    ({"num_perm": 64.0}, "num_perm must be an int from 2 to 4096"),
    ({"weights": (0.6, 0.6)}, "weights must be two numbers in"),
    ({"weights": (-0.5, 1.5)}, "weights must be two numbers in"),
    ({"params": (30, 5)}, r"bands \* rows <= num_perm \(128\)"),
    ({"params": (0, 5)}, "need bands, rows >= 1"),
])
def test_lsh_constructor_checks(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinHashLSH(**kwargs)  # type: ignore[arg-type]


def test_lsh_insert_checks_leave_the_index_unchanged() -> None:
    lsh = MinHashLSH(num_perm=16, params=(4, 4))
    sigs = np.arange(48, dtype=np.uint32).reshape(3, 16)
    lsh.insert_many(["a", "b", "c"], sigs)
    with pytest.raises(ValueError, match="key 'b' at position 1 is already in the index"):
        lsh.insert_many(["d", "b"], sigs[:2])
    with pytest.raises(ValueError, match="key 'e' at position 1 appears twice in this batch"):
        lsh.insert_many(["e", "e"], sigs[:2])
    with pytest.raises(ValueError, match="is not a str"):
        lsh.insert_many(["e", 5], sigs[:2])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="got 1 keys for 2 signatures"):
        lsh.insert_many(["f"], sigs[:2])
    with pytest.raises(ValueError, match=r"shape \(articles, 16\)"):
        lsh.insert_many(["g"], np.zeros((1, 128), dtype=np.uint32))
    with pytest.raises(ValueError, match="uint32 values"):
        lsh.insert_many(["h"], np.full((1, 16), 2**40))
    assert lsh.keys == ["a", "b", "c"]
    assert "d" not in lsh and "a" in lsh
    assert len(lsh) == 3 and lsh.signatures.shape == (3, 16)
    with pytest.raises(ValueError, match="read-only"):
        lsh.signatures[0, 0] = 1
