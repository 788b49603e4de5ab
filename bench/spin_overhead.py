"""Benchmark: what narratives, persuasion techniques and rewrite artefacts add to the per-article analysis time.

Issue #5's budget: the three together add at most 50 % to the base analysis (spaCy parse plus quotes,
speakers, sourcing, entities, dates and hedges). One process, the same parsed Docs for every part:

- parse: ``nlp.pipe`` (batches of 16, as the analysis runs it), per article;
- full: ``analyze_doc`` on the parsed Doc (everything unspun extracts, the three parts included);
- artefacts, narratives, techniques: each part alone on the same Doc;
- base = parse + full - (artefacts + narratives + techniques).

Texts: PolNeAR (train, dev) and the development corpus's English articles, read from ../shared at run time.
Models are loaded (and warmed on one article) before timing. Writes bench/results/spin_overhead.json and .md.

    .venv/bin/python bench/spin_overhead.py [--limit 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from analysis_speed import load_texts

RESULTS = REPO / "bench" / "results"
PARTS = ("artefacts", "narratives", "techniques")


def measure(texts: list[str]) -> dict:
    from unspun.analysis import analyze_doc
    from unspun.extract.artefacts import artefact_score, find_artefacts
    from unspun.extract.narratives import find_narratives, narrative_detector
    from unspun.extract.techniques import find_techniques, technique_detector
    from unspun.nlp.pipeline import load_pipeline
    from unspun.records import Article

    nlp = load_pipeline()
    narratives, techniques = narrative_detector(), technique_detector()
    warm = nlp(texts[0])
    analyze_doc(warm, Article(text=texts[0]))
    parts = {
        "artefacts": lambda doc: artefact_score(find_artefacts(doc.text), doc.text),
        "narratives": lambda doc: find_narratives(doc, narratives),
        "techniques": lambda doc: find_techniques(doc, techniques),
    }
    totals = {name: 0.0 for name in ("parse", "full", *PARTS)}
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    totals["parse"] = time.perf_counter() - started
    for doc in docs:
        started = time.perf_counter()
        analyze_doc(doc, Article(text=doc.text))
        totals["full"] += time.perf_counter() - started
        for name, run in parts.items():
            started = time.perf_counter()
            run(doc)
            totals[name] += time.perf_counter() - started
    spin = sum(totals[name] for name in PARTS)
    base = totals["parse"] + totals["full"] - spin
    words = sum(len(t.split()) for t in texts)
    per_600 = {name: round(seconds / words * 600, 4) for name, seconds in totals.items()}
    per_600["base"] = round(base / words * 600, 4)
    return {
        "articles": len(texts), "words": words, "seconds": {k: round(v, 2) for k, v in totals.items()},
        "base_s": round(base, 2), "spin_s": round(spin, 2), "overhead": round(spin / base, 3),
        "per_600_words_s": per_600,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": os.getloadavg()[0],
    }


def write_results(result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    p = result["per_600_words_s"]
    lines = [
        "| part | s per 600 words | share of base |",
        "|---|---:|---:|",
        f"| base analysis (parse {p['parse']} s + extraction) | {p['base']} | 100 % |",
        *(f"| {name} | {p[name]} | {p[name] / p['base'] * 100:.1f} % |" for name in PARTS),
        (f"| **narratives + techniques + artefacts** | **{sum(p[n] for n in PARTS):.4f}** | "
        f"**{result['overhead'] * 100:.1f} %** (budget ≤ 50 %) |"),
        "",
        (f"{result['articles']} articles, {result['words']:,} words, one process; machine: {result['machine']} "
        f"(1-min load average {result['load_average']:.1f} at the end)."),
    ]
    (RESULTS / "spin_overhead.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "spin_overhead.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    write_results(measure(load_texts(args.limit)))


if __name__ == "__main__":
    main()
