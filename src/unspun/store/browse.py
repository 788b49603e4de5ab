"""What the web interface browses: corpus figures and facets, and lists that page by keyset (a cursor of the
last row's sort key, never an offset, so page 1,000 costs what page 1 does).

Rows become plain records here, as in the rest of the store; the web layer renders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, text, true

from unspun.store import schema
from unspun.store.store import Store, fts5_query, rank_cutoff

FACET_WINDOW = 1000  # best matches a search's facets are counted over
FACET_VALUES = 12  # values shown per facet


@dataclass(frozen=True)
class SearchFilter:
    query: str = ""
    site: str | None = None
    since: str | None = None
    until: str | None = None
    narrative: str | None = None  # exact label
    source_type: str | None = None  # the article quotes a source of this type
    role: str | None = None  # origin, derived, independent (its role in its story)


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str | None
    site: str | None
    published: str | None
    snippet: str = ""  # for a search: the passage that matched
    matched: list[tuple[int, int]] = field(default_factory=list)  # offsets of the matching words in the snippet


_OPEN, _CLOSE = "\x02", "\x03"  # around matched words in the database's snippet (a text holding them only
# shifts the highlighting)


def _snippet(raw: str | None) -> tuple[str, list[tuple[int, int]]]:
    """The snippet without its markers, and where the marked words are in it."""
    out: list[str] = []
    matched: list[tuple[int, int]] = []
    length, start = 0, None
    for part in re.split(f"([{_OPEN}{_CLOSE}])", raw or ""):
        if part == _OPEN:
            start = length
        elif part == _CLOSE:
            if start is not None:
                matched.append((start, length))
            start = None
        else:
            out.append(part)
            length += len(part)
    return "".join(out), matched


@dataclass
class Page:
    """One page of a keyset-paged list: its items and the cursor of the next page (None on the last)."""

    items: list[Any]
    after: list[Any] | None = None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryRow:
    id: str
    size: int
    origin: str | None
    origin_confidence: float
    first_published: str | None
    last_published: str | None


def figures(store: Store) -> dict[str, int]:
    """Corpus figures for the home page."""
    a, s, q = schema.articles, schema.stories, schema.quotes
    with store.engine.connect() as conn:
        return {
            "articles": conn.execute(select(func.count()).select_from(a)).scalar_one(),
            "analysed": conn.execute(select(func.count()).select_from(schema.analyses)).scalar_one(),
            "quotes": conn.execute(select(func.count()).select_from(q)).scalar_one(),
            "sites": conn.execute(select(func.count(func.distinct(a.c.site)))).scalar_one(),
            "stories": conn.execute(select(func.count()).select_from(s).where(s.c.size > 1)).scalar_one(),
        }


def global_facets(store: Store) -> dict[str, list[tuple[str, int]]]:
    """The corpus's sites, quoted source types, narratives and story roles, most frequent first."""
    a, q, n, m = schema.articles, schema.quotes, schema.narratives, schema.story_members
    with store.engine.connect() as conn:
        def counted(column: Any, where: Any = None) -> list[tuple[str, int]]:
            query = (select(column, func.count()).where(and_(column.is_not(None), true() if where is None else where)).group_by(column)
                     .order_by(func.count().desc(), column).limit(FACET_VALUES))
            return [(str(value), int(count)) for value, count in conn.execute(query)]

        return {"site": counted(a.c.site), "source_type": counted(q.c.speaker_type),
                "narrative": counted(n.c.label, schema.shown_narrative(n)), "role": counted(m.c.role)}


def search(store: Store, where: SearchFilter, after: list[Any] | None = None, limit: int = 20) -> Page:
    """Full-text search (or, without words, the newest articles) with filters, best matches first, paged by
    keyset on (score, id), with facets over the best FACET_WINDOW matches."""
    if not where.query.strip():
        return latest_articles(store, where, after, limit, with_facets=True)
    with store.engine.connect() as conn:
        match = _match_sql(conn, store.backend, where.query)
        conditions, params = _filter_sql(where, match.params)
        conditions = [*match.conditions, *conditions]
        # One ranking serves the facets (the best FACET_WINDOW) and, unless the page lies deeper, the page itself.
        window = conn.execute(text(
            f"SELECT a.id, {match.score} AS score FROM {match.source} WHERE {' AND '.join(conditions)} "
            f"ORDER BY score, a.id LIMIT :n"), {**params, "n": FACET_WINDOW}).all()
        keys = [(float(r.score), r.id) for r in window]
        start = 0 if not after else next((k for k, key in enumerate(keys) if key > (after[0], after[1])), len(keys))
        if start + limit < len(keys) or len(keys) < FACET_WINDOW:
            ranked = keys[start : start + limit + 1]
        else:  # past the window: rank again from the cursor
            ranked = [(float(r.score), r.id) for r in conn.execute(text(
                f"SELECT a.id, {match.score} AS score FROM {match.source} WHERE {' AND '.join(conditions)} AND "
                f"({match.score} > :after_score OR ({match.score} = :after_score AND a.id > :after_key)) "
                f"ORDER BY score, a.id LIMIT :n"),
                {**params, "after_score": after[0] if after else -1e300, "after_key": after[1] if after else "",
                 "n": limit + 1})]
        shown = [i for _, i in ranked[:limit]]
        rows = {r.id: r for r in conn.execute(text(
            f"SELECT a.id, a.title, a.site, a.published, {match.snippet} AS snippet FROM {match.source} "
            f"WHERE {' AND '.join(match.conditions)} AND a.id IN ({', '.join(f':i{k}' for k in range(len(shown)))})"
            if shown else "SELECT 1 WHERE 1 = 0"), {**match.params, **{f"i{k}": i for k, i in enumerate(shown)}})}
    items = [ArticleRow(r.id, r.title, r.site, r.published, *_snippet(r.snippet)) for r in (rows[i] for i in shown)]
    last = ranked[limit - 1] if len(ranked) > limit else None
    return Page(items, list(last) if last is not None else None, facets_of(store, [i for _, i in keys]))


@dataclass(frozen=True)
class _Match:
    """The SQL of a full-text match on each backend: lower score is better on both (bm25 is negative)."""

    source: str
    conditions: list[str]
    score: str
    snippet: str
    params: dict[str, Any]


def _match_sql(conn: Any, backend: str, query: str) -> _Match:
    if backend != "sqlite":
        # float8: a float4 rank read back as text and bound again would not equal itself, breaking the keyset
        return _Match("articles a, websearch_to_tsquery('english', :q) q", ["a.search @@ q"],
                      "(-ts_rank(a.search, q))::float8",
                      "ts_headline('english', a.text, q, 'StartSel=' || chr(2) || ',StopSel=' || chr(3) || "
                      "',MaxWords=24,MinWords=12')",
                      {"q": query})
    match = fts5_query(query)
    return _Match("articles_fts JOIN articles a ON a.rowid = articles_fts.rowid",
                  ["articles_fts MATCH :q", "articles_fts.rowid > :cutoff"], "bm25(articles_fts)",
                  "snippet(articles_fts, 1, char(2), char(3), '…', 16)",
                  {"q": match, "cutoff": rank_cutoff(conn, match)})


def _filter_sql(where: SearchFilter, params: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions on an article aliased `a` for the filters (values always bound, never pasted)."""
    conditions: list[str] = []
    params = dict(params)
    for value, condition, name in (
            (where.site, "a.site = :site", "site"), (where.since, "a.published >= :since", "since"),
            (where.until, "a.published <= :until", "until"),
            (where.narrative, "EXISTS (SELECT 1 FROM narratives n WHERE n.article_id = a.id AND n.label = :narrative)",
             "narrative"),
            (where.source_type, "EXISTS (SELECT 1 FROM quotes x WHERE x.article_id = a.id AND x.speaker_type = :stype)",
             "stype"),
            (where.role, "EXISTS (SELECT 1 FROM story_members m WHERE m.article_id = a.id AND m.role = :role)", "role")):
        if value:
            conditions.append(condition)
            params[name] = value
    return conditions, params


def latest_articles(store: Store, where: SearchFilter, after: list[Any] | None = None, limit: int = 20,
                    with_facets: bool = False) -> Page:
    """The newest articles (publication date, then id, both descending; undated last) matching the filters,
    paged by keyset straight off ix_articles_day; with_facets counts the facets over the newest FACET_WINDOW."""
    a = schema.articles
    day = schema.day_of(a.c.published)
    conditions = [*_dates(day, where.since, where.until), *_exists_filters(where)]
    if where.site:
        conditions.append(a.c.site == where.site)
    paged = list(conditions)
    if after:
        paged.append(or_(day < after[0], and_(day == after[0], a.c.id < after[1])))
    query = select(a.c.id, a.c.title, a.c.site, a.c.published).order_by(day.desc(), a.c.id.desc())
    with store.engine.connect() as conn:
        found = conn.execute(query.where(and_(true(), *paged)).limit(limit + 1)).all()
        window = list(conn.execute(select(a.c.id).where(and_(true(), *conditions))
                                   .order_by(day.desc(), a.c.id.desc()).limit(FACET_WINDOW)).scalars()) \
            if with_facets else []
    items = [ArticleRow(r.id, r.title, r.site, r.published) for r in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    return Page(items, [last.published or "", last.id] if last is not None else None,
                facets_of(store, window) if with_facets else {})


def _dates(day: Any, since: str | None, until: str | None) -> list[Any]:
    """A date range on the coalesced day (undated articles are "" there: before any since, and kept out of
    any until)."""
    out = []
    if since:
        out.append(day >= since)
    if until:
        out += [day <= until, day != ""]
    return out


def _exists_filters(where: SearchFilter) -> list[Any]:
    a, n, q, m = schema.articles, schema.narratives, schema.quotes, schema.story_members
    out: list[Any] = []
    if where.narrative:
        out.append(exists().where(and_(n.c.article_id == a.c.id, n.c.label == where.narrative, schema.shown_narrative(n))))
    if where.source_type:
        out.append(exists().where(and_(q.c.article_id == a.c.id, q.c.speaker_type == where.source_type)))
    if where.role:
        out.append(exists().where(and_(m.c.article_id == a.c.id, m.c.role == where.role)))
    return out


def facets_of(store: Store, ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Sites, narratives, quoted source types and story roles among the given articles."""
    if not ids:
        return {}
    a, n, q, m = schema.articles, schema.narratives, schema.quotes, schema.story_members
    out: dict[str, list[tuple[str, int]]] = {}
    with store.engine.connect() as conn:
        for name, column, table, id_column, extra in (
                ("site", a.c.site, a, a.c.id, true()), ("narrative", n.c.label, n, n.c.article_id, schema.shown_narrative(n)),
                ("source_type", q.c.speaker_type, q, q.c.article_id, true()), ("role", m.c.role, m, m.c.article_id, true())):
            query = (select(column, func.count(func.distinct(id_column))).select_from(table)
                     .where(and_(id_column.in_(ids), column.is_not(None), extra)).group_by(column)
                     .order_by(func.count(func.distinct(id_column)).desc(), column).limit(FACET_VALUES))
            values = [(str(v), int(c)) for v, c in conn.execute(query)]
            if values:
                out[name] = values
    return out


def stories(store: Store, after: list[Any] | None = None, limit: int = 20, min_size: int = 2,
            order: str = "size") -> Page:
    """Stored stories of at least min_size articles, largest first (or, order="latest", by their newest
    version), paged by keyset off ix_stories_size or ix_stories_last."""
    s = schema.stories
    last_day = schema.day_of(s.c.last_published)
    query = select(s.c.id, s.c.size, s.c.origin, s.c.origin_confidence, s.c.first_published,
                   s.c.last_published).where(s.c.size >= min_size)
    if order == "latest":
        if after:
            query = query.where(or_(last_day < after[0], and_(last_day == after[0], s.c.id < after[1])))
        query = query.order_by(last_day.desc(), s.c.id.desc())
    else:
        if after:
            query = query.where(or_(s.c.size < after[0], and_(s.c.size == after[0], s.c.id > after[1])))
        query = query.order_by(s.c.size.desc(), s.c.id)
    with store.engine.connect() as conn:
        found = conn.execute(query.limit(limit + 1)).all()
    items = [StoryRow(r.id, r.size, r.origin, r.origin_confidence, r.first_published, r.last_published)
             for r in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    cursor = None
    if last is not None:
        cursor = [last.last_published or "", last.id] if order == "latest" else [last.size, last.id]
    return Page(items, cursor)


@dataclass(frozen=True)
class Membership:
    """An article's place in its story."""

    story_id: str
    role: str
    size: int
    origin: str | None
    origin_confidence: float
    derived_from: str | None


def membership(store: Store, article_id: str) -> Membership | None:
    """The story an article belongs to and its role there; None before `unspun stories` has placed it."""
    m, s = schema.story_members, schema.stories
    query = (select(m.c.story_id, m.c.role, m.c.derived_from, s.c.size, s.c.origin, s.c.origin_confidence)
             .join(s, s.c.id == m.c.story_id).where(m.c.article_id == article_id))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return Membership(row.story_id, row.role, row.size, row.origin, row.origin_confidence, row.derived_from) \
        if row is not None else None


def site_size(store: Store, site: str | None) -> int:
    """How many articles of this site are stored."""
    if not site:
        return 0
    a = schema.articles
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(a).where(a.c.site == site)).scalar_one())


def narrative_labels(store: Store) -> list[str]:
    n = schema.narratives
    with store.engine.connect() as conn:
        return [str(v) for v in conn.execute(select(func.distinct(n.c.label)).where(schema.shown_narrative(n))
                                             .order_by(n.c.label)).scalars()]

