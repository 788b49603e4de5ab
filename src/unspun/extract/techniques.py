"""Persuasion techniques of a parsed article as records: phrases from the packaged span detector, and (when asked
for) whole paragraphs from the packaged paragraph heads."""

from __future__ import annotations

import functools

from spacy.tokens import Doc

from unspun.records import Technique
from unspun.techniques.detect import TechniqueDetector
from unspun.techniques.paragraphs import ParagraphTechniqueDetector


@functools.cache
def technique_detector() -> TechniqueDetector:
    """The packaged detector, loaded once per process."""
    return TechniqueDetector()


def find_techniques(doc: Doc, detector: TechniqueDetector | None = None) -> list[Technique]:
    """Technique spans in text order, each with its most likely technique, its score and whether reports show it."""
    detector = detector or technique_detector()
    return [Technique(s.text, s.start, s.end, s.technique, s.label, s.score, s.shown) for s in detector.detect(doc)]


@functools.cache
def paragraph_detector() -> ParagraphTechniqueDetector:
    """The packaged paragraph heads, loaded once per process (the encoder on first use)."""
    return ParagraphTechniqueDetector()


def find_paragraph_techniques(text: str, detector: ParagraphTechniqueDetector | None = None) -> list[Technique]:
    """(paragraph, technique) records in text order, each with its probability and whether reports show it."""
    detector = detector or paragraph_detector()
    return [Technique(p.text, p.start, p.end, p.technique, p.label, p.score, p.shown, level="paragraph")
            for p in detector.detect(text)]



def summarise(techniques: list[Technique], examples: int = 3) -> list[tuple[str, int, list[Technique]]]:
    """(technique name, number of spans, its `examples` most confident spans), most used technique first."""
    groups: dict[str, list[Technique]] = {}
    for span in techniques:
        groups.setdefault(span.name, []).append(span)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(name, len(spans), sorted(spans, key=lambda s: (-s.score, s.start))[:examples]) for name, spans in ordered]


def by_paragraph(techniques: list[Technique]) -> list[tuple[Technique, list[Technique]]]:
    """Paragraph-level records grouped by paragraph, in text order: (the first record, as the paragraph; all its
    records, most probable first)."""
    groups: dict[int, list[Technique]] = {}
    for record in techniques:
        if record.level == "paragraph":
            groups.setdefault(record.start, []).append(record)
    return [(records[0], sorted(records, key=lambda t: (-t.score, t.name))) for _, records in sorted(groups.items())]
