"""Convert between records (unspun.records) and database rows, at the store boundary only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from unspun.records import (
    Analysis,
    Artefact,
    Article,
    DateMention,
    Entity,
    Hedge,
    Narrative,
    NarrativeEvidence,
    Quote,
    Sourcing,
    Span,
    Speaker,
    SubNarrative,
    Technique,
)

Row = Any  # a SQLAlchemy RowMapping, or any mapping of column name to value

ARTICLE_FIELDS = ("id", "url", "site", "title", "author", "published", "language", "text", "content_hash",
                  "source", "captured")


def article_row(article: Article, now: datetime) -> dict[str, Any]:
    row = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    row["ingested_at"] = now
    return row


def article_from_row(row: Row) -> Article:
    return Article(**{name: row[name] for name in ARTICLE_FIELDS})


def analysis_row(analysis: Analysis, pipeline_version: str, now: datetime) -> dict[str, Any]:
    s = analysis.sourcing
    return {
        "article_id": analysis.article.id, "pipeline_version": pipeline_version, "analysed_at": now,
        "quotes": s.quotes, "named": s.named, "anonymous": s.anonymous, "unnamed": s.unnamed,
        "document": s.document, "unknown": s.unknown, "share_unidentified": s.share_unidentified,
        "named_sources": json.dumps(s.named_sources, ensure_ascii=False),
        "featured_not_quoted": json.dumps(s.featured_not_quoted, ensure_ascii=False),
    }


def quote_rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for n, q in enumerate(analysis.quotes):
        sp, cue = q.speaker, q.cue
        rows.append({
            "article_id": analysis.article.id, "position": n, "text": q.text, "start": q.start, "end": q.end,
            "kind": q.kind, "cue_text": cue.text if cue else None, "cue_start": cue.start if cue else None,
            "cue_end": cue.end if cue else None, "speaker_text": sp.text, "speaker_start": sp.start,
            "speaker_end": sp.end, "speaker_name": sp.name, "speaker_type": sp.type, "speaker_role": sp.role,
            "speaker_affiliation": sp.affiliation, "speaker_resolved_by": sp.resolved_by,
            "continuation": q.continuation, "group_no": q.group,
            "site": analysis.article.site, "published": analysis.article.published,
        })
    return rows


def span_rows(
    analysis: Analysis,
    records: list[Entity] | list[DateMention] | list[Hedge] | list[Artefact] | list[Technique],
) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        row = {"article_id": analysis.article.id, **record.__dict__}
        rows.append(row)
    return rows


def quote_from_row(row: Row) -> Quote:
    speaker = Speaker(
        type=row["speaker_type"], text=row["speaker_text"], start=row["speaker_start"], end=row["speaker_end"],
        name=row["speaker_name"], role=row["speaker_role"], affiliation=row["speaker_affiliation"],
        resolved_by=row["speaker_resolved_by"],
    )
    cue = Span(row["cue_text"], row["cue_start"], row["cue_end"]) if row["cue_text"] is not None else None
    return Quote(text=row["text"], start=row["start"], end=row["end"], kind=row["kind"], speaker=speaker, cue=cue,
                 continuation=bool(row["continuation"]), group=row["group_no"])


def sourcing_from_row(row: Row) -> Sourcing:
    return Sourcing(
        quotes=row["quotes"], named=row["named"], anonymous=row["anonymous"], unnamed=row["unnamed"],
        document=row["document"], unknown=row["unknown"], share_unidentified=row["share_unidentified"],
        named_sources=json.loads(row["named_sources"]), featured_not_quoted=json.loads(row["featured_not_quoted"]),
    )


def entity_from_row(row: Row) -> Entity:
    return Entity(text=row["text"], start=row["start"], end=row["end"], label=row["label"], name=row["name"])


def date_from_row(row: Row) -> DateMention:
    return DateMention(text=row["text"], start=row["start"], end=row["end"], value=row["value"])


def hedge_from_row(row: Row) -> Hedge:
    return Hedge(text=row["text"], start=row["start"], end=row["end"], kind=row["kind"])


def artefact_from_row(row: Row) -> Artefact:
    return Artefact(text=row["text"], start=row["start"], end=row["end"], kind=row["kind"], pattern=row["pattern"])


def narrative_rows(analysis: Analysis) -> list[dict[str, Any]]:
    return [{
        "article_id": analysis.article.id, "position": n, "label": narrative.label, "score": narrative.score,
        "sub_narratives": json.dumps([sub.__dict__ for sub in narrative.sub_narratives], ensure_ascii=False),
        "evidence": json.dumps([e.__dict__ for e in narrative.evidence], ensure_ascii=False),
        "shown": narrative.shown,
    } for n, narrative in enumerate(analysis.narratives)]


def narrative_from_row(row: Row) -> Narrative:
    return Narrative(
        label=row["label"], score=row["score"],
        sub_narratives=[SubNarrative(**sub) for sub in json.loads(row["sub_narratives"])],
        evidence=[NarrativeEvidence(**e) for e in json.loads(row["evidence"])],
        shown=bool(row["shown"]),
    )


def technique_from_row(row: Row) -> Technique:
    return Technique(text=row["text"], start=row["start"], end=row["end"], technique=row["technique"],
                     name=row["name"], score=row["score"], shown=bool(row["shown"]), level=row["level"])
