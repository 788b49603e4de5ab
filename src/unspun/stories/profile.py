"""How a version of a story is sourced, from its analysis: what a rewrite adds (quotations from sources nobody
can check, hedges) and what an independent report brings (named sources of its own).

Story roles read these alongside the texts (stories/roles.py). They come from the per-article analysis, which
reads English; a version in another language has none, and its role rests on its text alone.

    >>> profile = SourcingProfile.from_analysis(analysis)  # doctest: +SKIP
    >>> profile.unidentified, profile.named
    (3, ('Anatol Vessarin',))
"""

from __future__ import annotations

from dataclasses import dataclass

from unspun.records import Analysis


@dataclass(frozen=True)
class SourcingProfile:
    named: tuple[str, ...] = ()  # named sources quoted, as the analysis names them
    unidentified: int = 0  # quotations from anonymous or unnamed (vague) sources
    quotes: int = 0
    hedges: int = 0
    narratives: tuple[str, ...] = ()  # catalog narratives found (no abstention)

    @classmethod
    def from_analysis(cls, analysis: Analysis) -> SourcingProfile:
        s = analysis.sourcing
        return cls(named=tuple(s.named_sources), unidentified=s.anonymous + s.unnamed, quotes=s.quotes,
                   hedges=len(analysis.hedges),
                   narratives=tuple(n.label for n in analysis.shown_narratives))
