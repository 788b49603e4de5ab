"""Benchmark adding 1,000 articles to a store that already holds N articles and their stories.

    .venv/bin/python bench/story_update_speed.py [--sizes 10000,100000,1000000] [--budget 2400] [--dir /tmp]

The product path is measured, not a model of it: ``update_stories(store, embed=...)`` on a SQLite store
(``open_store("sqlite:///...")``). Embedding is left out on purpose: the encoder runs at ~160 sentences/s
per new article whatever the store size (bench/embedding_speed.py), so the 1,000 new articles are stored
with their features already computed and ``embed`` raises if it is ever called. What is measured is the
rest: the scan for articles without features, the check for articles without a story, loading the stored
index (one pass over story_features), building the candidate index (MinHash LSH, article vectors, name/number
postings), candidate search for the new articles, loading the touched stories' features, verification by
sentence alignment, lineage (roles, origin) and writing the touched stories. A second call, with nothing
new, is timed too.

The store is written in bulk with SQLAlchemy Core, as if ``update_stories`` had already run: for each
article an ``articles`` row (50 words of text), a ``story_features`` row of the current features version and
a story. Articles come in units: ~90% singletons and ~10% in planted families of 2-10 versions (a base and
rewrites). A unit has 250-350 words drawn from a Zipf-like vocabulary (bench/minhash_speed.py's sampler;
MinHash signatures over their 3-word shingles with the product's hasher), 10-20 random unit sentence vectors
of 384 dimensions, 5-15 names and 2-8 numbers (Zipf-distributed keys) and a date within two years; 5% of
singletons are in another language. A rewrite substitutes 10-30% of its source's words in short runs, keeps
each sentence with probability 0.85 (perturbed: cosine ~0.91 with the source's, ~0.83 between two rewrites)
and adds up to two new ones, keeps ~85% of the names and numbers and appears within 3 days. Of the 1,000
new articles, 200 are rewrites of stored English articles (they should join that article's story) and 800
are new singletons (they should stay alone).

Each size runs three fresh subprocesses: ``build`` writes the store; ``replay`` times the steps of
``update_stories`` one by one (the same calls, in the same order as ``update_stories`` and
``place_articles``, including the write, which it then undoes); ``update`` times the real
``update_stories`` call end to end, its peak RSS, and scores the result. Sizes beyond the first run only if
the previous size, scaled linearly, fits the budget, 10 minutes and 12 GB; otherwise the row is a labelled
linear extrapolation. Writes bench/results/story_update_speed.json and .md.
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

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DIM = 384
ADDED, REWRITES = 1000, 200
BLOCK = 10_000  # stored articles generated and written per transaction
FAMILY_UNITS = 0.0182  # share of units that are families: with 6 versions on average, ~10% of the articles
FOREIGN = ("de", "fr", "ru", "uk", "es")
FOREIGN_SHARE = 0.05
KEEP = 0.85  # a rewrite keeps each sentence, name and number of its source with this probability
NOISE = np.float32(0.45 / np.sqrt(DIM))  # per-dimension noise: a perturbed sentence keeps cosine ~0.91
NAMES, NUMBERS = 50_000, 20_000  # Zipf vocabularies of name keys and numbers
DAYS = 730
FIRST_DAY = date(2024, 1, 1)
SITES = [f"site{n}.example" for n in range(500)]
TEXT_WORDS = 50
LIMIT_S, LIMIT_MB = 600, 12_000  # a larger size runs only if its projection fits these
RECENT = 7  # daily scenario: the rewritten stories are from the store's last week, new stories from its last days
SCENARIO = os.environ.get("STORY_UPDATE_SCENARIO", "daily")  # set by --scenario for the child processes


# ------------------------------------------------------------------------------------------ articles


@dataclass
class Draft:
    """One synthetic article as story matching sees it."""

    id: str
    words: np.ndarray
    sentences: np.ndarray  # (n, DIM) float32 unit rows
    names: frozenset[str]
    numbers: frozenset[str]
    day: int
    language: str
    site: str


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

    def fresh(self, article_id: str, english: bool = True) -> Draft:
        rng = self.rng
        language = "en" if english or rng.random() >= FOREIGN_SHARE else str(rng.choice(FOREIGN))
        return Draft(article_id, self.words(int(rng.integers(250, 351))), self.unit_vectors(int(rng.integers(10, 21))),
                     frozenset(f"k{n}" for n in self.names(int(rng.integers(5, 16))).tolist()),
                     frozenset(str(10 + n) for n in self.numbers(int(rng.integers(2, 9))).tolist()),
                     int(rng.integers(0, DAYS)), language, SITES[int(rng.integers(len(SITES)))])

    def rewrite(self, source: Draft, article_id: str) -> Draft:
        rng = self.rng
        kept = source.sentences[rng.random(len(source.sentences)) < KEEP]
        kept = kept + rng.standard_normal(kept.shape, dtype=np.float32) * NOISE
        extra = int(rng.integers(0, 3))
        sentences = np.insert(kept, rng.integers(0, len(kept) + 1, extra), self.unit_vectors(extra), axis=0)
        sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
        names = {n for n in source.names if rng.random() < KEEP} | {f"k{n}" for n in self.names(2).tolist()}
        numbers = {n for n in source.numbers if rng.random() < KEEP} | {str(10 + n) for n in self.numbers(1).tolist()}
        return Draft(article_id, _rewrite(rng, source.words, self.words), sentences, frozenset(names),
                     frozenset(numbers), source.day + int(rng.integers(0, 4)), source.language,
                     SITES[int(rng.integers(len(SITES)))])


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


def write_drafts(store: Any, drafts: list[Draft], stories: list[list[Draft]] | None) -> None:
    """Articles, their story features and (unless ``stories`` is None) their stories, in one transaction."""
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
    articles, features = [], []
    for d, signature, mean in zip(drafts, signatures, means, strict=True):
        text = " ".join(f"w{w}" for w in d.words[:TEXT_WORDS].tolist())
        published = (FIRST_DAY + timedelta(days=d.day)).isoformat()
        articles.append({"id": d.id, "url": f"https://{d.site}/{d.id}", "site": d.site, "title": f"Story {d.id}",
                         "author": None, "published": published, "language": d.language, "text": text,
                         "content_hash": hashlib.sha256(f"{d.id}\n{text}".encode()).hexdigest(), "source": None,
                         "captured": None, "ingested_at": now})
        features.append({"article_id": d.id, "version": version, "language": d.language, "published": published,
                         "words": int(d.words.size), "fingerprint": hashlib.sha1(d.id.encode()).hexdigest(),
                         "names": " ".join(sorted(d.names)), "numbers": " ".join(sorted(d.numbers)),
                         "attributed": json.dumps({"credited": [], "carried": []}),
                         "sentence_numbers": json.dumps([]),
                         "signature": signature.tobytes(), "vector": mean.astype(np.float16).tobytes(),
                         "sentences": d.sentences.astype(np.float16).tobytes()})
    story_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    for unit in stories or []:
        base = unit[0].id
        story_rows.append({"id": f"story:{base}", "size": len(unit), "origin": base if len(unit) > 1 else None,
                           "origin_confidence": 0.5 if len(unit) > 1 else 0.0, "attributed_source": None,
                           "evidence": "{}", "updated_at": now})
        member_rows.extend({"article_id": d.id, "story_id": f"story:{base}",
                            "role": "independent" if len(unit) == 1 else "origin" if d.id == base else "derived",
                            "derived_from": base if d.id != base else None, "note": None} for d in unit)
    with store.engine.begin() as conn:
        conn.execute(insert(schema.articles), articles)
        conn.execute(insert(schema.story_features), features)
        if story_rows:
            conn.execute(insert(schema.stories), story_rows)
            conn.execute(insert(schema.story_members), member_rows)


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
            write_drafts(store, [d for unit in units for d in unit], units)
        new = [gen.rewrite(captured[t][0], article_id(size + k)) for k, t in enumerate(sorted(targets))]
        new += [gen.fresh(article_id(size + k), english=False) for k in range(REWRITES, ADDED)]
        if SCENARIO == "daily":
            for draft in new[REWRITES:]:
                draft.day = DAYS - 1 - int(gen.rng.integers(0, 3))  # today's news
        write_drafts(store, new, None)
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
    """The steps of update_stories and place_articles, timed one by one; the write is undone afterwards."""
    from unspun.store import open_store
    from unspun.store import stories as story_store
    from unspun.stories.candidates import CandidateIndex
    from unspun.stories.update import date_window, features_version, gather, settle

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
            index.add(ids, stored.vectors.astype(np.float32), stored.signatures, stored.keys,
                      stored.languages)
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
        with phase("load touched stories"):
            neighbourhood = gather(store, stored, ids, pairs, new_ids, {})
        out["involved_articles"] = len(neighbourhood.involved)
        with phase("verify and lineage"):
            built, replaced = settle(neighbourhood, opt)
        saved = _snapshot(store, replaced)
        with phase("write"):
            story_store.replace_stories(store, built, replaced)
        out["peak_mb"] = peak_above(baseline)
        out["disk_read_mb"] = disk_reads_mb() - read
        _restore(store, [s.id for s in built], replaced, saved)
        assert _story_counts(store) == before, "undoing the replayed write left the story tables changed"
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


PER_ARTICLE = ("load touched stories", "verify and lineage", "write")  # depend on the 1,000 new articles only


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
                                        "window_articles")},
            "replay_load_average": replayed["load_average"], "replay_disk_read_mb": replayed["disk_read_mb"],
            **real,
            "child_s": round(built["child_s"] + replayed["child_s"] + real["child_s"], 1)}


def write_results(rows: list[dict[str, Any]], wall: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    data = {"machine": machine, "bench_seconds": round(wall), "added": ADDED, "rewrites": REWRITES,
            "scenario": os.environ.get("STORY_UPDATE_SCENARIO", SCENARIO), "rows": rows}
    (RESULTS / "story_update_speed.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    names = list(rows[0]["phases"])
    lines = [
        ("| articles stored | store (MB) | update_stories, 1,000 new (s) | peak memory (MB) "
         "| read from disk (MB) | update_stories, nothing new (s) | articles in the date window "
         "| candidate pairs (LSH / vectors / names+numbers) | articles loaded | rewrites joined "
         "| rewrites with strangers | new stories merged |"),
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "extrapolated_from" in r:
            lines.append(f"| {r['articles']:,} (NOT MEASURED: linear extrapolation from "
                         f"{r['extrapolated_from']:,}) | ~{r['store_mb']:,} | ~{r['update_s']:,.0f} "
                         f"| ~{r['peak_mb']:,} | – | – | – | – | – | – | – | – |")
            continue
        c = r["candidate_pairs"]
        lines.append(f"| {r['articles']:,} | {r['store_mb']:,} | {fmt(r['update_s'])} | {r['peak_mb']:,.0f} "
                     f"| {r['disk_read_mb']:,} | {fmt(r['nothing_new_s'])} | {r['window_articles']:,} "
                     f"| {c['lsh']:,} / {c['vectors']:,} / {c['names_numbers']:,} | {r['involved_articles']:,} "
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
    lines += ["", when + (
        "Adding 1,000 articles (200 rewrites of stored articles, 800 new stories) with "
        "`update_stories(store, embed=...)` to a SQLite store where every article already has its features "
        "and story. Not measured: embedding the new articles' sentences (~160 sentences/s on these CPUs, "
        "bench/embedding_speed.py) and their MinHash signatures: the new articles' features are stored "
        "beforehand and `embed` raises if called. Measured: everything else. The first table times the real "
        "call in a fresh process (then a second call, with nothing new); the second table comes from another "
        "fresh process, run before it, that makes the same calls one by one (the write undone afterwards). "
        "Peak memory is the peak RSS of the update process above its RSS once the store was opened. 'Read from "
        "disk' is what the process read from storage rather than the OS page cache (/proc/self/io): the store "
        "was written just before, so a store that fits in free memory is read from the cache. Sentence "
        "vectors are random (unrelated articles have cosine ~0), so the article-vector signal finds the planted "
        "families and almost nothing else; real news vectors of one topic are closer, which would add "
        "candidate pairs to verify. 'Rewrites with strangers': rewrites whose story also holds articles that "
        "are neither their source's story nor other rewrites of it. "
        f"Machine: {machine}, 23 GB of memory; whole bench {wall / 60:.1f} min; 1-minute load average at the "
        "start of the replay / update processes: "
        + ", ".join(f"{r['articles']:,}: {r['replay_load_average']} / {r['load_average']}" for r in measured)
        + " (the 2 CPUs were shared with other work)."
    )]
    (RESULTS / "story_update_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--budget", type=float, default=2400, help="seconds for the whole run")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")),
                        help="where the stores are written (about 13 KB per article) and removed")
    parser.add_argument("--scenario", choices=("daily", "spread"), default=SCENARIO,
                        help="daily: the new articles are this week's (rewrites of stories from the store's last "
                             "week, new stories from its last 3 days); spread: their dates are spread over the "
                             "store's two years (a backfill)")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
