"""Build the English spaCy pipeline once per process, from the pinned model package."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language

from unspun.config import MODEL_PACKAGE
from unspun.errors import ModelError

# sha256 of the weights, as published for Explosion's en_core_web_sm 3.8.0 (see docs/models.md).
MODEL_FILE_HASHES = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
}


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The pipeline every analysis uses; loaded once per process."""
    try:
        return spacy.load(MODEL_PACKAGE)
    except OSError as exc:
        raise ModelError(
            f"the spaCy model package {MODEL_PACKAGE!r} is not installed; run `make install`"
        ) from exc


def model_directory() -> Path:
    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise ModelError(f"the spaCy model package {MODEL_PACKAGE!r} is not installed") from exc
    candidates = [Path(str(p)) for p in root.iterdir() if p.name.startswith(MODEL_PACKAGE + "-")]
    if not candidates:
        raise ModelError(f"no model data inside the {MODEL_PACKAGE!r} package")
    return candidates[0]


def verify_model_files() -> dict[str, str]:
    """Hash the installed weights; raise ModelError if any differs from the pinned hash."""
    directory = model_directory()
    found = {}
    for relative, expected in MODEL_FILE_HASHES.items():
        digest = hashlib.sha256((directory / relative).read_bytes()).hexdigest()
        found[relative] = digest
        if digest != expected:
            raise ModelError(f"model file {relative} has sha256 {digest}, expected {expected}")
    return found
