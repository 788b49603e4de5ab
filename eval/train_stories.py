"""Train the same-story classifier (src/unspun/stories/model/same_story.npz) on the development sets.

    .venv/bin/python eval/train_stories.py [--no-write]

Pairs: every candidate pair the index proposes (stories/candidates.py) within each development set of
eval/stories.py (families-dev, corpus-dev, demo), and every pair of one gold story the index missed; a pair is
positive when both articles belong to one gold story (a distractor is a story of its own). Pairs the hard rules
decide (identical texts, more than max_days_apart days apart, a language the encoder cannot read, the rules of
stories/sameness.ruled_out) are left out, as in clustering. Features: stories/sameness.py.

Cross-validation: five folds, the fictional families four ways by family and the real corpus (with the demo) as
the fifth, so each fold is predicted by a model that never saw its stories. The threshold is the one giving the
best mean B-cubed F1 over the three sets when the folds' probabilities are clustered by average linkage (the
clustering the product runs); the model written is then fitted on all the pairs. The held-out sets
(corpus-heldout, families-heldout) are not read. Writes the model and eval/results/train_stories.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from itertools import combinations

import numpy as np
from scipy.optimize import minimize
from stories import REPO, SETS, bcubed

from unspun.records import Article
from unspun.stories.align import embed_articles
from unspun.stories.candidates import CandidateIndex, identity_keys, signature_of, unreadable
from unspun.stories.cluster import StoryOptions, average_linkage, comparable
from unspun.stories.features import article_features
from unspun.stories.lineage import days_between
from unspun.stories.model import PairModel
from unspun.stories.sameness import EVENT_FEATURES, event_features, ruled_out
from unspun.stories.update import default_embed

DEV_SETS = ("families-dev", "corpus-dev", "demo")
THRESHOLDS = tuple(round(0.1 + 0.05 * k, 2) for k in range(17))  # 0.10 .. 0.90
L2 = 1.0


def set_pairs(name: str, opt: StoryOptions) -> dict:
    """The set's articles, gold stories, candidate pairs with their features and labels, and fold groups."""
    rows = SETS[name]()
    articles = [Article(text=r["text"], id=r["id"], site=r["site"], published=r["published"], language=r["lang"])
                for r in rows]
    features = [article_features(a) for a in articles]
    vectors = embed_articles(features, default_embed())
    index = CandidateIndex(opt.candidates)
    index.add([f.id for f in features], vectors.articles,
              [signature_of(" ".join(f.sentences), opt.candidates) if comparable(f) else None for f in features],
              [identity_keys(f.names, f.numbers) if comparable(f) else frozenset() for f in features],
              [f.language for f in features])
    candidates = index.pairs_for(range(len(features)))
    gold = [r["story"] or f"single-{r['id']}" for r in rows]
    positives = {(i, j) for i, j in combinations(range(len(rows)), 2) if gold[i] == gold[j]}
    missed = positives - candidates
    pairs, x, y = [], [], []
    for i, j in sorted(candidates | positives):
        a, b = features[i], features[j]
        if (a.fingerprint and a.fingerprint == b.fingerprint) or not comparable(a) or not comparable(b):
            continue
        if a.published and b.published and abs(days_between(a.published, b.published)) > opt.max_days_apart:
            continue
        if unreadable(a.language) or unreadable(b.language) or ruled_out(a, b, vectors.sentences[i],
                                                                         vectors.sentences[j]):
            continue
        pairs.append((i, j))
        x.append(event_features(a, b, vectors.sentences[i], vectors.sentences[j]))
        y.append(float(gold[i] == gold[j]))
    group = [r.get("family") or name for r in rows]
    return {"name": name, "rows": rows, "gold": gold, "pairs": pairs, "x": np.array(x), "y": np.array(y),
            "group": group, "candidate_recall": 1 - len(missed) / max(len(positives), 1), "positives": len(positives),
            "candidate_pairs": len(candidates), "features": features, "vectors": vectors}


def fit(x: np.ndarray, y: np.ndarray, features: tuple[str, ...] = EVENT_FEATURES,
        weight: np.ndarray | None = None) -> PairModel:
    """L2-penalised logistic regression, both classes weighted equally (L-BFGS); ``weight`` scales examples
    (e.g. so that each data set counts the same) before the classes are balanced."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    z = (x - mean) / scale
    base = np.ones(len(y)) if weight is None else weight
    positive = (base * y).sum() / base.sum()
    weight = base * np.where(y == 1, 0.5 / max(positive, 1e-9), 0.5 / max(1 - positive, 1e-9))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-(z @ theta[:-1] + theta[-1])))
        value = -(weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum() + L2 * (theta[:-1] ** 2).sum()
        grad = np.append(z.T @ (weight * (p - y)) + 2 * L2 * theta[:-1], (weight * (p - y)).sum())
        return float(value), grad

    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return PairModel(weights=theta[:-1], bias=float(theta[-1]), mean=mean, scale=scale, threshold=0.5,
                     features=features)


def folds_of(data: list[dict], folds: int = 5, seed: int = 7) -> list[np.ndarray]:
    """Per set, the fold of each pair: families four ways by family, the real sets together as the last."""
    families = sorted({g for d in data if d["name"].startswith("families") for g in d["group"]})
    random.Random(seed).shuffle(families)
    fold_of = {g: k % (folds - 1) for k, g in enumerate(families)}
    out = []
    for d in data:
        out.append(np.array([fold_of.get(d["group"][i], folds - 1) for i, _ in d["pairs"]], dtype=int))
    return out


def clustered_f1(d: dict, probabilities: np.ndarray, bar: float) -> float:
    groups = average_linkage(len(d["rows"]), dict(zip(d["pairs"], probabilities.tolist(), strict=True)), bar)
    # identical texts are one story before the model is asked (cluster.pair_probability)
    predicted = {d["rows"][m]["id"]: k for k, group in enumerate(groups) for m in group}
    fingerprints: dict[str, int] = {}
    for k, f in enumerate(d["features"]):
        if f.fingerprint:
            first = fingerprints.setdefault(f.fingerprint, k)
            predicted[d["rows"][k]["id"]] = predicted[d["rows"][first]["id"]]
    gold = {r["id"]: g for r, g in zip(d["rows"], d["gold"], strict=True)}
    return bcubed(predicted, gold)[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    opt = StoryOptions()
    data = [set_pairs(name, opt) for name in DEV_SETS]
    fold = folds_of(data)
    x, y = np.concatenate([d["x"] for d in data]), np.concatenate([d["y"] for d in data])
    all_folds = np.concatenate(fold)
    predicted = np.zeros(len(y))
    for k in sorted(set(all_folds.tolist())):
        test = all_folds == k
        predicted[test] = fit(x[~test], y[~test]).probability(x[test])
    parts, start = [], 0
    for d in data:
        parts.append(predicted[start : start + len(d["y"])])
        start += len(d["y"])
    scores: dict[float, dict[str, float]] = defaultdict(dict)
    for bar in THRESHOLDS:
        for d, p in zip(data, parts, strict=True):
            scores[bar][d["name"]] = round(clustered_f1(d, p, bar), 4)
    best = max(THRESHOLDS, key=lambda t: (np.mean(list(scores[t].values())), -t))
    model = fit(x, y)
    model = PairModel(model.weights, model.bias, model.mean, model.scale, best, EVENT_FEATURES)
    report = {
        "sets": {d["name"]: {"articles": len(d["rows"]), "pairs": len(d["y"]), "positive": int(d["y"].sum()),
                             "candidate_recall": round(d["candidate_recall"], 4), "gold_pairs": d["positives"],
                             "candidate_pairs": d["candidate_pairs"]} for d in data},
        "cv_bcubed_f1_by_threshold": {str(t): v for t, v in scores.items()},
        "threshold": best,
        "weights": dict(zip(EVENT_FEATURES, np.round(model.weights, 3).tolist(), strict=True)),
    }
    print(json.dumps(report, indent=1))
    if not args.no_write:
        model.save(str(REPO / "src" / "unspun" / "stories" / "model" / "same_story.npz"))
        out = REPO / "eval" / "results" / "train_stories.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the model and {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
