"""Evaluate unspun's quote extraction on PolNeAR, the hard cases, the seed article and the corpus.

    .venv/bin/python eval/quotes.py                       # all data sets, PolNeAR dev
    .venv/bin/python eval/quotes.py --dataset polnear --split train --limit 50 --processes 2
    .venv/bin/python eval/quotes.py --dataset seed --errors /tmp/seed-errors.jsonl

Prints a table and merges the metrics into eval/results/quotes.json (counts and rates only).
``--errors FILE`` writes false positives, false negatives and wrong speakers as JSON Lines with
article context; those contain data texts, so write them outside the repository or under the
git-ignored eval/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from datasets import (
    EVAL_DIR,
    HARDCASES,
    HELDOUT,
    GoldDataError,
    GoldDoc,
    load_corpus_quotes,
    load_hardcases,
    load_polnear,
    load_seed,
)
from evaluators import (
    DocResult,
    ErrorRecord,
    Metrics,
    evaluate_corpus,
    evaluate_hardcases,
    evaluate_polnear,
    evaluate_seed,
)

from unspun.analysis import analyze_items
from unspun.errors import UnspunError
from unspun.records import Article

DATASETS = ("polnear", "hardcases", "heldout", "seed", "corpus")
RESULTS = EVAL_DIR / "results" / "quotes.json"


@dataclass(frozen=True)
class EvalOptions:
    """What to evaluate and where to write; one field per command-line option."""

    datasets: tuple[str, ...] = DATASETS
    split: str = "dev"
    limit: int | None = None
    processes: int = 1
    errors: Path | None = None
    output: Path | None = RESULTS
    hardcases: Path = HARDCASES


def predict(docs: list[GoldDoc], processes: int = 1) -> list[DocResult]:
    """Run unspun on each gold document's text; failures are kept with their reason."""
    items = (
        (str(i), Article(text=doc.text, id=doc.id, published=doc.published)) for i, doc in enumerate(docs)
    )
    outcomes: dict[str, Any] = dict(analyze_items(items, n_process=processes))
    results = []
    for i, doc in enumerate(docs):
        outcome = outcomes[str(i)]
        if isinstance(outcome, UnspunError):
            results.append(DocResult(doc, [], error=f"{type(outcome).__name__}: {outcome}"))
        else:
            results.append(DocResult(doc, outcome.to_dict()["quotes"]))
    return results


def run_eval(options: EvalOptions) -> dict[str, Metrics]:
    """Evaluate each requested data set; returns metrics keyed by data set (and split)."""
    all_metrics: dict[str, Metrics] = {}
    all_errors: list[ErrorRecord] = []
    jobs: dict[str, Callable[[], tuple[str, Metrics, list[ErrorRecord]]]] = {
        "polnear": lambda: _run_polnear(options),
        "hardcases": lambda: _run_simple(
            "hardcases", load_hardcases(options.hardcases), evaluate_hardcases, options
        ),
        # written independently of the development set and never used for tuning (eval/data/README.md)
        "heldout": lambda: _run_simple("heldout", load_hardcases(HELDOUT), evaluate_hardcases, options),
        "seed": lambda: _run_seed(options),
        "corpus": lambda: _run_simple("corpus", load_corpus_quotes(), evaluate_corpus, options),
    }
    for name in options.datasets:
        if name == "hardcases" and not options.hardcases.is_file() and len(options.datasets) > 1:
            print(f"skipping hardcases: {options.hardcases} does not exist yet", file=sys.stderr)
            continue
        started = time.perf_counter()
        key, metrics, errors = jobs[name]()
        metrics["run"] = {
            "date": dt.date.today().isoformat(),
            "unspun": _unspun_version(),
            "seconds": round(time.perf_counter() - started, 1),
            **({"split": options.split, "limit": options.limit} if name == "polnear" else {}),
        }
        all_metrics[key] = metrics
        all_errors += errors
    if options.output is not None:
        write_results(options.output, all_metrics)
    if options.errors is not None:
        write_errors(options.errors, all_errors)
    return all_metrics


def _run_polnear(options: EvalOptions) -> tuple[str, Metrics, list[ErrorRecord]]:
    docs = load_polnear(options.split, options.limit)
    print(f"analysing {len(docs)} PolNeAR {options.split} texts ...", file=sys.stderr)
    metrics, errors = evaluate_polnear(predict(docs, options.processes))
    key = f"polnear-{options.split}" + (f"-limit{options.limit}" if options.limit is not None else "")
    return key, metrics, errors


def _run_simple(
    name: str,
    docs: list[GoldDoc],
    evaluate: Callable[[list[DocResult]], tuple[Metrics, list[ErrorRecord]]],
    options: EvalOptions,
) -> tuple[str, Metrics, list[ErrorRecord]]:
    print(f"analysing {len(docs)} {name} texts ...", file=sys.stderr)
    metrics, errors = evaluate(predict(docs, options.processes))
    return name, metrics, errors


def _run_seed(options: EvalOptions) -> tuple[str, Metrics, list[ErrorRecord]]:
    (result,) = predict([load_seed()])
    metrics, errors = evaluate_seed(result)
    # Shown in the table only: the JSON keeps offsets, never article text.
    metrics["_other_text"] = [result.doc.text[q["start"] : q["end"]] for q in metrics["other_quotes"]]
    return "seed", metrics, errors


def write_results(path: Path, metrics: dict[str, Metrics]) -> None:
    """Merge these metrics into the results file, replacing earlier runs of the same data sets."""
    stored: dict[str, Any] = {"schema": "unspun.eval.quotes/1", "datasets": {}}
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            pass
    for key, values in metrics.items():
        stored.setdefault("datasets", {})[key] = {k: v for k, v in values.items() if not k.startswith("_")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_errors(path: Path, errors: list[ErrorRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in errors:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _unspun_version() -> str:
    try:
        return version("unspun")
    except PackageNotFoundError:
        return "unknown"


# --- the table --------------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _tally(entry: dict[str, Any]) -> str:
    return f"{_rate(entry['rate'])} ({entry['correct']}/{entry['total']})"


def format_table(all_metrics: dict[str, Metrics]) -> str:
    """The metrics as aligned plain-text lines, one block per data set."""
    lines: list[str] = []
    for key, m in all_metrics.items():
        predicted = f"{m['predicted']} predicted"
        if "predicted_all" in m:
            predicted += f" direct ({m['predicted_all']} quotes in all)"
        lines.append(f"== {key}: {m['docs']} texts ({m['failed']} failed), {m['gold']} gold, {predicted}")
        lines.append(f"  {'content spans':<40}{'P':>7}{'R':>7}{'F1':>7}  matched")
        for t, prf in m["spans"].items():
            # The corpus annotates only a few quotes per article: precision and F1 would mislead.
            p, f1 = (None, None) if m.get("recall_only") else (prf["precision"], prf["f1"])
            lines.append(
                f"    {'overlap >= ' + t:<38}{_rate(p):>7}{_rate(prf['recall']):>7}{_rate(f1):>7}  {prf['matched']}"
            )
        if "precision_by_kind" in m:
            lines.append(f"  {'precision by predicted kind':<40}{'@0.3':<20}{'@0.8':<20}")
            for kind, by_t in m["precision_by_kind"].items():
                lines.append(f"    {kind:<38}" + "".join(f"{_tally(v):<20}" for v in by_t.values()))
            lines.append(f"  {'recall by gold content':<40}{'@0.3':<20}{'@0.8':<20}")
            for group, by_t in m["recall_by_marks"].items():
                label = group.replace("_", " ").replace("marks", "quote marks")
                lines.append(f"    {label:<38}" + "".join(f"{_tally(v):<20}" for v in by_t.values()))
        if "speech_subset" in m:
            sub = m["speech_subset"]
            lines.append(f"  {'speech attributions only (' + str(sub['gold']) + ' gold)':<40}{'P':>7}{'R':>7}{'F1':>7}")
            for t in ("0.3", "0.8"):
                v = sub[t]
                lines.append(f"    {'overlap >= ' + t:<38}{_rate(v['precision']):>7}{_rate(v['recall']):>7}{_rate(v['f1']):>7}")
        for name in ("speaker", "type", "role", "affiliation", "kind", "continuation", "named"):
            if name in m:
                lines.append(f"  {name + ' accuracy (matched @0.3)':<40}{_tally(m[name])}")
        if "not_quotes_returned" in m:
            lines.append(f"  {'not-quotes returned as quotes':<40}{_tally(m['not_quotes_returned'])}")
        if m.get("type_confusion"):
            lines += _format_confusion(m["type_confusion"])
        if key == "seed":
            lines += _format_seed(m)
        lines.append("")
    return "\n".join(line.rstrip() for line in lines)


def _format_confusion(table: dict[str, dict[str, int]]) -> list[str]:
    columns = sorted({p for row in table.values() for p in row})
    lines = [
        "  source type confusion (rows gold, columns predicted)",
        "    " + " " * 12 + "".join(f"{c:>11}" for c in columns),
    ]
    for gold in sorted(table):
        lines.append(f"    {gold:<12}" + "".join(f"{table[gold].get(c, 0):>11}" for c in columns))
    return lines


def _format_seed(m: Metrics) -> list[str]:
    exact = m["direct_exact"]
    lines = [
        f"  {'all six direct quotes exact':<40}{'yes' if m['all_exact'] else 'no'} ({exact['correct']}/{exact['total']})",
        f"  {'direct quotes found (@0.8)':<40}{_tally(m['direct_found_0.8'])}",
        f"  {'continuations carry speaker':<40}{_tally(m['continuations_carry_speaker'])}",
        f"  {'speakers typed not named':<40}{_tally(m['speakers_not_named'])}",
        f"  {'speaker type exact':<40}{_tally(m['speaker_type_exact'])}",
        f"  {'scare quote not counted':<40}{'no' if m['scare_quote_counted'] else 'yes'}",
    ]
    if m["other_quotes"]:
        lines.append("  other quotes returned (not penalised unless direct):")
        for q, text in zip(m["other_quotes"], m.get("_other_text", [])):
            snippet = text if len(text) <= 60 else text[:57] + "..."
            lines.append(f"    {q['kind']:<9}{q['type'] or '-':<10}{q['start']}-{q['end']}  {snippet!r}")
    return lines


# --- command line -----------------------------------------------------------------------------------


def parse_options(argv: list[str] | None = None) -> EvalOptions:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", choices=(*DATASETS, "all"), default="all", help="data set to score")
    parser.add_argument("--split", default="dev", help="PolNeAR split (dev, train, test)")
    parser.add_argument("--limit", type=int, help="score only the first N PolNeAR texts")
    parser.add_argument("--processes", type=int, default=1, help="spaCy worker processes")
    parser.add_argument("--errors", type=Path, help="write error records (with article text) to this .jsonl")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON to merge metrics into")
    parser.add_argument("--no-output", action="store_true", help="do not write the results JSON")
    parser.add_argument("--hardcases", type=Path, default=HARDCASES, help="hard-case gold (.jsonl)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return EvalOptions(
        datasets=DATASETS if args.dataset == "all" else (args.dataset,),
        split=args.split,
        limit=args.limit,
        processes=args.processes,
        errors=args.errors,
        output=None if args.no_output else args.output,
        hardcases=args.hardcases,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        metrics = run_eval(options)
    except (GoldDataError, UnspunError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(metrics))
    if options.output is not None:
        print(f"metrics written to {options.output}", file=sys.stderr)
    if options.errors is not None:
        print(f"error records written to {options.errors}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
