"""The multilingual encoder of story matching: the pinned files, cross-language behaviour, languages read."""

from __future__ import annotations

import pytest

from tests.paths import SHARED
from unspun.errors import ModelError
from unspun.nlp import multilingual
from unspun.nlp.multilingual import DIMENSIONS, FILE_HASHES, load_multilingual_encoder, reads


@pytest.mark.data
def test_multilingual_hashes_match_the_notes() -> None:
    notes = (SHARED / "notes" / "models.md").read_text(encoding="utf-8")
    assert all(digest in notes for digest in FILE_HASHES.values())


@pytest.mark.model
def test_multilingual_translation_is_close_and_unrelated_far() -> None:
    vectors = load_multilingual_encoder().encode([
        "The defence minister arrived in the capital for talks on air defence production.",
        "Министр обороны прибыл в столицу для переговоров о производстве средств ПВО.",
        "وصل وزير الدفاع إلى العاصمة لإجراء محادثات حول إنتاج الدفاع الجوي.",
        "The football club sold its stadium to a property developer.",
    ])
    assert vectors.shape == (4, DIMENSIONS)
    assert float(vectors[0] @ vectors[1]) > 0.6 and float(vectors[0] @ vectors[2]) > 0.5
    assert float(vectors[0] @ vectors[3]) < 0.3
    assert load_multilingual_encoder().encode([]).shape == (0, DIMENSIONS)


def test_multilingual_languages_it_reads() -> None:
    assert reads("ru") and reads("ar") and reads("en") and reads(None) and reads("und") and reads("zh-tw")
    assert not reads("hi") and not reads("no") and not reads("bn")


def test_multilingual_missing_or_altered_package_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    load_multilingual_encoder.cache_clear()
    try:
        monkeypatch.setattr(multilingual, "PACKAGE_VERSION", "9.9.9")
        with pytest.raises(ModelError, match="unspun needs 9.9.9"):
            load_multilingual_encoder()
        monkeypatch.setattr(multilingual, "PACKAGE_VERSION", "0.2.1")
        monkeypatch.setitem(multilingual.FILE_HASHES, "sp.model", "0" * 64)
        with pytest.raises(ModelError, match="sp.model has sha256"):
            load_multilingual_encoder()
    finally:
        load_multilingual_encoder.cache_clear()
