"""Which technique spans reports show, and how precise they are on articles the threshold was not chosen on.

    .venv/bin/python eval/techniques_shown.py [--write-threshold]   # eval/results/techniques_shown.json

The detector is trained on PTC train only; PTC dev (75 articles) is split in two halves by article (sorted ids,
alternating): the shown threshold is chosen on half A only, and precision is reported on half B (held out),
with the halves swapped as a check on how much the choice moves. A span is right when it overlaps a gold span
of the same technique ("any technique": of some technique). `--write-threshold` stores the threshold chosen
on half A in src/unspun/techniques/model/shown.json.

Paragraph level (SemEval-2023 Task 3 subtask 3 protocol, English): its English training articles include the
75 PTC dev articles with paragraph (line) labels in the 23-technique inventory; each line gets the techniques
of the spans that overlap it (PTC classes mapped to the 2023 names), micro-F1 over (line, technique) pairs,
against "Loaded_Language on every line". Reported on half B and on all 75.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

from calibration import platt
from techniques import PtcArticle, load_ptc, parse_articles, ptc_root

from unspun.calibration import platt_probability
from unspun.techniques.detect import SHOWN_FILE, TechniqueDetector, TechniqueSpan

RESULTS = REPO / "eval" / "results" / "techniques_shown.json"
TARGET = 0.70
MIN_SHOWN = 10  # a threshold is judged on at least this many spans of half A
GRID = tuple(round(0.01 * k, 2) for k in range(5, 61))
# PTC (2020) class -> SemEval-2023 subtask 3 name; where a 2020 class merges several 2023 ones, the first listed.
TO_2023 = {
    "Appeal_to_Authority": "Appeal_to_Authority", "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Bandwagon,Reductio_ad_hitlerum": "Appeal_to_Popularity", "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Causal_Oversimplification": "Causal_Oversimplification", "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation", "Flag-Waving": "Flag_Waving",
    "Loaded_Language": "Loaded_Language", "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition", "Slogans": "Slogans", "Thought-terminating_Cliches": "Conversation_Killer",
    "Whataboutism,Straw_Men,Red_Herring": "Whataboutism",
}


def judged(spans: list[TechniqueSpan], article: PtcArticle) -> list[tuple[float, bool, bool, bool]]:
    """(score, right technique, any technique, shown) per detected span."""
    return [(s.score, any(t == s.technique and s.start < e and b < s.end for t, b, e in article.techniques),
             any(s.start < e and b < s.end for b, e in article.spans), s.shown) for s in spans]


def precision(rows: list[tuple[float, bool, bool, bool]], threshold: float) -> dict:
    above = [r for r in rows if r[0] >= threshold]
    return {"threshold": threshold, "spans": len(above),
            "precision": round(sum(r[1] for r in above) / len(above), 4) if above else None,
            "precision_any_technique": round(sum(r[2] for r in above) / len(above), 4) if above else None}


def choose(rows: list[tuple[float, bool, bool, bool]]) -> tuple[float, bool]:
    """The lowest grid score whose spans reach TARGET precision (True), else the most precise one (False)."""
    candidates = [(t, precision(rows, t)) for t in GRID]
    judged_ = [(t, p) for t, p in candidates if p["spans"] >= MIN_SHOWN]
    for t, p in judged_:
        if p["precision"] >= TARGET:
            return t, True
    best = max(judged_, key=lambda item: (item[1]["precision"], -item[0]))
    return best[0], False


def calibrated(raw: float, a_b: tuple[float, float]) -> float:
    return platt_probability(raw, *a_b)


def reliability(rows: list[tuple[float, bool, bool, bool]], a_b: tuple[float, float]) -> dict:
    """Brier score of the raw and the calibrated scores, and calibrated probability against the observed share
    of right spans, by bins of predicted probability."""
    raw = np.array([r[0] for r in rows])
    cal = np.array([calibrated(r[0], a_b) for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    bins = []
    for lo, hi in ((0.0, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 1.01)):
        inside = (cal >= lo) & (cal < hi)
        if inside.any():
            bins.append({"predicted": f"{lo:.1f}-{min(hi, 1.0):.1f}", "spans": int(inside.sum()),
                         "mean_predicted": round(float(cal[inside].mean()), 3),
                         "observed_right": round(float(y[inside].mean()), 3)})
    return {"brier_raw": round(float(np.mean((raw - y) ** 2)), 4),
            "brier_calibrated": round(float(np.mean((cal - y) ** 2)), 4), "bins": bins}


def gold_lines(language: str, split: str, ids: set[str] | None = None) -> dict[str, dict[int, set[str]]]:
    """SemEval-2023 subtask 3 line labels (of these articles, or all): id -> line number -> techniques, in the
    labels file's order."""
    path = ptc_root().parent / "semeval2023_task3" / language / f"{split}-labels-subtask-3.txt"
    gold: dict[str, dict[int, set[str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        aid, number, *labels = line.split("\t")
        if ids is None or aid in ids:
            gold.setdefault(aid, {})[int(number)] = {x for x in (labels[0].split(",") if labels else []) if x}
    return gold


def paragraph_gold(ids: set[str]) -> dict[str, dict[int, set[str]]]:
    """SemEval-2023 subtask 3 English line labels of these articles (PTC's articles are its English set)."""
    return gold_lines("en", "train", ids)


def line_ranges(text: str) -> dict[int, tuple[int, int]]:
    out, start = {}, 0
    for number, line in enumerate(text.split("\n"), start=1):
        out[number] = (start, start + len(line))
        start += len(line) + 1
    return out


def paragraph_f1(articles: list[PtcArticle], found: list[list[TechniqueSpan]], gold: dict, shown_only: bool,
                 everywhere: str | None = None) -> dict:
    tp = fp = fn = 0
    for article, spans in zip(articles, found, strict=True):
        ranges = line_ranges(article.text)
        for number, truth in gold.get(article.id, {}).items():
            start, end = ranges.get(number, (0, 0))
            if everywhere:
                predicted = {everywhere}
            else:
                predicted = {TO_2023[s.technique] for s in spans if (s.shown or not shown_only)
                             and s.start < end and start < s.end}
            tp += len(predicted & truth)
            fp += len(predicted - truth)
            fn += len(truth - predicted)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"micro_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "precision": round(p, 4),
            "recall": round(r, 4), "gold_labels": tp + fn}


def halves(articles: list[PtcArticle]) -> tuple[list[int], list[int]]:
    order = sorted(range(len(articles)), key=lambda k: articles[k].id)
    return order[0::2], order[1::2]


def main() -> None:
    from unspun.nlp.pipeline import load_pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-threshold", action="store_true")
    args = parser.parse_args()
    nlp = load_pipeline()
    articles = load_ptc("dev")
    docs: list[Doc] = parse_articles(nlp, "dev", articles)
    detector = TechniqueDetector(calibrated=False)  # raw confidences: the threshold and calibration are fitted here
    found = [detector.detect(doc) for doc in docs]
    rows = [judged(spans, article) for spans, article in zip(found, articles, strict=True)]
    a, b = halves(articles)
    on = {name: [r for k in part for r in rows[k]] for name, part in (("A", a), ("B", b))}
    chosen_a, met_a = choose(on["A"])
    chosen_b, met_b = choose(on["B"])
    shipped = detector.shown_threshold
    a_b = platt([r[0] for r in on["A"]], [r[1] for r in on["A"]])
    gold = paragraph_gold({x.id for x in articles})
    part_b = [articles[k] for k in b]
    found_b = [found[k] for k in b]
    result = {
        "data": "PTC dev, 75 articles, halves A/B by sorted id (A: 0, 2, 4 ...); detector trained on PTC train",
        "target_precision": TARGET,
        "all_spans_half_B": precision(on["B"], 0.0),
        "chosen_on_A": {"threshold": chosen_a, "reached_target_on_A": met_a, "on_A": precision(on["A"], chosen_a),
                        "held_out_B": precision(on["B"], chosen_a)},
        "swapped_check_chosen_on_B": {"threshold": chosen_b, "reached_target_on_B": met_b,
                                      "held_out_A": precision(on["A"], chosen_b)},
        "shipped_raw_threshold": shipped,
        "calibration_fitted_on_A": {"a": round(a_b[0], 4), "b": round(a_b[1], 4),
                                    "half_B": reliability(on["B"], a_b)},
        "shipped_on_B_as_shown": precision([r for r in on["B"] if r[3]], 0.0),
        "precision_by_score_half_B": [precision(on["B"], t) for t in (0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)],
        "shown_by_technique_half_B": dict(Counter(s.technique for spans in found_b for s in spans if s.shown)),
        "paragraph_level": {
            "half_B": {"all_spans": paragraph_f1(part_b, found_b, gold, False),
                       "shown_spans": paragraph_f1(part_b, found_b, gold, True),
                       "loaded_language_everywhere": paragraph_f1(part_b, found_b, gold, False, "Loaded_Language")},
            "all_75": {"all_spans": paragraph_f1(articles, found, gold, False),
                       "shown_spans": paragraph_f1(articles, found, gold, True),
                       "loaded_language_everywhere": paragraph_f1(articles, found, gold, False, "Loaded_Language")},
        },
    }
    if args.write_threshold:
        path = Path(str(REPO / "src" / "unspun" / "techniques" / "model" / SHOWN_FILE))
        path.write_text(json.dumps({
            "threshold": round(calibrated(chosen_a, a_b), 6), "raw_threshold": chosen_a,
            "calibration": [round(a_b[0], 6), round(a_b[1], 6)],
            "chosen_on": "PTC dev half A (eval/techniques_shown.py): threshold for precision, Platt scaling of the "
                         "raw confidence into P(same technique as a gold span)",
            "target_reached_on_A": met_a}, indent=2) + "\n", encoding="utf-8")
        result["written"] = str(path.relative_to(REPO))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
