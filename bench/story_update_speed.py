"""Benchmark adding 1,000 articles to a store that already holds N articles and their stories.

    .venv/bin/python bench/story_update_speed.py [--sizes 10000,100000,1000000] [--budget 2400] [--dir /tmp]

The product path is measured, not a model of it: ``update_stories(store, embed=...)`` on a SQLite store
(``open_store("sqlite:///...")``). Embedding is left out on purpose: the story encoder's cost per new article
does not depend on the store size (bench/embedding_speed.py), so the 1,000 new articles are stored with their
features already computed and ``embed`` raises if it is ever called. What is measured is the rest: the scan
for articles without features, the check for articles without a story, loading the stored index of the new
articles' date window (story_features), building the candidate index (MinHash LSH, article vectors,
name/number postings), candidate search for the new articles, loading the touched stories' features (texts
read back and split, calendar days and facts recomputed from them) and the versions' sourcing profiles,
scoring every candidate pair with the same-story model, average linkage, roles (lineage, role model, origin,
evidence) and writing the touched stories. A second call, with nothing new, is timed too.

The store is written in bulk with SQLAlchemy Core, as if ingest and ``update_stories`` had already run: for
each article an ``articles`` row, a ``story_features`` row of the current features version and a story; for
each English article an ``analyses`` row, 0-4 ``hedges`` rows and a ``narratives`` row (what
``load_profiles`` reads). Articles come in units: ~90% singletons and ~10% in planted families of 2-10
versions (a base and rewrites). A unit has 250-350 words drawn from a Zipf-like vocabulary
(bench/minhash_speed.py's sampler; MinHash signatures over their 3-word shingles with the product's hasher),
10-20 random unit sentence vectors of the encoder's dimensions (``unspun.stories.align.DIMENSIONS``), 5-15
names and 2-8 numbers (Zipf-distributed) scattered over its sentences, and a date within two years; 5% of
singletons are in another language. A rewrite substitutes 10-30% of its source's words in short runs, keeps
each sentence with probability 0.85 (perturbed: cosine ~0.91 with the source's, ~0.83 between two rewrites)
and ~85% of the names and numbers of the sentences it keeps, adds up to two new sentences, two names and a
number, quotes 1-2 more unidentified sources than its source and appears within 3 days. Of the 1,000 new
articles, 200 are rewrites of stored English articles (they should join that article's story) and 800 are
new singletons (they should stay alone).

Since the same-story model and its rules read the text (stories/sameness.py: names and numbers per matching
sentence; stories/roles.py: facts in order; store/stories.load_features re-splits the stored text and keeps
the sentences only when they match the stored vectors), the text is no longer 50 filler words: each sentence
vector has its sentence, "The" and its share of the unit's words (as ``w<rank>``) with its names (capitalised
letter strings, so that the product's name regex and name keys find them) and numbers (10-20,109, years
2000-2099 skipped: the product ignores them), so the product reads back exactly the planted sentences, names
and numbers (checked for the first drafts of every store). No calendar days are planted.

Each size runs three fresh subprocesses: ``build`` writes the store; ``replay`` times the steps of
``update_stories`` one by one (the same calls in the same order as ``update_stories``, ``place_articles``,
``gather``, ``settle`` and ``link``, including the write, which it then undoes, and checks its stories against
the product's ``gather`` and ``settle``); ``update`` times the real ``update_stories`` call end to end, its
peak RSS, and scores the result. Sizes beyond the first run only if the previous size, scaled linearly, fits
the budget, 10 minutes and 12 GB; otherwise the row is a labelled linear extrapolation. Writes
bench/results/story_update_speed.json and .md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from minhash_speed import _rewrite, _status, _word_sampler, fmt, peak_above, reset_peak, run_child

from unspun.stories.align import DIMENSIONS
from unspun.stories.features import name_key

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DIM = DIMENSIONS  # the story encoder's (nlp/multilingual.py)
ADDED, REWRITES = 1000, 200
BLOCK = 10_000  # stored articles generated and written per transaction
FAMILY_UNITS = 0.0182  # share of units that are families: with 6 versions on average, ~10% of the articles
FOREIGN = ("de", "fr", "ru", "uk", "es")
FOREIGN_SHARE = 0.05
KEEP = 0.85  # a rewrite keeps each sentence of its source, and each name and number of those, with this probability
NOISE = np.float32(0.45 / np.sqrt(DIM))  # per-dimension noise: a perturbed sentence keeps cosine ~0.91
NAMES, NUMBERS = 50_000, 20_000  # Zipf vocabularies of names and numbers
DAYS = 730
FIRST_DAY = date(2024, 1, 1)
SITES = [f"site{n}.example" for n in range(500)]
NARRATIVES = ("Other", "Other", "Other", "Other", "West provokes conflict", "Sanctions backfire")
PIPELINE = "bench"
CHECKED = 300  # drafts per store whose text is read back by the product's feature code (slow: not all)
LIMIT_S, LIMIT_MB = 600, 12_000  # a larger size runs only if its projection fits these
RECENT = 7  # daily scenario: the rewritten stories are from the store's last week, new stories from its last days
SCENARIO = os.environ.get("STORY_UPDATE_SCENARIO", "daily")  # set by --scenario for the child processes


# ------------------------------------------------------------------------------------------ articles


@dataclass
class Profile:
    """What the analysis of an English article found, as load_profiles reads it back."""

    named: list[str]  # named sources quoted
    unidentified: int  # quotations from anonymous or vague sources
    quotes: int
    hedges: int
    narrative: str


@dataclass
class Draft:
    """One synthetic article as story matching sees it."""

    id: str
    words: np.ndarray
    sentences: np.ndarray  # (n, DIM) float32 unit rows
    facts: list[list[str]]  # per sentence: the names and numbers it writes
    day: int
    language: str
    site: str
    profile: Profile | None  # English articles only: the analysis reads English

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name_key(f) for facts in self.facts for f in facts if not f[0].isdigit())

    def names_as_written(self) -> list[str]:
        return [f for facts in self.facts for f in facts if not f[0].isdigit()]

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(f for facts in self.facts for f in facts if f[0].isdigit())

    def texts(self) -> list[str]:
        """One sentence per sentence vector: "The", its share of the words (as w<rank>), its names and numbers
        after the third word, a full stop; so the product's splitter gives back exactly these sentences."""
        out = []
        for chunk, facts in zip(np.array_split(self.words, len(self.sentences)), self.facts, strict=True):
            words = [f"w{w}" for w in chunk.tolist()]
            out.append(" ".join(["The", *words[:3], *facts, *words[3:]]) + ".")
        return out


class Generator:
    """Random articles and rewrites of them; one per process, seeded by the store size."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = _word_sampler(self.rng)
        self.names = _zipf_sampler(self.rng, NAMES)
        self.numbers = _zipf_sampler(self.rng, NUMBERS)

    def unit_vectors(self, count: int) -> np.ndarray:
        v = self.rng.standard_normal((count, DIM), dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def new_facts(self, names: int, numbers: int) -> list[str]:
        return sorted({*map(name_of, self.names(names).tolist()), *map(number_of, self.numbers(numbers).tolist())})

    def scatter(self, facts: list[str], sentences: list[list[str]]) -> None:
        for fact, k in zip(facts, self.rng.integers(0, len(sentences), len(facts)).tolist(), strict=True):
            sentences[k].append(fact)

    def fresh(self, article_id: str, english: bool = True) -> Draft:
        rng = self.rng
        language = "en" if english or rng.random() >= FOREIGN_SHARE else str(rng.choice(FOREIGN))
        count = int(rng.integers(10, 21))
        facts: list[list[str]] = [[] for _ in range(count)]
        self.scatter(self.new_facts(int(rng.integers(5, 16)), int(rng.integers(2, 9))), facts)
        draft = Draft(article_id, self.words(int(rng.integers(250, 351))), self.unit_vectors(count), facts,
                      int(rng.integers(0, DAYS)), language, SITES[int(rng.integers(len(SITES)))], None)
        if language == "en":
            named = sorted(draft.names_as_written())[: int(rng.integers(0, 4))]
            unidentified = int(rng.integers(0, 3))
            draft.profile = Profile(named, unidentified, len(named) + unidentified + int(rng.integers(0, 3)),
                                    int(rng.integers(0, 4)), str(rng.choice(NARRATIVES)))
        return draft

    def rewrite(self, source: Draft, article_id: str) -> Draft:
        """Keeps ~85% of the source's sentences (perturbed) and of their names and numbers, adds up to two new
        sentences, two names and a number; as a model-written rewrite, quotes more unidentified sources."""
        rng = self.rng
        rows: list[np.ndarray] = []
        facts: list[list[str]] = []
        for vector, kept_facts in zip(source.sentences, source.facts, strict=True):
            if rng.random() < KEEP:
                rows.append(vector + rng.standard_normal(DIM, dtype=np.float32) * NOISE)
                facts.append([f for f in kept_facts if rng.random() < KEEP])
        for _ in range(int(rng.integers(0, 3))):
            at = int(rng.integers(0, len(rows) + 1))
            rows.insert(at, self.unit_vectors(1)[0])
            facts.insert(at, [])
        sentences = np.stack(rows)
        sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
        present = {f for kept in facts for f in kept}
        self.scatter([f for f in self.new_facts(2, 1) if f not in present], facts)
        draft = Draft(article_id, _rewrite(rng, source.words, self.words), sentences, facts,
                      source.day + int(rng.integers(0, 4)), source.language, SITES[int(rng.integers(len(SITES)))],
                      None)
        if source.profile is not None:
            kept = set(draft.names_as_written())
            named = [n for n in source.profile.named if n in kept]
            unidentified = source.profile.unidentified + int(rng.integers(1, 3))
            draft.profile = Profile(named, unidentified, len(named) + unidentified,
                                    source.profile.hedges + int(rng.integers(0, 3)), source.profile.narrative)
        return draft


def name_of(key: int) -> str:
    """A capitalised five-letter name per key ("Zaaab"): a name to the product's regex, its own name key."""
    letters = []
    for _ in range(4):
        key, letter = divmod(key, 26)
        letters.append(chr(97 + letter))
    return "Z" + "".join(reversed(letters))


def number_of(key: int) -> str:
    """A number per key, from 10 up, skipping 2000-2099 (years around now are ignored as too common)."""
    value = 10 + key
    return str(value + 100 if value >= 2000 else value)


def _zipf_sampler(rng: np.random.Generator, vocabulary: int) -> Any:
    ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
    cdf = np.cumsum(1.0 / (ranks + 2.7)) / (1.0 / (ranks + 2.7)).sum()
    table = np.searchsorted(cdf, (np.arange(1 << 18) + 0.5) / (1 << 18)).astype(np.int64)

    def sample(count: int) -> np.ndarray:
        return table[rng.integers(0, 1 << 18, count)]

    return sample


def article_id(n: int) -> str:
    return f"a{n:08d}"


# ------------------------------------------------------------------------------------------ the store


def write_drafts(store: Any, drafts: list[Draft], stories: list[list[Draft]] | None, check: int = 0) -> None:
    """Articles, their analyses (English ones), story features and (unless ``stories`` is None) their stories,
    in one transaction. ``check``: for that many of the drafts, assert that the product reads the planted text
    back as planted."""
    from sqlalchemy import insert

    from unspun.store import schema
    from unspun.stories.align import mean_vectors
    from unspun.stories.candidates import CandidateOptions, _hasher
    from unspun.stories.shingles import mix64, shingle_hashes
    from unspun.stories.update import features_version

    options = CandidateOptions()
    version = features_version(_story_options())
    salt = np.uint64(0x51ED270B)
    signatures = _hasher(options.num_perm).signatures(
        [shingle_hashes(mix64(d.words.astype(np.uint64) + salt), options.shingle_words) for d in drafts])
    means = mean_vectors([d.sentences for d in drafts])
    now = datetime.now(UTC)
    articles, features, analyses, hedges, narratives = [], [], [], [], []
    for k, (d, signature, mean) in enumerate(zip(drafts, signatures, means, strict=True)):
        text = " ".join(d.texts())
        if k < check:
            _check_text(d, text)
        published = (FIRST_DAY + timedelta(days=d.day)).isoformat()
        articles.append({"id": d.id, "url": f"https://{d.site}/{d.id}", "site": d.site, "title": f"Story {d.id}",
                         "author": None, "published": published, "language": d.language, "text": text,
                         "content_hash": hashlib.sha256(f"{d.id}\n{text}".encode()).hexdigest(), "source": None,
                         "captured": None, "ingested_at": now})
        features.append({"article_id": d.id, "version": version, "language": d.language, "published": published,
                         "words": int(d.words.size), "fingerprint": hashlib.sha1(d.id.encode()).hexdigest(),
                         "names": " ".join(sorted(d.names)), "numbers": " ".join(sorted(d.numbers)),
                         "attributed": json.dumps({"credited": [], "carried": []}),
                         "sentence_numbers": json.dumps([sorted(f for f in facts if f[0].isdigit())
                                                         for facts in d.facts]),
                         "signature": signature.tobytes(), "vector": mean.astype(np.float16).tobytes(),
                         "sentences": d.sentences.astype(np.float16).tobytes()})
        p = d.profile
        if p is not None:
            anonymous = p.unidentified // 2
            analyses.append({"article_id": d.id, "pipeline_version": PIPELINE, "analysed_at": now,
                             "quotes": p.quotes, "named": len(p.named), "anonymous": anonymous,
                             "unnamed": p.unidentified - anonymous, "document": 0,
                             "unknown": p.quotes - len(p.named) - p.unidentified,
                             "share_unidentified": p.unidentified / p.quotes if p.quotes else 0.0,
                             "named_sources": json.dumps(p.named), "featured_not_quoted": "[]"})
            hedges.extend({"article_id": d.id, "text": "reportedly", "start": 40 * k, "end": 40 * k + 10,
                           "kind": "hedge"} for k in range(p.hedges))
            narratives.append({"article_id": d.id, "position": 0, "label": p.narrative, "score": 0.6,
                               "sub_narratives": "[]", "evidence": "[]"})
    story_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    for unit in stories or []:
        base = unit[0].id
        story_rows.append({"id": f"story:{base}", "size": len(unit), "origin": base if len(unit) > 1 else None,
                           "origin_confidence": 0.5 if len(unit) > 1 else 0.0, "attributed_source": None,
                           "evidence": json.dumps({"pairs": {}, "versions": {}}), "updated_at": now})
        member_rows.extend({"article_id": d.id, "story_id": f"story:{base}",
                            "role": "independent" if len(unit) == 1 else "origin" if d.id == base else "derived",
                            "derived_from": base if d.id != base else None, "note": None} for d in unit)
    with store.engine.begin() as conn:
        conn.execute(insert(schema.articles), articles)
        conn.execute(insert(schema.story_features), features)
        for table, rows in ((schema.analyses, analyses), (schema.hedges, hedges), (schema.narratives, narratives),
                            (schema.stories, story_rows), (schema.story_members, member_rows)):
            if rows:
                conn.execute(insert(table), rows)


def _check_text(d: Draft, text: str) -> None:
    """The product splits the planted text into one sentence per vector, with the planted numbers per sentence
    (else load_features drops the sentences), and finds the planted names and numbers in it."""
    from unspun.records import Article
    from unspun.stories.features import article_features, sentence_numbers, split_sentences

    split = split_sentences(text)
    assert len(split) == len(d.sentences), f"{d.id}: {len(split)} sentences for {len(d.sentences)} vectors"
    assert [sorted(sentence_numbers(s)) for s in split] == [sorted(f for f in facts if f[0].isdigit())
                                                            for facts in d.facts], f"{d.id}: sentence numbers"
    found = article_features(Article(id=d.id, text=text, language=d.language))
    assert (found.names, found.numbers) == (d.names, d.numbers), f"{d.id}: names or numbers read differently"


def build(size: int, path: Path) -> dict[str, Any]:
    """Write a store of ``size`` storied articles plus 1,000 new ones, and the plan that scores the update."""
    from sqlalchemy import text

    from unspun.store import open_store

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    gen = Generator(2026 + size)
    targets = set(gen.rng.choice(size, REWRITES, replace=False).tolist())
    captured: dict[int, tuple[Draft, list[str]]] = {}  # target position -> (its draft, its story's members)
    with open_store(f"sqlite:///{path}") as store:
        for first in range(0, size, BLOCK):
            last = min(first + BLOCK, size)
            units: list[list[Draft]] = []
            n = first
            while n < last:
                versions = min(int(gen.rng.integers(2, 11)), last - n) if gen.rng.random() < FAMILY_UNITS else 1
                base = gen.fresh(article_id(n), english=versions > 1 or n in targets)
                if SCENARIO == "daily" and targets & set(range(n, n + versions)):
                    base.day = DAYS - RECENT + int(gen.rng.integers(0, 4))  # a story of this week
                unit = [base, *(gen.rewrite(base, article_id(n + k)) for k in range(1, versions))]
                for k, d in enumerate(unit):
                    if n + k in targets:
                        captured[n + k] = (d, [m.id for m in unit])
                units.append(unit)
                n += versions
            write_drafts(store, [d for unit in units for d in unit], units, check=CHECKED if first == 0 else 0)
        new = [gen.rewrite(captured[t][0], article_id(size + k)) for k, t in enumerate(sorted(targets))]
        new += [gen.fresh(article_id(size + k), english=False) for k in range(REWRITES, ADDED)]
        if SCENARIO == "daily":
            for draft in new[REWRITES:]:
                draft.day = DAYS - 1 - int(gen.rng.integers(0, 3))  # today's news
        write_drafts(store, new, None, check=CHECKED)
        store.optimize()  # as every ingest ends: the query planner's statistics, so it picks covering indexes
        with store.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    plan = {"rewrites": {d.id: captured[t][1] for d, t in zip(new, sorted(targets), strict=False)},
            "fresh": [d.id for d in new[REWRITES:]]}
    plan_path(path).write_text(json.dumps(plan), encoding="utf-8")
    return {"build_s": round(time.perf_counter() - started, 1), "store_mb": round(path.stat().st_size / 2**20)}


def plan_path(path: Path) -> Path:
    return path.with_suffix(".plan.json")


def _story_options() -> Any:
    from unspun.stories.cluster import StoryOptions

    return StoryOptions()


def disk_reads_mb() -> int:
    """What this process has read from storage so far (not from the OS page cache)."""
    with open("/proc/self/io", encoding="ascii") as handle:
        return next(int(line.split()[1]) // 2**20 for line in handle if line.startswith("read_bytes:"))


def refuse_embedding(texts: list[str]) -> np.ndarray:
    raise AssertionError(f"update_stories asked to embed {len(texts)} sentences; every article has features")


# ------------------------------------------------------------------------------------------ measuring


class Phases:
    """Wall time per named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)


def replay(path: Path) -> dict[str, Any]:
    """The steps of update_stories, place_articles, gather and settle, timed one by one (the same calls in the
    same order); the result is checked against the product's own gather and settle, the write undone."""
    from unspun.store import open_store
    from unspun.store import stories as story_store
    from unspun.stories.align import Vectors, mean_vectors
    from unspun.stories.candidates import CandidateIndex
    from unspun.stories.cluster import average_linkage, build_story, pair_probability
    from unspun.stories.model import load_same_story_model
    from unspun.stories.update import Neighbourhood, date_window, features_version, gather, settle

    opt = _story_options()
    phase = Phases()
    out: dict[str, Any] = {"load_average": round(os.getloadavg()[0], 2)}
    with open_store(f"sqlite:///{path}") as store:
        before = _story_counts(store)
        read = disk_reads_mb()
        baseline = reset_peak()
        with phase("pending scan"):
            pending = list(story_store.articles_needing_features(store, features_version(opt)))
        assert not pending, "every article should have stored features"
        with phase("story check"):
            unplaced = story_store.unplaced(store)
            assert len(unplaced) == ADDED, "the new articles (only they) should have no story yet"
        with phase("load index"):
            stored = story_store.load_index(store, date_window(unplaced, opt.max_days_apart))
            new_ids = [a for a, _, _ in unplaced]
        out["window_articles"] = len(stored.ids)
        with phase("index build"):
            ids = [*stored.ids]
            index = CandidateIndex(opt.candidates)
            index.add(ids, stored.vectors, stored.signatures, stored.keys, stored.languages)
            position = {a: k for k, a in enumerate(ids)}
            wanted = sorted({position[a] for a in new_ids})
        # pairs_for(wanted), signal by signal (the three private calls it makes)
        with phase("candidates: LSH"):
            by_lsh = index._lsh_pairs(wanted)
        with phase("candidates: vectors"):
            by_vector = index._vector_pairs(wanted)
        with phase("candidates: names/numbers"):
            by_keys = index._key_pairs(wanted)
        pairs = {p for p in by_lsh | by_vector | by_keys if p[0] != p[1]}
        out["candidate_pairs"] = {name: sum(i != j for i, j in found) for name, found in (
            ("lsh", by_lsh), ("vectors", by_vector), ("names_numbers", by_keys), ("all", pairs))}
        # gather(): the partners' stories and everyone's features, then their sourcing profiles
        with phase("load touched stories"):
            new = set(new_ids)
            partners = {ids[k] for pair in pairs for k in pair}
            members = story_store.story_members(store, sorted({stored.story_of[a] for a in partners
                                                               if a in stored.story_of}))
            involved = sorted(new | partners | {a for group in members.values() for a in group})
            loaded = story_store.load_features(store, involved)
        with phase("load profiles"):
            profiles = story_store.load_profiles(store, involved)
        n = Neighbourhood(new, involved, loaded, {(ids[i], ids[j]) for i, j in pairs}, members, stored.story_of,
                          profiles)
        out["involved_articles"], out["profiles"] = len(involved), len(profiles)
        # settle(): link() is pair probabilities then average linkage; build_story() gives the roles
        with phase("pair probabilities"):
            local = {a: k for k, a in enumerate(n.involved)}
            features = [n.loaded[a].features for a in n.involved]
            sentences = [n.loaded[a].sentences for a in n.involved]
            vectors = Vectors(sentences, mean_vectors(sentences))
            groups = [[local[a] for a in group] for group in n.members.values()]
            model = load_same_story_model()
            bar = model.threshold if opt.same_story_probability is None else opt.same_story_probability
            local_pairs = sorted({(min(local[a], local[b]), max(local[a], local[b])) for a, b in n.pairs})
            probabilities = {pair: p for pair in local_pairs
                             if (p := pair_probability(features, vectors, pair, opt, model)) > 0}
        with phase("average linkage"):
            linked = average_linkage(len(features), probabilities, bar, groups)
        with phase("roles"):
            touched = [g for g in linked if any(n.involved[k] in n.new for k in g)]
            replaced = sorted({n.story_of[n.involved[k]] for g in touched for k in g if n.involved[k] in n.story_of})
            built = [build_story(g, features, vectors, opt, n.profiles) for g in touched]
        out["pairs"] = {"scored": len(local_pairs), "above_zero": len(probabilities),
                        "at_bar": sum(p >= bar for p in probabilities.values())}
        out["stories_built"] = len(built)
        out["versions_in_built"] = sum(len(s.articles) for s in built)
        saved = _snapshot(store, replaced)
        with phase("write"):
            story_store.replace_stories(store, built, replaced)
        out["peak_mb"] = peak_above(baseline)
        out["disk_read_mb"] = disk_reads_mb() - read
        _restore(store, [s.id for s in built], replaced, saved)
        assert _story_counts(store) == before, "undoing the replayed write left the story tables changed"
        # the replay made the product's calls: its gather and settle give the same neighbourhood and stories
        product = gather(store, stored, ids, pairs, new_ids, {})
        assert (product.involved, sorted(product.profiles)) == (involved, sorted(profiles)), "gather differs"
        settled, settled_replaced = settle(product, opt)
        assert [(s.id, s.articles, s.roles) for s in settled] == [(s.id, s.articles, s.roles) for s in built] \
            and settled_replaced == replaced, "the replayed settle differs from the product's"
    out["phases"] = phase.seconds
    out["replay_s"] = round(sum(phase.seconds.values()), 2)
    return out


def _story_counts(store: Any) -> tuple[int, int]:
    from sqlalchemy import func, select

    from unspun.store import schema

    with store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(schema.stories)).scalar_one(),
                conn.execute(select(func.count()).select_from(schema.story_members)).scalar_one())


def _snapshot(store: Any, story_ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from sqlalchemy import select

    from unspun.store import schema

    s, m = schema.stories, schema.story_members
    with store.engine.connect() as conn:
        return ([dict(r) for r in conn.execute(select(s).where(s.c.id.in_(story_ids))).mappings()],
                [dict(r) for r in conn.execute(select(m).where(m.c.story_id.in_(story_ids))).mappings()])


def _restore(store: Any, built: list[str], replaced: list[str], saved: tuple[list[dict], list[dict]]) -> None:
    """Undo replace_stories: drop the stories it wrote and put back those it replaced."""
    from sqlalchemy import delete, insert

    from unspun.store import schema

    s, m = schema.stories, schema.story_members
    gone = sorted(set(built) | set(replaced))
    with store.engine.begin() as conn:
        for lo in range(0, len(gone), 500):
            conn.execute(delete(s).where(s.c.id.in_(gone[lo : lo + 500])))
            conn.execute(delete(m).where(m.c.story_id.in_(gone[lo : lo + 500])))
        if saved[0]:
            conn.execute(insert(s), saved[0])
            conn.execute(insert(m), saved[1])


def update(path: Path) -> dict[str, Any]:
    """The real update_stories call: wall time, peak RSS, and where the 1,000 new articles ended up."""
    from unspun.store import open_store
    from unspun.stories.update import update_stories

    out: dict[str, Any] = {"load_average": round(os.getloadavg()[0], 2)}
    with open_store(f"sqlite:///{path}") as store:
        baseline = reset_peak()
        read = disk_reads_mb()
        started = time.perf_counter()
        summary = update_stories(store, embed=refuse_embedding)
        out["update_s"] = round(time.perf_counter() - started, 2)
        out["disk_read_mb"] = disk_reads_mb() - read
        out["peak_mb"] = peak_above(baseline)
        out["peak_rss_mb"] = round(_status("VmHWM:") / 2**20)
        out.update(embedded=summary.embedded, matched=summary.matched, stories_written=summary.stories_written)
        out.update(score(store, json.loads(plan_path(path).read_text(encoding="utf-8"))))
        started = time.perf_counter()
        again = update_stories(store, embed=refuse_embedding)
        out["nothing_new_s"] = round(time.perf_counter() - started, 2)
        assert again.matched == 0, "a second update found articles without a story"
    return out


def score(store: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """How many rewrites joined their source's story (and nothing else), and how many new articles merged."""
    from sqlalchemy import select

    from unspun.store import schema

    m = schema.story_members
    new_ids = [*plan["rewrites"], *plan["fresh"]]
    with store.engine.connect() as conn:
        story_of = dict(conn.execute(select(m.c.article_id, m.c.story_id).where(m.c.article_id.in_(new_ids))).all())
        members: dict[str, set[str]] = {}
        for story, article in conn.execute(select(m.c.story_id, m.c.article_id).where(
                m.c.story_id.in_(sorted(set(story_of.values()))))):
            members.setdefault(story, set()).add(article)
    rewrites = plan["rewrites"]
    joined = sum(set(family) <= members.get(story_of.get(a, ""), set()) for a, family in rewrites.items())
    # a rewrite's story may hold its source's story and other rewrites of that story, nothing else
    family_of = {a: frozenset(family) for a, family in rewrites.items()}
    siblings: dict[frozenset[str], set[str]] = {}
    for a, family in family_of.items():
        siblings.setdefault(family, set()).add(a)
    strays = sum(bool(members.get(story_of.get(a, ""), set()) - family - siblings[family])
                 for a, family in family_of.items())
    merged = sum(len(members.get(story_of.get(a, ""), set())) > 1 for a in plan["fresh"])
    return {"rewrites_joined": int(joined), "rewrites_with_strangers": int(strays), "fresh_merged": int(merged),
            "unplaced": len(new_ids) - len(story_of)}


# ------------------------------------------------------------------------------------------ parent


PER_ARTICLE = ("load touched stories", "load profiles", "pair probabilities", "average linkage", "roles", "write")  # depend on the 1,000 new articles only


def extrapolate(row: dict[str, Any], size: int) -> dict[str, Any]:
    """A labelled linear guess: store-wide steps scale with the store, per-new-article steps stay."""
    scale = size / row["articles"]
    phases = {k: round(v * (1 if k in PER_ARTICLE else scale), 2) for k, v in row["phases"].items()}
    return {"articles": size, "extrapolated_from": row["articles"], "phases": phases,
            "replay_s": round(sum(phases.values()), 1), "update_s": round(sum(phases.values()), 1),
            "peak_mb": round(row["peak_mb"] * scale), "store_mb": round(row["store_mb"] * scale),
            "build_s": round(row["build_s"] * scale)}


def measure(size: int, folder: Path, timeout: float) -> dict[str, Any] | None:
    path = folder / f"story-update-{size}.db"
    script = Path(__file__)
    try:
        built = run_child("build", size, timeout, script, (str(path),))
        if built is None:
            return None
        replayed = run_child("replay", size, timeout, script, (str(path),))
        real = run_child("update", size, timeout, script, (str(path),))
        if replayed is None or real is None:
            return None
    finally:
        for leftover in (path, plan_path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    return {"articles": size, **built, "replay_peak_mb": replayed["peak_mb"],
            **{k: replayed[k] for k in ("phases", "replay_s", "candidate_pairs", "involved_articles",
                                        "window_articles", "profiles", "pairs", "stories_built",
                                        "versions_in_built")},
            "replay_load_average": replayed["load_average"], "replay_disk_read_mb": replayed["disk_read_mb"],
            **real,
            "child_s": round(built["child_s"] + replayed["child_s"] + real["child_s"], 1)}


def write_results(rows: list[dict[str, Any]], wall: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    memory = _status_of("/proc/meminfo", "MemTotal:") / 2**30
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {memory:.0f} GB of memory, Python {platform.python_version()}"
    data = {"machine": machine, "bench_seconds": round(wall), "added": ADDED, "rewrites": REWRITES,
            "scenario": os.environ.get("STORY_UPDATE_SCENARIO", SCENARIO), "rows": rows}
    (RESULTS / "story_update_speed.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    names = list(rows[0]["phases"])
    lines = [
        ("| articles stored | store (MB) | update_stories, 1,000 new (s) | peak memory (MB) "
         "| read from disk (MB) | update_stories, nothing new (s) | articles in the date window "
         "| candidate pairs (LSH / vectors / names+numbers) | articles loaded (with a profile) "
         "| pairs reaching the bar (scored) | rewrites joined | rewrites with strangers | new stories merged |"),
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "extrapolated_from" in r:
            lines.append(f"| {r['articles']:,} (NOT MEASURED: linear extrapolation from "
                         f"{r['extrapolated_from']:,}) | ~{r['store_mb']:,} | ~{r['update_s']:,.0f} "
                         f"| ~{r['peak_mb']:,} | – | – | – | – | – | – | – | – | – |")
            continue
        c, pairs = r["candidate_pairs"], r["pairs"]
        lines.append(f"| {r['articles']:,} | {r['store_mb']:,} | {fmt(r['update_s'])} | {r['peak_mb']:,.0f} "
                     f"| {r['disk_read_mb']:,} | {fmt(r['nothing_new_s'])} | {r['window_articles']:,} "
                     f"| {c['lsh']:,} / {c['vectors']:,} / {c['names_numbers']:,} "
                     f"| {r['involved_articles']:,} ({r['profiles']:,}) | {pairs['at_bar']:,} ({pairs['scored']:,}) "
                     f"| {r['rewrites_joined']} of {REWRITES} | {r['rewrites_with_strangers']} "
                     f"| {r['fresh_merged']} of {ADDED - REWRITES} |")
    lines += ["", ("| articles stored | " + " | ".join(f"{n} (s)" for n in names)
                   + " | sum (s) | read from disk (MB) |"),
              "|---:|" + "---:|" * (len(names) + 2)]
    for r in rows:
        label = f"{r['articles']:,}" + (" (extrapolated)" if "extrapolated_from" in r else "")
        lines.append(f"| {label} | " + " | ".join(fmt(r["phases"][n]) for n in names)
                     + f" | {fmt(r['replay_s'])} | {fmt(r.get('replay_disk_read_mb'))} |")
    measured = [r for r in rows if "extrapolated_from" not in r]
    scenario = os.environ.get("STORY_UPDATE_SCENARIO", SCENARIO)
    when = ("Scenario `daily`: the new articles are this week's news (the 200 rewrite stories from the store's "
            "last week, the 800 new stories from its last 3 days), so the update reads only their date window "
            "(stored articles within 4 days of a new one, undated ones, copies). " if scenario == "daily" else
            "Scenario `spread`: the new articles' dates are spread over the store's two years (a backfill), so "
            "the date window is the whole store. ")
    speed = _encoder_speed()
    embedding = (f"~{speed:.0f} sentences/s for the story encoder on one process, bench/embedding_speed.py"
                 if speed else "bench/embedding_speed.py")
    lines += ["", when + (
        "Adding 1,000 articles (200 rewrites of stored articles, 800 new stories) with "
        "`update_stories(store, embed=...)` to a SQLite store where every article already has its features, "
        "story and (English ones) analysis. Not measured: embedding the new articles' sentences "
        f"({embedding}) and their MinHash signatures: the new articles' features are stored "
        "beforehand and `embed` raises if called. Measured: everything else. The first table times the real "
        "call in a fresh process (then a second call, with nothing new); the second table comes from another "
        "fresh process, run before it, that makes the same calls one by one (the write undone afterwards, the "
        "stories checked against the product's own gather and settle). 'load touched stories' reads the "
        "features and texts of the new articles, their candidate partners and the partners' stories, and "
        "recomputes each text's sentences, calendar days and facts; 'roles' is build_story (lineage "
        "classifier over each story's pairs, role model, origin, evidence). "
        "Peak memory is the peak RSS of the update process above its RSS once the store was opened. 'Read from "
        "disk' is what the process read from storage rather than the OS page cache (/proc/self/io): the store "
        "was written just before, so a store that fits in free memory is read from the cache; the replay runs "
        "first after the build, so where the store is larger than what the page cache kept, its reads come "
        "from disk and the update's after it from the cache. Sentence "
        "vectors are random, so unrelated articles have cosine ~0 (the same-story model's training pairs, "
        "real encoder vectors, average an article cosine of 0.57): the article-vector signal finds the planted "
        "families and almost nothing else, and the model scores little beyond them; real news of one topic "
        "would add candidate pairs to score. Stories are built by average linkage: a rewrite joins its "
        "source's story when its mean same-story probability over all of that story's versions reaches the bar "
        "(versions more than max_days_apart away count 0), so a rewrite of a late version of a large planted "
        "family (up to 6 days after its first version) can stay apart. 'Pairs reaching the bar': candidate pairs "
        "whose same-story "
        "probability reaches the model's threshold, of those scored. 'Rewrites with strangers': rewrites whose "
        "story also holds articles that are neither their source's story nor other rewrites of it. "
        f"Machine: {machine}; whole bench {wall / 60:.1f} min; 1-minute load average at the "
        "start of the replay / update processes: "
        + ", ".join(f"{r['articles']:,}: {r['replay_load_average']} / {r['load_average']}" for r in measured)
        + "."
    )]
    (RESULTS / "story_update_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _status_of(path: str, field: str) -> int:
    """A /proc field in kB, as bytes."""
    with open(path, encoding="ascii") as handle:
        return next((int(line.split()[1]) * 1024 for line in handle if line.startswith(field)), 0)


def _encoder_speed() -> float | None:
    """Sentences/s of the story encoder on one process, from bench/embedding_speed.py's last results."""
    try:
        runs = json.loads((RESULTS / "embedding_speed.json").read_text(encoding="utf-8"))["runs"]
    except (OSError, ValueError, KeyError):
        return None
    return next((float(r["sentences_per_s"]) for r in runs if r.get("encoder") == "multilingual"), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--budget", type=float, default=2400, help="seconds for the whole run")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")),
                        help="where the stores are written (about 24 KB per article) and removed")
    parser.add_argument("--scenario", choices=("daily", "spread"), default=SCENARIO,
                        help="daily: the new articles are this week's (rewrites of stories from the store's last "
                             "week, new stories from its last 3 days); spread: their dates are spread over the "
                             "store's two years (a backfill)")
    parser.add_argument("--render", action="store_true", help="rewrite the .md from the saved .json")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        saved = json.loads((RESULTS / "story_update_speed.json").read_text(encoding="utf-8"))
        os.environ["STORY_UPDATE_SCENARIO"] = saved["scenario"]
        write_results(saved["rows"], saved["bench_seconds"])
        return
    if args.child:
        step, size = args.child[0], int(args.child[1])
        result = build(size, args.path) if step == "build" else replay(args.path) if step == "replay" \
            else update(args.path)
        print(json.dumps(result))
        return
    os.environ["STORY_UPDATE_SCENARIO"] = args.scenario  # the build, replay and update children read it
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        left = args.budget - (time.perf_counter() - started)
        if rows:
            last = next(r for r in reversed(rows) if "extrapolated_from" not in r)
            guess = extrapolate(last, size)
            projected = last["child_s"] * size / last["articles"]
            if projected > left or guess["update_s"] > LIMIT_S or guess["peak_mb"] > LIMIT_MB:
                print(f"  {size:,}: projected {projected:.0f} s for the whole size ({left:.0f} s left), "
                      f"{guess['update_s']:.0f} s and {guess['peak_mb']:,} MB for the update; extrapolating",
                      file=sys.stderr)
                rows.append(guess)
                continue
        row = measure(size, args.dir, timeout=min(max(left, 60), 3600))
        if row is None:
            raise SystemExit(f"{size:,} articles did not finish in time")
        rows.append(row)
    write_results(rows, time.perf_counter() - started)
    print((RESULTS / "story_update_speed.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
