"""What site profiles and the coordination graph read from the store, in a few aggregate queries: every
version of every story of two or more articles, per-site counts of articles, quotes, artefacts and narratives,
publication days, and a sample of each site's article edges for its template fingerprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, func, literal_column, select

from unspun.sites.coordination import Version
from unspun.sites.profile import SiteCounts
from unspun.sites.templates import Sample
from unspun.store import schema
from unspun.store.store import Store

EPOCH = dt.date(1970, 1, 1).toordinal()
TEMPLATE_SAMPLE = 20  # newest articles per site read for its template fingerprint
EDGE_CHARS = 240  # characters read at each end of an article


def day_number(published: str | None) -> int | None:
    """Days since 1970-01-01 of a YYYY-MM-DD date; None when it is missing or malformed."""
    try:
        return dt.date.fromisoformat((published or "")[:10]).toordinal() - EPOCH
    except ValueError:
        return None


def story_versions(store: Store) -> Iterator[tuple[Version, str | None]]:
    """Every version of every story of two or more articles, with the outlet the story's versions credit."""
    m, s, a = schema.story_members, schema.stories, schema.articles
    query = (select(m.c.story_id, m.c.article_id, m.c.role, a.c.site, a.c.published, s.c.origin,
                    s.c.attributed_source)
             .select_from(m.join(s, s.c.id == m.c.story_id).join(a, a.c.id == m.c.article_id))
             .where(s.c.size >= 2))
    days: dict[str | None, int | None] = {}  # a store has a few thousand distinct dates: each parsed once
    with store.engine.connect().execution_options(stream_results=True, yield_per=5000) as conn:
        for story, article, role, site, published, origin, credited in conn.execute(query):
            if published not in days:
                days[published] = day_number(published)
            day = days[published]
            yield Version(story, article, site or "", day, role, article == origin), credited


def site_counts(store: Store, sites: Sequence[str] | None = None) -> dict[str, SiteCounts]:
    a, an, ar = schema.articles, schema.analyses, schema.artefacts
    only = a.c.site.in_(sites) if sites is not None else a.c.site.is_not(None)
    out: dict[str, SiteCounts] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(select(a.c.site, func.count(), func.min(a.c.published), func.max(a.c.published))
                              .where(only).group_by(a.c.site)):
            out[r[0]] = SiteCounts(int(r[1]), r[2], r[3])
        for r in conn.execute(select(a.c.site, func.count(), func.sum(an.c.quotes), func.sum(an.c.anonymous + an.c.unnamed))
                              .select_from(an.join(a, a.c.id == an.c.article_id)).where(only).group_by(a.c.site)):
            counts = out.setdefault(r[0], SiteCounts())
            counts.analysed, counts.quotes, counts.unidentified = int(r[1]), int(r[2] or 0), int(r[3] or 0)
        carrying = select(ar.c.article_id).distinct().subquery()
        for r in conn.execute(select(a.c.site, func.count()).select_from(carrying.join(a, a.c.id == carrying.c.article_id))
                              .where(only).group_by(a.c.site)):
            out.setdefault(r[0], SiteCounts()).with_artefacts = int(r[1])
    return out


def site_narratives(store: Store, sites: Sequence[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Each site's narratives with the number of its articles carrying each, most first."""
    a, n = schema.articles, schema.narratives
    query = (select(a.c.site, n.c.label, func.count(func.distinct(n.c.article_id)))
             .select_from(n.join(a, a.c.id == n.c.article_id)).where(schema.shown_narrative(n))
             .group_by(a.c.site, n.c.label))
    if sites is not None:
        query = query.where(a.c.site.in_(sites))
    out: dict[str, list[tuple[str, int]]] = {}
    with store.engine.connect() as conn:
        for site, label, count in conn.execute(query):
            out.setdefault(site, []).append((label, int(count)))
    return {site: sorted(labels, key=lambda x: (-x[1], x[0])) for site, labels in out.items()}


def site_days(store: Store, site: str) -> list[tuple[str | None, int]]:
    """Articles of one site per publication day (None: undated)."""
    a = schema.articles
    with store.engine.connect() as conn:
        return [(r[0], int(r[1])) for r in conn.execute(
            select(a.c.published, func.count()).where(a.c.site == site).group_by(a.c.published))]


def template_samples(store: Store, sites: Sequence[str] | None = None,
                     per_site: int = TEMPLATE_SAMPLE) -> dict[str, list[Sample]]:
    """The ends, length and paragraph count of each site's newest articles (per_site of them)."""
    a = schema.articles
    ranked = select(a.c.site, a.c.text, func.row_number().over(
        partition_by=a.c.site, order_by=(schema.day_of(a.c.published).desc(), a.c.id.desc())).label("n"))
    if sites is not None:
        ranked = ranked.where(a.c.site.in_(sites))
    else:
        ranked = ranked.where(a.c.site.is_not(None))
    inner = ranked.subquery()
    text = inner.c.text
    newline: Any = literal_column("char(10)" if store.backend == "sqlite" else "chr(10)")
    query = select(inner.c.site, func.substr(text, 1, EDGE_CHARS),
                   func.substr(text, func.max(1, func.length(text) - EDGE_CHARS + 1) if store.backend == "sqlite"
                               else func.greatest(1, func.length(text) - EDGE_CHARS + 1)),
                   func.length(text), func.length(text) - func.length(func.replace(text, newline, ""))
                   ).where(and_(inner.c.n <= per_site))
    out: dict[str, list[Sample]] = {}
    with store.engine.connect().execution_options(stream_results=True, yield_per=5000) as conn:
        for site, head, tail, chars, newlines in conn.execute(query):
            out.setdefault(site, []).append(Sample(head or "", tail or "", int(chars or 0), int(newlines or 0) + 1))
    return out

