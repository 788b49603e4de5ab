"""Experiment (not in the product): how far a line-level classifier gets on SemEval-2023 Task 3 subtask 3.

    .venv/bin/python eval/paragraph_techniques.py     # -> eval/results/paragraph_techniques.json

The product finds technique spans and a line inherits the techniques of the spans in it; that scores under
"Loaded_Language on every line" (docs/evaluation.md). This asks whether a plain line classifier does better,
before anyone builds one into the analysis. Training: the English lines of SemEval-2023 Task 3 subtask 3 whose
articles are in PTC train (371 articles); never the 75 PTC dev articles. Features: hashed lower-cased words and
word pairs of the line (the narrative heads' hashing), tf-idf weighted. One L2-regularised logistic model per
technique with at least 20 training lines; each technique's threshold by 5-fold cross-validation over training
articles (maximising that technique's F1). Scored on the 75 PTC dev articles (half B as in
eval/techniques_shown.py, and all 75), micro-F1 over (line, technique) pairs, against "Loaded_Language on every
line".
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

from techniques import ptc_root
from techniques_shown import line_ranges, paragraph_gold

from unspun.narratives.detect import DIMENSIONS, hash_terms

RESULTS = REPO / "eval" / "results" / "paragraph_techniques.json"
MIN_LINES = 20
L2 = 1.0
FOLDS = 5


def lines_of(ids: list[str], gold: dict[str, dict[int, set[str]]], folder: str) -> list[tuple[str, str, set[str]]]:
    """(article id, line text, gold techniques) of every labelled line."""
    root = ptc_root().parent / "semeval2023_task3" / "en" / folder
    out = []
    for aid in ids:
        text = (root / f"article{aid}.txt").read_text(encoding="utf-8")
        ranges = line_ranges(text)
        for number, truth in sorted(gold.get(aid, {}).items()):
            start, end = ranges.get(number, (0, 0))
            out.append((aid, text[start:end], truth))
    return out


def matrix(texts: list[str], idf: np.ndarray | None = None) -> tuple[sparse.csr_matrix, np.ndarray]:
    rows, cols, vals = [], [], []
    bags = [hash_terms(t) for t in texts]
    if idf is None:
        df = np.zeros(DIMENSIONS)
        for bag in bags:
            df[np.unique(bag)] += 1
        idf = np.log((1 + len(bags)) / (1 + df)) + 1
    for r, bag in enumerate(bags):
        index, counts = np.unique(bag, return_counts=True)
        values = (1 + np.log(counts)) * idf[index]
        norm = np.linalg.norm(values)
        rows += [r] * len(index)
        cols += index.tolist()
        vals += (values / norm if norm else values).tolist()
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), DIMENSIONS)), idf


def fit(x: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        p = 1 / (1 + np.exp(-(x @ w + b)))
        eps = 1e-12
        value = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + L2 * w @ w
        grad = np.concatenate([x.T @ (p - y) + 2 * L2 * w, [np.sum(p - y)]])
        return float(value), grad

    theta = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return theta[:-1], float(theta[-1])


def micro(pred: list[set[str]], gold: list[set[str]]) -> dict:
    tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    fp = sum(len(p - g) for p, g in zip(pred, gold, strict=True))
    fn = sum(len(g - p) for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"micro_f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}


def main() -> None:
    root = ptc_root()
    train_ids = sorted(p.stem.removeprefix("article") for p in (root / "train-articles").glob("article*.txt"))
    dev_ids = sorted(p.stem.removeprefix("article") for p in (root / "dev-articles").glob("article*.txt"))
    gold = paragraph_gold(set(train_ids) | set(dev_ids))
    train = lines_of(train_ids, gold, "train-articles-subtask-3")
    counts = Counter(t for _, _, truth in train for t in truth)
    labels = sorted(t for t, n in counts.items() if n >= MIN_LINES)
    articles = sorted({aid for aid, _, _ in train})
    fold_of = {aid: k % FOLDS for k, aid in enumerate(articles)}
    scores = np.zeros((len(train), len(labels)))
    for fold in range(FOLDS):
        inside = [i for i, (aid, _, _) in enumerate(train) if fold_of[aid] != fold]
        outside = [i for i, (aid, _, _) in enumerate(train) if fold_of[aid] == fold]
        x, idf = matrix([train[i][1] for i in inside])
        x_out, _ = matrix([train[i][1] for i in outside], idf)
        for j, label in enumerate(labels):
            w, b = fit(x, np.array([label in train[i][2] for i in inside], dtype=float))
            scores[outside, j] = 1 / (1 + np.exp(-(x_out @ w + b)))
    thresholds = {}
    for j, label in enumerate(labels):
        truth = np.array([label in t for _, _, t in train])
        best = max(np.arange(0.05, 0.95, 0.05), key=lambda t, j=j, truth=truth: (
            2 * np.sum((scores[:, j] >= t) & truth) / max(1, np.sum(scores[:, j] >= t) + truth.sum()), -t))
        thresholds[label] = float(round(best, 2))
    x, idf = matrix([t for _, t, _ in train])
    heads = {label: fit(x, np.array([label in g for _, _, g in train], dtype=float)) for label in labels}
    dev = lines_of(dev_ids, gold, "train-articles-subtask-3")
    x_dev, _ = matrix([t for _, t, _ in dev], idf)
    pred = [set() for _ in dev]
    for label, (w, b) in heads.items():
        for i in np.flatnonzero(1 / (1 + np.exp(-(x_dev @ w + b))) >= thresholds[label]):
            pred[i].add(label)
    in_b = set(dev_ids[1::2])  # half B of eval/techniques_shown.py: sorted ids, every second one
    rows_b = [i for i, (aid, _, _) in enumerate(dev) if aid in in_b]
    golds = [g for _, _, g in dev]
    result = {
        "train_lines": len(train), "labels": labels, "thresholds": thresholds,
        "dev_half_B": {"classifier": micro([pred[i] for i in rows_b], [golds[i] for i in rows_b]),
                       "loaded_language_everywhere": micro([{"Loaded_Language"}] * len(rows_b),
                                                           [golds[i] for i in rows_b])},
        "dev_all_75": {"classifier": micro(pred, golds),
                       "loaded_language_everywhere": micro([{"Loaded_Language"}] * len(dev), golds)},
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k.startswith("dev")}, indent=2))


if __name__ == "__main__":
    main()
