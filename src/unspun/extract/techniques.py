"""Persuasion techniques of a parsed article as records, from the packaged span detector."""

from __future__ import annotations

import functools

from spacy.tokens import Doc

from unspun.records import Technique
from unspun.techniques.detect import TechniqueDetector


@functools.cache
def technique_detector() -> TechniqueDetector:
    """The packaged detector, loaded once per process."""
    return TechniqueDetector()


def find_techniques(doc: Doc, detector: TechniqueDetector | None = None) -> list[Technique]:
    """Technique spans in text order, each with its most likely technique, its score and whether reports show it."""
    detector = detector or technique_detector()
    return [Technique(s.text, s.start, s.end, s.technique, s.label, s.score, s.shown) for s in detector.detect(doc)]



def summarise(techniques: list[Technique], examples: int = 3) -> list[tuple[str, int, list[Technique]]]:
    """(technique name, number of spans, its `examples` most confident spans), most used technique first."""
    groups: dict[str, list[Technique]] = {}
    for span in techniques:
        groups.setdefault(span.name, []).append(span)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(name, len(spans), sorted(spans, key=lambda s: (-s.score, s.start))[:examples]) for name, spans in ordered]
