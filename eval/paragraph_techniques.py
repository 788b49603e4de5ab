"""Score the paragraph technique heads (techniques/paragraphs.py) on SemEval-2023 Task 3 subtask 3 lines.

    .venv/bin/python eval/paragraph_techniques.py     # -> eval/results/paragraph_techniques.json

English: the 75 PTC-dev articles' lines (their SemEval-2023 labels), never used for training or for choosing
any threshold (eval/train_paragraph_techniques.py fits and tunes out of fold on the PTC-train articles only).
Reported on half B (sorted ids, every second one: the half on which eval/techniques_shown.py reports) first, then
all 75; micro-F1 over (line, technique) pairs, against "Loaded_Language on every line"; and the precision of
the shown pairs. Other languages (French, German, Italian, Polish, Russian dev sets): the English-trained
heads applied as they are (the encoder is multilingual), the same scores: nothing of these languages was
used for training.

(An earlier experiment here, a bag-of-words line classifier, scored 0.199 on half B: docs/evaluation.md.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

from techniques import ptc_root
from techniques_shown import gold_lines, line_ranges

from unspun.techniques.paragraphs import ParagraphTechniqueDetector

RESULTS = REPO / "eval" / "results" / "paragraph_techniques.json"
OTHER_LANGUAGES = ("fr", "ge", "it", "po", "ru")


def predict(detector: ParagraphTechniqueDetector, text: str) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Line number -> kept techniques, and -> shown techniques."""
    starts = line_ranges(text)
    kept: dict[int, set[str]] = {}
    shown: dict[int, set[str]] = {}
    for found in detector.detect(text):
        number = next(n for n, (s, e) in starts.items() if s <= found.start < e or (s == e == found.start))
        kept.setdefault(number, set()).add(found.technique)
        if found.shown:
            shown.setdefault(number, set()).add(found.technique)
    return kept, shown


def score(pairs: list[tuple[set[str], set[str]]]) -> dict:
    tp = sum(len(p & g) for p, g in pairs)
    fp = sum(len(p - g) for p, g in pairs)
    fn = sum(len(g - p) for p, g in pairs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"micro_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "precision": round(p, 4),
            "recall": round(r, 4), "predicted": tp + fp}


def evaluate(detector: ParagraphTechniqueDetector, folder: Path, gold: dict[str, dict[int, set[str]]]) -> dict:
    kept_pairs, shown_pairs, everywhere = [], [], []
    for aid, lines in sorted(gold.items()):
        kept, shown = predict(detector, (folder / f"article{aid}.txt").read_text(encoding="utf-8"))
        for number, truth in lines.items():
            kept_pairs.append((kept.get(number, set()), truth))
            shown_pairs.append((shown.get(number, set()), truth))
            everywhere.append(({"Loaded_Language"}, truth))
    shown = score(shown_pairs)
    return {"articles": len(gold), "lines": len(kept_pairs), "kept": score(kept_pairs),
            "shown": {"pairs": shown["predicted"], "precision": shown["precision"]},
            "loaded_language_everywhere": score(everywhere)}


def main() -> None:
    detector = ParagraphTechniqueDetector()
    dev_ids = sorted(p.stem.removeprefix("article") for p in (ptc_root() / "dev-articles").glob("article*.txt"))
    english = ptc_root().parent / "semeval2023_task3" / "en" / "train-articles-subtask-3"
    result = {
        "en_dev_half_B": evaluate(detector, english, gold_lines("en", "train", set(dev_ids[1::2]))),
        "en_dev_all_75": evaluate(detector, english, gold_lines("en", "train", set(dev_ids))),
    }
    for language in OTHER_LANGUAGES:
        folder = ptc_root().parent / "semeval2023_task3" / language / "dev-articles-subtask-3"
        result[f"{language}_dev"] = evaluate(detector, folder, gold_lines(language, "dev"))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
