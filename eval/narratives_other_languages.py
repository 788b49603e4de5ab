"""Narratives in the languages other than English of the SemEval-2025 training release (Portuguese, Hindi).

    .venv/bin/python eval/narratives_other_languages.py

The shipped detector is English: its heads weigh hashed English words and its example match uses an English
encoder, and `unspun analyze` refuses a text that is not English. This script measures what the shipped heads
(trained on the English training part only, so none of these articles was seen in training or tuning) do with
each other language as it is, against "always Other", with the same scoring as eval/narratives_heldout.py.
Writes eval/results/narratives_other_languages.json (numbers only).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

import train_narratives as training
from narratives_heldout import score

from unspun.narratives.catalog import NO_NARRATIVE
from unspun.narratives.detect import NarrativeDetector

RESULTS = REPO / "eval" / "results" / "narratives_other_languages.json"
LANGUAGES = {"PT": "Portuguese", "HI": "Hindi"}


def main() -> None:
    rows = [json.loads(line) for line in training.DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    detector = NarrativeDetector()
    result: dict = {}
    for prefix, language in LANGUAGES.items():
        chosen = [row for row in rows if row["id"].startswith(prefix + "_")]
        other = [{NO_NARRATIVE}] * len(chosen)
        result[language] = {
            "articles": len(chosen),
            "other_share": round(sum(set(r["narratives"]) == {NO_NARRATIVE} for r in chosen) / len(chosen), 4),
            "always_other": {
                "narratives_f1": round(training.samples_f1(other, [set(r["narratives"]) for r in chosen]), 4),
                "subnarratives_f1": round(training.samples_f1(other, [set(r["subnarratives"]) for r in chosen]), 4)},
            "shipped": score(detector, chosen),
        }
        print(language, json.dumps(result[language]), flush=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
