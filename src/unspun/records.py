"""Plain, frozen records that cross every boundary: ingest -> extract -> render/store.

Offsets are Python string offsets into ``Article.text``, end exclusive. Records never hold a
spaCy object, so they can be pickled between processes, stored or serialised as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuoteKind = Literal["direct", "indirect", "mixed"]
SourceType = Literal["named", "anonymous", "unnamed", "document", "unknown"]
SOURCE_TYPES: tuple[SourceType, ...] = ("named", "anonymous", "unnamed", "document", "unknown")


@dataclass(frozen=True)
class Article:
    """One input text with the metadata that came with it."""

    text: str
    id: str | None = None
    url: str | None = None
    site: str | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    author: str | None = None
    language: str | None = None  # ISO 639-1 code ("en"), set at ingest
    content_hash: str | None = None  # sha256 of the normalised text, set at ingest
    source: str | None = None  # where it came from: "file.jsonl:12", a WARC record, a feed URL
    captured: str | None = None  # when it was fetched or archived (YYYY-MM-DD), e.g. a WARC capture date


@dataclass(frozen=True)
class Span:
    """A stretch of article text: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Speaker:
    """Who a quote is attributed to, as written (the mention) and as identified (name, type)."""

    type: SourceType
    text: str | None = None  # the mention in the text, None when there is none
    start: int | None = None
    end: int | None = None
    name: str | None = None  # canonical name when the article identifies the source
    role: str | None = None  # official, diplomat, analyst, expert, spokesperson, lawmaker, ...
    affiliation: str | None = None  # country or organisation, when stated
    resolved_by: str | None = None  # how name was found: "mention", "pronoun", "title", "surname", "continuation"


@dataclass(frozen=True)
class Quote:
    """A quotation: its content span (without quote marks), its reporting cue and speaker."""

    text: str
    start: int
    end: int
    kind: QuoteKind
    speaker: Speaker
    cue: Span | None = None
    continuation: bool = False  # carries the speaker of the previous quote
    group: int | None = None  # quotes of one multi-paragraph or split quotation share a group


@dataclass(frozen=True)
class Entity:
    text: str
    start: int
    end: int
    label: str  # PERSON, ORG, GPE, LOC, NORP, ...
    name: str  # canonical name within the article


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    value: str | None  # ISO date "YYYY-MM-DD", interval "start/end", or None when it cannot be resolved


@dataclass(frozen=True)
class Hedge:
    text: str
    start: int
    end: int
    kind: str = "phrase"  # "phrase" (a listed hedging phrase) or "modal" (could, might, may)


@dataclass(frozen=True)
class Artefact:
    """Evidence of machine rewriting: a leftover prompt, an unfilled template slot or stock model phrasing.
    ``pattern`` is the rule (nlp/rules/artefacts.tsv) that matched."""

    text: str
    start: int
    end: int
    kind: Literal["prompt_leftover", "template_slot", "stock_phrase"]
    pattern: str


@dataclass(frozen=True)
class NarrativeEvidence:
    """A sentence that carries a narrative; ``score`` (0-1) is how strongly it does."""

    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class SubNarrative:
    label: str  # "<narrative>: <sub-narrative>", or "<narrative>: Other" when no specific one is supported
    score: float


# The label of "no narrative" (SemEval-2025's): reserved, so no catalog entry may use it.
NO_NARRATIVE = "Other"


@dataclass(frozen=True)
class Narrative:
    """A catalog narrative found in an article, with the sentences that show it. The label ``Other`` (no
    sub-narratives, no evidence) means the detector abstained: no catalog narrative is supported."""

    label: str  # "URW: Blaming the war on others rather than the invader"
    score: float
    sub_narratives: list[SubNarrative] = field(default_factory=list)
    evidence: list[NarrativeEvidence] = field(default_factory=list)
    # Whether reports show it: its confidence reached the threshold chosen for precision (docs/evaluation.md).
    # Those below stay in the JSON, with their score, for readers who want recall.
    shown: bool = True

    @property
    def is_abstention(self) -> bool:
        return self.label == NO_NARRATIVE


@dataclass(frozen=True)
class Technique:
    """A span using a persuasion technique: a phrase (level "span", SemEval-2020 Task 11 inventory) or a whole
    paragraph (level "paragraph", SemEval-2023 Task 3 inventory; only when asked for: techniques/paragraphs.py)."""

    text: str
    start: int
    end: int
    technique: str  # the PTC class name, e.g. "Loaded_Language"
    name: str  # a reader's name for it, e.g. "loaded language"
    score: float  # the estimated probability that the span uses this technique (calibrated: techniques/detect.py)
    shown: bool = True  # whether reports show it (precision first, as Narrative.shown)
    level: Literal["span", "paragraph"] = "span"


@dataclass(frozen=True)
class Sourcing:
    """How an article's quotations are sourced."""

    quotes: int
    named: int
    anonymous: int
    unnamed: int
    document: int
    unknown: int
    share_unidentified: float  # share of quoted words whose source is not identified
    named_sources: list[str] = field(default_factory=list)
    featured_not_quoted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    """Everything unspun finds in one article."""

    article: Article
    quotes: list[Quote]
    sourcing: Sourcing
    entities: list[Entity]
    dates: list[DateMention]
    hedges: list[Hedge]
    narratives: list[Narrative] = field(default_factory=list)
    techniques: list[Technique] = field(default_factory=list)
    artefacts: list[Artefact] = field(default_factory=list)
    artefact_score: float = 0.0  # from the artefacts alone (extract/artefacts.py); 0 when there are none

    @property
    def shown_narratives(self) -> list[Narrative]:
        """The narratives reports show: found (not the abstention) and confident enough (Narrative.shown)."""
        return [n for n in self.narratives if n.shown and not n.is_abstention]

    @property
    def shown_techniques(self) -> list[Technique]:
        """The technique spans reports show (Technique.shown); the JSON keeps every span with its score."""
        return [t for t in self.techniques if t.shown and t.level == "span"]

    @property
    def shown_paragraph_techniques(self) -> list[Technique]:
        """The (paragraph, technique) pairs reports show, when paragraph techniques were asked for."""
        return [t for t in self.techniques if t.shown and t.level == "paragraph"]

    @property
    def hidden_counts(self) -> tuple[int, int]:
        """(narratives, technique spans) found but below the confidence reports show: they are in the JSON."""
        found = len([n for n in self.narratives if not n.is_abstention])
        spans = [t for t in self.techniques if t.level == "span"]
        return found - len(self.shown_narratives), len(spans) - len(self.shown_techniques)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data = {"schema": "unspun.analysis/1", **data}
        return data
