"""Narratives of a parsed article as records: the catalog detector's labels, each with its evidence sentences.

The packaged detector (``unspun.narratives.detect``) is trained on the SemEval-2025 catalog. A user catalog
(``--narratives FILE``) keeps the trained no-narrative head (abstention) and the heads of any label it shares
with the default catalog; its own example phrasings are embedded once, when the detector is built, and matched
against each article's cue-picked candidate sentences as the default catalog's are.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from spacy.tokens import Doc

from unspun.extract.cues import doc_text
from unspun.narratives.catalog import Catalog, load_catalog
from unspun.narratives.detect import Heads, NarrativeDetector, NarrativeLabel, example_encoder, load_heads
from unspun.records import Narrative, NarrativeEvidence, SubNarrative


def narrative_detector(catalog_path: Path | None = None) -> NarrativeDetector:
    """The detector for the default catalog, or for the catalog file at `catalog_path`; built once per process
    (`narrative_detector()` and `narrative_detector(None)` are the same one). A bad catalog file raises InputError
    naming the entry."""
    return _detector(catalog_path)


@functools.cache
def _detector(catalog_path: Path | None) -> NarrativeDetector:
    if catalog_path is None:
        return NarrativeDetector()
    catalog = load_catalog(catalog_path)
    return NarrativeDetector(heads=_heads_for(catalog), catalog=catalog, show_unheaded=True)


def _heads_for(catalog: Catalog) -> Heads:
    """The packaged heads with the catalog's own example phrasings embedded in place of the default ones."""
    heads = load_heads()
    texts, owners = catalog.phrasings()
    if not texts:
        return dataclasses.replace(heads, example_embeddings=None, example_labels=())
    encoder = example_encoder(heads.encoder)  # model weights: only for a catalog with examples
    return dataclasses.replace(heads, example_embeddings=encoder.encode(list(texts)), example_labels=owners)


def find_narratives(doc: Doc, detector: NarrativeDetector | None = None) -> list[Narrative]:
    """The narratives of the parsed article (best first), or one ``Other`` when the detector abstains."""
    detector = detector or narrative_detector()
    return [_record(label) for label in detector.detect(doc_text(doc), doc)]


def _record(label: NarrativeLabel) -> Narrative:
    return Narrative(
        label=label.label,
        score=label.score,
        sub_narratives=[SubNarrative(sub.label, sub.score) for sub in label.sub_labels],
        evidence=[NarrativeEvidence(e.text, e.start, e.end, e.score) for e in label.evidence],
        shown=label.shown,
    )
