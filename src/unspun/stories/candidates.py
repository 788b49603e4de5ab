"""Which pairs of articles are worth aligning, found without comparing every article with every other.

Three cheap signals, each catching what the others miss:
- MinHash LSH over word 3-grams: copies and light edits, in any language (rewrites share few exact word
  sequences, so this alone misses them);
- article vectors (mean sentence embeddings) above a similarity floor: paraphrases and translations, in the
  sixteen languages of the multilingual encoder (nlp/multilingual.py);
- shared names and numbers (an inverted index): versions in the languages the encoder was not trained on.
New articles are added to the index and queried against everything already there, so a store grows one
batch at a time without re-clustering what is stored.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from unspun.nlp.multilingual import reads
from unspun.stories.lsh import MinHashLSH
from unspun.stories.minhash import MinHasher
from unspun.stories.shingles import word_shingles

Pair = tuple[int, int]
# Vector similarities held at once (64 MB of float32): queried articles x a block of stored ones. Without the
# blocks, 1,000 new articles against a million stored held 4 GB of similarities plus 2 GB of masks
# (bench/story_update_speed.py).
_SIMILARITIES = 1 << 24


@dataclass(frozen=True)
class CandidateOptions:
    """Candidate floors are loose on purpose: verification (sentence alignment) decides. Calibrated on
    ../shared/corpus/dev: every same-story pair there clears at least one of them."""

    shingle_words: int = 3  # real rewrites share 3-grams (median J 0.16) where 5-grams are rare (0.08)
    lsh_threshold: float = 0.2  # 28 bands x 2 rows; bench/clustering_speed.py measures this operating point
    num_perm: int = 128
    vector_similarity: float = 0.40  # mean-vector cosine (multilingual encoder); see eval/train_stories.py
    min_shared_keys: int = 2  # names and numbers each, for a pair in which one text is in another language
    max_posting: int = 2000  # a name or number shared by more articles than this says nothing about identity
    chunk: int = 4096  # articles queried by vector per step, against the stored vectors in blocks


def unreadable(language: str | None) -> bool:
    """Whether the sentence encoder cannot read the text (a language it was not trained on)."""
    return not reads(language)


def signature_of(text: str, options: CandidateOptions | None = None) -> np.ndarray | None:
    """The MinHash signature of a text's word n-grams, or None for a text without words."""
    opt = options or CandidateOptions()
    shingles = word_shingles(text, opt.shingle_words)
    if not shingles.size:
        return None
    return _hasher(opt.num_perm).signatures([shingles])[0]


def _hasher(num_perm: int) -> MinHasher:
    return MinHasher(num_perm=num_perm, seed=1)


class CandidateIndex:
    """Articles indexed by signature, vector, names and numbers; ``add`` returns nothing, ``pairs_for`` the
    candidate pairs (by position) that involve the given articles.

    Example:
        >>> import numpy as np
        >>> index = CandidateIndex()
        >>> v = np.eye(3, 512, dtype=np.float32)
        >>> index.add(["a", "b", "c"], v[[0, 0, 1]], [None, None, None], [frozenset()] * 3, ["en"] * 3)
        >>> sorted(index.pairs_for([2]))  # nothing shared with c
        []
        >>> sorted(index.pairs_for([0, 1, 2]))
        [(0, 1)]
    """

    def __init__(self, options: CandidateOptions | None = None) -> None:
        self.options = options or CandidateOptions()
        self.ids: list[str] = []
        self.languages: list[str | None] = []
        self._vector_chunks: list[np.ndarray] = []
        self._lsh = MinHashLSH(threshold=self.options.lsh_threshold, num_perm=self.options.num_perm)
        self._keys: list[frozenset[str]] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[str], vectors: np.ndarray, signatures: Sequence[np.ndarray | None],
            keys: Sequence[frozenset[str]], languages: Sequence[str | None]) -> None:
        """Index articles: their mean vectors, MinHash signatures (None: no words), and identity keys
        (names and numbers, prefixed so that they cannot collide, e.g. "n:putin", "#:3600")."""
        if not (len(ids) == len(vectors) == len(signatures) == len(keys) == len(languages)):
            raise ValueError("add() needs one vector, signature, key set and language per id")
        start = len(self.ids)
        self.ids.extend(ids)
        self.languages.extend(languages)
        self._keys.extend(keys)
        if len(vectors):
            self._vector_chunks.append(np.asarray(vectors, dtype=np.float32))
        signed = [(str(start + k), s) for k, s in enumerate(signatures) if s is not None]
        if signed:
            self._lsh.insert_many([key for key, _ in signed], np.stack([s for _, s in signed]))

    def pairs_for(self, positions: Sequence[int]) -> set[Pair]:
        """Candidate pairs (i < j) with at least one article among ``positions``."""
        wanted = sorted(set(positions))
        if not wanted:
            return set()
        if len(wanted) == len(self.ids):
            return self.shared_band_pairs(range(self.bands)) | self.similar_pairs(wanted)
        return {p for p in self._lsh_pairs(wanted) | self.similar_pairs(wanted) if p[0] != p[1]}

    @property
    def bands(self) -> int:
        """The LSH bands: ``shared_band_pairs`` of any partition of ``range(bands)`` covers them all."""
        return self._lsh.bands

    def settle(self) -> None:
        """Finish what adding left for the first query (merging band hashes, joining vectors): done once
        before the index is copied to the workers of a cluster, rather than in every copy."""
        self._lsh.settle()
        if len(self._vector_chunks) > 1:
            self._vector_chunks = [np.concatenate(self._vector_chunks)]

    def shared_band_pairs(self, bands: Iterable[int]) -> set[Pair]:
        """Every pair of indexed articles sharing one of these LSH bands (when all articles are queried, the
        LSH work can be split by band: each part is independent)."""
        keys = self._lsh.keys
        return {_ordered(int(keys[a]), int(keys[b])) for a, b in self._lsh.candidate_pair_indices(bands)}

    def similar_pairs(self, positions: Sequence[int]) -> set[Pair]:
        """The pairs found by vector and by names and numbers with at least one article among ``positions``
        (sorted, distinct): independent for any split of the positions."""
        wanted = list(positions)
        return {p for p in self._vector_pairs(wanted) | self._key_pairs(wanted) if p[0] != p[1]}

    def _lsh_pairs(self, wanted: list[int]) -> set[Pair]:
        pairs: set[Pair] = set()
        signatures, positions = self._lsh.signatures, {k: n for n, k in enumerate(self._lsh.keys)}
        for k in wanted:
            row = positions.get(str(k))
            if row is not None:
                pairs.update(_ordered(k, int(other)) for other in self._lsh.query(signatures[row]))
        return pairs

    def _vector_pairs(self, wanted: list[int]) -> set[Pair]:
        if not self._vector_chunks:
            return set()
        if len(self._vector_chunks) > 1:
            self._vector_chunks = [np.concatenate(self._vector_chunks)]
        matrix = self._vector_chunks[0]
        readable = np.array([reads(lang) for lang in self.languages])
        query = [k for k in wanted if readable[k]]
        pairs: set[Pair] = set()
        for lo in range(0, len(query), self.options.chunk):
            rows = np.array(query[lo : lo + self.options.chunk])
            queried = matrix[rows]
            step = max(1, _SIMILARITIES // len(rows))
            for start in range(0, len(matrix), step):
                a, b = np.nonzero(queried @ matrix[start : start + step].T >= self.options.vector_similarity)
                b += start
                keep = readable[b]
                pairs.update(map(_ordered, rows[a[keep]].tolist(), b[keep].tolist()))
        return pairs

    def _key_pairs(self, wanted: list[int]) -> set[Pair]:
        """Pairs with a text in another language that share enough names and numbers."""
        need = self.options.min_shared_keys
        postings = self._postings(set().union(*(self._keys[k] for k in wanted)))
        pairs: set[Pair] = set()
        for k in wanted:
            names, numbers = Counter[int](), Counter[int]()
            for key in self._keys[k]:
                posting = postings.get(key, ())
                if len(posting) > self.options.max_posting:
                    continue
                (numbers if key.startswith("#:") else names).update(posting)
            foreign = unreadable(self.languages[k])
            for other, shared in names.items():
                if shared >= need and numbers[other] >= need and (foreign or unreadable(self.languages[other])):
                    pairs.add(_ordered(k, other))
        return pairs


    def _postings(self, keys: set[str]) -> dict[str, list[int]]:
        """The articles holding each of these keys: built per query, for the queried articles' keys only (one
        pass of set intersections), because postings of every key of a large store cost far more to build."""
        postings: dict[str, list[int]] = {}
        for position, article_keys in enumerate(self._keys):
            for key in article_keys & keys:
                postings.setdefault(key, []).append(position)
        return postings


def identity_keys(names: Iterable[str], numbers: Iterable[str]) -> frozenset[str]:
    """The names and numbers of an article as index keys. Interned: a store's articles repeat the same names
    and numbers, so a candidate index over a million articles keeps each distinct key once, not per article."""
    return frozenset([*(sys.intern("n:" + n) for n in names), *(sys.intern("#:" + n) for n in numbers)])


def _ordered(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)
