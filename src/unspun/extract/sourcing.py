"""The sourcing profile of an article: who its quotations rest on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from unspun.records import Entity, Quote, Sourcing

UNIDENTIFIED = ("anonymous", "unnamed", "unknown")


def profile_sourcing(quotes: list[Quote], entities: list[Entity]) -> Sourcing:
    counts = Counter(q.speaker.type for q in quotes)
    words = [(len(q.text.split()), q.speaker.type) for q in quotes]
    total = sum(n for n, _ in words)
    unidentified = sum(n for n, kind in words if kind in UNIDENTIFIED)
    named = _unique(q.speaker.name for q in quotes if q.speaker.type == "named" and q.speaker.name)
    quoted = set(named) | {q.speaker.name for q in quotes if q.speaker.name}
    featured = _unique(
        e.name for e in entities if e.label in ("PERSON", "ORG") and e.name not in quoted and not _inside(e, quotes)
    )
    return Sourcing(
        quotes=len(quotes),
        named=counts["named"],
        anonymous=counts["anonymous"],
        unnamed=counts["unnamed"],
        document=counts["document"],
        unknown=counts["unknown"],
        share_unidentified=round(unidentified / total, 3) if total else 0.0,
        named_sources=named,
        featured_not_quoted=featured,
    )


def _inside(entity: Entity, quotes: list[Quote]) -> bool:
    """Mentioned only inside someone's quotation: featured by the source, not by the article."""
    return any(q.kind == "direct" and q.start <= entity.start and entity.end <= q.end for q in quotes)


def _unique(names: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name is not None and name not in seen:
            seen.append(name)
    return seen
