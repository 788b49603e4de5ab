"""The Store: articles and analysis results in one database, written one transaction per batch."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import (
    ColumnElement,
    Engine,
    Insert,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from unspun.errors import StoreError
from unspun.extract.artefacts import artefact_score
from unspun.records import Analysis, Article, Quote
from unspun.store import rows, schema
from unspun.store.engines import SqliteOpener, enable_wal, postgres_engine, sqlite_engine
from unspun.store.failures import ErrorTranslator
from unspun.store.locking import Translate, WriteLock, lock_wait_s, write_transaction
from unspun.store.migrate import check_schema, upgrade
from unspun.store.urls import label, resolve_url, sqlite_path

Entry = tuple[Article, Analysis | None]
_IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit
# Full-text search ranks at most this many matches (the most recently stored). Calibrated on a generated
# store of 100,000 articles: ranking 20,000 matches takes about 20 ms on one core here.
RANK_WINDOW = 20_000


@dataclass
class BatchResult:
    """What one add() did, article by article."""

    inserted: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # same id, same text: nothing to do
    analysed: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (id, reason): not stored


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str | None
    site: str | None
    published: str | None
    snippet: str


@dataclass(frozen=True)
class ArticleHeader:
    id: str
    site: str | None
    published: str | None
    title: str | None


@dataclass(frozen=True)
class QuoteQuery:
    """Filters for quotes(); None means any."""

    speaker_type: str | None = None
    site: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None
    speaker: str | None = None  # substring of the speaker's name or mention, case-insensitive
    kind: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class QuoteHit:
    article_id: str
    site: str | None
    published: str | None
    quote: Quote
    position: int = 0  # the quote's place in its article (with the date and id, the key of the next page)

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "site": self.site, "published": self.published, **asdict(self.quote)}


def open_store(url: str | None = None, readonly: bool | None = None, lock_wait: float | None = None) -> Store:
    """Open the store at url, $UNSPUN_DB or ./unspun.db, creating and migrating it as needed.

    readonly=True opens it without ever writing (SQLite read-only, no migration: an outdated schema is a
    StoreError saying what to do); None opens a SQLite file read-only only when this user may not write it.
    lock_wait: seconds to wait for another process's write lock (default $UNSPUN_LOCK_WAIT, else LOCK_WAIT_S).
    Every driver error of the store, now or later, is a one-line StoreError naming it (store/failures.py)."""
    resolved = resolve_url(url)
    name, wait = label(resolved), lock_wait_s(lock_wait)
    opener = None
    if resolved.get_backend_name() == "sqlite":
        path = sqlite_path(resolved)
        if readonly and (path is None or not path.is_file()):
            raise StoreError(f"no database at {name}: store articles there first with `unspun ingest`")
        opener = SqliteOpener(path, wait, readonly)
        engine = sqlite_engine(resolved, opener)
    else:
        engine = postgres_engine(resolved, bool(readonly))
    translator = ErrorTranslator(name, wait)
    translator.install(engine)
    try:
        with engine.connect() as conn:  # the first connection decides read-write or read-only
            is_readonly = bool(readonly) if opener is None else opener.mode in ("ro", "immutable")
            current = check_schema(conn, name, is_readonly)
        store = Store(engine, readonly=is_readonly, lock=WriteLock(name, wait), translate=translator.translate,
                      readonly_reason=opener.reason if opener else "opened read-only, as asked")
        if opener is not None and opener.mode == "rw":
            _enable_wal(engine, translator, wait)
        if not current:
            upgrade(engine, begin=store.write)
    except BaseException:
        engine.dispose()
        raise
    translator.opening = False
    return store


def _enable_wal(engine: Engine, translator: ErrorTranslator, wait_s: float) -> None:
    try:
        enable_wal(engine, wait_s)
    except sqlite3.Error as exc:
        raise translator.translate(exc) from exc


class Store:
    """Articles and results; every write is one transaction, so a crash leaves whole batches or none."""

    def __init__(self, engine: Engine, readonly: bool = False, lock: WriteLock | None = None,
                 translate: Translate | None = None, readonly_reason: str = "") -> None:
        self.engine = engine
        self.backend = engine.dialect.name
        self.readonly = readonly
        self.readonly_reason = readonly_reason
        self.label = label(engine.url)
        self.lock = lock or WriteLock(self.label, lock_wait_s())
        self.translate = translate or ErrorTranslator(self.label, self.lock.wait_s).translate

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, holding the store's write lock (waiting for it, and saying so, while another
        process holds it); commits at the end of the block, or rolls back on an error."""
        self.check_writable()
        with write_transaction(self.engine, self.lock, self.translate) as conn:
            assert conn is not None  # a patient write gets the lock or raises
            yield conn

    def check_writable(self) -> None:
        """StoreError now, before any work, when this store cannot be written (it was opened read-only)."""
        if self.readonly:
            raise StoreError(f"the database {self.label} is open read-only ({self.readonly_reason}): this command "
                             f"writes to the store; run it where you may write the file and its folder, or on a "
                             f"writable copy")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------------

    def add(self, entries: Sequence[Entry], pipeline_version: str | None = None) -> BatchResult:
        """Store articles (idempotent by id) and, where given, their analyses, in one transaction."""
        result = BatchResult()
        now = datetime.now(UTC)
        with self.write() as conn:
            known = self._hashes(conn, [a.id for a, _ in entries if a.id])
            new_rows, analyses = [], []
            for article, analysis in entries:
                if not article.id or not article.content_hash:
                    raise ValueError("articles need an id and a content hash before they are stored")
                stored = known.get(article.id)
                if stored is not None and stored != article.content_hash:
                    result.conflicts.append((article.id, "an article with this id and a different text is stored"))
                    continue
                if stored is None:
                    new_rows.append(rows.article_row(article, now))
                    known[article.id] = article.content_hash
                    result.inserted.append(article.id)
                elif article.id not in result.inserted:
                    result.present.append(article.id)
                if analysis is not None:
                    analyses.append(analysis)
            if new_rows:  # the write lock makes the check above hold; skipping duplicates is the fallback
                conn.execute(self._insert_new(schema.articles), new_rows)
            if analyses:
                self._write_analyses(conn, analyses, pipeline_version or "unknown", now)
                result.analysed = [a.article.id for a in analyses if a.article.id]
        return result

    def _insert_new(self, table: Table) -> Insert:
        """INSERT that skips rows whose primary key is stored already (another writer's), on either backend."""
        if self.backend == "sqlite":
            return sqlite_insert(table).on_conflict_do_nothing()
        return postgresql_insert(table).on_conflict_do_nothing()

    def optimize(self) -> None:
        """Refresh the query planner's statistics after a large write (cheap: sampled on SQLite). Only a hint:
        skipped on a read-only store, or when another process holds the write lock beyond a short wait."""
        if self.readonly:
            return
        with write_transaction(self.engine, self.lock, self.translate, patient=False) as conn:
            if conn is None:
                return
            if self.backend == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")

    def save_analyses(self, analyses: Sequence[Analysis], pipeline_version: str) -> None:
        """Replace the results of already stored articles (re-analysis), in one transaction."""
        with self.write() as conn:
            self._write_analyses(conn, analyses, pipeline_version, datetime.now(UTC))

    def _write_analyses(self, conn: Connection, analyses: Sequence[Analysis], version: str, now: datetime) -> None:
        ids = list(dict.fromkeys(a.article.id for a in analyses if a.article.id))
        for chunk in chunks(ids):
            for table in (*schema.RESULT_TABLES, schema.analyses):
                conn.execute(delete(table).where(table.c.article_id.in_(chunk)))
        latest = {a.article.id: a for a in analyses}
        if not latest:  # a batch with nothing analysable (e.g. all in another language)
            return
        conn.execute(insert(schema.analyses), [rows.analysis_row(a, version, now) for a in latest.values()])
        for table, make in (
            (schema.quotes, rows.quote_rows),
            (schema.entities, lambda a: rows.span_rows(a, a.entities)),
            (schema.dates, lambda a: rows.span_rows(a, a.dates)),
            (schema.hedges, lambda a: rows.span_rows(a, a.hedges)),
            (schema.artefacts, lambda a: rows.span_rows(a, a.artefacts)),
            (schema.techniques, lambda a: rows.span_rows(a, a.techniques)),
            (schema.narratives, rows.narrative_rows),
        ):
            batch = [row for a in latest.values() for row in make(a)]
            if batch:
                conn.execute(insert(table), batch)

    # --- reading ---------------------------------------------------------------------------------

    def _hashes(self, conn: Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            query = select(schema.articles.c.id, schema.articles.c.content_hash).where(schema.articles.c.id.in_(chunk))
            found.update({row.id: row.content_hash for row in conn.execute(query)})
        return found

    def status(self, ids: Sequence[str], pipeline_version: str) -> dict[str, str]:
        """For each stored id: "current" (analysed by this pipeline version), "stale" or "unanalysed"."""
        a, an = schema.articles, schema.analyses
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(ids))):
                query = select(a.c.id, an.c.pipeline_version).select_from(
                    a.outerjoin(an, an.c.article_id == a.c.id)).where(a.c.id.in_(chunk))
                for row in conn.execute(query):
                    version = row.pipeline_version
                    out[row.id] = "unanalysed" if version is None else ("current" if version == pipeline_version
                                                                        else "stale")
        return out

    def article(self, article_id: str) -> Article | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.articles).where(schema.articles.c.id == article_id)).mappings().first()
        return rows.article_from_row(row) if row else None

    def article_headers(self, ids: Sequence[str]) -> dict[str, ArticleHeader]:
        """Site, publication date and title of each stored article among `ids` (text not read)."""
        a = schema.articles
        found: dict[str, ArticleHeader] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(ids))):
                query = select(a.c.id, a.c.site, a.c.published, a.c.title).where(a.c.id.in_(chunk))
                found.update({r.id: ArticleHeader(r.id, r.site, r.published, r.title) for r in conn.execute(query)})
        return found

    def text_lengths(self, ids: Sequence[str]) -> dict[str, int]:
        """The length of each stored article's text among `ids` (the texts are not read out)."""
        a = schema.articles
        found: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(ids))):
                query = select(a.c.id, func.length(a.c.text)).where(a.c.id.in_(chunk))
                found.update({r[0]: int(r[1]) for r in conn.execute(query)})
        return found

    def analysis(self, article_id: str) -> Analysis | None:
        """Rebuild the Analysis records of a stored article, or None if it was never analysed."""
        with self.engine.connect() as conn:
            article = conn.execute(
                select(schema.articles).where(schema.articles.c.id == article_id)).mappings().first()
            summary = conn.execute(
                select(schema.analyses).where(schema.analyses.c.article_id == article_id)).mappings().first()
            if article is None or summary is None:
                return None

            def fetch(table: Any) -> list[Any]:
                order = [table.c.position if table in (schema.quotes, schema.narratives) else table.c.start]
                if table is schema.techniques:  # spans in text order, then paragraphs (docs/json-contract.md)
                    order.insert(0, case((table.c.level == "span", 0), else_=1))
                query = select(table).where(table.c.article_id == article_id).order_by(*order, table.c.id)
                return list(conn.execute(query).mappings())

            return Analysis(
                article=rows.article_from_row(article),
                quotes=[rows.quote_from_row(r) for r in fetch(schema.quotes)],
                sourcing=rows.sourcing_from_row(summary),
                entities=[rows.entity_from_row(r) for r in fetch(schema.entities)],
                dates=[rows.date_from_row(r) for r in fetch(schema.dates)],
                hedges=[rows.hedge_from_row(r) for r in fetch(schema.hedges)],
                artefacts=(found := [rows.artefact_from_row(r) for r in fetch(schema.artefacts)]),
                artefact_score=round(artefact_score(found, article["text"]), 3),
                narratives=[rows.narrative_from_row(r) for r in fetch(schema.narratives)],
                techniques=[rows.technique_from_row(r) for r in fetch(schema.techniques)],
            )

    def iter_articles(self, batch_size: int = 500, stale_for: str | None = None) -> Iterator[Article]:
        """Every stored article in id order, streamed; with stale_for, only those not analysed by that
        pipeline version (never analysed, or by another version)."""
        a, an = schema.articles, schema.analyses
        last = ""
        while True:
            query = select(a).where(a.c.id > last).order_by(a.c.id).limit(batch_size)
            if stale_for is not None:
                query = query.select_from(a.outerjoin(an, an.c.article_id == a.c.id)).where(
                    (an.c.pipeline_version.is_(None)) | (an.c.pipeline_version != stale_for))
            with self.engine.connect() as conn:
                batch = [rows.article_from_row(r) for r in conn.execute(query).mappings()]
            if not batch:
                return
            yield from batch
            last = batch[-1].id or ""

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in (schema.articles, schema.analyses, *schema.RESULT_TABLES)}

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and texts, best matches first."""
        if not query.strip():
            return []
        with self.engine.connect() as conn:
            if self.backend == "sqlite":
                match = fts5_query(query)
                cutoff = rank_cutoff(conn, match)
                result = conn.execute(text(
                    "SELECT a.id, a.title, a.site, a.published, "
                    "snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet "
                    "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                    "WHERE articles_fts MATCH :q AND articles_fts.rowid > :cutoff ORDER BY rank LIMIT :n"),
                    {"q": match, "n": limit, "cutoff": cutoff})
            else:
                result = conn.execute(text(
                    "SELECT id, title, site, published, ts_headline('english', text, q, "
                    "'StartSel=[,StopSel=],MaxWords=24,MinWords=12') AS snippet "
                    "FROM articles, websearch_to_tsquery('english', :q) q WHERE search @@ q "
                    "ORDER BY ts_rank(search, q) DESC LIMIT :n"), {"q": query, "n": limit})
            return [SearchHit(r.id, r.title, r.site, r.published, r.snippet) for r in result]

    def quotes(self, q: QuoteQuery, after: tuple[str, str, int] | None = None) -> list[QuoteHit]:
        """Quotes matching the filters, newest articles first (undated last), in article order; ``after`` (the
        last hit's published or "", article id and position) continues from a previous page."""
        qt = schema.quotes
        day = schema.day_of(qt.c.published)
        conditions = []
        if q.speaker_type:
            conditions.append(qt.c.speaker_type == q.speaker_type)
        if q.kind:
            conditions.append(qt.c.kind == q.kind)
        conditions += site_and_dates(qt.c.site, day, q.site, q.since, q.until)
        if q.until:
            conditions.append(day != "")
        if q.speaker:
            conditions.append(self.contains(qt.c.speaker_name, q.speaker) | self.contains(qt.c.speaker_text, q.speaker))
        if after is not None:
            conditions.append(or_(day < after[0], and_(day == after[0], or_(
                qt.c.article_id < after[1], and_(qt.c.article_id == after[1], qt.c.position > after[2])))))
        # newest first off ix_quotes_day / ix_quotes_type_day (backwards), an article's quotes in their order
        query = (select(qt).where(and_(true(), *conditions))
                 .order_by(day.desc(), qt.c.article_id.desc(), qt.c.position).limit(q.limit))
        with self.engine.connect() as conn:
            return [QuoteHit(r["article_id"], r["site"], r["published"], rows.quote_from_row(r), r["position"])
                    for r in conn.execute(query).mappings()]

    def contains(self, column: Any, part: str) -> ColumnElement[bool]:
        """`column` contains `part`, ignoring case (SQLite's LIKE ignores ASCII case already; PostgreSQL needs
        ILIKE)."""
        pattern = f"%{part}%"
        return column.like(pattern) if self.backend == "sqlite" else column.ilike(pattern)  # type: ignore[no-any-return]

    def export_rows(self, table_name: str, batch_size: int = 2000) -> Iterator[dict[str, Any]]:
        """Stream every row of one table (articles, analyses, quotes, entities, dates, hedges, artefacts, techniques,
        narratives, stories,
        story_members; not the binary matching features)."""
        exportable = {t.name: t for t in schema.metadata.sorted_tables if t is not schema.story_features}
        table = exportable.get(table_name)
        if table is None:
            raise StoreError(f"no table {table_name!r}; choose one of {', '.join(sorted(exportable))}")
        with self.engine.connect().execution_options(stream_results=True, yield_per=batch_size) as conn:
            order = [c for c in table.primary_key.columns]
            for row in conn.execute(select(table).order_by(*order)).mappings():
                yield dict(row)


def site_and_dates(site: Any, published: Any, name: str | None, since: str | None,
                   until: str | None) -> list[ColumnElement[bool]]:
    """Conditions for one site and a publication date range (YYYY-MM-DD, inclusive); None means any."""
    conditions = []
    if name:
        conditions.append(site == name)
    if since:
        conditions.append(published >= since)
    if until:
        conditions.append(published <= until)
    return conditions


def rank_cutoff(conn: Connection, match: str) -> int:
    """The lowest full-text rowid worth ranking for a query (-1: all). bm25 costs about 1 ms per 1,000 matches:
    a query matching most of a large corpus ranks only its RANK_WINDOW most recently stored matches, which
    keeps every search fast."""
    cutoff = conn.execute(text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid DESC "
                               "LIMIT 1 OFFSET :k"), {"q": match, "k": RANK_WINDOW}).scalar()
    return int(cutoff) if cutoff is not None else -1


def fts5_query(query: str) -> str:
    """Quote every word so user text is never read as FTS5 syntax (AND of the words)."""
    words = re.findall(r"\w+", query)
    return " ".join(f'"{w}"' for w in words) or '""'


def chunks(items: list[str]) -> Iterator[list[str]]:
    """Ids in lists short enough for one IN (...) on every backend."""
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i : i + _IN_CHUNK]
