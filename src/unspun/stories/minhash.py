"""MinHash signatures: fixed-size sketches whose agreement rate estimates the Jaccard similarity of shingle sets.

The permutation family is the one datasketch 2.0 uses by default ("affine32"): every input hash is first
scrambled once by a fixed bijection, then permutation k maps it to ``a_k * h + b_k mod 2**32`` with ``a_k``
odd, which is itself a bijection, so no two shingles can collide inside a permutation. Where datasketch loops
in Python over documents, ``MinHasher`` works on many documents at once: a block of shingles is permuted by
all ``num_perm`` functions in one numpy operation and cut back into documents with ``np.minimum.reduceat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from unspun.stories.shingles import mix64

__all__ = ["MinHasher", "jaccard", "jaccard_rows"]

_EMPTY = np.uint32(0xFFFFFFFF)
# Shingles per numpy step (a 128 x 8,192 uint32 buffer, 4 MiB). Measured on the 2-core development machine
# at 128 permutations: 4,096-8,192 shingles ran at about 22 µs per 300-shingle article, 1,024-2,048 at 29-30
# (numpy's per-call overhead), and skipping the slicing (one huge temporary) at 30+.
_SLICE = 8192
# Documents handed to one worker at a time.
_BLOCK_DOCS = 2048


def _splitmix64(seed: int, count: int) -> NDArray[np.uint64]:
    """``count`` pseudo-random uint64 values from ``seed``; our own generator so that the permutations, and
    with them every stored signature, cannot change with a numpy release."""
    steps = np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = steps + np.uint64(seed % (1 << 64))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class MinHasher:
    """Compute MinHash signatures of many shingle sets at once.

    A signature holds, for each of ``num_perm`` random permutations of the hash space, the smallest permuted
    value in the set. Two sets agree at a position with probability equal to their Jaccard similarity, so the
    fraction of agreeing positions estimates it with a standard error of about
    ``sqrt(J * (1 - J) / num_perm)`` (0.044 at J = 0.5 with 128 permutations).

    Args:
        num_perm: signature length. More permutations give finer estimates and cost time and memory linearly.
        seed: picks the permutations. Signatures are only comparable when made with the same
            ``num_perm`` and ``seed``; store both next to saved signatures.

    Example:
        >>> from unspun.stories.shingles import word_shingles
        >>> hasher = MinHasher(num_perm=128, seed=1)
        >>> a = word_shingles("The council said the harbour bridge will stay closed until March after "
        ...                   "engineers found cracks in two of its piers.")
        >>> b = word_shingles("Officials said the harbour bridge will stay closed until March after "
        ...                   "engineers found cracks in two of its piers.")
        >>> sigs = hasher.signatures([a, b])
        >>> sigs.shape, sigs.dtype.name
        ((2, 128), 'uint32')
        >>> exact = len(set(a.tolist()) & set(b.tolist())) / len(set(a.tolist()) | set(b.tolist()))
        >>> round(exact, 2), round(jaccard(sigs[0], sigs[1]), 2)
        (0.82, 0.82)
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if isinstance(num_perm, bool) or not isinstance(num_perm, int) or num_perm < 2:
            raise ValueError(f"num_perm must be an int of at least 2 (got {num_perm!r}); 128 suits news "
                             "articles (estimates within about 0.05 of the true Jaccard similarity)")
        if num_perm > 4096:
            raise ValueError(f"num_perm={num_perm} is more than 4096; beyond a few hundred permutations the "
                             "estimate hardly improves while time and memory keep growing")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int (got {seed!r}); keep the default 1 unless "
                             "you need independent signatures")
        self.num_perm = num_perm
        self.seed = seed
        raw = _splitmix64(seed, 2 * num_perm)
        # Odd multipliers make each permutation a bijection of the 32-bit space.
        self._a = ((raw[:num_perm] >> np.uint64(32)).astype(np.uint32) | np.uint32(1))[:, None]
        self._b = (raw[num_perm:] >> np.uint64(32)).astype(np.uint32)[:, None]

    def __repr__(self) -> str:
        return f"MinHasher(num_perm={self.num_perm}, seed={self.seed})"

    def signatures(self, shingle_sets: Sequence[np.ndarray], *, workers: int = 1) -> NDArray[np.uint32]:
        """Signatures of the shingle sets, one row each: uint32 array of shape (len(shingle_sets), num_perm).

        Each set is an array of integer shingle hashes (repeats are harmless), e.g. from ``word_shingles``.
        ``workers`` > 1 runs blocks of documents on that many threads (numpy releases the GIL).
        Raises ValueError for an empty set: it has no signature, so drop empty articles first.
        """
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an int of 1 or more (got {workers!r})")
        count = len(shingle_sets)
        lengths = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=count)
        empty = np.flatnonzero(lengths == 0)
        if empty.size:
            raise ValueError(f"{empty.size} shingle set(s) are empty (first at index {int(empty[0])}); an empty "
                             "text has no signature, so leave such articles out before hashing")
        out = np.empty((count, self.num_perm), dtype=np.uint32)
        blocks = range(0, count, _BLOCK_DOCS)

        def run(start: int) -> None:
            stop = min(start + _BLOCK_DOCS, count)
            self._fill(shingle_sets[start:stop], lengths[start:stop], out[start:stop])

        if workers == 1 or count <= _BLOCK_DOCS:
            for start in blocks:
                run(start)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(run, blocks):
                    pass
        return out

    def _fill(self, sets: Sequence[np.ndarray], lengths: NDArray[np.int64], out: NDArray[np.uint32]) -> None:
        arrays = [np.asarray(s) for s in sets]
        for array in arrays:
            if array.dtype.kind not in "ui":
                raise ValueError(f"shingle sets must hold integer hashes, got dtype {array.dtype}; "
                                 "make them with word_shingles()")
        # Signed and unsigned arrays would concatenate to float64; cast each bit pattern to uint64 instead.
        flat = np.concatenate(arrays, dtype=np.uint64, casting="unsafe")
        # Scramble once, keep the high 32 bits: structured inputs (0, 1, 2, ...) become uniform too.
        values = (mix64(flat) >> np.uint64(32)).astype(np.uint32)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out[:] = _EMPTY
        buffer = np.empty((self.num_perm, _SLICE), dtype=np.uint32)
        for lo in range(0, values.size, _SLICE):
            hi = min(lo + _SLICE, values.size)
            # Documents overlapping [lo, hi): each contributes one segment starting at max(start, lo).
            first = int(np.searchsorted(starts, lo, side="right")) - 1
            last = int(np.searchsorted(starts, hi, side="left"))
            segment_starts = np.maximum(starts[first:last], lo) - lo
            permuted = buffer[:, : hi - lo]
            np.multiply(self._a, values[lo:hi], out=permuted)  # wraps modulo 2**32, as intended
            permuted += self._b
            mins = np.minimum.reduceat(permuted, segment_starts, axis=1).T
            np.minimum(out[first:last], mins, out=out[first:last])


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two sets behind two signatures from the same ``MinHasher``."""
    a, b = np.asarray(sig_a), np.asarray(sig_b)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"jaccard needs two signatures of the same length, got shapes {a.shape} and {b.shape}")
    return float(np.count_nonzero(a == b)) / a.size


def jaccard_rows(sigs_a: np.ndarray, sigs_b: np.ndarray) -> NDArray[np.float64]:
    """Row-by-row ``jaccard`` of two equally shaped signature matrices, e.g. to check candidate pairs."""
    a, b = np.asarray(sigs_a), np.asarray(sigs_b)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"jaccard_rows needs two matrices of the same shape, got {a.shape} and {b.shape}")
    return np.count_nonzero(a == b, axis=1) / a.shape[1]
