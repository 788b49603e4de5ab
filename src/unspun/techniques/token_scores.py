"""The span tagger's sparse logits, summed straight from a Doc's attribute arrays (inference only).

``features.token_features`` writes each token's feature strings, which training needs; at inference, building
some 25 strings a token was most of the technique detector's time. Every feature is a template (its prefix,
``w=``, ``l=``, ``bg=`` ...) and a value read off the token, its neighbours or its sentence, and no two templates
can give the same string, so a token's sum of feature weights is the sum, over templates, of the weight of its
value there. Each distinct value of a Doc is looked up once (and remembered per process by its spaCy hash), then
gathered for every token at once. ``tests/techniques/test_token_scores.py`` checks both ways agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, LEMMA, LOWER, POS, SHAPE, TAG
from spacy.strings import StringStore
from spacy.tokens import Doc

# The templates read off the token's own attributes, with how a value's string becomes the feature's value
# (features._token_row: "w=" + lower, "l=" + lemma lower-cased, ...).
_OWN = (("l=", LEMMA, str.lower), ("p=", TAG, str), ("d=", DEP, str), ("s=", SHAPE, str), ("e=", ENT_TYPE, str))
# The templates of the lower-cased word at an offset from the token ("w=" its own, "w-1=" the previous one ...).
_WORDS = ((0, "w="), (-2, "w-2="), (-1, "w-1="), (1, "w1="), (2, "w2="))
# Doc.to_array's columns: the lower-cased word, the coarse tag and head offset (for "hp="), then _OWN's.
_ATTRS = (LOWER, POS, HEAD, *(attr for _, attr, _ in _OWN))
_COLUMN = {attr: n for n, attr in enumerate(_ATTRS)}
_POSITION_EDGES = (0, 2, 5, 10, 20)  # features._token_row's bins of "pos=" and "left="
_LENGTH_EDGES = (5, 10, 20, 40)  # and of "slen="
# Values remembered per template before its memo is emptied: bounds a long-running server's memory.
MEMO_LIMIT = 200_000
Key = TypeVar("Key", bound=Hashable)  # a spaCy hash, or a pair of them


class TokenWeights:
    """The tagger's sparse weights, per template; ``logits(doc)`` is one sum per token."""

    def __init__(self, vocab: dict[str, int], weights: np.ndarray) -> None:
        self._vocab = vocab
        self._weights = weights
        self._memo: dict[str, dict[Any, float]] = {}
        self._lock = threading.Lock()

    def weight(self, feature: str) -> float:
        index = self._vocab.get(feature)
        return 0.0 if index is None else float(self._weights[index])

    def _bins(self, template: str, edges: tuple[int, ...]) -> np.ndarray:
        """The weight of each bin of `template` (as features._bin names them), in order, the open one last."""
        names = [str(edge) for edge in edges] + [f">{edges[-1]}"]
        return np.array([self.weight(template + name) for name in names])

    def _values(self, template: str, keys: Sequence[Key], name: Callable[[Key], str]) -> np.ndarray:
        """The weight of `template` with each key's value (`name` spells a key's value), memoised by key."""
        memo = self._memo.get(template)
        if memo is None or len(memo) > MEMO_LIMIT:
            with self._lock:
                memo = self._memo[template] = {}
        found = list(map(memo.get, keys))
        if None in found:
            for n, value in enumerate(found):
                if value is None:
                    found[n] = memo[keys[n]] = self.weight(template + name(keys[n]))
        return np.array(found, dtype=np.float64)

    def logits(self, doc: Doc) -> np.ndarray:
        """Per token, the sum of the weights of its features (features.token_features), as float64."""
        n = len(doc)
        total = np.zeros(n)
        if not n:
            return total
        strings = doc.vocab.strings
        columns = doc.to_array(list(_ATTRS))
        distinct, word_of = np.unique(columns[:, _COLUMN[LOWER]], return_inverse=True)
        words, word_of = distinct.tolist(), word_of.reshape(-1)
        for template, attr, spell in _OWN:
            total += self._own(template, columns[:, _COLUMN[attr]], strings, spell)
        total += self._words(words, word_of, strings)
        total += self._head_pos(columns, strings)
        total += self._sentence(doc)
        total += self._bigrams(words, word_of, strings)
        return total

    def _own(self, template: str, keys: np.ndarray, strings: StringStore, spell: Callable[[str], str]) -> np.ndarray:
        distinct, inverse = np.unique(keys, return_inverse=True)
        values = self._values(template, distinct.tolist(), lambda key: spell(_text(strings, key)))
        return values[inverse.reshape(-1)]

    def _words(self, words: list[int], word_of: np.ndarray, strings: StringStore) -> np.ndarray:
        """w=, w-2=, w-1=, w1=, w2=: the token's or a neighbour's lower-cased word, or <s> beyond the Doc."""
        n = len(word_of)
        total = np.zeros(n)
        for offset, template in _WORDS:
            values = self._values(template, words, lambda key: _text(strings, key))
            if offset == 0:
                total += values[word_of]
                continue
            shifted = np.full(n, self.weight(template + "<s>"))
            if offset < 0:
                shifted[-offset:] = values[word_of[:offset]]
            else:
                shifted[:-offset] = values[word_of[offset:]]
            total += shifted
        return total

    def _head_pos(self, columns: np.ndarray, strings: StringStore) -> np.ndarray:
        """hp=: the head's coarse tag and the token's dependency label."""
        n = len(columns)
        # HEAD is the offset to the head (two's complement in the unsigned array)
        heads = np.arange(n) + columns[:, _COLUMN[HEAD]].astype(np.int64)
        pairs = np.stack([columns[heads, _COLUMN[POS]], columns[:, _COLUMN[DEP]]], axis=1)
        distinct, inverse = np.unique(pairs, axis=0, return_inverse=True)
        keys = [(int(head), int(dep)) for head, dep in distinct.tolist()]
        values = self._values("hp=", keys, lambda key: _text(strings, key[0]) + "|" + _text(strings, key[1]))
        return values[inverse.reshape(-1)]

    def _bigrams(self, words: list[int], word_of: np.ndarray, strings: StringStore) -> np.ndarray:
        """bg= (this word and the next) and bgl= (the previous word and this one)."""
        n = len(word_of)
        total = np.zeros(n)
        if n < 2:
            return total
        codes, inverse = np.unique(word_of[:-1] * len(words) + word_of[1:], return_inverse=True)
        inverse = inverse.reshape(-1)
        keys = [(words[code // len(words)], words[code % len(words)]) for code in codes.tolist()]
        for template, target in (("bg=", slice(0, n - 1)), ("bgl=", slice(1, n))):
            values = self._values(template, keys, lambda key: _text(strings, key[0]) + "_" + _text(strings, key[1]))
            total[target] += values[inverse]
        return total

    def _sentence(self, doc: Doc) -> np.ndarray:
        """pos= and left= (the token's place in its sentence), slen= and sq= (its sentence's length and end)."""
        bounds = [(sent.start, sent.end) for sent in doc.sents]
        starts = np.array([start for start, _ in bounds])
        ends = np.array([end for _, end in bounds])
        lengths = ends - starts
        asks = np.array([doc[end - 1].text in ("?", "!") for _, end in bounds])
        per_sentence = (self._bins("slen=", _LENGTH_EDGES)[np.searchsorted(_LENGTH_EDGES, lengths)]
                        + np.where(asks, self.weight("sq=True"), self.weight("sq=False")))
        index = np.arange(len(doc))
        start_of = np.repeat(starts, lengths)
        end_of = np.repeat(ends, lengths)
        return (per_sentence[np.repeat(np.arange(len(bounds)), lengths)]
                + self._bins("pos=", _POSITION_EDGES)[np.searchsorted(_POSITION_EDGES, index - start_of)]
                + self._bins("left=", _POSITION_EDGES)[np.searchsorted(_POSITION_EDGES, end_of - 1 - index)])


def _text(strings: StringStore, key: int) -> str:
    """The string behind a spaCy hash (0, an unset attribute such as no entity type, is the empty string)."""
    return strings[key] if key else ""
