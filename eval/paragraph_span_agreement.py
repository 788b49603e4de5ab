"""Can paragraph labels make technique spans trustworthy? (issue 15; measured, not used in the product)

    .venv/bin/python eval/paragraph_span_agreement.py   # -> eval/results/paragraph_span_agreement.json

On PTC dev (halves A/B as in eval/techniques_shown.py), each detected span is kept only where its paragraph
agrees: its technique (mapped to the SemEval-2023 names) is a kept label of an overlapping paragraph, or the
paragraph heads' probability for it reaches a floor; at several span-score floors. Precision = the span overlaps
a gold span of the same technique. A rule would be used only if it reached 0.70 on half A with >= 10 spans.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

from techniques import load_ptc, parse_articles
from techniques_shown import TO_2023, halves, judged

from unspun.nlp.pipeline import load_pipeline
from unspun.techniques.detect import TechniqueDetector
from unspun.techniques.paragraphs import ParagraphTechniqueDetector

RESULTS = REPO / "eval" / "results" / "paragraph_span_agreement.json"


def main() -> None:
    articles = load_ptc("dev")
    docs = parse_articles(load_pipeline(), "dev", articles)
    spans_of, paragraphs_of = TechniqueDetector(), ParagraphTechniqueDetector()
    rows = []  # per article: (span score, right, paragraph keeps its technique, paragraph probability of it)
    for doc, article in zip(docs, articles, strict=True):
        spans = spans_of.detect(doc)
        paragraphs = paragraphs_of.detect(article.text)
        out = []
        for span, (score, right, _, _) in zip(spans, judged(spans, article), strict=True):
            mine = [p for p in paragraphs if p.technique == TO_2023[span.technique]
                    and span.start < p.end and p.start < span.end]
            out.append((score, right, bool(mine), max((p.score for p in mine), default=0.0)))
        rows.append(out)
    a, b = halves(articles)
    parts = {"A": [r for k in a for r in rows[k]], "B": [r for k in b for r in rows[k]]}

    def precision(part: str, keep: Callable[[tuple], bool]) -> dict:
        kept = [r for r in parts[part] if keep(r)]
        return {"spans": len(kept), "precision": round(sum(r[1] for r in kept) / len(kept), 3) if kept else None}

    rules = {f"span score >= {t} and paragraph label kept": (lambda r, t=t: r[0] >= t and r[2])
             for t in (0.1, 0.2, 0.3, 0.4)}
    rules |= {f"span score >= {t} and paragraph probability >= {p}": (lambda r, t=t, p=p: r[0] >= t and r[3] >= p)
              for p in (0.3, 0.4, 0.5, 0.55) for t in (0.0, 0.1, 0.2)}
    result = {rule: {"half_A": precision("A", keep), "half_B": precision("B", keep)} for rule, keep in rules.items()}
    usable = [rule for rule, r in result.items()
              if r["half_A"]["spans"] >= 10 and (r["half_A"]["precision"] or 0) >= 0.70]
    RESULTS.write_text(json.dumps({"rules": result, "usable_on_half_A": usable}, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"usable_on_half_A": usable}, indent=2))


if __name__ == "__main__":
    main()
