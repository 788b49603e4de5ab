"""MinHash LSH: turn signatures into candidate pairs of near-duplicate articles without comparing all pairs.

Each signature is cut into ``b`` bands of ``r`` values and each band is hashed to one uint64. Two articles
become candidates when any band hash agrees, which happens with probability ``1 - (1 - J**r)**b`` for
Jaccard similarity ``J``: an S-curve that is steepest near the chosen threshold.

Storage is a handful of numpy arrays instead of one Python dict per band: per band, the band hashes of all
articles sorted (uint64) and the article numbers in that order (uint32), plus the signatures. New articles
wait in a small pending list and are merged into the sorted arrays (one linear merge per band) the next time
the index is read, so adding 1,000 articles to a million never re-sorts or re-hashes what is there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from unspun.stories.shingles import mix64

__all__ = ["MinHashLSH", "optimal_bands"]

# Bumped whenever band hashing or the saved layout changes: older saved indexes must then be rebuilt.
FORMAT_VERSION = 1
_BAND_SALT = np.uint64(0x6A09E667F3BCC909)
# Articles hashed into bands per step; bounds the temporary (articles x bands) uint64 arrays to ~13 MB.
_CHUNK = 65536


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """The bands ``b`` and rows ``r`` (``b * r <= num_perm``) that minimise
    ``fp_weight * FP + fn_weight * FN``, as datasketch's ``MinHashLSH`` does, where

    - FP = integral over s in [0, threshold] of P(candidate | s) = 1 - (1 - s**r)**b, the false-positive area;
    - FN = integral over s in [threshold, 1] of 1 - P(candidate | s), the false-negative area.

    The integrands are polynomials of degree b*r <= num_perm, so Gauss-Legendre quadrature with
    num_perm // 2 + 1 nodes computes them exactly (datasketch uses scipy's adaptive ``quad``; the two agree,
    e.g. (25, 5) for threshold 0.5 and (9, 13) for 0.8 at 128 permutations). Ties go to the smaller ``b``,
    then the smaller ``r``, as in datasketch's grid search.
    """
    fp_weight, fn_weight = weights
    nodes, node_weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def on(lo: float, hi: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return (hi - lo) / 2 * nodes + (hi + lo) / 2, (hi - lo) / 2 * node_weights

    below, w_below = on(0.0, threshold)
    above, w_above = on(threshold, 1.0)
    best, best_error = (0, 0), np.inf
    errors: dict[tuple[int, int], float] = {}
    for r in range(1, num_perm + 1):
        b = np.arange(1, num_perm // r + 1, dtype=np.float64)[:, None]
        # (1 - s**r)**b as exp(b * log1p(-s**r)): one exp per node instead of a pow, same value.
        fp = -np.expm1(b * np.log1p(-(below**r))) @ w_below
        fn = np.exp(b * np.log1p(-(above**r))) @ w_above
        for bi, error in enumerate(fp_weight * fp + fn_weight * fn, start=1):
            errors[(bi, r)] = float(error)
    for (b_, r_), error in sorted(errors.items()):
        if error < best_error:
            best, best_error = (b_, r_), error
    return best


def _argsort_stable(values: NDArray[np.uint64]) -> NDArray[np.intp]:
    """``np.argsort(values, kind="stable")`` at quicksort speed (2.5x faster on a million uint64): equal band
    hashes are rare (only real bucket-mates), so only those few positions are re-sorted by article number."""
    order = np.argsort(values, kind="quicksort")
    ordered = values[order]
    tied = ordered[1:] == ordered[:-1]
    if tied.any():
        in_run = np.zeros(values.size, dtype=bool)
        in_run[1:] |= tied
        in_run[:-1] |= tied
        where = np.flatnonzero(in_run)
        members = order[where]
        order[where] = members[np.lexsort((members, ordered[where]))]
    return order


class MinHashLSH:
    """An index of MinHash signatures that finds pairs whose Jaccard similarity likely exceeds ``threshold``.

    Args:
        threshold: the Jaccard similarity to separate at, in (0, 1). Bands and rows are chosen to minimise
            the weighted false-positive and false-negative areas around it (see ``optimal_bands``).
        num_perm: length of the signatures to index; must match the ``MinHasher`` that made them.
        weights: (false-positive weight, false-negative weight), summing to 1. (0.3, 0.7) favours recall.
        params: (bands, rows) to use instead of the optimiser, with bands * rows <= num_perm.

    Example:
        >>> import numpy as np
        >>> from unspun.stories.minhash import MinHasher
        >>> hasher = MinHasher(num_perm=128)
        >>> base = np.arange(300)
        >>> sets = [base, np.concatenate([base[:270], [1000, 1001, 1002]]), np.arange(5000, 5300)]
        >>> lsh = MinHashLSH(threshold=0.5, num_perm=128)
        >>> lsh.bands, lsh.rows
        (25, 5)
        >>> lsh.insert_many(["a", "b", "c"], hasher.signatures(sets))
        >>> list(lsh.candidate_pairs())
        [('a', 'b')]
        >>> lsh.insert_many(["d"], hasher.signatures([base[5:]]))  # incremental: nothing is rebuilt
        >>> sorted(lsh.query(hasher.signatures([base])[0]))
        ['a', 'b', 'd']
        >>> restored = MinHashLSH.from_arrays(lsh.to_arrays())  # e.g. via np.savez / np.load
        >>> list(restored.candidate_pairs()) == list(lsh.candidate_pairs())
        True
    """

    def __init__(self, threshold: float = 0.5, num_perm: int = 128, weights: tuple[float, float] = (0.5, 0.5),
                 params: tuple[int, int] | None = None) -> None:
        if isinstance(num_perm, bool) or not isinstance(num_perm, int) or not 2 <= num_perm <= 4096:
            raise ValueError(f"num_perm must be an int from 2 to 4096 (got {num_perm!r}); use the num_perm "
                             "of the MinHasher that made the signatures, 128 by default")
        if not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be a Jaccard similarity strictly between 0 and 1 (got "
                             f"{threshold!r}); 0.5 pairs articles that share about half their shingles")
        if len(weights) != 2 or any(not 0.0 <= w <= 1.0 for w in weights) or abs(sum(weights) - 1.0) > 1e-9:
            raise ValueError(f"weights must be two numbers in [0, 1] that sum to 1 (got {weights!r}), "
                             "e.g. (0.3, 0.7) to favour recall over precision")
        if params is None:
            bands, rows = optimal_bands(float(threshold), num_perm, (float(weights[0]), float(weights[1])))
        else:
            bands, rows = params
            if min(bands, rows) < 1 or bands * rows > num_perm:
                raise ValueError(f"params (bands={bands}, rows={rows}) need bands, rows >= 1 and "
                                 f"bands * rows <= num_perm ({num_perm}); leave params out to have them chosen "
                                 "for the threshold")
        self.threshold = float(threshold)
        self.num_perm = num_perm
        self.bands = int(bands)
        self.rows = int(rows)
        self._keys: list[str] = []
        self._positions: dict[str, int] = {}
        self._signature_chunks: list[NDArray[np.uint32]] = []
        self._pending: list[NDArray[np.uint64]] = []
        self._sorted_hashes = np.empty((self.bands, 0), dtype=np.uint64)
        self._sorted_docs = np.empty((self.bands, 0), dtype=np.uint32)

    def __repr__(self) -> str:
        return (f"MinHashLSH(threshold={self.threshold}, num_perm={self.num_perm}, bands={self.bands}, "
                f"rows={self.rows}, articles={len(self)})")

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._positions

    @property
    def keys(self) -> list[str]:
        """The indexed keys, in insertion order (row i of ``signatures`` belongs to ``keys[i]``)."""
        return list(self._keys)

    @property
    def signatures(self) -> NDArray[np.uint32]:
        """All indexed signatures, one row per key (a read-only view), e.g. to check candidates with
        ``jaccard_rows``."""
        if len(self._signature_chunks) != 1:
            joined = (np.concatenate(self._signature_chunks) if self._signature_chunks
                      else np.empty((0, self.num_perm), dtype=np.uint32))
            self._signature_chunks = [joined]
        view = self._signature_chunks[0].view()
        view.flags.writeable = False
        return view

    def insert_many(self, keys: Sequence[str], signatures: np.ndarray) -> None:
        """Add articles; their band hashes are computed now and merged into the index when it is next read."""
        sigs = self._check_signatures(signatures)
        if len(keys) != sigs.shape[0]:
            raise ValueError(f"got {len(keys)} keys for {sigs.shape[0]} signatures; pass one key per row")
        start = len(self._keys)
        added = dict(zip(keys, range(start, start + len(keys)), strict=True))
        if len(added) != len(keys) or not self._positions.keys().isdisjoint(added) or not all(
                isinstance(key, str) for key in added):
            self._reject_keys(keys)
        self._positions.update(added)
        self._keys.extend(keys)
        if sigs.shape[0]:
            self._signature_chunks.append(sigs.copy())
            self._pending.append(self._band_hashes(sigs))

    def _reject_keys(self, keys: Sequence[str]) -> None:
        seen: set[object] = set()
        for offset, key in enumerate(keys):
            if not isinstance(key, str) or key in self._positions or key in seen:
                problem = "is not a str" if not isinstance(key, str) else (
                    "is already in the index" if key in self._positions else "appears twice in this batch")
                raise ValueError(f"key {key!r} at position {offset} {problem}; keys must be unique strings "
                                 "such as the article's id or URL")
            seen.add(key)

    def query(self, signature: np.ndarray) -> list[str]:
        """Keys of the indexed articles sharing at least one band with ``signature``, in insertion order."""
        sig = self._check_signatures(np.asarray(signature).reshape(1, -1))
        self._merge_pending()
        found: list[NDArray[np.uint32]] = []
        for band, value in enumerate(self._band_hashes(sig)[:, 0]):
            row = self._sorted_hashes[band]
            lo, hi = np.searchsorted(row, value, side="left"), np.searchsorted(row, value, side="right")
            if hi > lo:
                found.append(self._sorted_docs[band, lo:hi])
        if not found:
            return []
        return [self._keys[i] for i in np.unique(np.concatenate(found)).tolist()]

    def candidate_pair_indices(self, bands: Iterable[int] | None = None) -> NDArray[np.int64]:
        """Every pair of articles sharing a band, once: an (m, 2) array of row numbers i < j, sorted.
        ``bands`` limits it to those bands (a partition of the work: the union over a partition of
        ``range(self.bands)`` is the whole answer).

        A bucket of k identical bands yields k * (k - 1) / 2 pairs, so thousands of byte-identical texts
        (boilerplate pages) make this quadratic: remove exact duplicates before indexing.
        """
        self._merge_pending()
        codes = [self._band_pairs(band) for band in (range(self.bands) if bands is None else bands)]
        joined = np.unique(np.concatenate(codes)) if codes else np.empty(0, dtype=np.uint64)
        pairs = np.empty((joined.size, 2), dtype=np.int64)
        pairs[:, 0] = joined >> np.uint64(32)
        pairs[:, 1] = joined & np.uint64(0xFFFFFFFF)
        return pairs

    def candidate_pairs(self) -> Iterator[tuple[str, str]]:
        """Every pair of keys sharing a band, once, ordered as inserted; see ``candidate_pair_indices``."""
        keys = self._keys
        for i, j in self.candidate_pair_indices().tolist():
            yield keys[i], keys[j]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild the index without hashing anything again, as plain numpy arrays
        (``np.savez(path, **lsh.to_arrays())``, or store ``signatures[i]`` and ``band_hashes[i]`` in article
        i's database row). ``band_order`` is optional on reload and only saves a sort."""
        self._merge_pending()
        by_band = np.empty((self.bands, len(self)), dtype=np.uint64)
        for band in range(self.bands):
            by_band[band, self._sorted_docs[band]] = self._sorted_hashes[band]
        return {
            "params": np.array([FORMAT_VERSION, self.num_perm, self.bands, self.rows], dtype=np.int64),
            "threshold": np.array([self.threshold], dtype=np.float64),
            "keys": np.array(self._keys, dtype=np.str_),
            "signatures": self.signatures,
            "band_hashes": by_band.T,  # (articles, bands), one row per article; a view, no copy
            "band_order": self._sorted_docs.copy(),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], *, copy: bool = True) -> MinHashLSH:
        """Rebuild an index saved by ``to_arrays`` (a dict, or the result of ``np.load`` on a .npz file).

        ``band_hashes`` and ``band_order`` may be left out; they are then recomputed from the signatures.
        ``copy=False`` adopts the arrays instead of copying them (half a gigabyte for a million articles):
        only for arrays nothing else will modify, such as those just read by ``np.load``.
        """
        missing = {"params", "threshold", "keys", "signatures"} - set(arrays)
        if missing:
            raise ValueError(f"saved index lacks {sorted(missing)}; save it with MinHashLSH.to_arrays()")
        version, num_perm, bands, rows = (int(v) for v in arrays["params"])
        if version != FORMAT_VERSION:
            raise ValueError(f"saved index has format {version}, this unspun reads {FORMAT_VERSION}; "
                             "rebuild it from the signatures with insert_many")
        index = cls(float(arrays["threshold"][0]), num_perm, params=(bands, rows))
        keys = [str(k) for k in np.asarray(arrays["keys"]).tolist()]
        sigs = index._check_signatures(arrays["signatures"])
        if "band_hashes" not in arrays:
            index.insert_many(keys, sigs)
            return index
        band_hashes = np.asarray(arrays["band_hashes"], dtype=np.uint64)
        if band_hashes.shape != (sigs.shape[0], bands) or len(keys) != sigs.shape[0]:
            raise ValueError(f"saved index is inconsistent: {len(keys)} keys, signatures {sigs.shape}, band "
                             f"hashes {band_hashes.shape} (expected ({sigs.shape[0]}, {bands}))")
        index._positions = {key: i for i, key in enumerate(keys)}
        if len(index._positions) != len(keys):
            raise ValueError("saved index has duplicate keys; it was not written by MinHashLSH.to_arrays()")
        index._keys = keys
        index._signature_chunks = [sigs.copy() if copy else sigs]
        by_band = band_hashes.T
        order = arrays.get("band_order")
        if order is None:
            index._pending = [np.ascontiguousarray(by_band)]
            return index
        order = np.asarray(order)
        if order.shape != (bands, len(keys)) or order.dtype.kind not in "ui" or (
                order.size and (order.min() < 0 or order.max() >= len(keys))):
            raise ValueError(f"saved band_order has shape {order.shape}, expected ({bands}, {len(keys)}) "
                             "article numbers; drop it to re-sort on load")
        docs = np.asarray(order, dtype=np.uint32)
        if copy and docs is order:
            docs = docs.copy()
        hashes = np.empty((bands, len(keys)), dtype=np.uint64)
        for band in range(bands):
            hashes[band] = by_band[band][docs[band]]
            if np.any(hashes[band, 1:] < hashes[band, :-1]):
                raise ValueError("saved band_order does not sort band_hashes; drop it to re-sort on load")
        index._sorted_docs, index._sorted_hashes = docs, hashes
        return index

    def _check_signatures(self, signatures: np.ndarray) -> NDArray[np.uint32]:
        sigs = np.asarray(signatures)
        if sigs.ndim != 2 or sigs.shape[1] != self.num_perm:
            raise ValueError(f"expected signatures of shape (articles, {self.num_perm}), got {sigs.shape}; "
                             "make them with MinHasher(num_perm=...) using the index's num_perm")
        if sigs.dtype != np.uint32:
            if sigs.dtype.kind not in "ui" or (sigs.size and (sigs.min() < 0 or sigs.max() > 0xFFFFFFFF)):
                raise ValueError(f"signatures must be uint32 values from MinHasher, got dtype {sigs.dtype}")
            sigs = sigs.astype(np.uint32)
        return sigs

    def _band_hashes(self, sigs: NDArray[np.uint32]) -> NDArray[np.uint64]:
        """(bands, articles) uint64: each band's ``rows`` values, packed two to a uint64, folded by ``mix64``."""
        out = np.empty((self.bands, sigs.shape[0]), dtype=np.uint64)
        salts = mix64(np.arange(self.bands, dtype=np.uint64) + _BAND_SALT)[:, None]
        for lo in range(0, sigs.shape[0], _CHUNK):
            values = sigs[lo : lo + _CHUNK, : self.bands * self.rows].reshape(-1, self.bands, self.rows)
            h = np.broadcast_to(salts.T, values.shape[:2])  # (articles, bands): contiguous, the fast layout
            for row in range(0, self.rows, 2):
                word = values[:, :, row].astype(np.uint64)
                if row + 1 < self.rows:
                    word |= values[:, :, row + 1].astype(np.uint64) << np.uint64(32)
                h = mix64(h ^ word)
            out[:, lo : lo + _CHUNK] = h.T
        return out

    def settle(self) -> None:
        """Merge the articles added since the index was last read, now (before the index is copied to other
        processes, so that each copy does not do it again)."""
        self._merge_pending()

    def _merge_pending(self) -> None:
        if not self._pending:
            return
        new = np.concatenate(self._pending, axis=1) if len(self._pending) > 1 else self._pending[0]
        old_count = self._sorted_hashes.shape[1]
        total = old_count + new.shape[1]
        if total > 0xFFFFFFFF:
            raise ValueError("MinHashLSH holds at most 4,294,967,295 articles; shard the index by date")
        hashes = np.empty((self.bands, total), dtype=np.uint64)
        docs = np.empty((self.bands, total), dtype=np.uint32)
        for band in range(self.bands):
            order = _argsort_stable(new[band])
            new_hashes = new[band][order]
            new_docs = (order + old_count).astype(np.uint32)
            if old_count == 0:
                hashes[band], docs[band] = new_hashes, new_docs
                continue
            # side="right" puts new articles after older ones with the same hash: the order a single bulk
            # insert of everything would give, so incremental and bulk indexes are identical.
            at = np.searchsorted(self._sorted_hashes[band], new_hashes, side="right")
            hashes[band] = np.insert(self._sorted_hashes[band], at, new_hashes)
            docs[band] = np.insert(self._sorted_docs[band], at, new_docs)
        self._sorted_hashes, self._sorted_docs = hashes, docs
        self._pending = []

    def _band_pairs(self, band: int) -> NDArray[np.uint64]:
        """Pairs sharing a hash in one band, encoded as (low row << 32) | high row."""
        hashes = self._sorted_hashes[band]
        if hashes.size < 2:
            return np.empty(0, dtype=np.uint64)
        change = np.flatnonzero(hashes[1:] != hashes[:-1]) + 1
        starts = np.concatenate(([0], change))
        sizes = np.diff(np.concatenate((starts, [hashes.size])))
        shared = sizes > 1
        starts, sizes = starts[shared], sizes[shared]
        if starts.size == 0:
            return np.empty(0, dtype=np.uint64)
        # Every position p of a bucket [s, s + k) pairs with the positions after it up to s + k - 1.
        members = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(starts, sizes)
        later = np.repeat(starts + sizes, sizes) - 1 - members
        left = np.repeat(members, later)
        right = left + 1 + np.arange(later.sum()) - np.repeat(np.cumsum(later) - later, later)
        docs = self._sorted_docs[band]
        a, b = docs[left].astype(np.uint64), docs[right].astype(np.uint64)
        return (np.minimum(a, b) << np.uint64(32)) | np.maximum(a, b)
