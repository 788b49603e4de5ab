"""Story tables of the store: matching features per article, and stories with their members' roles.

Rows are converted to records here (StoryFeatures, sentence vectors as numpy arrays, Story), as in rows.py.
Vectors are kept as float16: half the space, and cosines within about 1e-3 of float32.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, func, insert, or_, select

from unspun.records import Article, Quote
from unspun.store import rows, schema
from unspun.store.store import Store, chunks
from unspun.stories.align import DIMENSIONS, Matchable, mean_vectors
from unspun.stories.candidates import identity_keys
from unspun.stories.cluster import Story
from unspun.stories.facts import calendar_days
from unspun.stories.features import StoryFeatures, ordered_facts, sentence_numbers, split_sentences
from unspun.stories.profile import SourcingProfile

_ROWS = 2000  # rows fetched per round trip when streaming


@dataclass
class StoredIndex:
    """What the candidate index needs of every stored article, in one pass over story_features."""

    ids: list[str] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), dtype=np.float16))  # one row each
    signatures: list[np.ndarray | None] = field(default_factory=list)
    keys: list[frozenset[str]] = field(default_factory=list)  # names and numbers, as identity_keys makes them
    story_of: dict[str, str] = field(default_factory=dict)  # article id -> story id, for assigned articles


def articles_needing_features(store: Store, version: str) -> Iterator[Article]:
    """Stored articles without matching features of this version, in id order. The ids are found from the
    two tables' indexes alone (no article text, no feature row is read); only those articles are loaded."""
    a, f = schema.articles, schema.story_features
    query = (select(a.c.id).select_from(a.outerjoin(f, f.c.article_id == a.c.id))
             .where((f.c.version.is_(None)) | (f.c.version != version)).order_by(a.c.id))
    with store.engine.connect() as conn:
        ids = list(conn.execute(query).scalars())
    for chunk in chunks(ids):
        with store.engine.connect() as conn:
            found = {r["id"]: rows.article_from_row(r) for r in conn.execute(select(a).where(a.c.id.in_(chunk))).mappings()}
        yield from (found[i] for i in chunk if i in found)


QuoteVectors = tuple[list[str], np.ndarray]  # an article's quote units and their vectors


def save_features(store: Store, version: str, articles: Sequence[Matchable],
                  quotes: dict[str, QuoteVectors] | None = None) -> None:
    """Store (or replace) the matching features of a batch of articles, in one transaction, with the vectors
    of their quotes where given. Their story membership is dropped with them: they will be matched again."""
    ids = [m.features.id for m in articles]
    quotes = quotes or {}
    vectors = mean_vectors([m.sentences for m in articles])
    new_rows = [{
        "article_id": f.id, "version": version, "language": f.language, "published": f.published,
        "words": f.words, "fingerprint": f.fingerprint, "names": " ".join(sorted(f.names)),
        "numbers": " ".join(sorted(f.numbers)),
        "attributed": json.dumps({"credited": f.attributed, "carried": f.carried}, ensure_ascii=False),
        "sentence_numbers": json.dumps([sorted(n) for n in f.sentence_numbers]),
        "signature": s.astype(np.uint32).tobytes() if s is not None else None,
        "vector": v.astype(np.float16).tobytes(), "sentences": m.astype(np.float16).tobytes(),
        "quote_texts": json.dumps(quotes[f.id][0], ensure_ascii=False) if f.id in quotes else None,
        "quote_vectors": quotes[f.id][1].astype(np.float16).tobytes() if f.id in quotes else None,
    } for f, m, v, s in ((m.features, m.sentences, v, m.signature) for m, v in zip(articles, vectors, strict=True))]
    with store.write() as conn:
        for chunk in chunks(ids):
            conn.execute(delete(schema.story_features).where(schema.story_features.c.article_id.in_(chunk)))
            conn.execute(delete(schema.story_members).where(schema.story_members.c.article_id.in_(chunk)))
        if new_rows:
            conn.execute(insert(schema.story_features), new_rows)


@dataclass(frozen=True)
class Window:
    """The stored articles that can share a story with some new ones: those published within one of
    ``ranges`` (inclusive YYYY-MM-DD pairs), those without a readable date, and copies of the new texts
    (same ``fingerprints``), whatever their dates. A story's versions appear within StoryOptions.max_days_apart
    of each other (the date veto), so nothing outside the window can join the new articles."""

    ranges: tuple[tuple[str, str], ...]
    fingerprints: tuple[str, ...] = ()


def unplaced(store: Store) -> list[tuple[str, str | None, str]]:
    """(id, published, fingerprint) of the articles that have features but no story yet."""
    f, m = schema.story_features, schema.story_members
    query = (select(f.c.article_id).select_from(f.outerjoin(m, m.c.article_id == f.c.article_id))
             .where(m.c.article_id.is_(None)).order_by(f.c.article_id))
    out: list[tuple[str, str | None, str]] = []
    with store.engine.connect() as conn:
        ids = list(conn.execute(query).scalars())  # index-only: the wide feature rows are not read
        for chunk in chunks(ids):
            details = select(f.c.article_id, f.c.published, f.c.fingerprint).where(f.c.article_id.in_(chunk))
            out += [(r.article_id, r.published, r.fingerprint) for r in conn.execute(details)]
    return sorted(out)


def load_index(store: Store, window: Window | None = None) -> StoredIndex:
    """The index entries and current story of every article (or of the window's articles), streamed."""
    f, m = schema.story_features, schema.story_members
    out = StoredIndex()
    query = (select(f.c.article_id, f.c.language, f.c.vector, f.c.signature, f.c.names, f.c.numbers,
                    m.c.story_id).select_from(f.outerjoin(m, m.c.article_id == f.c.article_id))
             .order_by(f.c.article_id))
    if window is not None:
        dated = [f.c.published.between(first, last) for first, last in window.ranges]
        copies = [f.c.fingerprint.in_(window.fingerprints)] if window.fingerprints else []
        query = query.where(or_(*dated, *copies, f.c.published.is_(None), func.length(f.c.published) != 10))
    vectors: list[bytes] = []
    with store.engine.connect().execution_options(stream_results=True, yield_per=_ROWS) as conn:
        for row in conn.execute(query):
            out.ids.append(row.article_id)
            out.languages.append(row.language)
            vectors.append(row.vector)
            out.signatures.append(np.frombuffer(row.signature, dtype=np.uint32) if row.signature else None)
            out.keys.append(identity_keys(row.names.split(), row.numbers.split()))
            if row.story_id is not None:
                out.story_of[row.article_id] = row.story_id
    if vectors:  # one buffer, one array: a million small arrays would cost seconds to make and to stack
        out.vectors = np.frombuffer(b"".join(vectors), dtype=np.float16).reshape(len(vectors), -1)
    return out


def load_features(store: Store, ids: Sequence[str]) -> dict[str, Matchable]:
    """Full matching features (sentence vectors included) of the given articles.

    The sentence texts are not stored with the features: they are split again from the article's text with
    the splitter that made the stored vectors (features.split_sentences, deterministic), so the features equal
    those a batch clustering builds. Should the split not give one sentence per stored vector, or other
    numbers per sentence than stored (the text changed and its features were not recomputed), the sentences
    are left empty and only what the vectors and stored facts say is compared.
    """
    f, a = schema.story_features, schema.articles
    out: dict[str, Matchable] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(list(ids)):
            query = select(f, a.c.site, a.c.text).join(a, a.c.id == f.c.article_id).where(f.c.article_id.in_(chunk))
            for r in conn.execute(query).mappings():
                dimensions = len(r["vector"]) // 2
                credits = json.loads(r["attributed"])
                sentences = np.frombuffer(r["sentences"], dtype=np.float16).astype(np.float32).reshape(-1, dimensions)
                per_sentence = tuple(frozenset(n) for n in json.loads(r["sentence_numbers"]))
                texts = tuple(split_sentences(r["text"] or ""))
                if len(texts) != len(sentences) or tuple(map(sentence_numbers, texts)) != per_sentence:
                    texts = ()
                features = StoryFeatures(
                    id=r["article_id"], sentences=texts, numbers=frozenset(r["numbers"].split()),
                    names=frozenset(r["names"].split()), published=r["published"], site=r["site"],
                    language=r["language"], attributed=tuple(credits["credited"]), carried=tuple(credits["carried"]),
                    words=r["words"], fingerprint=r["fingerprint"], sentence_numbers=per_sentence,
                    days=calendar_days(r["text"] or ""), facts=ordered_facts(r["text"] or ""))
                out[r["article_id"]] = Matchable(features, sentences)
    return out


def sentence_vectors(store: Store, ids: Sequence[str]) -> dict[str, np.ndarray]:
    """The stored vector of every sentence (as split_sentences cuts it) and every quote unit of the given
    articles, by text, so that comparing stored versions needs no encoder. An article whose text no longer splits
    into its stored vectors contributes no sentences (the caller encodes them again)."""
    f, a = schema.story_features, schema.articles
    out: dict[str, np.ndarray] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(list(ids)):
            query = (select(f.c.vector, f.c.sentences, f.c.quote_texts, f.c.quote_vectors, a.c.text)
                     .join(a, a.c.id == f.c.article_id).where(f.c.article_id.in_(chunk)))
            for r in conn.execute(query):
                dimensions = len(r.vector) // 2
                vectors = np.frombuffer(r.sentences, dtype=np.float16).astype(np.float32).reshape(-1, dimensions)
                texts = split_sentences(r.text or "")
                if len(texts) == len(vectors):
                    out.update(zip(texts, vectors, strict=True))
                if r.quote_texts and r.quote_vectors:
                    units = json.loads(r.quote_texts)
                    matrix = np.frombuffer(r.quote_vectors, dtype=np.float16).astype(np.float32).reshape(-1, dimensions)
                    if len(units) == len(matrix):
                        out.update(zip(units, matrix, strict=True))
    return out


def quotes_of(store: Store, ids: Sequence[str]) -> dict[str, list[Quote]]:
    """The stored quotes of each article among `ids` (analysed ones only), in their order."""
    q = schema.quotes
    out: dict[str, list[Quote]] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(list(ids)):
            query = select(q).where(q.c.article_id.in_(chunk)).order_by(q.c.article_id, q.c.position)
            for r in conn.execute(query).mappings():
                out.setdefault(r["article_id"], []).append(rows.quote_from_row(r))
    return out


def load_profiles(store: Store, ids: Sequence[str]) -> dict[str, SourcingProfile]:
    """How each analysed article is sourced (stories/profile.py), from the stored summaries, hedges and
    narratives; articles stored without analysis have none."""
    an, h, n = schema.analyses, schema.hedges, schema.narratives
    out: dict[str, SourcingProfile] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(list(ids)):
            counted = select(h.c.article_id, func.count()).where(h.c.article_id.in_(chunk)).group_by(h.c.article_id)
            hedges: dict[str, int] = {article_id: int(count) for article_id, count in conn.execute(counted)}
            labels: dict[str, list[str]] = {}
            for article_id, label in conn.execute(select(n.c.article_id, n.c.label)
                                                  .where(n.c.article_id.in_(chunk), schema.shown_narrative(n))
                                                  .order_by(n.c.article_id, n.c.position)):
                labels.setdefault(article_id, []).append(label)
            for r in conn.execute(select(an).where(an.c.article_id.in_(chunk))).mappings():
                out[r["article_id"]] = SourcingProfile(
                    named=tuple(json.loads(r["named_sources"])), unidentified=r["anonymous"] + r["unnamed"],
                    quotes=r["quotes"], hedges=int(hedges.get(r["article_id"], 0)),
                    narratives=tuple(labels.get(r["article_id"], ())))
    return out


def story_members(store: Store, story_ids: Sequence[str]) -> dict[str, list[str]]:
    m = schema.story_members
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(list(story_ids)):
            for r in conn.execute(select(m.c.story_id, m.c.article_id).where(m.c.story_id.in_(chunk))):
                out.setdefault(r.story_id, []).append(r.article_id)
    return out


def replace_stories(store: Store, stories: Sequence[Story], replaced: Sequence[str]) -> None:
    """Write stories (and drop the stored stories they replace, e.g. two that merged), in one transaction."""
    now = datetime.now(UTC)
    days = {h.id: h.published for h in store.article_headers([a for s in stories for a in s.articles]).values()}

    def span(story: Story) -> tuple[str | None, str | None]:
        dated = sorted(d for d in (days.get(a) for a in story.articles) if d)
        return (dated[0], dated[-1]) if dated else (None, None)

    story_rows = [{"id": s.id, "size": len(s.articles), "origin": s.origin, "origin_confidence": s.origin_confidence,
                   "attributed_source": s.attributed_source, "updated_at": now,
                   "evidence": json.dumps({"pairs": s.evidence, "versions": s.versions}, ensure_ascii=False),
                   "first_published": span(s)[0], "last_published": span(s)[1]}
                  for s in stories]
    member_rows = [{"article_id": a, "story_id": s.id, "role": s.roles[a], "derived_from": s.derived_from.get(a),
                    "note": s.notes.get(a)} for s in stories for a in s.articles]
    gone = sorted(set(replaced) | {s.id for s in stories})
    with store.write() as conn:
        for chunk in chunks(gone):
            conn.execute(delete(schema.stories).where(schema.stories.c.id.in_(chunk)))
            conn.execute(delete(schema.story_members).where(schema.story_members.c.story_id.in_(chunk)))
        for chunk in chunks([str(r["article_id"]) for r in member_rows]):
            conn.execute(delete(schema.story_members).where(schema.story_members.c.article_id.in_(chunk)))
        if story_rows:
            conn.execute(insert(schema.stories), story_rows)
            conn.execute(insert(schema.story_members), member_rows)


def clear_stories(store: Store) -> None:
    """Forget every story (the stored features stay), so that the next update re-clusters everything."""
    with store.write() as conn:
        conn.execute(delete(schema.story_members))
        conn.execute(delete(schema.stories))


Members = list[tuple[str | None, str | None]]  # (site, published) of each article of a story, in its order


def load_stories(store: Store, min_size: int = 1, of_article: str | None = None,
                 story_id: str | None = None) -> list[tuple[Story, Members]]:
    """Stored stories, largest first, each with its members' (site, published); or only the story of one
    article, or the story of this id."""
    s, m, a = schema.stories, schema.story_members, schema.articles
    query = select(s).where(s.c.size >= min_size).order_by(s.c.size.desc(), s.c.id)
    if of_article is not None:
        query = query.where(s.c.id == select(m.c.story_id).where(m.c.article_id == of_article).scalar_subquery())
    if story_id is not None:
        query = query.where(s.c.id == story_id)
    with store.engine.connect() as conn:
        heads = list(conn.execute(query).mappings())
        members: dict[str, list[dict]] = {}
        for chunk in chunks([h["id"] for h in heads]):
            query = (select(m, a.c.site, a.c.published).join(a, a.c.id == m.c.article_id)
                     .where(m.c.story_id.in_(chunk)).order_by(m.c.article_id))
            for r in conn.execute(query).mappings():
                members.setdefault(r["story_id"], []).append(dict(r))
    out = []
    for h in heads:
        rows_ = members.get(h["id"], [])
        evidence = json.loads(h["evidence"])
        if "pairs" not in evidence:  # stories stored before version evidence: the pairs alone
            evidence = {"pairs": evidence, "versions": {}}
        story = Story(id=h["id"], articles=[r["article_id"] for r in rows_],
                      roles={r["article_id"]: r["role"] for r in rows_}, origin=h["origin"],
                      origin_confidence=h["origin_confidence"],
                      derived_from={r["article_id"]: r["derived_from"] for r in rows_ if r["derived_from"]},
                      evidence=evidence["pairs"], attributed_source=h["attributed_source"],
                      notes={r["article_id"]: r["note"] for r in rows_ if r["note"]}, versions=evidence["versions"])
        out.append((story, [(r["site"], r["published"]) for r in rows_]))
    return out
