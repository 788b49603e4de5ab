"""Story matching's heavy steps on a Dask cluster (`unspun stories --engine dask`): the candidate pairs'
same-story probabilities, scored in chunks on the workers, and the touched stories built (roles, origin,
evidence) one task per few stories; the features and vectors go to every worker once (scattered), the
linkage is settled in one place (update.py), so the stories are those of the serial engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from unspun.run.cluster import RETRIES, ClusterReport
from unspun.stories.align import Vectors
from unspun.stories.cluster import Story, StoryOptions, build_story, score_pairs
from unspun.stories.features import StoryFeatures
from unspun.stories.profile import SourcingProfile

PAIRS_PER_TASK = 5_000
STORIES_PER_TASK = 50
LOCAL_BELOW = 2_000  # fewer pairs than this are scored here: shipping them costs more than scoring


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
