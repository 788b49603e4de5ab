"""The pair classifiers of story matching: logistic regressions over the numbers two articles share.

- ``same_story.npz``: whether two articles report one event (features: stories/sameness.py), trained by
  eval/train_stories.py;
- ``lineage.npz``: whether one version of a story is built on the other (features: stories/pairs.py), trained by
  eval/train_lineage.py;
- ``role.npz``: whether a version of a story was written from another, from what it carries (features:
  stories/roles.py, one version at a time), trained by eval/train_roles.py.

Each file holds the weights (on standardised features), bias, the training mean and spread of each feature, the
probability threshold, and the feature names, which must match the code's (provenance in stories/model/README.md).

    >>> model = load_lineage_model()
    >>> model.probability(pair_features(a, b, sa, sb))  # doctest: +SKIP
    0.93
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO

import numpy as np

from unspun.errors import ModelError


@dataclass(frozen=True)
class PairModel:
    weights: np.ndarray  # one per feature, on standardised features
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # probability from which the pair counts (derived, or one story)
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.features and len(self.weights) != len(self.features):
            raise ValueError(f"pair model has {len(self.weights)} weights for {len(self.features)} features")

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(positive) for one pair's features (a float array) or a matrix of pairs (one per row)."""
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: str) -> None:
        np.savez(path, weights=self.weights, bias=np.array(self.bias), mean=self.mean, scale=self.scale,
                 threshold=np.array(self.threshold), features=np.array(self.features))


LineageModel = PairModel  # the name the lineage code and its training script use


def load_pair_model(name: str, features: tuple[str, ...], trainer: str) -> PairModel:
    """stories/model/{name}.npz, checked against the features the code computes."""
    try:
        data = np.load(BytesIO(resources.files("unspun").joinpath("stories", "model", f"{name}.npz").read_bytes()))
    except FileNotFoundError as exc:
        raise ModelError(f"stories/model/{name}.npz is missing: reinstall unspun or run {trainer}") from exc
    if tuple(str(f) for f in data["features"]) != features:
        raise ModelError(f"{name}.npz was trained on other pair features: retrain it with {trainer}")
    return PairModel(weights=data["weights"], bias=float(data["bias"]), mean=data["mean"], scale=data["scale"],
                     threshold=float(data["threshold"]), features=features)


@lru_cache(maxsize=1)
def load_lineage_model() -> PairModel:
    """The packaged lineage model (read once per process)."""
    from unspun.stories.pairs import FEATURES

    return load_pair_model("lineage", FEATURES, "eval/train_lineage.py")


@lru_cache(maxsize=1)
def load_same_story_model() -> PairModel:
    """The packaged same-event model (read once per process)."""
    from unspun.stories.sameness import EVENT_FEATURES

    return load_pair_model("same_story", EVENT_FEATURES, "eval/train_stories.py")


@lru_cache(maxsize=1)
def load_role_model() -> PairModel:
    """The packaged role model (read once per process)."""
    from unspun.stories.roles import VERSION_FEATURES

    return load_pair_model("role", VERSION_FEATURES, "eval/train_roles.py")
