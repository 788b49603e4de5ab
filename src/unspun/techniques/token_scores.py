"""The span tagger's sparse logits, summed straight from a Doc's attribute arrays (inference only).

``features.token_features`` writes each token's feature strings, which training needs; at inference, building
some 25 strings a token was most of the technique detector's time. Every feature is a template (its prefix up
to the first "=": ``w``, ``l``, ``bg`` ...) and a value read off the token, its neighbours or its sentence, and
no two templates can give the same string, so a token's sum of feature weights is the sum, over templates, of
the weight of its value there. The weights are re-keyed once, at load, by the spaCy hash of each value (the key
``Doc.to_array`` gives), so a Doc's distinct values are looked up with no string built; only lemmas (lower-cased
in the feature) and head tags go through a small memo. ``tests/techniques/test_token_scores.py`` checks both
ways agree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, LEMMA, LOWER, POS, SHAPE, TAG
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc

# Templates whose value is an attribute's string as it is, and the attribute.
_AS_IS = (("p", TAG), ("d", DEP), ("s", SHAPE), ("e", ENT_TYPE))
# The templates of the lower-cased word at an offset from the token ("w" its own, "w-1" the previous one ...).
_WORDS = ((0, "w"), (-2, "w-2"), (-1, "w-1"), (1, "w1"), (2, "w2"))
# Doc.to_array's columns.
_ATTRS = (LOWER, LEMMA, POS, HEAD, *(attr for _, attr in _AS_IS))
_COLUMN = {attr: n for n, attr in enumerate(_ATTRS)}
_POSITION_EDGES = (0, 2, 5, 10, 20)  # features._token_row's bins of "pos=" and "left="
_LENGTH_EDGES = (5, 10, 20, 40)  # and of "slen="
# Lemmas (and head tag + dependency pairs) remembered before the memo is emptied: bounds a server's memory
# (about 100 bytes an entry).
MEMO_LIMIT = 50_000
Key = TypeVar("Key", bound=Hashable)


class TokenWeights:
    """The tagger's sparse weights, re-keyed per template; ``logits(doc)`` is one sum per token."""

    def __init__(self, vocab: dict[str, int], weights: np.ndarray) -> None:
        self._vocab = vocab
        self._listed: list[float] = weights.tolist()
        self._hashed: dict[str, dict[Any, float]] = {}  # template -> {hash of value (or pair of hashes): weight}
        for feature, index in vocab.items():
            weight = self._listed[index]
            template, _, value = feature.partition("=")
            keys = self._hashed.setdefault(template, {})
            if template not in ("bg", "bgl"):
                keys[get_string_id(value)] = weight
                continue
            start = value.find("_")
            while start >= 0:  # "a_b": every split, as words may hold "_" themselves
                keys[(get_string_id(value[:start]), get_string_id(value[start + 1:]))] = weight
                start = value.find("_", start + 1)
        self._memo: dict[str, dict[Any, float]] = {"l": {}, "hp": {}}

    def weight(self, feature: str) -> float:
        """One feature string's weight (0 for a feature training never kept): for bins and memo misses."""
        index = self._vocab.get(feature)
        return 0.0 if index is None else self._listed[index]

    def _lookup(self, template: str, keys: Sequence[Hashable]) -> np.ndarray:
        table = self._hashed.get(template, {})
        return np.array([table.get(key, 0.0) for key in keys], dtype=np.float64)

    def _remembered(self, template: str, keys: Sequence[Key], spell: Callable[[Key], str]) -> np.ndarray:
        """The weight of `template` with each key's value (`spell` writes a key's value), memoised by key."""
        memo = self._memo[template]
        if len(memo) > MEMO_LIMIT:
            memo = self._memo[template] = {}
        found = list(map(memo.get, keys))
        if None in found:
            for n, value in enumerate(found):
                if value is None:
                    found[n] = memo[keys[n]] = self.weight(f"{template}={spell(keys[n])}")
        return np.array(found, dtype=np.float64)

    def logits(self, doc: Doc) -> np.ndarray:
        """Per token, the sum of the weights of its features (features.token_features), as float64."""
        n = len(doc)
        total = np.zeros(n)
        if not n:
            return total
        columns = doc.to_array(list(_ATTRS))
        for template, attr in _AS_IS:
            distinct, inverse = np.unique(columns[:, _COLUMN[attr]], return_inverse=True)
            total += self._lookup(template, distinct.tolist())[inverse.reshape(-1)]
        distinct, word_of = np.unique(columns[:, _COLUMN[LOWER]], return_inverse=True)
        words, word_of = distinct.tolist(), word_of.reshape(-1)
        total += self._words(words, word_of)
        total += self._bigrams(words, word_of)
        total += self._lemmas(columns[:, _COLUMN[LEMMA]], doc.vocab.strings)
        total += self._head_tags(columns, doc.vocab.strings)
        total += self._sentence(doc)
        return total

    def _words(self, words: list[int], word_of: np.ndarray) -> np.ndarray:
        """w=, w-2=, w-1=, w1=, w2=: the token's or a neighbour's lower-cased word, or <s> beyond the Doc."""
        n = len(word_of)
        total = np.zeros(n)
        for offset, template in _WORDS:
            values = self._lookup(template, words)
            if offset == 0:
                total += values[word_of]
                continue
            shifted = np.full(n, self.weight(f"{template}=<s>"))
            if offset < 0:
                shifted[-offset:] = values[word_of[:offset]]
            else:
                shifted[:-offset] = values[word_of[offset:]]
            total += shifted
        return total

    def _bigrams(self, words: list[int], word_of: np.ndarray) -> np.ndarray:
        """bg= (this word and the next) and bgl= (the previous word and this one)."""
        n = len(word_of)
        total = np.zeros(n)
        if n < 2:
            return total
        codes, inverse = np.unique(word_of[:-1] * len(words) + word_of[1:], return_inverse=True)
        inverse = inverse.reshape(-1)
        pairs = [(words[code // len(words)], words[code % len(words)]) for code in codes.tolist()]
        total[: n - 1] += self._lookup("bg", pairs)[inverse]
        total[1:] += self._lookup("bgl", pairs)[inverse]
        return total

    def _lemmas(self, lemmas: np.ndarray, strings: StringStore) -> np.ndarray:
        """l=: the lemma, lower-cased (its hash is of the lemma as the lemmatiser wrote it)."""
        distinct, inverse = np.unique(lemmas, return_inverse=True)
        values = self._remembered("l", distinct.tolist(), lambda key: _text(strings, key).lower())
        return values[inverse.reshape(-1)]

    def _head_tags(self, columns: np.ndarray, strings: StringStore) -> np.ndarray:
        """hp=: the head's coarse tag and the token's dependency label."""
        n = len(columns)
        # HEAD is the offset to the head (two's complement in the unsigned array)
        heads = np.arange(n) + columns[:, _COLUMN[HEAD]].astype(np.int64)
        pairs = np.stack([columns[heads, _COLUMN[POS]], columns[:, _COLUMN[DEP]]], axis=1)
        distinct, inverse = np.unique(pairs, axis=0, return_inverse=True)
        keys = [(int(head), int(dep)) for head, dep in distinct.tolist()]
        values = self._remembered("hp", keys, lambda key: _text(strings, key[0]) + "|" + _text(strings, key[1]))
        return values[inverse.reshape(-1)]

    def _bins(self, template: str, edges: tuple[int, ...]) -> np.ndarray:
        """The weight of each bin of `template` (as features._bin names them), in order, the open one last."""
        names = [str(edge) for edge in edges] + [f">{edges[-1]}"]
        return np.array([self.weight(f"{template}={name}") for name in names])

    def _sentence(self, doc: Doc) -> np.ndarray:
        """pos= and left= (the token's place in its sentence), slen= and sq= (its sentence's length and end)."""
        bounds = [(sent.start, sent.end) for sent in doc.sents]
        starts = np.array([start for start, _ in bounds])
        ends = np.array([end for _, end in bounds])
        lengths = ends - starts
        asks = np.array([doc[end - 1].text in ("?", "!") for _, end in bounds])
        per_sentence = (self._bins("slen", _LENGTH_EDGES)[np.searchsorted(_LENGTH_EDGES, lengths)]
                        + np.where(asks, self.weight("sq=True"), self.weight("sq=False")))
        index = np.arange(len(doc))
        start_of = np.repeat(starts, lengths)
        end_of = np.repeat(ends, lengths)
        return (per_sentence[np.repeat(np.arange(len(bounds)), lengths)]
                + self._bins("pos", _POSITION_EDGES)[np.searchsorted(_POSITION_EDGES, index - start_of)]
                + self._bins("left", _POSITION_EDGES)[np.searchsorted(_POSITION_EDGES, end_of - 1 - index)])


def _text(strings: StringStore, key: int) -> str:
    """The string behind a spaCy hash (0, an unset attribute such as no entity type, is the empty string)."""
    return strings[key] if key else ""

