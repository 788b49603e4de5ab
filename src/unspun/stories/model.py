"""The lineage classifier: a logistic regression deciding whether one version of a story is built on the other.

Weights live in ``stories/model/lineage.npz`` (trained by eval/train_lineage.py; provenance in
stories/model/README.md). Inputs are the pair features of stories/pairs.py, standardised with the training
mean and spread stored beside the weights.

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

from unspun.stories.pairs import FEATURES


@dataclass(frozen=True)
class LineageModel:
    weights: np.ndarray  # one per feature, on standardised features
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # probability at which a pair counts as derived

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"lineage model has {len(self.weights)} weights for {len(FEATURES)} features: "
                             "retrain it with eval/train_lineage.py")

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(derived) for one pair's features (a float array) or a matrix of pairs (one per row)."""
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: str) -> None:
        np.savez(path, weights=self.weights, bias=np.array(self.bias), mean=self.mean, scale=self.scale,
                 threshold=np.array(self.threshold), features=np.array(FEATURES))


@lru_cache(maxsize=1)
def load_lineage_model() -> LineageModel:
    """The packaged model (read once per process)."""
    data = np.load(BytesIO(resources.files("unspun").joinpath("stories", "model", "lineage.npz").read_bytes()))
    if tuple(str(f) for f in data["features"]) != FEATURES:
        raise ValueError("lineage.npz was trained on other pair features: retrain it with eval/train_lineage.py")
    return LineageModel(weights=data["weights"], bias=float(data["bias"]), mean=data["mean"], scale=data["scale"],
                        threshold=float(data["threshold"]))
