"""Score the persuasion-technique detector on PTC dev (SemEval-2020 Task 11): TC micro-F1, SI P/R/F1, cost.

    .venv/bin/python eval/techniques.py            # writes eval/results/techniques.json (≈1-2 min, 2 CPUs)

Articles are read from ``$UNSPUN_SHARED/data/ptc_semeval2020_task11`` (default ``../shared``) and never copied.
Parsed Docs are cached under ``$UNSPUN_CACHE`` (default /tmp/unspun-ptc-docs) so reruns skip spaCy.

TC: every gold (article, start, end) of ``dev-task-flc-tc.labels`` is classified from its gold span; a span
annotated with k techniques gets the detector's k best, and micro-F1 = correct labels / gold labels (one
prediction per gold line, so precision = recall = F1, as in the task's TC scorer).
SI: the task's scorer (Da San Martino et al. 2019, eq. 1-2): P = sum over predicted spans s and gold spans t
of |s ∩ t| / |s|, divided by the number of predicted spans; R the same with |t| and the number of gold spans;
spans are character sets, gold spans of ``dev-task-si.labels`` as given.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from unspun.techniques.detect import TechniqueDetector

RESULTS = REPO / "eval" / "results" / "techniques.json"


def ptc_root() -> Path:
    return Path(os.environ.get("UNSPUN_SHARED") or REPO.parent / "shared") / "data" / "ptc_semeval2020_task11"


@dataclass
class PtcArticle:
    id: str
    text: str
    techniques: list[tuple[str, int, int]]  # (technique, start, end), one per gold line
    spans: list[tuple[int, int]]  # SI gold


def load_ptc(split: str) -> list[PtcArticle]:
    """PTC articles of a split (train or dev), sorted by id, with their TC and SI gold."""
    root = ptc_root()
    if not (root / f"{split}-articles").is_dir():
        raise SystemExit(f"no PTC split {split!r} under {root}; set UNSPUN_SHARED to the shared folder")
    tc: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for line in (root / f"{split}-task-flc-tc.labels").read_text(encoding="utf-8").splitlines():
        aid, tech, start, end = line.split("\t")
        tc[aid].append((tech, int(start), int(end)))
    si: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line in (root / f"{split}-task-si.labels").read_text(encoding="utf-8").splitlines():
        aid, start, end = line.split("\t")
        si[aid].append((int(start), int(end)))
    articles = []
    for path in sorted((root / f"{split}-articles").glob("article*.txt")):
        aid = path.stem.removeprefix("article")
        articles.append(PtcArticle(aid, path.read_text(encoding="utf-8"), tc[aid], si[aid]))
    return articles


def parse_articles(nlp: Language, split: str, articles: list[PtcArticle]) -> list[Doc]:
    """Parsed Docs of the articles, cached; the tok2vec tensor (not kept by DocBin) is recomputed."""
    cache = Path(os.environ.get("UNSPUN_CACHE", "/tmp/unspun-ptc-docs")) / f"{split}.spacy"
    if cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(articles) and all(d.text == a.text for d, a in zip(docs, articles, strict=True)):
            tok2vec = nlp.get_pipe("tok2vec")
            return [tok2vec(d) for d in docs]
    docs = list(nlp.pipe([a.text for a in articles], batch_size=16))
    cache.parent.mkdir(parents=True, exist_ok=True)
    bin_ = DocBin(store_user_data=False)
    for d in docs:
        bin_.add(d)
    bin_.to_disk(cache)
    return docs


def tc_micro_f1(
    detector: TechniqueDetector, docs: list[Doc], articles: list[PtcArticle]
) -> tuple[float, dict[str, dict[str, float]]]:
    """Micro-F1 over gold lines and per-technique P/R/F1, labelling the gold spans (k best for k labels)."""
    gold_all: list[str] = []
    pred_all: list[str] = []
    for doc, art in zip(docs, articles, strict=True):
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for tech, start, end in art.techniques:
            groups[(start, end)].append(tech)
        keys = list(groups)
        for key, ranked in zip(keys, detector.classify(doc, keys), strict=True):
            gold = sorted(groups[key])
            preds = [name for name, _ in ranked[: len(gold)]]
            # pair equal labels first so a right label is never scored against a different gold line
            hits = [p for p in preds if p in gold]
            rest_g = [g for g in gold if g not in hits]
            rest_p = [p for p in preds if p not in hits]
            gold_all += hits + rest_g
            pred_all += hits + rest_p
    correct = sum(g == p for g, p in zip(gold_all, pred_all, strict=True))
    per: dict[str, dict[str, float]] = {}
    for tech in sorted(set(gold_all)):
        tp = sum(g == p == tech for g, p in zip(gold_all, pred_all, strict=True))
        n_pred, n_gold = pred_all.count(tech), gold_all.count(tech)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        per[tech] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold": n_gold}
    return correct / len(gold_all), per


def si_scores(predicted: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]) -> dict[str, float]:
    """The SemEval-2020 Task 11 SI measure: partial-overlap credit, normalised by span counts."""
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for preds, golds in zip(predicted, gold, strict=True):
        n_pred += len(preds)
        n_gold += len(golds)
        for ps, pe in preds:
            for gs, ge in golds:
                overlap = min(pe, ge) - max(ps, gs)
                if overlap > 0:
                    p_sum += overlap / (pe - ps)
                    r_sum += overlap / (ge - gs)
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "spans": n_pred}


def main() -> None:
    from unspun.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    detector = TechniqueDetector()
    articles = load_ptc("dev")
    docs = parse_articles(nlp, "dev", articles)
    tc, per = tc_micro_f1(detector, docs, articles)
    predicted = [detector.find_spans(doc) for doc in docs]
    si = si_scores(predicted, [a.spans for a in articles])
    for _ in range(2):  # warm caches, then time detect() alone on each parsed Doc
        started = time.perf_counter()
        found = [detector.detect(doc) for doc in docs]
        elapsed = time.perf_counter() - started
    counts = Counter(s.technique for spans in found for s in spans)
    words = sum(len([t for t in d if not t.is_punct and not t.is_space]) for d in docs)
    result = {
        "dataset": "PTC v2 dev (SemEval-2020 Task 11), 75 articles",
        "tc_micro_f1": round(tc, 4),
        "tc_gold_labels": len([t for a in articles for t in a.techniques]),
        "tc_per_technique": {k: {m: round(v, 4) for m, v in d.items()} for k, d in per.items()},
        "si": {k: round(v, 4) for k, v in si.items()},
        "si_gold_spans": sum(len(a.spans) for a in articles),
        "detect_seconds_per_article": round(elapsed / len(docs), 4),
        "detect_seconds_per_600_words": round(elapsed / words * 600, 4),
        "detected_by_technique": dict(sorted(counts.items())),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
