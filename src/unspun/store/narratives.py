"""Narratives across the store: articles per narrative, site and ISO week, and the sentences behind them.

Counting is done by the database per site, day and label; days fold into ISO weeks here, the same way on
SQLite and PostgreSQL. The abstention label ``Other`` is never counted as a narrative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select

from unspun.errors import InputError
from unspun.records import Narrative
from unspun.store import rows, schema
from unspun.store.store import Store, site_and_dates

UNDATED = "undated"  # the week of articles without a publication date


@dataclass(frozen=True)
class NarrativeFilter:
    """Which narratives to count or show: a label (exact, or a case-insensitive part of one), a site, a week
    ("2026-W47" or "undated"), a date range on publication dates (YYYY-MM-DD, inclusive)."""

    label: str | None = None
    site: str | None = None
    week: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class NarrativeCount:
    site: str
    week: str
    label: str
    articles: int


@dataclass(frozen=True)
class NarrativeHit:
    """One article's narrative with its evidence sentences."""

    article_id: str
    site: str | None
    published: str | None
    title: str | None
    narrative: Narrative
    position: int = 0  # the narrative's place among the article's (0: its best), as its analysis lists them


def week_of(published: str | None) -> str:
    """The ISO week ("2026-W47") of a YYYY-MM-DD date; UNDATED when it is missing or malformed."""
    try:
        year, week, _ = dt.date.fromisoformat((published or "")[:10]).isocalendar()
    except ValueError:
        return UNDATED
    return f"{year}-W{week:02d}"


def week_range(week: str) -> tuple[str, str]:
    """The first and last day (YYYY-MM-DD) of an ISO week such as "2026-W47"; InputError when it is not one."""
    year, _, number = week.partition("-W")
    try:
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise InputError(f"{week!r} is not an ISO week: write it like 2026-W47 (or {UNDATED})") from None
    return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()


def narrative_counts(store: Store, where: NarrativeFilter) -> list[NarrativeCount]:
    """Articles carrying each narrative, per site and week: newest week first, then site, then most articles."""
    n, a = schema.narratives, schema.articles
    query = (select(a.c.site, a.c.published, n.c.label, func.count(func.distinct(n.c.article_id)).label("articles"))
             .select_from(n.join(a, a.c.id == n.c.article_id))
             .where(_conditions(store, where))
             .group_by(a.c.site, a.c.published, n.c.label))
    totals: dict[tuple[str, str, str], int] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            key = (row.site or "", week_of(row.published), row.label)
            totals[key] = totals.get(key, 0) + row.articles
    counts = sorted((NarrativeCount(site, week, label, count) for (site, week, label), count in totals.items()),
                    key=lambda c: (c.site, -c.articles, c.label))
    counts.sort(key=lambda c: c.week, reverse=True)  # stable: newest week first, same order within a week
    return [c for c in counts if c.week != UNDATED] + [c for c in counts if c.week == UNDATED]


def narrative_evidence(store: Store, where: NarrativeFilter, limit: int = 50,
                       after: tuple[str, str, int] | None = None) -> list[NarrativeHit]:
    """Articles carrying the narratives that pass the filter, newest first (undated last), each with its
    evidence sentences; ``after`` (published or "", article id, position of the last hit) gives the next page."""
    n, a = schema.narratives, schema.articles
    day = schema.day_of(a.c.published)
    condition = _conditions(store, where)
    if after is not None:
        condition = and_(condition, or_(day < after[0], and_(day == after[0], or_(
            n.c.article_id < after[1], and_(n.c.article_id == after[1], n.c.position > after[2])))))
    query = (select(n, a.c.site, a.c.published, a.c.title)
             .select_from(n.join(a, a.c.id == n.c.article_id))
             .where(condition)
             .order_by(day.desc(), a.c.id.desc(), n.c.position)  # off ix_articles_day, backwards
             .limit(limit))
    with store.engine.connect() as conn:
        return [NarrativeHit(r["article_id"], r["site"], r["published"], r["title"], rows.narrative_from_row(r),
                             r["position"]) for r in conn.execute(query).mappings()]


def _conditions(store: Store, where: NarrativeFilter) -> ColumnElement[bool]:
    n, a = schema.narratives, schema.articles
    conditions = [schema.shown_narrative(n)]
    if where.label:
        conditions.append((n.c.label == where.label) | store.contains(n.c.label, where.label))
    conditions += site_and_dates(a.c.site, a.c.published, where.site, where.since, where.until)
    if where.week == UNDATED:
        conditions.append(a.c.published.is_(None))
    elif where.week:
        first, last = week_range(where.week)
        conditions.append(a.c.published.between(first, last))
    return and_(*conditions)

