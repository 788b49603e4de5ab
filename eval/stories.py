"""Score story clustering, derived/independent roles and origins on ../shared/corpus/dev.

    .venv/bin/python eval/stories.py [--english-only]

B-cubed precision/recall/F1 over every article (distractors are their own stories); role accuracy over
the articles of multi-article gold stories (gold origin and rewrite count as derived-family, independent as
independent); origin accuracy over gold stories whose origin is in the corpus. Writes
eval/results/stories.json (numbers only, no text).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("UNSPUN_SHARED", REPO.parent / "shared"))


def load_corpus(english_only: bool) -> list[dict]:
    rows = [json.loads(line) for line in (SHARED / "corpus" / "dev" / "articles.jsonl").open(encoding="utf-8")]
    return [r for r in rows if not english_only or r["lang"] == "en"]


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for item, cluster in predicted.items():
        by_pred[cluster].add(item)
    for item, cluster in gold.items():
        by_gold[cluster].add(item)
    precision = recall = 0.0
    for item in gold:
        same_pred, same_gold = by_pred[predicted[item]], by_gold[gold[item]]
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    p, r = precision / len(gold), recall / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(rows: list[dict]) -> dict:
    from unspun.records import Article
    from unspun.stories.align import embed_articles
    from unspun.stories.cluster import cluster_stories
    from unspun.stories.embeddings import load_encoder
    from unspun.stories.features import article_features

    articles = [Article(text=r["text"], id=r["id"], site=r["site"], published=r["published"], language=r["lang"])
                for r in rows]
    features = [article_features(a) for a in articles]
    started = time.perf_counter()
    stories = cluster_stories(features, embed_articles(features, load_encoder().encode))
    seconds = time.perf_counter() - started
    predicted = {a: s.id for s in stories for a in s.articles}
    gold = {r["id"]: r["story"] or f"single-{r['id']}" for r in rows}
    p, r, f1 = bcubed(predicted, gold)
    roles = {a: role for s in stories for a, role in s.roles.items()}
    sizes = defaultdict(int)
    for r_ in rows:
        sizes[gold[r_["id"]]] += 1
    multi = [r_ for r_ in rows if r_["story"] and sizes[gold[r_["id"]]] > 1]
    role_ok = sum((r_["role"] in ("origin", "rewrite")) == (roles[r_["id"]] in ("origin", "derived")) for r_ in multi)
    origins = [r_ for r_ in rows if r_["role"] == "origin"]
    origin_of = {a: s.origin for s in stories for a in s.articles}
    origin_ok = sum(origin_of[o["id"]] == o["id"] for o in origins)
    # stories whose versions derive from a source outside the corpus: the right answer is "no origin"
    outside = {gold[r_["id"]] for r_ in rows if r_.get("copy_group") or r_.get("farm_network")} - {
        gold[o["id"]] for o in origins}
    predicted_origin = {gold[a]: s.origin for s in stories for a in s.articles if s.origin}
    no_origin_ok = sum(story not in predicted_origin for story in outside)
    return {
        "articles": len(rows), "gold_stories": len({gold[k] for k in gold}), "predicted_stories": len(stories),
        "bcubed": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)},
        "roles": {"correct": role_ok, "total": len(multi), "accuracy": round(role_ok / len(multi), 3) if multi else None},
        "origin": {"correct": origin_ok, "total": len(origins)},
        "origin_outside_corpus": {"correct": no_origin_ok, "total": len(outside)},
        "seconds": round(seconds, 1),
    }


def demo_unsupported_quotes() -> dict:
    """Sanity check on the bundled demo: quotes each content-farm rewrite adds, flagged against the statement.

    The demo's rewrites were written to add invented quotes only (src/unspun/demo/README.md), so every flag
    should be one of them; a flagged quote found verbatim in the statement would be a false positive.
    """
    from importlib import resources

    from unspun.analysis import analyze_article
    from unspun.records import Article
    from unspun.stories.diff import diff_versions
    from unspun.stories.embeddings import load_encoder

    rows = [json.loads(line) for line in
            resources.files("unspun").joinpath("demo", "articles.jsonl").read_text("utf-8").splitlines()]
    analyses = {r["id"]: analyze_article(Article(text=r["text"], id=r["id"], published=r["published"]))
                for r in rows}
    origin = analyses["origin-ministry"]
    flagged = carried = quotes = 0
    for article_id, analysis in analyses.items():
        if not article_id.startswith("farm-"):
            continue
        diff = diff_versions(analysis, origin, load_encoder().encode)
        quotes += sum(q.kind in ("direct", "mixed") and len(q.text.split()) >= 4 for q in analysis.quotes)
        flagged += len(diff.unsupported_quotes)
        carried += sum(q.text.strip(" ,.") in origin.article.text for q in diff.unsupported_quotes)
    return {"rewrite_quotes": quotes, "flagged_unsupported": flagged, "flagged_but_in_statement": carried}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--english-only", action="store_true")
    args = parser.parse_args()
    results: dict = {"demo_unsupported_quotes": demo_unsupported_quotes()}
    for name, english in (("all-languages", False), ("english-only", True)):
        if args.english_only and not english:
            continue
        results[name] = evaluate(load_corpus(english))
        print(name, json.dumps(results[name]), file=sys.stderr)
    out = REPO / "eval" / "results" / "stories.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
