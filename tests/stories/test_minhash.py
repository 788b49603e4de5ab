"""Shingles and MinHash signatures: accuracy against exact Jaccard, stability across processes, argument checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspun.stories.minhash import MinHasher, jaccard, jaccard_rows
from unspun.stories.shingles import hash_words, normalize_words, shingle_hashes, word_shingles

TEXT = ("Officials in Riverside said on Tuesday that the harbour bridge would stay closed until March, after "
        "engineers found cracks in two of its piers.")


def overlapping_sets(rng: np.random.Generator, size: int, jaccard_target: float) -> tuple[np.ndarray, np.ndarray,
                                                                                            float]:
    """Two sets of ``size`` distinct random hashes sharing enough members for the requested Jaccard."""
    shared = round(2 * size * jaccard_target / (1 + jaccard_target))
    pool = rng.choice(2**62, size=2 * size, replace=False).astype(np.uint64)
    a = pool[:size]
    b = np.concatenate([pool[:shared], pool[size : 2 * size - shared]])
    exact = shared / (2 * size - shared)
    return a, b, exact


def test_shingles_ignore_case_punctuation_and_whitespace() -> None:
    a = word_shingles("The minister said: “Talks will resume on Monday.”")
    b = word_shingles("the MINISTER said   talks will\nresume, on monday!")
    assert a.dtype == np.uint64
    assert a.size == 4
    assert np.array_equal(a, b)


def test_shingles_normalise_apostrophes_and_unicode_forms() -> None:
    assert normalize_words("Don’t stop — it’s ﬁne") == ["dont", "stop", "its", "fine"]
    assert np.array_equal(word_shingles("don't stop", 2), word_shingles("DON’T  stop", 2))


def test_shingles_short_text_gives_one_shingle_and_empty_text_none() -> None:
    assert word_shingles("Bridge closed", n=5).size == 1
    assert word_shingles("Bridge closed", n=5)[0] != word_shingles("closed bridge", n=5)[0]
    assert word_shingles(" ... ").size == 0


def test_shingles_count_and_order_sensitivity() -> None:
    words = normalize_words(TEXT)
    assert word_shingles(TEXT, n=3).size == len(words) - 2
    assert word_shingles(TEXT, n=1).size == len(words)
    swapped = " ".join(reversed(words))
    assert not set(word_shingles(TEXT).tolist()) & set(word_shingles(swapped).tolist())


def test_shingles_and_signatures_are_pinned() -> None:
    # Saved signatures depend on these exact values: changing the hashing must be a deliberate migration
    # (bump unspun.stories.lsh.FORMAT_VERSION and rebuild stored indexes).
    assert hash_words(["bridge", "café"]).tolist() == [6445186220361634526, 16520682421731860057]
    assert word_shingles("the bridge will stay shut").tolist() == [5134438324668345291]
    assert word_shingles("bridge shut").tolist() == [10913432253466595272]
    assert MinHasher(num_perm=8, seed=1).signatures([word_shingles("the bridge will stay shut")]).tolist() == [
        [1252719687, 1070749083, 2722367674, 1085707146, 3467976559, 2754241001, 420097431, 1142075386]]


def test_shingles_of_a_concatenation_contain_each_documents_windows() -> None:
    first, second = hash_words(normalize_words(TEXT)), hash_words(["a", "b", "c", "d", "e", "f"])
    joined = shingle_hashes(np.concatenate([first, second]))
    assert set(shingle_hashes(first).tolist()) <= set(joined.tolist())
    assert set(shingle_hashes(second).tolist()) <= set(joined.tolist())


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_shingles_reject_bad_n(bad: object) -> None:
    with pytest.raises(ValueError, match="n must be a whole number"):
        word_shingles(TEXT, n=bad)  # type: ignore[arg-type]


def test_minhash_estimates_within_005_of_exact_jaccard() -> None:
    rng = np.random.default_rng(7)
    hasher = MinHasher(num_perm=1024, seed=3)
    for target in np.linspace(0.0, 1.0, 21):
        for size in (50, 300, 2000):
            a, b, exact = overlapping_sets(rng, size, float(target))
            sigs = hasher.signatures([a, b])
            assert abs(jaccard(sigs[0], sigs[1]) - exact) <= 0.05, (target, size)


def test_minhash_default_size_is_unbiased() -> None:
    rng = np.random.default_rng(11)
    hasher = MinHasher()
    errors = []
    for target in np.linspace(0.05, 0.95, 10):
        pairs = [overlapping_sets(rng, 300, float(target)) for _ in range(20)]
        sigs = hasher.signatures([s for a, b, _ in pairs for s in (a, b)])
        estimates = jaccard_rows(sigs[0::2], sigs[1::2])
        errors.extend(estimates - np.array([exact for _, _, exact in pairs]))
    assert abs(float(np.mean(errors))) < 0.01
    assert float(np.mean(np.abs(errors))) < 0.05


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=200), st.randoms(use_true_random=False))
def test_minhash_ignores_order_and_repeats(values: list[int], rnd: object) -> None:
    hasher = MinHasher(num_perm=64)
    shuffled = list(values) * 2
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    sigs = hasher.signatures([np.array(values, dtype=np.uint64), np.array(shuffled, dtype=np.uint64)])
    assert np.array_equal(sigs[0], sigs[1])
    assert jaccard(sigs[0], sigs[1]) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 2**40), min_size=2, max_size=300))
def test_minhash_disjoint_sets_estimate_near_zero(values: set[int]) -> None:
    ordered = sorted(values)
    half = len(ordered) // 2
    sigs = MinHasher().signatures([np.array(ordered[:half]), np.array(ordered[half:])])
    assert jaccard(sigs[0], sigs[1]) < 0.05


def test_minhash_signature_of_a_document_does_not_depend_on_its_batch() -> None:
    rng = np.random.default_rng(5)
    # Lengths straddle the internal slice and block sizes, including one document longer than a slice.
    docs = [rng.integers(0, 2**63, int(n), dtype=np.uint64) for n in rng.integers(1, 700, 3000)]
    docs.insert(1234, rng.integers(0, 2**63, 10_000, dtype=np.uint64))
    hasher = MinHasher(num_perm=32)
    together = hasher.signatures(docs)
    threaded = hasher.signatures(docs, workers=2)
    assert np.array_equal(together, threaded)
    for i in (0, 1, 1233, 1234, 1235, 2047, 2048, len(docs) - 1):
        assert np.array_equal(hasher.signatures([docs[i]])[0], together[i])


def test_minhash_matches_the_permutation_definition() -> None:
    from unspun.stories.shingles import mix64

    hasher = MinHasher(num_perm=16, seed=9)
    values = np.arange(1, 500, dtype=np.uint64)
    folded = (mix64(values) >> np.uint64(32)).astype(np.uint32)
    expected = (hasher._a * folded + hasher._b).min(axis=1)
    assert np.array_equal(hasher.signatures([values])[0], expected)


def test_minhash_signatures_identical_across_processes() -> None:
    script = (
        "import json, numpy as np\n"
        "from unspun.stories.minhash import MinHasher\n"
        "from unspun.stories.shingles import word_shingles\n"
        f"texts = {json.dumps([TEXT, TEXT.upper(), 'A short one.'])}\n"
        "shingles = [word_shingles(t) for t in texts] + [np.arange(1000)]\n"
        "sigs = MinHasher(num_perm=128, seed=1).signatures(shingles)\n"
        "print(json.dumps({'sigs': sigs.tolist(), 'shingles': [s.tolist() for s in shingles[:3]]}))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    other = json.loads(done.stdout)
    shingles = [word_shingles(t) for t in (TEXT, TEXT.upper(), "A short one.")]
    assert other["shingles"] == [s.tolist() for s in shingles]
    here = MinHasher(num_perm=128, seed=1).signatures([*shingles, np.arange(1000)])
    assert other["sigs"] == here.tolist()


def test_minhash_accepts_mixed_integer_dtypes() -> None:
    hasher = MinHasher(num_perm=16)
    mixed = hasher.signatures([np.arange(10, dtype=np.uint64), np.arange(10, dtype=np.int32)])
    assert np.array_equal(mixed[0], mixed[1])


def test_minhash_seed_changes_signatures() -> None:
    shingles = [word_shingles(TEXT)]
    assert not np.array_equal(MinHasher(seed=1).signatures(shingles), MinHasher(seed=2).signatures(shingles))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_perm": 1}, "num_perm must be an int of at least 2"),
    ({"num_perm": 0}, "num_perm must be an int of at least 2"),
    ({"num_perm": 128.0}, "num_perm must be an int of at least 2"),
    ({"num_perm": True}, "num_perm must be an int of at least 2"),
    ({"num_perm": 10_000}, "more than 4096"),
    ({"seed": -1}, "seed must be a non-negative int"),
    ({"seed": "1"}, "seed must be a non-negative int"),
])
def test_minhash_constructor_checks(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinHasher(**kwargs)  # type: ignore[arg-type]


def test_minhash_rejects_empty_sets_non_integer_hashes_and_bad_workers() -> None:
    hasher = MinHasher(num_perm=16)
    with pytest.raises(ValueError, match=r"1 shingle set\(s\) are empty \(first at index 1\)"):
        hasher.signatures([np.arange(3), np.array([], dtype=np.uint64), np.arange(4)])
    with pytest.raises(ValueError, match="integer hashes"):
        hasher.signatures([np.array([0.5, 1.5])])
    with pytest.raises(ValueError, match="workers"):
        hasher.signatures([np.arange(3)], workers=0)
    assert hasher.signatures([]).shape == (0, 16)


def test_minhash_jaccard_checks_shapes() -> None:
    with pytest.raises(ValueError, match="same length"):
        jaccard(np.zeros(4, dtype=np.uint32), np.zeros(5, dtype=np.uint32))
    with pytest.raises(ValueError, match="same shape"):
        jaccard_rows(np.zeros((2, 4)), np.zeros((3, 4)))
