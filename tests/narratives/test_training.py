"""eval/train_narratives.py: the vectorised calibration scorer agrees with the detector's decision rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from unspun.narratives.catalog import NO_NARRATIVE


def _load_training() -> ModuleType:
    # eval/ is a folder of scripts, not a package; load the module by path under a unique name.
    path = Path(__file__).resolve().parents[2] / "eval" / "train_narratives.py"
    spec = importlib.util.spec_from_file_location("unspun_eval_train_narratives", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


training = _load_training()

LABELS = (NO_NARRATIVE, "URW: A", "URW: A: One", "URW: B", "CC: C")


@pytest.mark.parametrize("seed", range(5))
def test_training_narrative_scorer_matches_decide(seed: int) -> None:
    rng = np.random.default_rng(seed)
    probs = rng.random((30, len(LABELS)))
    names = ["URW: A", "URW: A: One", "URW: B", "CC: C", "CC: D"]  # CC: D has examples but no head
    matches = [{name: float(v) for name, v in zip(names, rng.random(5) * 0.9 + 0.2, strict=True)
                if rng.random() < 0.6} for _ in probs]
    options = [{NO_NARRATIVE}, {"URW: A"}, {"URW: A", "URW: B"}, {"CC: C"}, {"CC: D"}]
    gold = [options[int(k)] for k in rng.integers(0, len(options), len(probs))]
    score = training.narrative_scorer(probs, LABELS, matches, gold)
    for t_other in (0.2, 0.5, 0.8):
        for t_nar in (0.1, 0.5, 0.9):
            for t_sim in (0.4, 0.7, 1.0):
                decided = [training.decide(p, LABELS, (t_other, t_nar, 1.0, t_sim), m)[0]
                           for p, m in zip(probs, matches, strict=True)]
                assert score(t_other, t_nar, t_sim) == pytest.approx(training.samples_f1(decided, gold))


def test_training_fit_leaves_unused_buckets_at_zero() -> None:
    terms = [np.array([1, 2, 2, 5]), np.array([5, 7]), np.array([1, 9])]
    idf = training.fit_idf(terms)
    x = training.matrix(terms, idf)
    weights, bias = training.fit(x, np.array([[1.0], [0.0], [1.0]]))
    assert weights.shape == (training.DIMENSIONS, 1) and bias.shape == (1,)
    unused = np.setdiff1d(np.arange(training.DIMENSIONS), [1, 2, 5, 7, 9])
    assert not weights[unused].any() and weights[[1, 2]].sum() > 0 > weights[7, 0]
