"""Keep a store's stories up to date: new articles are embedded once, matched against everything stored
through the candidate index, and join (or merge) stories; only the stories they touch are rewritten.

Stories only grow or merge here; ``rebuild=True`` re-clusters the whole store from the stored features
(no re-embedding), e.g. after changing thresholds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from unspun.nlp.multilingual import NAME as MULTILINGUAL_NAME
from unspun.records import Article
from unspun.run.cluster import ClusterReport, Engine
from unspun.store import stories as story_store
from unspun.store.store import Store
from unspun.stories.align import DIMENSIONS, Embed, Matchable, Vectors, embed_articles, mean_vectors
from unspun.stories.candidates import CandidateIndex, identity_keys, signature_of
from unspun.stories.cluster import Story, StoryOptions, build_story, comparable, link
from unspun.stories.diff import quote_units
from unspun.stories.features import article_features
from unspun.stories.profile import SourcingProfile

if TYPE_CHECKING:
    from unspun.stories.distributed import ClusterScorer

ENCODER = MULTILINGUAL_NAME
_EMBED_BATCH = 256  # articles embedded and stored per transaction
# A date window of more separate stretches than this reads the whole store instead: each stretch is one more
# OR-ed range in the index query, and a batch spread over that many stretches touches most of the store anyway.
MAX_WINDOW_RANGES = 64


@dataclass
class UpdateSummary:
    embedded: int = 0  # articles whose matching features were computed now
    matched: int = 0  # articles that had no story and now have one
    stories_written: int = 0  # stories created or rewritten


def features_version(options: StoryOptions) -> str:
    c = options.candidates
    return f"{ENCODER}/{c.shingle_words}w/{c.num_perm}p/4"


def update_stories(store: Store, embed: Embed | None = None, options: StoryOptions | None = None, *,
                   rebuild: bool = False, progress: Callable[[int], None] | None = None,
                   engine: Engine | None = None, cluster: ClusterReport | None = None) -> UpdateSummary:
    """Give every stored article a story. ``embed`` defaults to the packaged sentence encoder; with a Dask
    engine the new articles' features are computed on the cluster and the stories settled here."""
    opt = options or StoryOptions()
    if engine is not None and engine.kind == "dask":
        from unspun.run.cluster import dask_client
        from unspun.stories.distributed import ClusterScorer

        report = cluster if cluster is not None else ClusterReport()
        with dask_client(engine, report, pipeline=False) as client:
            return _update(store, embed, opt, rebuild, progress, ClusterScorer(client, report))
    return _update(store, embed, opt, rebuild, progress, None)


def _update(store: Store, embed: Embed | None, opt: StoryOptions, rebuild: bool,
            progress: Callable[[int], None] | None, on_cluster: ClusterScorer | None) -> UpdateSummary:
    summary = UpdateSummary()
    pending = story_store.articles_needing_features(store, features_version(opt))
    if on_cluster is not None:
        summary.embedded = _features_on_cluster(store, pending, opt, on_cluster, progress)
    while batch := list(islice(pending, _EMBED_BATCH)):
        encode = embed or default_embed()
        _store_features(store, batch, encode, opt)
        summary.embedded += len(batch)
        if progress:
            progress(len(batch))
    if rebuild:
        story_store.clear_stories(store)
    unplaced = story_store.unplaced(store)  # from the indexes alone: cheap when every article has its story
    if not unplaced:
        return summary
    # Only the new articles' date window (and copies of them) can join them: the rest of the store is not read.
    stored = story_store.load_index(store, date_window(unplaced, opt.max_days_apart))
    new = [a for a, _, _ in unplaced]
    built, replaced = place_articles(store, stored, new, {}, opt, on_cluster=on_cluster)
    story_store.replace_stories(store, built, replaced)
    summary.matched, summary.stories_written = len(new), len(built)
    return summary


def date_window(articles: Sequence[tuple[str, str | None, str]], max_days_apart: int,
                max_ranges: int = MAX_WINDOW_RANGES) -> story_store.Window | None:
    """The stored articles new ones (id, published, fingerprint) can join: each new date widened by
    max_days_apart on both sides, overlapping ranges merged, plus copies of the new texts. None (the whole
    store) when a new article has no readable date, since it may match any date, or when the new articles
    are spread over more than max_ranges separate stretches of time (a backfill: one pass is then cheaper)."""
    days = []
    for _, published, _ in articles:
        try:
            days.append(dt.date.fromisoformat(published or ""))
        except ValueError:
            return None
    ranges: list[list[dt.date]] = []
    margin = dt.timedelta(days=max_days_apart)
    for day in sorted(set(days)):
        if ranges and day - margin <= ranges[-1][1] + dt.timedelta(days=1):
            ranges[-1][1] = day + margin
        else:
            ranges.append([day - margin, day + margin])
    if len(ranges) > max_ranges:
        return None
    return story_store.Window(tuple((a.isoformat(), b.isoformat()) for a, b in ranges),
                              tuple(sorted({fingerprint for _, _, fingerprint in articles if fingerprint})))


def place_articles(store: Store, stored: story_store.StoredIndex, new_ids: Sequence[str], extra: dict[str, Matchable],
                   opt: StoryOptions, extra_profiles: dict[str, SourcingProfile] | None = None,
                   on_cluster: ClusterScorer | None = None) -> tuple[list[Story], list[str]]:
    """The stories that the new articles form or join (stories they merge included), and the stored story
    ids those replace. ``extra`` holds articles that are not stored (e.g. one being traced), ``extra_profiles``
    their sourcing profiles; ``on_cluster`` scores the pairs and builds the stories on a Dask cluster."""
    extra_ids = list(extra)
    ids = [*stored.ids, *extra_ids]
    extra_vectors = mean_vectors([extra[a].sentences for a in extra_ids], stored.vectors.shape[1] or DIMENSIONS)
    vectors = np.concatenate([stored.vectors.astype(np.float32), extra_vectors]) if extra_ids else stored.vectors
    index = CandidateIndex(opt.candidates)
    index.add(ids, vectors,
              [*stored.signatures, *(extra[a].signature for a in extra_ids)],
              [*stored.keys, *(identity_keys(extra[a].features.names, extra[a].features.numbers) for a in extra_ids)],
              [*stored.languages, *(extra[a].features.language for a in extra_ids)])
    position = {a: k for k, a in enumerate(ids)}
    wanted = [position[a] for a in new_ids]
    pairs = on_cluster.candidates(index, wanted) if on_cluster is not None else index.pairs_for(wanted)
    return settle(gather(store, stored, ids, pairs, new_ids, extra, extra_profiles), opt, on_cluster)


@dataclass
class Neighbourhood:
    """The new articles, their candidate partners and the stored stories those belong to, loaded."""

    new: set[str]
    involved: list[str]  # sorted article ids
    loaded: dict[str, Matchable]
    pairs: set[tuple[str, str]]  # candidate pairs, by article id
    members: dict[str, list[str]]  # stored story id -> its articles
    story_of: dict[str, str]
    profiles: dict[str, SourcingProfile] = field(default_factory=dict)  # how the analysed articles are sourced


def gather(store: Store, stored: story_store.StoredIndex, ids: Sequence[str], pairs: set[tuple[int, int]],
           new_ids: Sequence[str], extra: dict[str, Matchable],
           extra_profiles: dict[str, SourcingProfile] | None = None) -> Neighbourhood:
    """Load what deciding the new articles' stories needs: their partners and the partners' whole stories."""
    extra_profiles = extra_profiles or {}
    new = set(new_ids)
    partners = {ids[k] for pair in pairs for k in pair}
    old_stories = sorted({stored.story_of[a] for a in partners if a in stored.story_of})
    members = story_store.story_members(store, old_stories)
    involved = sorted(new | partners | {a for group in members.values() for a in group})
    loaded = {**story_store.load_features(store, [a for a in involved if a not in extra]), **extra}
    return Neighbourhood(new, involved, loaded, {(ids[i], ids[j]) for i, j in pairs}, members, stored.story_of,
                         {**story_store.load_profiles(store, involved), **extra_profiles})


def settle(n: Neighbourhood, opt: StoryOptions, on_cluster: ClusterScorer | None = None,
           ) -> tuple[list[Story], list[str]]:
    """Verify the candidate pairs, union them with the stored stories, and rebuild the stories they touch."""
    local = {a: k for k, a in enumerate(n.involved)}
    features = [n.loaded[a].features for a in n.involved]
    sentences = [n.loaded[a].sentences for a in n.involved]
    vectors = Vectors(sentences, mean_vectors(sentences))
    groups = [[local[a] for a in group] for group in n.members.values()]
    linked = link(features, vectors, {(local[a], local[b]) for a, b in n.pairs}, opt, groups, on_cluster)
    touched = [g for g in linked if any(n.involved[k] in n.new for k in g)]
    replaced = sorted({n.story_of[n.involved[k]] for g in touched for k in g if n.involved[k] in n.story_of})
    if on_cluster is not None:
        return on_cluster.build(touched, features, vectors, opt, n.profiles), replaced
    return [build_story(g, features, vectors, opt, n.profiles) for g in touched], replaced


def matchable(articles: Sequence[Article], embed: Embed, opt: StoryOptions) -> list[Matchable]:
    """Features, sentence vectors and signatures of articles (one encoder batch)."""
    features = [article_features(a) for a in articles]
    vectors = embed_articles(features, embed)
    return [Matchable(f, s, signature_of(" ".join(f.sentences), opt.candidates) if comparable(f) else None)
            for f, s in zip(features, vectors.sentences, strict=True)]


def _store_features(store: Store, batch: Sequence[Article], embed: Embed, opt: StoryOptions) -> None:
    """Features of a batch of articles, with the vectors of their stored quotes (one encoder batch each)."""
    matched, quotes = compute_features((batch, _quote_units(store, batch)), opt, embed)
    story_store.save_features(store, features_version(opt), matched, quotes)


Work = tuple[Sequence[Article], dict[str, list[str]]]  # a batch of articles and their quotes' units


def _quote_units(store: Store, batch: Sequence[Article]) -> dict[str, list[str]]:
    return {i: quote_units(q) for i, q in story_store.quotes_of(store, [a.id or "" for a in batch]).items()}


def compute_features(work: Work, opt: StoryOptions, embed: Embed | None = None,
                     ) -> tuple[list[Matchable], dict[str, story_store.QuoteVectors]]:
    """A batch's matching features and its quotes' vectors: plain records, computed anywhere (on a Dask worker
    the encoder is loaded once per process)."""
    batch, units = work
    encode = embed or default_embed()
    flat = [t for texts in units.values() for t in texts]
    vectors, quotes, start = encode(flat) if flat else None, {}, 0
    for article_id, texts in units.items():
        if texts and vectors is not None:
            quotes[article_id] = (texts, vectors[start : start + len(texts)])
            start += len(texts)
    return matchable(batch, encode, opt), quotes


def _features_on_cluster(store: Store, pending: Iterator[Article], opt: StoryOptions, on_cluster: ClusterScorer,
                         progress: Callable[[int], None] | None) -> int:
    """compute_features of every pending batch on the cluster; the features stored here, batch by batch."""
    from unspun.run.cluster import in_order

    done = 0
    batches = iter(lambda: list(islice(pending, _EMBED_BATCH)), [])
    for batch, (matched, quotes) in in_order(on_cluster.client, compute_features, batches,
                                             lambda b: (b, _quote_units(store, b)), on_cluster.report, opt=opt):
        story_store.save_features(store, features_version(opt), matched, quotes)
        done += len(batch)
        if progress:
            progress(len(batch))
    return done


def default_embed() -> Embed:
    """The multilingual sentence encoder's encode (nlp/multilingual.py): one vector space for sixteen languages."""
    from unspun.nlp.multilingual import load_multilingual_encoder

    return load_multilingual_encoder().encode
