"""Narratives on the held-out split (eval/data/narratives_split.json): trained on the training part only.

    .venv/bin/python eval/narratives_heldout.py [--variants v3 lexical] [--with-portuguese]

Trains each variant on the training part of the split (English, and Portuguese with --with-portuguese), runs
the detector on the held-out English articles, and scores samples-F1 (narratives and sub-narratives, SemEval-2025
subtask 2) and the precision of what is shown (a narrative counts as shown when the detector returns it with a
score at or above the heads' shown threshold). Writes eval/results/narratives_heldout.json (numbers only).
Nothing here is tuned on the held-out part: each variant's thresholds come from inner cross-validation on the
training part (eval/train_narratives.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

import train_narratives as training
from narrative_split import OUT as SPLIT

from unspun.calibration import platt_probability
from unspun.narratives.catalog import NO_NARRATIVE
from unspun.narratives.detect import NarrativeDetector, hash_terms, split_sentences, weigh_terms

RESULTS = REPO / "eval" / "results" / "narratives_heldout.json"


def split_rows(with_portuguese: bool) -> tuple[list[dict], list[dict]]:
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in (json.loads(line) for line in training.DATA.read_text(encoding="utf-8").splitlines()
                                 if line.strip())}
    train = [rows[i] for i in split["train"] if with_portuguese or i.startswith("EN_")]
    for row in train:  # the Portuguese rows carry no domain: it follows from their labels
        if not row.get("domain"):
            row["domain"] = "CC" if any(n.startswith("CC:") for n in row["narratives"]) else "URW"
    return train, [rows[i] for i in split["heldout_en"]]


def precision_at(scored: list[tuple[float, bool, bool]], threshold: float) -> tuple[float | None, int]:
    shown = [ok for score, ok, _ in scored if score >= threshold]
    return (round(sum(shown) / len(shown), 4) if shown else None), len(shown)


def score(detector: NarrativeDetector, rows: list[dict]) -> dict:
    pred_n, pred_s, scored, shown_sets = [], [], [], []
    started = time.perf_counter()
    for row in rows:
        labels = [label for label in detector.detect(row["text"]) if label.label != NO_NARRATIVE]
        gold = set(row["narratives"])
        pred_n.append({label.label for label in labels} or {NO_NARRATIVE})
        shown_sets.append({label.label for label in labels if label.shown} or {NO_NARRATIVE})
        pred_s.append({s.label for label in labels for s in label.sub_labels} or {NO_NARRATIVE})
        scored += [(label.score, label.label in gold, label.shown) for label in labels]
    elapsed = time.perf_counter() - started
    gold_n = [set(r["narratives"]) for r in rows]
    gold_s = [set(r["subnarratives"]) for r in rows]
    shown_at = detector.heads.shown_threshold
    on_view = [ok for _, ok, shown in scored if shown]
    precision, shown = (round(sum(on_view) / len(on_view), 4) if on_view else None), len(on_view)
    return {
        "narratives_f1": round(training.samples_f1(pred_n, gold_n), 4),
        "subnarratives_f1": round(training.samples_f1(pred_s, gold_s), 4),
        "flagged": len(scored), "flagged_precision": round(sum(ok for _, ok, _ in scored) / len(scored), 4) if scored
        else None,
        "shown_threshold (head probability)": shown_at, "shown": shown, "shown_precision": precision,
        "narratives_f1_shown_only": round(training.samples_f1(shown_sets, gold_n), 4),
        "precision_by_score": {f">={t:.1f}": precision_at(scored, t) for t in np.arange(0.3, 1.0, 0.1)},
        "predicted_other_share": round(sum(p == {NO_NARRATIVE} for p in pred_n) / len(rows), 4),
        "seconds_per_article": round(elapsed / len(rows), 4),
    }


def head_calibration(detector: NarrativeDetector, rows: list[dict]) -> dict:
    """How well the narrative heads' probabilities are calibrated on `rows`: every (article, narrative head) pair,
    the head's probability, raw and Platt-scaled as the detector reports it (heads.calibration, fitted out of fold
    on the training part), against whether the article carries that narrative (Brier score, reliability bins)."""
    heads = detector.heads
    columns = [(n, label) for n, label in enumerate(heads.labels) if label.count(": ") == 1]
    predicted, observed = [], []
    for row in rows:
        text = row["text"]
        terms = [hash_terms(text[start:end]) for start, end in split_sentences(text)]
        if not sum(len(t) for t in terms):
            continue
        logits = heads.logits(*weigh_terms(np.concatenate(terms), heads.idf))
        probs = 1.0 / (1.0 + np.exp(-logits))
        predicted += [float(probs[n]) for n, _ in columns]
        observed += [label in row["narratives"] for _, label in columns]
    y = np.array(observed, dtype=float)
    result: dict = {"pairs": len(y), "brier_of_the_base_rate": round(float(np.mean((y.mean() - y) ** 2)), 4)}
    for name, p in (("raw", np.array(predicted)),
                    ("calibrated", np.array([platt_probability(v, *heads.calibration) for v in predicted]))):
        bins = []
        for low, high in ((0.0, 0.05), (0.05, 0.1), (0.1, 0.2), (0.2, 0.4), (0.4, 1.01)):
            inside = (p >= low) & (p < high)
            bins.append({"predicted": f"{low}-{min(high, 1.0)}", "pairs": int(inside.sum()),
                         "mean_predicted": round(float(p[inside].mean()), 4) if inside.any() else None,
                         "observed": round(float(y[inside].mean()), 4) if inside.any() else None})
        result[name] = {"brier": round(float(np.mean((p - y) ** 2)), 4), "bins": bins}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["v3", "lexical"])
    parser.add_argument("--with-portuguese", action="store_true")
    args = parser.parse_args()
    train, heldout = split_rows(args.with_portuguese)
    result: dict = {"train_articles": len(train), "heldout_articles": len(heldout),
                    "always_other": {
                        "narratives_f1": round(training.samples_f1([{NO_NARRATIVE}] * len(heldout),
                                                                   [set(r["narratives"]) for r in heldout]), 4),
                        "subnarratives_f1": round(training.samples_f1([{NO_NARRATIVE}] * len(heldout),
                                                                      [set(r["subnarratives"]) for r in heldout]), 4)}}
    heads = training.train(train)
    for variant in args.variants:
        chosen = heads if variant == "v3" else replace(heads, similarity_threshold=2.0)
        result[variant] = score(NarrativeDetector(heads=chosen), heldout)
        if variant == "v3":
            result[variant]["head_calibration"] = head_calibration(NarrativeDetector(heads=chosen), heldout)
        print(variant, json.dumps(result[variant]), flush=True)
    print(json.dumps(result["always_other"]))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
