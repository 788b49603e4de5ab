"""Story matching's heavy steps on a Dask cluster (`unspun stories --engine dask`): candidate generation
(the index goes to every worker once; LSH by groups of bands, vector and name searches by chunks of the
queried articles), the candidate pairs' same-story probabilities, scored in chunks on the workers, and the
touched stories built (roles, origin, evidence) one task per few stories; the features and vectors go to
every worker once (scattered), the linkage is settled in one place (update.py), so the stories are those of
the serial engine: each split of the work is exact, and the parts' union is the serial answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from unspun.run.cluster import RETRIES, ClusterReport
from unspun.stories.align import Vectors
from unspun.stories.candidates import CandidateIndex, Pair
from unspun.stories.cluster import Story, StoryOptions, build_story, score_pairs
from unspun.stories.features import StoryFeatures
from unspun.stories.profile import SourcingProfile

PAIRS_PER_TASK = 5_000
STORIES_PER_TASK = 50
LOCAL_BELOW = 2_000  # fewer pairs than this are scored here: shipping them costs more than scoring
QUERIES_PER_TASK = 2_000  # articles searched for partners (by vector, names and numbers) per task
BANDS_PER_TASK = 4  # LSH bands per task when every article is queried (a rebuild)
# Fewer queried articles than this are searched here: the search costs (queried x window) and shipping the
# index costs (window), so only large queries pay for it; 1,000 new against 30,000 took 0.3 s here and
# 0.9 s on 2 workers, a rebuild of 30,000 5.0 s and 5.7 s (bench/results/cluster_candidates.md, 2 CPUs).
QUERIED_LOCAL_BELOW = 20_000


class ClusterScorer:
    """A Scorer (stories/cluster.py) that scores on the cluster, and builds stories there too."""

    def __init__(self, client: Any, report: ClusterReport) -> None:
        self.client, self.report = client, report
        self._shared: tuple[int, Any, Any] | None = None

    def _scatter(self, features: Sequence[StoryFeatures], vectors: Vectors) -> tuple[Any, Any]:
        if self._shared is None or self._shared[0] != id(features):
            shipped = self.client.scatter([list(features), vectors], broadcast=True)
            self._shared = (id(features), shipped[0], shipped[1])
        return self._shared[1], self._shared[2]

    def candidates(self, index: CandidateIndex, positions: Sequence[int]) -> set[Pair]:
        """``index.pairs_for(positions)``, computed on the workers."""
        wanted = sorted(set(positions))
        if len(wanted) < QUERIED_LOCAL_BELOW:
            return index.pairs_for(wanted)
        index.settle()
        [shipped] = self.client.scatter([index], broadcast=True)
        chunks = [wanted[k:k + max(1, QUERIES_PER_TASK)] for k in range(0, len(wanted), max(1, QUERIES_PER_TASK))]
        if len(wanted) == len(index):  # a rebuild: the LSH part by groups of bands, the rest by queried chunks
            step = max(1, BANDS_PER_TASK)
            futures = [self.client.submit(_shared_band_pairs, shipped, range(k, min(k + step, index.bands)),
                                          pure=False, retries=RETRIES) for k in range(0, index.bands, step)]
            futures += [self.client.submit(_similar_pairs, shipped, chunk, pure=False, retries=RETRIES)
                        for chunk in chunks]
        else:
            futures = [self.client.submit(_pairs_for, shipped, chunk, pure=False, retries=RETRIES) for chunk in chunks]
        self.report.tasks["candidate_pairs"] += len(futures)
        out: set[Pair] = set()
        for part in self.client.gather(futures):
            out.update(zip(part[:, 0].tolist(), part[:, 1].tolist(), strict=True))
        return out

    def __call__(self, features: Sequence[StoryFeatures], vectors: Vectors, pairs: list[tuple[int, int]],
                 opt: StoryOptions) -> dict[tuple[int, int], float]:
        if len(pairs) < LOCAL_BELOW:
            return score_pairs(features, vectors, pairs, opt)
        shipped_features, shipped_vectors = self._scatter(features, vectors)
        futures = [self.client.submit(score_pairs, shipped_features, shipped_vectors,
                                      pairs[k:k + PAIRS_PER_TASK], opt, pure=False, retries=RETRIES)
                   for k in range(0, len(pairs), PAIRS_PER_TASK)]
        self.report.tasks["score_pairs"] += len(futures)
        out: dict[tuple[int, int], float] = {}
        for part in self.client.gather(futures):
            out.update(part)
        return out

    def build(self, groups: list[list[int]], features: Sequence[StoryFeatures], vectors: Vectors, opt: StoryOptions,
              profiles: dict[str, SourcingProfile]) -> list[Story]:
        """build_story of every group, STORIES_PER_TASK groups a task, in the groups' order."""
        if len(groups) <= STORIES_PER_TASK:
            return [build_story(g, features, vectors, opt, profiles) for g in groups]
        shipped_features, shipped_vectors = self._scatter(features, vectors)
        size = max(1, STORIES_PER_TASK)
        futures = [self.client.submit(_build_stories, groups[k:k + size], shipped_features, shipped_vectors, opt,
                                      profiles, pure=False, retries=RETRIES) for k in range(0, len(groups), size)]
        self.report.tasks["build_stories"] += len(futures)
        return [story for part in self.client.gather(futures) for story in part]


def _build_stories(groups: list[list[int]], features: Sequence[StoryFeatures], vectors: Vectors, opt: StoryOptions,
                   profiles: dict[str, SourcingProfile]) -> list[Story]:
    return [build_story(g, features, vectors, opt, profiles) for g in groups]


def _as_array(pairs: set[Pair]) -> np.ndarray:
    """Pairs as an (m, 2) int64 array: a tenth of a pickled set's size on the way back."""
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def _shared_band_pairs(index: CandidateIndex, bands: range) -> np.ndarray:
    return _as_array(index.shared_band_pairs(bands))


def _similar_pairs(index: CandidateIndex, positions: list[int]) -> np.ndarray:
    return _as_array(index.similar_pairs(positions))


def _pairs_for(index: CandidateIndex, positions: list[int]) -> np.ndarray:
    return _as_array(index.pairs_for(positions))
