"""Narrative detection on SemEval-2025 Task 10 English train: cross-validated samples-F1, speed, seed check.

The previous round's protocol: its CV runs over all 200 English articles, the held-out split of
eval/narrative_split.py included, so do not choose anything by it; the number to report is
eval/narratives_heldout.py's (docs/evaluation.md, issue #15).

    .venv/bin/python eval/narratives.py [--speed-and-seed]

5-fold cross-validation on the 200 English articles (folds stratified by domain, seed 13): in each fold the
heads are trained and their thresholds calibrated on the other four folds only (eval/train_narratives.py,
inner 5-fold CV), and the held-out articles go through NarrativeDetector. Scores: SemEval-2025 subtask 2
samples-F1 on narratives and on sub-narratives ("Other" counts as a label; a narrative without a specific
sub-narrative gets "<narrative>: Other"). Speed: the shipped heads on all 200 articles, text only. Seed: the
labels and evidence offsets of ../shared/seed/000_1fd3dc944a29abde.txt. Writes eval/results/narratives.json
(numbers, label names and offsets; no text).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import train_narratives as training

from unspun.narratives.detect import NarrativeDetector, split_sentences

RESULTS = training.REPO / "eval" / "results" / "narratives.json"
SEED_TEXT = training.SHARED / "seed" / "000_1fd3dc944a29abde.txt"
FOLDS = 5
# The seed's factual sentences about the visit, told apart by words, written before running the detector:
# they name the visit or the commission and say nothing about Donbass, Maidan or the West.
_FACTUAL = re.compile(r"Belousov|commission|state visit|high-profile trip|upcoming meetings")
_FRAMING = re.compile(r"Donbass|Maidan|West|non-Western")


def cross_validate(rows: list[dict]) -> dict:
    assignment = training.folds(rows, FOLDS, training.SEED)
    per_fold = []
    pred_n, pred_s, gold_n, gold_s = [], [], [], []
    for fold in range(FOLDS):
        train = [r for r, a in zip(rows, assignment, strict=True) if a != fold]
        test = [r for r, a in zip(rows, assignment, strict=True) if a == fold]
        heads = training.train(train)
        detector = NarrativeDetector(heads=heads)
        fold_n, fold_s = [], []
        for row in test:
            labels = detector.detect(row["text"])
            fold_n.append({label.label for label in labels})
            fold_s.append({s.label for label in labels for s in label.sub_labels} or {"Other"})
        gn = [set(r["narratives"]) for r in test]
        gs = [set(r["subnarratives"]) for r in test]
        per_fold.append({
            "articles": len(test),
            "narratives_f1": round(training.samples_f1(fold_n, gn), 4),
            "subnarratives_f1": round(training.samples_f1(fold_s, gs), 4),
            "thresholds": [heads.other_threshold, heads.narrative_threshold, heads.sub_threshold,
                           heads.similarity_threshold],
        })
        pred_n += fold_n
        pred_s += fold_s
        gold_n += gn
        gold_s += gs
        print(fold, per_fold[-1], flush=True)
    other = [{"Other"}] * len(rows)
    return {
        "folds": per_fold,
        "narratives_f1_mean_of_folds": round(float(np.mean([f["narratives_f1"] for f in per_fold])), 4),
        "subnarratives_f1_mean_of_folds": round(float(np.mean([f["subnarratives_f1"] for f in per_fold])), 4),
        "narratives_f1_pooled": round(training.samples_f1(pred_n, gold_n), 4),
        "subnarratives_f1_pooled": round(training.samples_f1(pred_s, gold_s), 4),
        "baseline_always_other_narratives_f1": round(training.samples_f1(other, gold_n), 4),
        "baseline_always_other_subnarratives_f1": round(training.samples_f1(other, gold_s), 4),
        "share_predicted_other": round(sum(p == {"Other"} for p in pred_n) / len(rows), 4),
        "share_gold_other": round(sum(g == {"Other"} for g in gold_n) / len(rows), 4),
    }


def time_detector(rows: list[dict]) -> dict:
    detector = NarrativeDetector()
    detector.detect(rows[0]["text"])  # warm-up
    seconds, cpu = [], []
    for row in rows:
        start, start_cpu = time.perf_counter(), time.process_time()
        detector.detect(row["text"])
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    words = [len(r["text"].split()) for r in rows]
    # Wall time grows with the shared machine's load; CPU time much less so (the encoder runs one BLAS thread
    # on a few sentences), so both are reported.
    return {
        "articles": len(rows),
        "mean_words": round(float(np.mean(words)), 1),
        "mean_seconds": round(float(np.mean(seconds)), 5),
        "median_seconds": round(float(np.median(seconds)), 5),
        "max_seconds": round(float(np.max(seconds)), 5),
        "mean_cpu_seconds": round(float(np.mean(cpu)), 5),
    }


def check_seed(path: Path = SEED_TEXT) -> dict:
    text = path.read_text(encoding="utf-8")
    labels = NarrativeDetector().detect(text)
    spans = split_sentences(text)
    factual = [s for s in spans if _FACTUAL.search(text[s[0] : s[1]]) and not _FRAMING.search(text[s[0] : s[1]])]
    framing = [s for s in spans if _FRAMING.search(text[s[0] : s[1]])]
    evidence = {(e.start, e.end) for label in labels for e in label.evidence}
    return {
        "labels": [
            {
                "label": label.label,
                "score": label.score,
                "sub_labels": [[s.label, s.score] for s in label.sub_labels],
                "evidence": [[e.start, e.end, e.score] for e in label.evidence],
            }
            for label in labels
        ],
        "factual_visit_sentences": [list(s) for s in factual],
        "framing_sentences": [list(s) for s in framing],
        "factual_sentences_as_evidence": len(evidence & set(factual)),
        "framing_sentences_as_evidence": len(evidence & set(framing)),
    }


def main() -> None:
    rows = training.load_english()
    if "--speed-and-seed" in sys.argv[1:]:  # re-measure the shipped heads only; keep the cross-validation
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
        results.update(speed=time_detector(rows), seed=check_seed())
    else:
        results = {
            "data": "semeval2025_task10 train_oct2024 EN",
            "articles": len(rows),
            "cross_validation": cross_validate(rows),
            "speed": time_detector(rows),
            "seed": check_seed(),
            "targets": {"narratives_f1": 0.55, "subnarratives_f1": 0.43},
        }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "cross_validation"}, indent=2))
    print(json.dumps(results["cross_validation"], indent=2))


if __name__ == "__main__":
    main()
