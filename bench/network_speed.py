"""Benchmark site profiles and the coordination graph (`unspun sites`, `unspun network`) on a synthetic store of
1,000,000 articles from 10,000 sites, against the bipartite projection that coordination toolkits use, and
what a user pays again once 1,000 new articles arrive.

    .venv/bin/python bench/network_speed.py [--sizes 100000,1000000] [--quick] [--dir DIR | --db PATH]
                                            [--rebuild] [--baseline-limit 900] [--baseline-mb 8000] [--render]

Measured, each in a fresh subprocess so that its peak RSS is its own (the kernel's ru_maxrss of that process):

1. ``unspun.run.sites.sites_report(store)`` on the whole store, as `unspun sites` and `unspun network` call it:
   wall time, peak RSS, the graph's edges and communities, and how well they recover the planted groups
   (precision and recall of the planted site pairs, among the edges and among the pairs of sites put in one
   community). Then, in another process, where its time goes: the real call again, with every function it
   calls from unspun.store.sites and unspun.sites (and what those call in turn, except per-pair and per-row
   helpers) wrapped in a timer that records its time by call path, its calls and the peak RSS after it; so the
   phases follow the code as it stands (story_versions, the graph, communities, site_counts, template_samples,
   fingerprints, derivations, site_narratives, ...). Before that call, ``update_stories`` with nothing new
   (what the CLI runs first; ``embed`` raises if it is ever called). The digest of the measured code is
   recorded, and a row is flagged if it changed while the row ran.
2. The CLI end to end: ``unspun network --db ... --format json --out FILE`` and ``unspun sites --db ...
   --format csv``. Both first bring the stories up to date, which finds nothing new here (every article has
   features of the current version and a story): that check is part of their time.
3. The baseline, in the same run: CooRnet / CooRTweet build the graph by projecting the bipartite graph of
   accounts and URLs on the accounts. Here: the same versions (the same query), each story's derived versions
   not on its origin's site, cut per story into bins of window + 1 days from its first derived version (as
   CooRnet cuts a URL's shares by the coordination interval; the window is the one the product estimated), a
   (story, bin) with two or more sites is a node, and ``networkx.algorithms.bipartite.weighted_projected_graph``
   projects it on the sites; edges with weight >= 2 are compared with the product's, and the planted pairs
   are also scored at CooRnet's default cut (edges above the 90th percentile of weights). The run is stopped
   after --baseline-limit seconds or above --baseline-mb of RSS, recording how far the projection got (sites
   projected so far); it is then run on 10% and 5% of the stories (else 2% and 1%) and the full cost is
   extrapolated from those two: the load (which reads every version whatever the share) as measured, the graph
   work as t * (1/f)^k with k fitted on the two, likewise the memory above the interpreter's; labelled as an
   extrapolation, never measured.
4. 1,000 new articles arrive: 100 new stories from origin sites, each with derived versions from six sites of a
   planted group (0-1 day later) and three busy sites (0-2 days), written like the rest (with their analyses,
   features and stories, the full-text trigger firing), then sites_report is timed again in a fresh process.
   They are removed before the next run when a store is reused.

The store: SQLite, created by ``open_store`` (the product's schema and migrations), then filled by plain
sqlite3 ``executemany`` in transactions of 100,000 articles with the full-text trigger dropped; the trigger is
recreated afterwards as bench/web_speed.py does, but the FTS 'rebuild' is skipped, so the stored articles are
not searchable (nothing measured here searches). Every article has a story, singletons included (a story of
size 1, role independent, as `unspun stories` stores them), and a minimal ``story_features`` row of the current
features version (empty vectors, no signature) so that the stories update finds nothing to do; nothing here
reads those vectors.

The world (seeded numpy): N articles from N/100 sites with Zipf-like volumes (rank^-0.85). Sites are of four
kinds: 10% origin sites (ministries, with 0.3% of all sites wires among the biggest) whose statements start
stories (80% of their articles; 10% are versions of others' stories); 3% busy independent outlets among the
biggest, who cover popular stories on their own schedule (75% of their articles, 0-5 days after the origin; 80%
of those versions derived, 20% independent reporting) and start some (25%); 20 planted groups of 10 farm sites each (mid-to-high volume), each group drawing a pool of
popular stories and every member publishing derived versions of ~60% of the pool 0-1 day after the origin
(90% of a farm's articles), with a group footer template ("Subscribe to {site name} for news they will not
tell you."); the rest ordinary sites that start stories (35%) and cover popular ones (55%, 0-5 days later).
Story popularity is lognormal times the starting site's prominence (origin sites x3), so busy and ordinary
sites meet by chance on the big stories. What a site does not start or cover is a singleton. Articles have
three lines (a headline, a body line of random words, a footer on farm and busy sites), an analysis for 80%,
narrative labels for some (farms mostly their group's favourite), a rewrite artefact for 25% of farm
articles and 1% of others. At 100,000 articles the planted groups stay 20 x 10 sites (a fifth of the sites).
Writes bench/results/network_speed.json and .md.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import inspect
import json
import math
import os
import pkgutil
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SEED = 2026
ARTICLES_PER_SITE = 100
SITE_EXPONENT = 0.85  # site volumes ~ rank^-0.85
DAYS = 730
FIRST_DAY = date(2024, 1, 1)
TAIL, BUSY, FARM, ORIGIN = 0, 1, 2, 3
KINDS = ("ordinary", "busy", "farm", "origin")
START_SHARE = np.array([0.35, 0.25, 0.0, 0.80])  # share of a kind's articles that start a story
COVER_SHARE = np.array([0.55, 0.75, 0.90, 0.10])  # share that are versions of another site's story
BUSY_INDEPENDENT = 0.2  # busy outlets' versions that are independent reporting, not derived
GROUPS, GROUP_SIZE = 20, 10
FARM_COVERAGE = 0.6  # share of its group's story pool a farm publishes
FARM_LAG, OTHER_LAG = 1, 5  # days after the origin: farms 0-1, everyone else 0-5
POPULARITY_SIGMA, PROMINENCE_SIGMA = 0.8, 0.5
ANALYSED = 0.8
NARRATIVE_SHARE = np.array([0.3, 0.3, 0.8, 0.2])
ARTEFACT_SHARE = np.array([0.01, 0.01, 0.25, 0.01])
LABELS = ("Other", "West provokes conflict", "Sanctions backfire", "Elections are rigged", "Ukraine is a failed state",
          "NATO expansion threatens peace", "Energy crisis is Europe's fault", "Migrants threaten security",
          "Media hide the truth")
CHUNK = 100_000  # articles written per transaction
ADDED, ADDED_STORIES = 1000, 100  # new articles: 100 stories of an origin, 6 farm and 3 busy versions
PIPELINE = "bench"
PRODUCT_CODE = ("src/unspun/run/sites.py", "src/unspun/sites", "src/unspun/store/sites.py", "src/unspun/cli/sites.py",
                "src/unspun/render/network.py")  # what the measured commands run (their digest is recorded)
PERCENTILE_EDGE_WEIGHT = 0.90  # CooRnet's default cut for the "highly coordinated" network
OPENERS = ("Subscribe to {name} for", "Follow {name} on Telegram for", "Read {name} every day for",
           "Support {name} to get", "Share {name} with your friends for")
CLOSERS = ("news they will not tell you.", "the truth the mainstream hides.",
           "facts the West does not want you to know.", "real news without censorship.")
BUSY_FOOTER = "(c) {name}. All rights reserved. Reproduction without permission is prohibited."


# ------------------------------------------------------------------------------------------------ the world


@dataclass
class World:
    """Sites and articles, articles in id order (by day). story: story number, -1 for a singleton."""

    domains: list[str]
    names: list[str]
    kind: np.ndarray  # per site
    group: np.ndarray  # per site: planted group, -1 for none
    volume: np.ndarray  # per site: articles
    site: np.ndarray  # per article
    day: np.ndarray
    story: np.ndarray
    role: np.ndarray  # 0 origin, 1 derived, 2 independent
    stories: int  # stories of two or more articles

    def groups(self) -> list[list[str]]:
        return [[self.domains[s] for s in np.flatnonzero(self.group == g)] for g in range(GROUPS)]


ROLES = ("origin", "derived", "independent")


def vocabulary(count: int = 4000) -> list[str]:
    """Pronounceable made-up words, the same every run."""
    rng = np.random.default_rng(7)
    onsets, vowels = list("bdfgklmnprstvz") + ["br", "kr", "st", "tr", "sh"], list("aeiou") + ["ai", "ou"]
    words: set[str] = set()
    while len(words) < count:
        syllables = int(rng.integers(2, 4))
        words.add("".join(str(rng.choice(onsets)) + str(rng.choice(vowels)) for _ in range(syllables)))
    return sorted(words)


WORDS = vocabulary()


def make_world(total: int, seed: int = SEED) -> World:
    """The sites, their kinds and volumes, and every article's site, day, story and role (module docstring)."""
    rng = np.random.default_rng(seed + total)
    sites = total // ARTICLES_PER_SITE
    ranks = np.arange(1, sites + 1, dtype=np.float64) ** -SITE_EXPONENT
    volume = np.maximum(1, np.floor(ranks / ranks.sum() * total)).astype(np.int64)
    volume[0] += total - volume.sum()
    kind = np.full(sites, TAIL, np.int8)
    busy = sites * 3 // 100
    kind[rng.choice(2 * busy, busy, replace=False)] = BUSY
    free = np.flatnonzero(kind == TAIL)
    wires = rng.choice(free[free < sites * 3 // 100], max(1, sites * 3 // 1000), replace=False)
    kind[wires] = ORIGIN
    free = np.flatnonzero(kind == TAIL)
    band = free[free >= sites // 200][: 5 * GROUPS * GROUP_SIZE]  # mid-to-high volume: farms publish a lot
    farms = rng.choice(band, GROUPS * GROUP_SIZE, replace=False)
    kind[farms] = FARM
    group = np.full(sites, -1, np.int16)
    group[farms] = np.repeat(np.arange(GROUPS), GROUP_SIZE)
    free = np.flatnonzero(kind == TAIL)
    kind[rng.choice(free, sites // 10 - len(wires), replace=False)] = ORIGIN

    starts = np.round(START_SHARE[kind] * volume).astype(np.int64)
    covers = np.round(COVER_SHARE[kind] * volume).astype(np.int64)
    story_site = np.repeat(np.arange(sites), starts)
    story_day = rng.integers(0, DAYS - OTHER_LAG, story_site.size)
    prominence = rng.lognormal(0, PROMINENCE_SIGMA, sites) * np.where(kind == ORIGIN, 3.0, 1.0)
    cdf = np.cumsum(rng.lognormal(0, POPULARITY_SIGMA, story_site.size) * prominence[story_site])
    cdf /= cdf[-1]

    def popular(k: int) -> np.ndarray:
        """k distinct stories (a few fewer on a collision), drawn by popularity."""
        drawn = np.unique(np.searchsorted(cdf, rng.random(k + k // 5 + 5)))
        rng.shuffle(drawn)
        return drawn[:k]

    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # (site, story, lag, role)
    for s in np.flatnonzero((covers > 0) & (kind != FARM)).tolist():
        picked = popular(int(covers[s]))
        picked = picked[story_site[picked] != s]
        independent = (rng.random(picked.size) < BUSY_INDEPENDENT) if kind[s] == BUSY else np.zeros(picked.size, bool)
        parts.append((np.full(picked.size, s), picked, rng.integers(0, OTHER_LAG + 1, picked.size),
                      np.where(independent, 2, 1)))
    for g in range(GROUPS):
        members = np.flatnonzero(group == g)
        pool = popular(int(np.median(covers[members]) / FARM_COVERAGE) + 1)
        for s in members.tolist():
            k = min(int(covers[s]), pool.size)
            picked = rng.choice(pool, k, replace=False)
            if covers[s] > k:
                picked = np.union1d(picked, popular(int(covers[s]) - k))
            parts.append((np.full(picked.size, s), picked, rng.integers(0, FARM_LAG + 1, picked.size),
                          np.ones(picked.size, np.int64)))
    v_site, v_story, v_lag, v_role = (np.concatenate([p[k] for p in parts]) for k in range(4))
    storied = np.bincount(v_story, minlength=story_site.size) >= 1
    renumber = np.full(story_site.size, -1, np.int64)
    renumber[storied] = np.arange(int(storied.sum()))
    singles = volume - np.bincount(story_site, minlength=sites) - np.bincount(v_site, minlength=sites)
    assert (singles >= 0).all()
    lone = np.repeat(np.arange(sites), singles)
    site = np.concatenate([story_site, v_site, lone])
    day = np.concatenate([story_day, story_day[v_story] + v_lag, rng.integers(0, DAYS, lone.size)])
    story = np.concatenate([renumber, renumber[v_story], np.full(lone.size, -1)])
    role = np.concatenate([np.where(storied, 0, 2), v_role, np.full(lone.size, 2)])
    order = np.lexsort((rng.random(site.size), day))
    domains, names = site_names(sites, rng)
    return World(domains, names, kind, group, volume, site[order].astype(np.int32), day[order].astype(np.int32),
                 story[order], role[order].astype(np.int8), int(storied.sum()))


def site_names(count: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Unique domains such as "kolabe-trisu.example", and the names the sites call themselves ("Kolabe Trisu")."""
    domains: list[str] = []
    names: list[str] = []
    seen: set[str] = set()
    while len(domains) < count:
        a, b = (WORDS[int(k)] for k in rng.integers(0, len(WORDS), 2))
        if f"{a}-{b}" in seen or a == b:
            continue
        seen.add(f"{a}-{b}")
        domains.append(f"{a}-{b}.example")
        names.append(f"{a.title()} {b.title()}")
    return domains, names


def article_id(n: int) -> str:
    return f"a{n:07d}"


# -------------------------------------------------------------------------------------------------- writing


@dataclass
class Batch:
    """Articles to write: ids, sites, days, their story's id and size, role and what a derived one derives from."""

    ids: list[str]
    site: np.ndarray
    day: np.ndarray
    story_ids: list[str]
    sizes: list[int]
    roles: list[str]
    derived_from: list[str | None]


def text_of(world: World, site: int, words: list[int]) -> str:
    head = " ".join(WORDS[w] for w in words[:7]).capitalize()
    body = " ".join(WORDS[w] for w in words[7:]).capitalize() + "."
    lines = [head, body]
    if world.kind[site] == FARM:
        g = int(world.group[site])
        lines.append(" ".join((OPENERS[g % len(OPENERS)], CLOSERS[g // len(OPENERS) % len(CLOSERS)]))
                     .format(name=world.names[site]))
    elif world.kind[site] == BUSY:
        lines.append(BUSY_FOOTER.format(name=world.names[site]))
    return "\n".join(lines)


def insert_batch(conn: sqlite3.Connection, world: World, batch: Batch, rng: np.random.Generator, now: str,
                 version: str) -> None:
    """Articles, analyses, narratives, artefacts, story features and memberships of a batch (one transaction
    is the caller's)."""
    n = len(batch.ids)
    words = rng.integers(0, len(WORDS), (n, 31)).tolist()
    kinds = world.kind[batch.site]
    analysed = rng.random(n) < ANALYSED
    narrated = analysed & (rng.random(n) < NARRATIVE_SHARE[kinds])
    artefact = analysed & (rng.random(n) < ARTEFACT_SHARE[kinds])
    quotes = rng.integers(0, 7, n).tolist()
    unidentified = rng.integers(0, 3, n).tolist()
    label = rng.integers(0, len(LABELS), n).tolist()
    favourite = rng.random(n) < 0.7
    articles, analyses, narratives, artefacts, features, members = [], [], [], [], [], []
    for k, (aid, s, d) in enumerate(zip(batch.ids, batch.site.tolist(), batch.day.tolist(), strict=True)):
        text = text_of(world, s, words[k])
        published = (FIRST_DAY + timedelta(days=d)).isoformat()
        domain = world.domains[s]
        articles.append((aid, f"https://{domain}/{aid}", domain, text.split("\n", 1)[0], published, "en", text,
                         hashlib.sha256(text.encode()).hexdigest(), now))
        features.append((aid, version, "en", published, 31, hashlib.sha1(aid.encode()).hexdigest(), "", "",
                         '{"credited": [], "carried": []}', "[]", None, b"", b""))
        members.append((aid, batch.story_ids[k], batch.roles[k], batch.derived_from[k]))
        if analysed[k]:
            q = quotes[k]
            u = min(q, unidentified[k])
            anonymous = u // 2
            analyses.append((aid, PIPELINE, now, q, q - u, anonymous, u - anonymous, 0, 0, u / q if q else 0.0))
        if narrated[k]:
            g = int(world.group[s])
            pick = 1 + g % (len(LABELS) - 1) if g >= 0 and favourite[k] else label[k]
            narratives.append((aid, 0, LABELS[pick], 0.6))
        if artefact[k]:
            artefacts.append((aid, "As an AI language model", 40, 63, "prompt_leftover", "as an ai language model"))
    conn.executemany("INSERT INTO articles (id, url, site, title, published, language, text, content_hash, "
                     "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", articles)
    conn.executemany("INSERT INTO analyses (article_id, pipeline_version, analysed_at, quotes, named, anonymous, "
                     "unnamed, document, unknown, share_unidentified, named_sources, featured_not_quoted) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]')", analyses)
    conn.executemany("INSERT INTO narratives (article_id, position, label, score, sub_narratives, evidence) "
                     "VALUES (?, ?, ?, ?, '[]', '[]')", narratives)
    conn.executemany('INSERT INTO artefacts (article_id, text, start, "end", kind, pattern) '
                     "VALUES (?, ?, ?, ?, ?, ?)", artefacts)
    conn.executemany("INSERT INTO story_features (article_id, version, language, published, words, fingerprint, "
                     "names, numbers, attributed, sentence_numbers, signature, vector, sentences) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", features)
    conn.executemany("INSERT INTO story_members (article_id, story_id, role, derived_from, note) "
                     "VALUES (?, ?, ?, ?, NULL)", members)


def insert_stories(conn: sqlite3.Connection, rows: Sequence[tuple[str, int, str | None, float, str, str]],
                   now: str) -> None:
    """Stories as (id, size, origin, origin_confidence, first_published, last_published)."""
    conn.executemany("INSERT INTO stories (id, size, origin, origin_confidence, attributed_source, evidence, "
                     "updated_at, first_published, last_published) VALUES (?, ?, ?, ?, NULL, "
                     "'{\"pairs\": {}, \"versions\": {}}', ?, ?, ?)",
                     [(i, size, origin, confidence, now, first, last)
                      for i, size, origin, confidence, first, last in rows])


def fast_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    return conn


def drop_fts_trigger(url: str) -> None:
    from unspun.store import open_store

    with open_store(url) as store, store.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS articles_fts_insert")


def finish_store(url: str) -> None:
    """The full-text trigger back (no 'rebuild': see the module docstring), statistics, WAL folded in."""
    from unspun.store import open_store

    with open_store(url) as store:
        with store.write() as conn:
            conn.exec_driver_sql("CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN "
                                 "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, "
                                 "new.text); END")
        store.optimize()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def features_version() -> str:
    from unspun.stories.cluster import StoryOptions
    from unspun.stories.update import features_version as version_of

    return version_of(StoryOptions())


def build(size: int, path: Path) -> dict[str, Any]:
    """Write the store of ``size`` articles and its sidecar (the planted groups and what the world holds)."""
    started = time.perf_counter()
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), sidecar(path)):
        leftover.unlink(missing_ok=True)
    world = make_world(size)
    made = time.perf_counter() - started
    url = f"sqlite:///{path}"
    drop_fts_trigger(url)
    total = world.site.size
    index = np.arange(total)
    in_story = world.story >= 0
    first = np.full(world.stories, total, np.int64)
    np.minimum.at(first, world.story[in_story], index[in_story])
    last_day = np.full(world.stories, -1, np.int64)
    np.maximum.at(last_day, world.story[in_story], world.day[in_story])
    origin = np.full(world.stories, -1, np.int64)
    origins = in_story & (world.role == 0)
    origin[world.story[origins]] = index[origins]
    assert (origin >= 0).all()
    sizes = np.bincount(world.story[in_story], minlength=world.stories)
    rng = np.random.default_rng(SEED + 1)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    version = features_version()
    conn = fast_connection(path)
    try:
        for lo in range(0, total, CHUNK):
            hi = min(total, lo + CHUNK)
            ids = [article_id(n) for n in range(lo, hi)]
            story_ids: list[str] = []
            story_sizes: list[int] = []
            roles: list[str] = []
            derived_from: list[str | None] = []
            stories: list[tuple[str, int, str | None, float, str, str]] = []
            for n, s, r, d in zip(range(lo, hi), world.story[lo:hi].tolist(), world.role[lo:hi].tolist(),
                                  world.day[lo:hi].tolist(), strict=True):
                if s < 0:
                    key = f"story:{article_id(n)}"
                    day = (FIRST_DAY + timedelta(days=d)).isoformat()
                    stories.append((key, 1, None, 0.0, day, day))
                    story_ids.append(key)
                    story_sizes.append(1)
                    roles.append("independent")
                    derived_from.append(None)
                    continue
                key = f"story:{article_id(int(first[s]))}"
                if first[s] == n:
                    stories.append((key, int(sizes[s]), article_id(int(origin[s])), 0.8,
                                    (FIRST_DAY + timedelta(days=d)).isoformat(),
                                    (FIRST_DAY + timedelta(days=int(last_day[s]))).isoformat()))
                story_ids.append(key)
                story_sizes.append(int(sizes[s]))
                roles.append(ROLES[r])
                derived_from.append(article_id(int(origin[s])) if r == 1 else None)
            conn.execute("BEGIN")
            insert_batch(conn, world, Batch(ids, world.site[lo:hi], world.day[lo:hi], story_ids, story_sizes, roles,
                                            derived_from), rng, now, version)
            insert_stories(conn, stories, now)
            conn.execute("COMMIT")
            print(f"  wrote {hi:,} of {total:,} articles ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    finally:
        conn.close()
    loaded = time.perf_counter() - started
    finish_store(url)
    built = time.perf_counter() - started
    derived = world.role == 1
    facts = {"articles": total, "sites": len(world.domains), "stories_2plus": world.stories,
             "articles_in_stories": int(in_story.sum()), "singletons": int((~in_story).sum()),
             "derived_versions": int(derived.sum()),
             "farm_versions": int((derived & (world.kind[world.site] == FARM)).sum()),
             "largest_story": int(sizes.max()), "median_story": float(np.median(sizes)),
             "sites_by_kind": {KINDS[k]: int((world.kind == k).sum()) for k in range(4)},
             "articles_by_kind": {KINDS[k]: int(world.volume[world.kind == k].sum()) for k in range(4)},
             "largest_site": int(world.volume.max()), "smallest_site": int(world.volume.min())}
    result = {"size": size, "world_s": round(made, 1), "load_s": round(loaded - made, 1),
              "finish_s": round(built - loaded, 1), "build_s": round(built, 1),
              "db_mb": round(path.stat().st_size / 2**20), **facts}
    sidecar(path).write_text(json.dumps({"build": result, "groups": world.groups()}), encoding="utf-8")
    return result


def sidecar(path: Path) -> Path:
    return path.with_suffix(".world.json")


def add_articles(size: int, path: Path) -> dict[str, Any]:
    """1,000 new articles (module docstring), written like the store's, the full-text trigger firing."""
    world = make_world(size)
    rng = np.random.default_rng(SEED + 2)
    origins, busy = np.flatnonzero(world.kind == ORIGIN), np.flatnonzero(world.kind == BUSY)
    ids: list[str] = []
    site: list[int] = []
    day: list[int] = []
    story_ids: list[str] = []
    roles: list[str] = []
    derived_from: list[str | None] = []
    stories: list[tuple[str, int, str | None, float, str, str]] = []
    per_story = ADDED // ADDED_STORIES
    for k in range(ADDED_STORIES):
        start = DAYS - 3 + int(rng.integers(0, 3))
        farms = rng.choice(np.flatnonzero(world.group == k % GROUPS), 6, replace=False)
        versions = [(int(rng.choice(origins)), start, "origin")]
        versions += [(int(f), start + int(rng.integers(0, FARM_LAG + 1)), "derived") for f in farms]
        versions += [(int(b), start + int(rng.integers(0, 3)), "derived") for b in rng.choice(busy, 3, replace=False)]
        first = f"n{k * per_story:07d}"
        key = f"story:{first}"
        days = [d for _, d, _ in versions]
        stories.append((key, per_story, first, 0.8, (FIRST_DAY + timedelta(days=min(days))).isoformat(),
                        (FIRST_DAY + timedelta(days=max(days))).isoformat()))
        for j, (s, d, role) in enumerate(versions):
            ids.append(f"n{k * per_story + j:07d}")
            site.append(s)
            day.append(d)
            story_ids.append(key)
            roles.append(role)
            derived_from.append(first if role == "derived" else None)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    version = features_version()
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        insert_batch(conn, world, Batch(ids, np.array(site), np.array(day), story_ids, [per_story] * len(ids), roles,
                                        derived_from), rng, now, version)
        insert_stories(conn, stories, now)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"added": len(ids), "stories": len(stories), "insert_s": round(time.perf_counter() - started, 2)}


def remove_added(path: Path) -> int:
    """Take out the articles a previous run added (ids n...), so that a reused store is as built."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found = conn.execute("SELECT count(*) FROM articles WHERE id >= 'n' AND id < 'o'").fetchone()[0]
        if found:
            conn.execute("BEGIN")
            for table, column in (("story_members", "article_id"), ("story_features", "article_id"),
                                  ("analyses", "article_id"), ("narratives", "article_id"),
                                  ("artefacts", "article_id"), ("stories", "id"), ("articles", "id")):
                prefix = "story:n" if table == "stories" else "n"
                conn.execute(f"DELETE FROM {table} WHERE {column} >= ? AND {column} < ?",
                             (prefix, prefix[:-1] + "o"))
            conn.execute("COMMIT")
    finally:
        conn.close()
    return int(found)


# ------------------------------------------------------------------------------------------ measured children


def status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def planted_pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for members in groups for a in members for b in members if a < b}


def score(pairs: set[tuple[str, str]], planted: set[tuple[str, str]]) -> dict[str, Any]:
    hits = len(pairs & planted)
    return {"edges": len(pairs), "planted_found": hits,
            "precision": round(hits / len(pairs), 4) if pairs else None,
            "recall": round(hits / len(planted), 4) if planted else None}


def report(path: Path) -> dict[str, Any]:
    """sites_report on the whole store, as the CLI calls it."""
    from unspun.run.sites import sites_report
    from unspun.store import open_store

    planted = planted_pairs(json.loads(sidecar(path).read_text(encoding="utf-8"))["groups"])
    with open_store(f"sqlite:///{path}") as store:
        opened = status_mb("VmRSS:")
        started = time.perf_counter()
        result = sites_report(store)
        wall = time.perf_counter() - started
    graph = result.graph
    edges = {(min(e.source, e.target), max(e.source, e.target)) for e in graph.edges}
    linked = {s for pair in edges for s in pair}
    planted_sites = {s for pair in planted for s in pair}
    members: dict[int, list[str]] = {}
    for site, community in graph.communities.items():
        members.setdefault(community, []).append(site)
    together = planted_pairs([m for m in members.values() if len(m) >= 2])
    return {"sites_report_s": round(wall, 2), "peak_mb": status_mb("VmHWM:"), "rss_at_open_mb": opened,
            "profiles": len(result.profiles), "versions": sum(p.in_stories for p in result.profiles.values()),
            "window_days": graph.window_days, "stories_derived": graph.stories,
            "sites_deriving": len(graph.sites), "pairs_tested": graph.pairs_tested,
            "communities": len(set(graph.communities.values())),
            "communities_2plus": sum(1 for m in members.values() if len(m) >= 2),
            "joined_sites": len(getattr(graph, "joined", [])),
            "community_pairs": score(together, planted), **score(edges, planted),
            "edges_outside_planted_sites": sum(1 for a, b in edges if a not in planted_sites or b not in planted_sites),
            "linked_sites": len(linked),
            "evidence_listed": sum(len(e.evidence) for e in graph.edges),
            "co_stories_total": sum(e.co_stories for e in graph.edges)}


HOT = frozenset({"poisson_tail", "day_number", "masked"})  # called per pair or per row: a wrapper would cost more


class Tracer:
    """Times functions by patching them where they are looked up (a module's attribute), by call path
    ("outer > inner"), with their number of calls and, for a function called once, the peak RSS after it. A
    generator's time is the time spent producing its items."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.times: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.peaks: dict[str, float] = {}

    def wrap_module(self, module: Any, defined_in: str) -> None:
        """Every public function the module holds that is defined in a module whose name starts with defined_in."""
        for name, value in list(vars(module).items()):
            if (inspect.isfunction(value) and not name.startswith("_") and name not in HOT
                    and value.__module__.startswith(defined_in)):
                setattr(module, name, self.timed(name, value))

    def timed(self, name: str, original: Any) -> Any:
        tracer = self

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            path = tracer.enter(name)
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                tracer.leave(path, time.perf_counter() - started)
            return tracer.iterate(name, path, result) if inspect.isgenerator(result) else result

        return timed

    def enter(self, name: str) -> str:
        self.stack.append(name)
        path = " > ".join(self.stack)
        self.times.setdefault(path, 0.0)
        self.calls[path] = self.calls.get(path, 0) + 1
        return path

    def leave(self, path: str, seconds: float) -> None:
        self.stack.pop()
        self.times[path] += seconds
        if self.calls[path] == 1:
            self.peaks[path] = status_mb("VmHWM:")

    def iterate(self, name: str, path: str, items: Iterator[Any]) -> Iterator[Any]:
        while True:
            self.stack.append(name)
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                self.peaks[path] = status_mb("VmHWM:")
                return
            finally:
                self.stack.pop()
                self.times[path] += time.perf_counter() - started
            yield item


def phases(path: Path) -> dict[str, Any]:
    """sites_report's steps timed inside the real call: the store queries (unspun.store.sites) and the
    functions of unspun.sites it calls, and what those call in turn (see Tracer); the checked-in product is
    measured as it stands, whatever it calls. Before it, the stories update the CLI runs first, nothing new."""
    import unspun.run.sites as run_sites
    import unspun.sites as sites_package
    import unspun.store.sites as site_store
    from unspun.store import open_store
    from unspun.stories.update import update_stories

    def refuse(texts: list[str]) -> np.ndarray:
        raise AssertionError(f"update_stories wanted to embed {len(texts)} texts: the store is not up to date")

    tracer = Tracer()
    tracer.wrap_module(site_store, "unspun.store.sites")
    tracer.wrap_module(run_sites, "unspun.sites")
    for info in pkgutil.iter_modules(sites_package.__path__):
        tracer.wrap_module(importlib.import_module(f"unspun.sites.{info.name}"), "unspun.sites")
    with open_store(f"sqlite:///{path}") as store:
        started = time.perf_counter()
        summary = update_stories(store, embed=refuse)
        update_s = time.perf_counter() - started
        assert summary.embedded == 0 and summary.matched == 0, summary
        started = time.perf_counter()
        result = run_sites.sites_report(store)
        total = time.perf_counter() - started
    top = {p: round(t, 2) for p, t in tracer.times.items() if " > " not in p}
    return {"stories_update_nothing_new_s": round(update_s, 2), "sites_report_s": round(total, 2),
            "phases": {**top, "(sites_report itself)": round(total - sum(tracer.times[p] for p in top), 2)},
            "nested": {p: round(t, 2) for p, t in tracer.times.items() if " > " in p},
            "calls": tracer.calls, "peak_after_mb": tracer.peaks, "peak_mb": status_mb("VmHWM:"),
            "edges": len(result.graph.edges), "profiles": len(result.profiles),
            "shared_template_edges": sum(1 for e in result.graph.edges if e.shared_template)}


def baseline(path: Path, window: int, fraction: float, limit_s: float, limit_mb: float) -> dict[str, Any]:
    """The bipartite projection (module docstring), stopped at limit_s seconds or limit_mb of RSS."""
    import networkx as nx
    from networkx.algorithms import bipartite

    from unspun.store import open_store
    from unspun.store import sites as site_store

    groups = json.loads(sidecar(path).read_text(encoding="utf-8"))["groups"]
    started = time.perf_counter()
    state: dict[str, Any] = {"phase": "load", "fraction": fraction, "rss_at_start_mb": status_mb("VmRSS:")}
    sites: list[str] = []
    main_thread = threading.current_thread()

    def watch() -> None:
        while main_thread.is_alive():
            time.sleep(0.25)
            over_time = time.perf_counter() - started > limit_s
            over_memory = status_mb("VmRSS:") > limit_mb
            if over_time or over_memory:
                result = {**state, "finished": False, "stopped_by": "time" if over_time else "memory",
                          "stopped_at_s": round(time.perf_counter() - started, 1), "peak_mb": status_mb("VmHWM:")}
                frame = sys._current_frames().get(main_thread.ident or 0)
                while frame is not None and frame.f_code.co_name != "weighted_projected_graph":
                    frame = frame.f_back
                if frame is not None and sites:
                    projected, u = frame.f_locals.get("G"), frame.f_locals.get("u")
                    position = {s: k for k, s in enumerate(sites)}
                    result["sites_projected"] = position.get(str(u), 0)
                    result["sites_to_project"] = len(sites)
                    result["projected_edges_so_far"] = projected.number_of_edges() if projected is not None else 0
                print(json.dumps(result), flush=True)
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    keep = int(fraction * 1000)
    with open_store(f"sqlite:///{path}") as store:
        versions = [v for v, _ in site_store.story_versions(store)
                    if fraction >= 1 or zlib.crc32(v.story.encode()) % 1000 < keep]
    state["load_s"] = round(time.perf_counter() - started, 2)
    state["versions"] = len(versions)
    state["phase"] = "bipartite graph"
    t0 = time.perf_counter()
    origin_site = {v.story: v.site for v in versions if v.is_origin}
    derived: dict[str, dict[str, int]] = {}  # story -> site -> day of its earliest derived version
    for v in versions:
        if v.role != "derived" or v.day is None or origin_site.get(v.story) == v.site:
            continue
        held = derived.setdefault(v.story, {})
        held[v.site] = min(v.day, held.get(v.site, v.day))
    graph = nx.Graph()
    for story, days in derived.items():
        first = min(days.values())
        bins: dict[int, list[str]] = {}
        for site, day in days.items():
            bins.setdefault((day - first) // (window + 1), []).append(site)
        for b, members in bins.items():
            if len(members) >= 2:
                graph.add_node((story, b), bipartite=1)
                graph.add_nodes_from(members, bipartite=0)
                graph.add_edges_from((site, (story, b)) for site in members)
    sites.extend(sorted(n for n, d in graph.nodes(data="bipartite") if d == 0))
    state.update(build_s=round(time.perf_counter() - t0, 2), bipartite_nodes=graph.number_of_nodes(),
                 bipartite_edges=graph.number_of_edges(), sites_to_project=len(sites), phase="projection")
    t1 = time.perf_counter()
    projected = bipartite.weighted_projected_graph(graph, sites)
    state["projection_s"] = round(time.perf_counter() - t1, 2)
    state["phase"] = "done"
    planted = planted_pairs(groups)
    weights = [w for _, _, w in projected.edges(data="weight")]
    cut = float(np.quantile(weights, PERCENTILE_EDGE_WEIGHT)) if weights else 0.0
    pairs = {(min(a, b), max(a, b)) for a, b, w in projected.edges(data="weight") if w >= 2}
    top = {(min(a, b), max(a, b)) for a, b, w in projected.edges(data="weight") if w > cut}
    return {**state, "finished": True, "total_s": round(time.perf_counter() - started, 2),
            "peak_mb": status_mb("VmHWM:"), "projected_edges": projected.number_of_edges(),
            "weight2": score(pairs, planted) if fraction >= 1 else {"edges": len(pairs)},
            "percentile_cut": cut, "top_percentile": score(top, planted) if fraction >= 1 else {"edges": len(top)}}


def child_main(step: str, size: int, path: Path, extra: list[str]) -> dict[str, Any]:
    if step == "build":
        return build(size, path)
    if step == "add":
        return add_articles(size, path)
    if step == "report":
        return report(path)
    if step == "phases":
        return phases(path)
    if step == "baseline":
        return baseline(path, int(extra[0]), float(extra[1]), float(extra[2]), float(extra[3]))
    raise SystemExit(f"unknown step {step}")


# --------------------------------------------------------------------------------------------- the parent


def spawn(command: list[str], timeout: float, stdout: Path) -> dict[str, Any]:
    """Run a command, its stdout to a file; its wall time and its own peak RSS (wait4's ru_maxrss)."""
    started = time.perf_counter()
    with stdout.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, cwd=REPO)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": process.returncode, "wall_s": round(time.perf_counter() - started, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "killed": process.returncode < 0}


def run_child(step: str, size: int, path: Path, work: Path, timeout: float, *extra: str) -> dict[str, Any] | None:
    out = work / f"{step}-{size}.out"
    run = spawn([sys.executable, str(Path(__file__).resolve()), "--child", step, str(size), str(path), *extra],
                timeout, out)
    lines = out.read_text(encoding="utf-8").strip().splitlines()
    if run["rc"] != 0 or not lines:
        print(f"  {step} at {size:,}: failed ({run})", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_peak_mb"], result["process_s"] = run["peak_mb"], run["wall_s"]
    print(f"  {step} at {size:,}: {json.dumps(result)}", file=sys.stderr)
    return result


def run_cli(args: list[str], work: Path, name: str, timeout: float) -> dict[str, Any]:
    unspun = Path(sys.executable).parent / "unspun"
    run = spawn([str(unspun), *args], timeout, work / f"{name}.out")
    print(f"  unspun {' '.join(args[:1])}: {run}", file=sys.stderr)
    return run


def measure_baseline(size: int, path: Path, work: Path, window: int, limit_s: float,
                     limit_mb: float) -> dict[str, Any]:
    """The full projection within the limits; if it is stopped, two samples of the stories and an extrapolation."""
    def attempt(fraction: float, seconds: float) -> dict[str, Any] | None:
        return run_child("baseline", size, path, work, seconds + 120, str(window), str(fraction), str(seconds),
                         str(limit_mb))

    full = attempt(1.0, limit_s)
    out: dict[str, Any] = {"full": full}
    if full is not None and full.get("finished"):
        return out
    for fractions in ((0.1, 0.05), (0.02, 0.01)):
        runs = [attempt(f, limit_s / 3) for f in fractions]
        if all(r is not None and r.get("finished") for r in runs):
            big, small = runs[0], runs[1]
            assert big is not None and small is not None
            # Loading reads every version whatever the fraction: only the graph work and memory above the
            # interpreter are scaled, as t * (1/f)^k with k fitted on the two samples.
            work_s = [max(0.01, r["build_s"] + r["projection_s"]) for r in (big, small)]
            above = [max(1.0, r["peak_mb"] - r["rss_at_start_mb"]) for r in (big, small)]
            ratio = math.log(fractions[0] / fractions[1])
            k, km = math.log(work_s[0] / work_s[1]) / ratio, math.log(above[0] / above[1]) / ratio
            out.update(samples=runs, exponent_time=round(k, 2), exponent_memory=round(km, 2),
                       extrapolated_s=round(big["load_s"] + work_s[0] * (1 / fractions[0]) ** k),
                       extrapolated_mb=round(big["rss_at_start_mb"] + above[0] * (1 / fractions[0]) ** km))
            return out
        out.setdefault("failed_samples", []).extend(runs)
    return out


def measure(size: int, path: Path, work: Path, rebuild: bool, limit_s: float, limit_mb: float) -> dict[str, Any]:
    built: dict[str, Any] | None
    if rebuild or not path.exists() or not sidecar(path).exists():
        built = run_child("build", size, path, work, 7200)
        if built is None:
            raise SystemExit(f"building the store of {size:,} articles failed")
        built["reused"] = False
    else:
        removed = remove_added(path)
        built = {**json.loads(sidecar(path).read_text(encoding="utf-8"))["build"], "reused": True,
                 "removed_added": removed}
        print(f"  reusing {path} ({removed} added articles removed)", file=sys.stderr)
    row: dict[str, Any] = {"size": size, "store": built}
    got = run_child("report", size, path, work, 3600)
    if got is None:
        raise SystemExit(f"sites_report at {size:,} failed")
    row["report"] = got
    row["phases"] = run_child("phases", size, path, work, 3600)
    db = f"sqlite:///{path}"
    network_out = work / f"network-{size}.json"
    row["cli_network"] = run_cli(["network", "--db", db, "--format", "json", "--out", str(network_out)], work,
                                 f"cli-network-{size}", 3600)
    if network_out.exists():
        document = json.loads(network_out.read_text(encoding="utf-8"))
        row["cli_network"]["edges"] = len(document["edges"])
        row["cli_network"]["json_mb"] = round(network_out.stat().st_size / 2**20, 1)
        network_out.unlink()
    row["cli_sites"] = run_cli(["sites", "--db", db, "--format", "csv"], work, f"cli-sites-{size}", 3600)
    row["baseline"] = measure_baseline(size, path, work, int(got["window_days"]), limit_s, limit_mb)
    row["added"] = run_child("add", size, path, work, 600)
    row["after"] = run_child("report", size, path, work, 3600)
    row["db_mb_after"] = round(path.stat().st_size / 2**20)
    return row


def machine() -> dict[str, Any]:
    with open("/proc/meminfo", encoding="ascii") as handle:
        memory = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory / 2**20, 1), "platform": platform.platform(),
            "machine": platform.machine(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "networkx": _version("networkx")}


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def baseline_cell(b: dict[str, Any]) -> str:
    full = b.get("full") or {}
    if full.get("finished"):
        return f"{fmt(full['total_s'])} / {fmt(full['peak_mb'], 0)}"
    stopped = (f"stopped after {fmt(full.get('stopped_at_s'), 0)} s ({full.get('stopped_by')}, {full.get('phase')}"
               + (f", {full['sites_projected']:,} of {full['sites_to_project']:,} sites projected"
                  if "sites_projected" in full else "") + ")")
    if "extrapolated_s" in b:
        f = b["samples"][0]["fraction"]
        return (f"{stopped}; {f:.0%} of stories: {fmt(b['samples'][0]['total_s'])} / "
                f"{fmt(b['samples'][0]['peak_mb'], 0)}; NOT MEASURED, extrapolated: ~{b['extrapolated_s']:,} / "
                f"~{b['extrapolated_mb']:,}")
    return stopped


def product_state() -> dict[str, Any]:
    """The commit, uncommitted changes under src/unspun, and a digest of the code this bench measures (so that
    a run can tell whether that code changed while it ran)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    digest = hashlib.sha256()
    for root in PRODUCT_CODE:
        for file in sorted((REPO / root).rglob("*.py")) if (REPO / root).is_dir() else [REPO / root]:
            if file.exists():
                digest.update(file.read_bytes())
    return {"commit": git("rev-parse", "HEAD"), "uncommitted": git("status", "--porcelain", "--", "src/unspun")
            .splitlines(), "code_sha256": digest.hexdigest()[:16]}


def write_results(rows: list[dict[str, Any]], wall: float, info: dict[str, Any], product: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info, "product": product,
            "bench_s": round(wall), "rows": rows}
    (RESULTS / "network_speed.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    lines = [("| articles | sites | stories >= 2 | edges | communities (2+ sites) | sites_report (s) | peak (MB) "
              "| CLI network (s) | baseline (s / peak MB) | after +1,000 articles (s) "
              "| planted pairs P / R: edges | communities |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|"]
    for r in rows:
        rep, st, together = r["report"], r["store"], r["report"]["community_pairs"]
        lines.append(f"| {r['size']:,} | {st['sites']:,} | {st['stories_2plus']:,} | {rep['edges']:,} "
                     f"| {rep['communities_2plus']:,} | {fmt(rep['sites_report_s'])} "
                     f"| {fmt(rep['process_peak_mb'], 0)} | {fmt(r['cli_network']['wall_s'])} "
                     f"| {baseline_cell(r['baseline'])} | {fmt((r['after'] or {}).get('sites_report_s'))} "
                     f"| {fmt(rep['precision'], 3)} / {fmt(rep['recall'], 3)} "
                     f"| {fmt(together['precision'], 3)} / {fmt(together['recall'], 3)} |")
    names: list[str] = []
    for r in rows:
        names += [n for n in (r.get("phases") or {}).get("phases", {}) if n not in names]
    lines += ["", ("Where sites_report spends its time, timed inside the real call in another fresh process "
                   "(s, and in brackets the peak RSS in MB once a step called once is done):"), "",
              "| articles | " + " | ".join(names) + " | total |", "|---:|" + "---:|" * (len(names) + 1)]
    for r in rows:
        p = r.get("phases") or {"phases": {}, "peak_after_mb": {}}
        once = {n for n in p["peak_after_mb"] if p.get("calls", {}).get(n) == 1}
        cells = [fmt(p["phases"].get(n), 2) + (f" ({fmt(p['peak_after_mb'][n], 0)})" if n in once else "")
                 for n in names]
        lines.append(f"| {r['size']:,} | " + " | ".join(cells) + f" | {fmt(p.get('sites_report_s'), 2)} |")
    for r in rows:
        nested = (r.get("phases") or {}).get("nested", {})
        if nested:
            lines += ["", f"Within those at {r['size']:,} articles: "
                      + "; ".join(f"{n} {fmt(t, 2)} s" for n, t in nested.items()) + "."]
    lines += ["", ("| articles | build (s) | store (MB) | versions read | window (days) "
                   "| stories derived by 2+ sites | site pairs tested | sites joined to a community "
                   "| stories update, nothing new (s) | CLI sites (s) | CLI network peak (MB) "
                   "| baseline projection (s) | baseline edges w >= 2 (P / R) | baseline top 10% (P / R) "
                   "| +1,000 insert (s) |"),
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for r in rows:
        rep, st, full = r["report"], r["store"], (r["baseline"].get("full") or {})
        w2, top = full.get("weight2", {}), full.get("top_percentile", {})
        lines.append(f"| {r['size']:,} | {fmt(st['build_s'], 0)} | {st['db_mb']:,} | {fmt(rep['versions'])} "
                     f"| {rep['window_days']} | {rep['stories_derived']:,} | {rep['pairs_tested']:,} "
                     f"| {fmt(rep['joined_sites'])} "
                     f"| {fmt((r.get('phases') or {}).get('stories_update_nothing_new_s'), 2)} "
                     f"| {fmt(r['cli_sites']['wall_s'])} | {fmt(r['cli_network']['peak_mb'], 0)} "
                     f"| {fmt(full.get('projection_s'))} "
                     f"| {fmt(w2.get('edges'))} ({fmt(w2.get('precision'), 3)} / {fmt(w2.get('recall'), 3)}) "
                     f"| {fmt(top.get('edges'))} ({fmt(top.get('precision'), 3)} / {fmt(top.get('recall'), 3)}) "
                     f"| {fmt((r['added'] or {}).get('insert_s'), 2)} |")
    changed = [f"{r['size']:,}" for r in rows if r.get("product_changed")]
    state = (f"Product code measured: commit {product['commit'][:10]}"
             + (f" with uncommitted changes to {len(product['uncommitted'])} file(s) under src/unspun"
                if product["uncommitted"] else "") + f" (digest {product['code_sha256']} of {', '.join(PRODUCT_CODE)})"
             + (f"; WARNING: that code changed while the {', '.join(changed)} rows ran" if changed else "") + ".")
    lines += ["", (
        "Synthetic stores (see the module docstring of bench/network_speed.py): 20 planted groups of 10 farm sites "
        "(900 planted site pairs), Zipf-like site volumes, busy outlets and ordinary sites meeting by chance on "
        "popular stories. 'sites_report' is `unspun.run.sites.sites_report(store)` on the whole store in a fresh "
        "process; 'peak' is that process's peak RSS (interpreter and imports included). 'CLI network' is "
        "`unspun network --format json --out FILE` end to end (process start, imports, the stories update that "
        "finds nothing new, sites_report, writing the JSON). The baseline is the bipartite projection "
        "coordination toolkits use (CooRnet, CooRTweet): networkx `weighted_projected_graph` on the same versions, "
        "cut into (story, window bin) nodes; its time includes loading the versions with the same query. Planted "
        "pairs P / R: precision and recall against the planted pairs of the graph's edges, and of the pairs of "
        "sites put in one community. 'After +1,000 articles': sites_report again, in a fresh process, once 1,000 "
        "new articles in 100 new stories are stored (it recomputes everything). The store was just written, so "
        f"it is read from the OS page cache. {state} Machine: {info['cpus']} CPUs ({info['cpu']}), "
        f"{info['memory_gb']} GB, Python {info['python']}, SQLite {info['sqlite']}, networkx {info['networkx']}; "
        f"whole run {wall / 60:.0f} min. Produced by `python bench/network_speed.py`.")]
    (RESULTS / "network_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="articles per store (sites: 1 per 100 articles)")
    parser.add_argument("--quick", action="store_true", help="100,000 articles only")
    parser.add_argument("--dir", type=Path, help="where the stores are kept and reused (default: a temporary "
                        "folder, removed at the end)")
    parser.add_argument("--db", type=Path, help="the store's path, for a single size (reused if it exists)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild stores that exist")
    parser.add_argument("--baseline-limit", type=float, default=900, help="seconds before the baseline is stopped")
    parser.add_argument("--baseline-mb", type=float, default=8000, help="RSS (MB) at which the baseline is stopped")
    parser.add_argument("--render", action="store_true", help="rewrite the .md from the saved .json")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "SIZE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_main(args.child[0], int(args.child[1]), Path(args.child[2]), args.extra)))
        return
    if args.render:
        saved = json.loads((RESULTS / "network_speed.json").read_text(encoding="utf-8"))
        write_results(saved["rows"], saved["bench_s"], saved["machine"], saved["product"])
        return
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    if args.db and len(sizes) > 1:
        parser.error("--db names one store: give one size with --sizes (or --quick)")
    started = time.perf_counter()
    temporary = args.dir is None and args.db is None
    folder = Path(tempfile.mkdtemp(prefix="unspun-network-")) if temporary else (args.dir or args.db.parent)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="unspun-network-work-"))
    rows = []
    product = product_state()
    try:
        for size in sizes:
            path = args.db or folder / f"network-{size}.db"
            print(f"{size:,} articles: {path}", file=sys.stderr)
            before = product_state()
            row = measure(size, path, work, args.rebuild, args.baseline_limit, args.baseline_mb)
            row["product_changed"] = product_state()["code_sha256"] != before["code_sha256"]
            rows.append(row)
            write_results(rows, time.perf_counter() - started, machine(), product)  # what is done so far, kept
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    print((RESULTS / "network_speed.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
