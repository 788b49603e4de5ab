"""Score the source type unspun gives each quotation (named, anonymous, unnamed, document, unknown).

    .venv/bin/python eval/source_types.py                     # every set; eval/results/source_types.json
    .venv/bin/python eval/source_types.py --set polnear-dev-a --errors /tmp/type-errors.jsonl

A predicted quote is paired with a gold quote when their content spans overlap by at least 0.3 of the
longer (one-to-one, greedily, as in eval/quotes.py); the pair counts when the gold source has a type.
Reported per set: 5-way type accuracy, named-vs-not-named accuracy, the confusion table, and how many
gold anonymous sources unspun typed named (the worst error for this tool: the target is zero everywhere).

The sets, and which ones were looked at while the typing rules were written (eval/data/README.md):

    development (error analysis allowed)         held out (run, never read while tuning)
    hardcases          fictional, 30 articles    heldout              fictional, 25 articles, another author
    polnear-dev-a      PolNeAR dev, 5 outlets    polnear-dev-b        PolNeAR dev, nyt + west-journal
    corpus-a           real farm/news corpus     corpus-b             real farm/news corpus, other articles
    polnear-train-anon-a  PolNeAR train articles polnear-train-anon-b the same from five other outlets
                       with anonymous sourcing,  news-anon            PTC / SemEval-2023 news articles with
                       wash-post and politico                         anonymous sourcing
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from datasets import (
    EVAL_DIR,
    HARDCASES,
    HELDOUT,
    GoldDoc,
    GoldQuote,
    GoldSpeaker,
    load_hardcases,
    load_polnear,
    read_text,
    shared_root,
)
from evaluators import FOUND, DocResult, matched_pairs
from quotes import predict
from scoring import confusion

DATA = EVAL_DIR / "data"
RESULTS = EVAL_DIR / "results" / "source_types.json"
TYPES = ("named", "anonymous", "unnamed", "document", "unknown")
HELD_OUT = ("heldout", "polnear-dev-b", "polnear-train-anon-b", "corpus-b", "news-anon")
# PolNeAR train's articles with anonymous sourcing, split by outlet: two for error analysis, five held out.
DEV_OUTLETS = ("wash-post", "politico")
TEST_OUTLETS = ("nyt", "huff-post", "west-journal", "breitbart", "usa-today")


def polnear_typed(split: str, files: list[str], outlets: tuple[str, ...] | None = None) -> list[GoldDoc]:
    """PolNeAR texts with the attributions' sources typed by hand (files of {doc, start, end, type}),
    only those of the given outlets (the text names' prefixes) when outlets is set."""
    types: dict[tuple[str, int, int], str] = {}
    for name in files:
        for row in _rows(DATA / name):
            types[(row["doc"], row["start"], row["end"])] = row["type"]
    wanted = {doc for doc, _, _ in types if outlets is None or doc.split("_")[0] in outlets}
    docs = []
    for doc in load_polnear(split):
        if doc.id not in wanted:
            continue
        quotes = [_with_type(q, types.get((doc.id, *q.speaker.span)) if q.speaker and q.speaker.span else None)
                  for q in doc.quotes]
        docs.append(GoldDoc(id=doc.id, text=doc.text, quotes=quotes, published=doc.published))
    return docs


def corpus_typed(name: str) -> list[GoldDoc]:
    """Articles of ../shared/corpus/dev with every quotation and its source typed by hand (offsets only)."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(DATA / name):
        by_article.setdefault(row["id"], []).append(row)
    docs = []
    with (shared_root() / "corpus" / "dev" / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            rows = by_article.get(article["id"])
            if rows is None:
                continue
            quotes = [
                GoldQuote(r["start"], r["end"], marked=r["kind"] != "indirect", kind=r["kind"],
                          speaker=GoldSpeaker(start=r["speaker_start"], end=r["speaker_end"], type=r["type"]))
                for r in rows if r.get("type")
            ]
            docs.append(GoldDoc(id=article["id"], text=article["text"], quotes=quotes,
                                published=article.get("published")))
    return docs


def news_typed(name: str) -> list[GoldDoc]:
    """Articles of the shared propaganda-task data sets (rows name their file) with every quotation typed."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(DATA / name):
        by_doc.setdefault(row["path"], []).append(row)
    docs = []
    for path, rows in sorted(by_doc.items()):
        text = read_text(shared_root() / "data" / path)
        quotes = [GoldQuote(r["start"], r["end"], marked=r["kind"] != "indirect", kind=r["kind"],
                            speaker=GoldSpeaker(start=r["speaker_start"], end=r["speaker_end"], type=r["type"]))
                  for r in rows]
        docs.append(GoldDoc(id=rows[0]["doc"], text=text, quotes=quotes))
    return docs


SETS: dict[str, Callable[[], list[GoldDoc]]] = {
    "hardcases": lambda: load_hardcases(HARDCASES),
    "polnear-dev-a": lambda: polnear_typed("dev", ["polnear_dev_types_part1.jsonl", "polnear_dev_types_part3.jsonl"]),
    "corpus-a": lambda: corpus_typed("corpus_sources_a.jsonl"),
    "polnear-train-anon-a": lambda: polnear_typed("train", ["polnear_train_anon_types.jsonl"], DEV_OUTLETS),
    "heldout": lambda: load_hardcases(HELDOUT),
    "polnear-dev-b": lambda: polnear_typed("dev", ["polnear_dev_types_part2.jsonl"]),
    "polnear-train-anon-b": lambda: polnear_typed("train", ["polnear_train_anon_types.jsonl"], TEST_OUTLETS),
    "corpus-b": lambda: corpus_typed("corpus_sources_b.jsonl"),
    "news-anon": lambda: news_typed("news_anon_sources.jsonl"),
}


def score(results: list[DocResult]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Metrics of one set, and one error record (offsets and short spans) per wrong type."""
    pairs: list[tuple[str, str]] = []
    errors: list[dict[str, Any]] = []
    typed = sum(1 for r in results for q in r.doc.quotes if q.speaker and q.speaker.type)
    for result in results:
        for pred, gold in matched_pairs(result, FOUND):
            if gold.speaker is None or not gold.speaker.type:
                continue
            speaker = pred.get("speaker") or {}
            predicted = str(speaker.get("type"))
            pairs.append((gold.speaker.type, predicted))
            if predicted != gold.speaker.type:
                errors.append(_error(result.doc, gold, pred, predicted))
    right = sum(1 for g, p in pairs if g == p)
    named_right = sum(1 for g, p in pairs if (g == "named") == (p == "named"))
    anonymous = [p for g, p in pairs if g == "anonymous"]
    return {
        "gold_typed": typed,
        "matched": len(pairs),
        "type_accuracy": _rate(right, len(pairs)),
        "named_vs_not_accuracy": _rate(named_right, len(pairs)),
        "anonymous_gold": len(anonymous),
        "anonymous_typed_named": sum(1 for p in anonymous if p == "named"),
        "anonymous_recall": _rate(sum(1 for p in anonymous if p == "anonymous"), len(anonymous)),
        "confusion": confusion(pairs),
    }, errors


def _error(doc: GoldDoc, gold: GoldQuote, pred: dict[str, Any], predicted: str) -> dict[str, Any]:
    assert gold.speaker is not None
    speaker = pred.get("speaker") or {}
    span = gold.speaker.span
    return {
        "doc": doc.id, "gold": gold.speaker.type, "pred": predicted,
        "gold_source": doc.text[span[0]:span[1]] if span else None,
        "pred_mention": speaker.get("text"), "pred_name": speaker.get("name"),
        "resolved_by": speaker.get("resolved_by"),
        "context": doc.text[max(0, min(gold.start, *(span or (gold.start,))) - 150): gold.end + 150],
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _with_type(quote: GoldQuote, kind: str | None) -> GoldQuote:
    assert quote.speaker is not None or kind is None
    speaker = quote.speaker or GoldSpeaker()
    return GoldQuote(quote.start, quote.end, quote.marked, GoldSpeaker(
        text=speaker.text, start=speaker.start, end=speaker.end, type=kind), cue=quote.cue)


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def print_table(metrics: dict[str, dict[str, Any]]) -> None:
    print("| set | | quotes typed / matched | 5-way type | named vs not | anonymous → named | anonymous recall |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, m in metrics.items():
        role = "held out" if name in HELD_OUT else "dev"
        print(f"| {name} | {role} | {m['gold_typed']} / {m['matched']} | {m['type_accuracy']} | "
              f"{m['named_vs_not_accuracy']} | {m['anonymous_typed_named']} of {m['anonymous_gold']} | "
              f"{m['anonymous_recall']} |")
    for name, m in metrics.items():
        print(f"\n{name}: gold (rows) -> predicted (columns)")
        print("| gold \\ unspun | " + " | ".join(TYPES) + " |")
        print("|---|" + "---:|" * len(TYPES))
        for gold in TYPES:
            row = m["confusion"].get(gold, {})
            if row:
                print(f"| {gold} | " + " | ".join(str(row.get(p, 0)) for p in TYPES) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=list(SETS), help="a set to score (default: all)")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--errors", type=Path, help="write wrong types (with article context) as JSON Lines here")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the metrics go (JSON, no text)")
    args = parser.parse_args(argv)
    metrics: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for name in args.set or list(SETS):
        docs = SETS[name]()
        print(f"analysing {len(docs)} texts of {name} ...", file=sys.stderr)
        metrics[name], set_errors = score(predict(docs, args.processes))
        errors += [{"set": name, **e} for e in set_errors]
    print_table(metrics)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"schema": "unspun.eval.source_types/1", "sets": metrics}, indent=2)
                               + "\n", encoding="utf-8")
    if args.errors is not None:
        with args.errors.open("w", encoding="utf-8") as handle:
            for record in errors:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
