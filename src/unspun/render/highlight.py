"""Cut an article into segments, each with the annotations covering it, for highlighted HTML."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from unspun.records import Analysis


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css: str  # class names
    anchor: str | None = None  # id this mark's first segment carries
    link: str | None = None  # href target (#id) and
    title: str | None = None  # tooltip text


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[Mark, ...]
    first_of: tuple[Mark, ...]  # marks that begin in this segment


def article_marks(analysis: Analysis, prefix: str) -> list[Mark]:
    marks: list[Mark] = []
    speaker_ids: dict[tuple[int, int], str] = {}
    for n, q in enumerate(analysis.quotes):
        sp = q.speaker
        key = (sp.start, sp.end) if sp.start is not None and sp.end is not None else None
        if key is not None and key not in speaker_ids:
            speaker_ids[key] = f"{prefix}-speaker-{len(speaker_ids) + 1}"
            marks.append(Mark(key[0], key[1], "speaker", anchor=speaker_ids[key],
                              title=f"{sp.type} source" + (f": {sp.name}" if sp.name else "")))
        who = sp.name or sp.text or "no speaker found"
        marks.append(Mark(q.start, q.end, f"quote {q.kind} t-{sp.type}", anchor=f"{prefix}-quote-{n + 1}",
                          link=f"#{speaker_ids[key]}" if key is not None else None,
                          title=f"{q.kind} quote · {sp.type} · {who}"))
        if q.cue is not None:
            marks.append(Mark(q.cue.start, q.cue.end, "cue"))
    marks += [Mark(h.start, h.end, "hedge", title="hedge") for h in analysis.hedges]
    marks += [Mark(a.start, a.end, "artefact", title=f"rewrite artefact: {a.kind.replace('_', ' ')}")
              for a in analysis.artefacts]
    marks += [Mark(d.start, d.end, "date", title=d.value or "date") for d in analysis.dates]
    marks += [Mark(t.start, t.end, "technique", title=f"{t.name} ({t.score:.2f})") for t in analysis.shown_techniques]
    for n, narrative in enumerate(analysis.shown_narratives, start=1):
        marks += [Mark(e.start, e.end, "narrative", anchor=f"{prefix}-narrative-{n}-{k}",
                       title=f"narrative: {narrative.label} ({e.score:.2f})")
                  for k, e in enumerate(narrative.evidence, start=1)]
    return marks


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    cuts = {0, len(text)}
    for m in marks:
        cuts.update((max(0, min(m.start, len(text))), max(0, min(m.end, len(text)))))
    points = sorted(cuts)
    out = []
    for a, b in pairwise(points):
        if a == b:
            continue
        active = tuple(m for m in marks if m.start <= a and b <= m.end)
        first = tuple(m for m in active if m.start == a)
        out.append(Segment(text[a:b], active, first))
    return out
