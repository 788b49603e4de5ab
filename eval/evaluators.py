"""Score unspun's quotes against each gold set: predictions and gold in, metrics and error records out.

Predictions are the quote dicts of the ``unspun.analysis/1`` JSON contract, so this module depends on
the contract, not on unspun's internals. Metrics contain counts and rates only (no article text) and
can be written to eval/results/; error records quote the articles and go only where the user says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from datasets import GoldDoc, GoldQuote
from scoring import (
    PRF,
    THRESHOLDS,
    Span,
    Tally,
    confusion,
    match_spans,
    name_in_text,
    overlap_ratio,
    same_name,
    score_spans,
    spans_overlap,
)

PredQuote = dict[str, Any]
Metrics = dict[str, Any]
ErrorRecord = dict[str, Any]
KINDS = ("direct", "indirect", "mixed")
FOUND = THRESHOLDS[0]  # matched pairs at this threshold are the ones whose speakers are judged
CONTEXT = 80  # characters of article text on each side of a span in an error record


@dataclass(frozen=True)
class DocResult:
    """One gold document and what unspun returned for it (quotes, or why it failed)."""

    doc: GoldDoc
    quotes: list[PredQuote]
    error: str | None = None


def pred_span(quote: PredQuote) -> Span:
    return quote["start"], quote["end"]


def speaker_span(quote: PredQuote) -> Span | None:
    speaker = quote.get("speaker") or {}
    if speaker.get("start") is None or speaker.get("end") is None:
        return None
    return speaker["start"], speaker["end"]


def matched_pairs(result: DocResult, threshold: float) -> list[tuple[PredQuote, GoldQuote]]:
    pairs = match_spans([pred_span(q) for q in result.quotes], [g.span for g in result.doc.quotes], threshold)
    return [(result.quotes[i], result.doc.quotes[j]) for i, j in pairs]


def score_all(results: list[DocResult]) -> dict[str, PRF]:
    """Content-span P/R/F1 summed over documents, per threshold."""
    totals = {str(t): PRF() for t in THRESHOLDS}
    for result in results:
        for t in THRESHOLDS:
            pred = [pred_span(q) for q in result.quotes]
            totals[str(t)].add(score_spans(pred, [g.span for g in result.doc.quotes], t))
    return totals


def _summary(results: list[DocResult]) -> Metrics:
    return {
        "docs": len(results),
        "failed": sum(r.error is not None for r in results),
        "gold": sum(len(r.doc.quotes) for r in results),
        "predicted": sum(len(r.quotes) for r in results),
        "spans": {t: prf.to_dict() for t, prf in score_all(results).items()},
    }


# --- error records ----------------------------------------------------------------------------------


def error_record(dataset: str, doc: GoldDoc, error: str, span: Span, **extra: Any) -> ErrorRecord:
    start, end = span
    return {
        "dataset": dataset,
        "doc": doc.id,
        "error": error,
        "start": start,
        "end": end,
        "text": doc.text[start:end],
        "before": doc.text[max(0, start - CONTEXT) : start],
        "after": doc.text[end : end + CONTEXT],
        **extra,
    }


def span_errors(dataset: str, result: DocResult) -> list[ErrorRecord]:
    """False negatives and positives at the FOUND threshold, and matches whose extent is off."""
    records = []
    loose = matched_pairs(result, FOUND)
    strict = {(id(p), id(g)) for p, g in matched_pairs(result, THRESHOLDS[-1])}
    found_pred = {id(p) for p, _ in loose}
    found_gold = {id(g) for _, g in loose}
    for gold in result.doc.quotes:
        if id(gold) not in found_gold:
            records.append(
                error_record(dataset, result.doc, "false_negative", gold.span, gold=_gold_info(gold))
            )
    for pred in result.quotes:
        if id(pred) not in found_pred:
            records.append(
                error_record(dataset, result.doc, "false_positive", pred_span(pred), pred=_pred_info(pred))
            )
    for pred, gold in loose:
        if (id(pred), id(gold)) not in strict:
            records.append(
                error_record(
                    dataset,
                    result.doc,
                    "partial_span",
                    pred_span(pred),
                    gold_span=list(gold.span),
                    gold_text=result.doc.text[gold.start : gold.end],
                    ratio=round(overlap_ratio(pred_span(pred), gold.span), 3),
                )
            )
    return records


def _pred_info(pred: PredQuote) -> dict[str, Any]:
    speaker = pred.get("speaker") or {}
    keys = ("text", "name", "type", "role", "affiliation")
    return {
        "kind": pred.get("kind"),
        "continuation": pred.get("continuation"),
        "speaker": {k: speaker.get(k) for k in keys},
    }


def _gold_info(gold: GoldQuote) -> dict[str, Any]:
    speaker = gold.speaker
    info: dict[str, Any] = {"kind": gold.kind, "marked": gold.marked}
    if speaker is not None:
        info["speaker"] = {
            k: v for k, v in vars(speaker).items() if v is not None and k not in ("start", "end")
        }
    return info


def _speaker_records(
    dataset: str, result: DocResult, judge: Callable[[PredQuote, GoldQuote], bool | None], error: str
) -> tuple[Tally, list[ErrorRecord]]:
    """Judge each matched pair; None from the judge means the pair is not counted."""
    tally, records = Tally(), []
    for pred, gold in matched_pairs(result, FOUND):
        verdict = judge(pred, gold)
        if verdict is None:
            continue
        tally.count(verdict)
        if not verdict:
            records.append(
                error_record(
                    dataset, result.doc, error, pred_span(pred), pred=_pred_info(pred), gold=_gold_info(gold)
                )
            )
    return tally, records


# --- PolNeAR ----------------------------------------------------------------------------------------


def polnear_speaker_ok(pred: PredQuote, gold: GoldQuote) -> bool | None:
    """Right when the mention overlaps the gold Source, or the predicted name's last word is in it."""
    if gold.speaker is None or gold.speaker.span is None:
        return None
    name = (pred.get("speaker") or {}).get("name")
    return spans_overlap(speaker_span(pred), gold.speaker.span) or name_in_text(name, gold.speaker.text)


_IRREGULAR_SPEECH = {"said": "say", "says": "say", "told": "tell", "wrote": "write", "spoke": "speak",
                     "speak": "speak", "speaking": "speak", "according": "according"}


def is_speech_cue(cue: str | None) -> bool:
    """A gold cue that reports speech or writing (a reporting verb or "according to"), not belief or perception."""
    from unspun.nlp.lexicons import reporting_verbs

    if not cue:
        return False
    verbs = reporting_verbs() | {"according", "speak"}
    for word in cue.lower().replace("’", "'").split():
        if word in _IRREGULAR_SPEECH or word in verbs:
            return True
        for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                             ("d", ""), ("s", ""), ("es", "")):
            if word.endswith(suffix) and word[: -len(suffix)] + repl in verbs:
                return True
    return False


def speech_subset(results: list[DocResult]) -> dict[str, Any]:
    """P/R/F1 on gold attributions whose cue reports speech; predictions matching other gold are set aside."""
    out: dict[str, Any] = {}
    for t in THRESHOLDS:
        tp = fp = fn = 0
        for result in results:
            matched = matched_pairs(result, t)
            speech_gold = [g for g in result.doc.quotes if is_speech_cue(g.cue)]
            hit_gold = {id(g) for _, g in matched}
            tp_pairs = [(p, g) for p, g in matched if is_speech_cue(g.cue)]
            tp += len(tp_pairs)
            fn += sum(id(g) not in hit_gold for g in speech_gold)
            fp += len(result.quotes) - len(matched)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[str(t)] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                       "tp": tp, "fp": fp, "fn": fn}
    out["gold"] = sum(is_speech_cue(g.cue) for r in results for g in r.doc.quotes)
    return out


def evaluate_polnear(results: list[DocResult], dataset: str = "polnear") -> tuple[Metrics, list[ErrorRecord]]:
    metrics = _summary(results)
    metrics["speech_subset"] = speech_subset(results)
    by_kind = {k: {str(t): Tally() for t in THRESHOLDS} for k in KINDS}
    by_marks = {m: {str(t): Tally() for t in THRESHOLDS} for m in ("with_marks", "without_marks")}
    speaker = Tally()
    errors: list[ErrorRecord] = []
    for result in results:
        for t in THRESHOLDS:
            matched = matched_pairs(result, t)
            hit_pred = {id(p) for p, _ in matched}
            hit_gold = {id(g) for _, g in matched}
            for pred in result.quotes:
                by_kind.setdefault(pred["kind"], {str(x): Tally() for x in THRESHOLDS})[str(t)].count(
                    id(pred) in hit_pred
                )
            for gold in result.doc.quotes:
                group = "with_marks" if gold.marked else "without_marks"
                by_marks[group][str(t)].count(id(gold) in hit_gold)
        tally, wrong = _speaker_records(dataset, result, polnear_speaker_ok, "wrong_speaker")
        speaker.correct += tally.correct
        speaker.total += tally.total
        errors += span_errors(dataset, result) + wrong
    metrics["precision_by_kind"] = {k: {t: v.to_dict() for t, v in d.items()} for k, d in by_kind.items()}
    metrics["recall_by_marks"] = {m: {t: v.to_dict() for t, v in d.items()} for m, d in by_marks.items()}
    metrics["speaker"] = speaker.to_dict()
    return metrics, errors


# --- own hard cases ---------------------------------------------------------------------------------


def hardcase_speaker_ok(pred: PredQuote, gold: GoldQuote) -> bool:
    """Gold name if set, else the gold mention's span, else both without a mention."""
    speaker = pred.get("speaker") or {}
    truth = gold.speaker
    if truth is not None and truth.name:
        return same_name(speaker.get("name"), truth.name)
    if truth is not None and truth.span is not None:
        return spans_overlap(speaker_span(pred), truth.span)
    return speaker_span(pred) is None


def _same_label(pred: str | None, gold: str | None) -> bool:
    return (pred or "").strip().lower() == (gold or "").strip().lower()


def evaluate_hardcases(
    results: list[DocResult], dataset: str = "hardcases"
) -> tuple[Metrics, list[ErrorRecord]]:
    metrics = _summary(results)
    tallies = {name: Tally() for name in ("speaker", "type", "role", "affiliation", "kind", "continuation")}
    types: list[tuple[str, str]] = []
    not_quotes = Tally()  # correct = not-quotes unspun returned as quotes (lower is better)
    errors: list[ErrorRecord] = []
    for result in results:
        for pred, gold in matched_pairs(result, FOUND):
            speaker = pred.get("speaker") or {}
            truth = gold.speaker
            checks: dict[str, bool] = {"speaker": hardcase_speaker_ok(pred, gold)}
            if truth is not None and truth.type:
                checks["type"] = speaker.get("type") == truth.type
                types.append((truth.type, str(speaker.get("type"))))
            if truth is not None and truth.role:
                checks["role"] = _same_label(speaker.get("role"), truth.role)
            if truth is not None and truth.affiliation:
                checks["affiliation"] = _same_label(speaker.get("affiliation"), truth.affiliation)
            if gold.kind:
                checks["kind"] = pred.get("kind") == gold.kind
            if gold.continuation is not None:
                checks["continuation"] = bool(pred.get("continuation")) == gold.continuation
            for name, ok in checks.items():
                tallies[name].count(ok)
            wrong = sorted(name for name, ok in checks.items() if not ok)
            if wrong:
                errors.append(
                    error_record(
                        dataset,
                        result.doc,
                        "wrong_speaker" if "speaker" in wrong else "wrong_detail",
                        pred_span(pred),
                        wrong=wrong,
                        pred=_pred_info(pred),
                        gold=_gold_info(gold),
                    )
                )
        spans = [span for span, _ in result.doc.not_quotes]
        hits = match_spans([pred_span(q) for q in result.quotes], spans, FOUND)
        for i, j in hits:
            errors.append(
                error_record(
                    dataset,
                    result.doc,
                    "not_quote_returned",
                    spans[j],
                    why=result.doc.not_quotes[j][1],
                    pred=_pred_info(result.quotes[i]),
                )
            )
        not_quotes.correct += len(hits)
        not_quotes.total += len(spans)
        errors += span_errors(dataset, result)
    metrics.update({name: tally.to_dict() for name, tally in tallies.items()})
    metrics["not_quotes_returned"] = not_quotes.to_dict()
    metrics["type_confusion"] = confusion(types)
    return metrics, errors


# --- the seed article -------------------------------------------------------------------------------


def evaluate_seed(result: DocResult, dataset: str = "seed") -> tuple[Metrics, list[ErrorRecord]]:
    """The seed's checklist: six direct quotes exact, continuations carry speakers, none named."""
    doc, gold = result.doc, result.doc.quotes
    direct = [q for q in result.quotes if q.get("kind") == "direct"]
    exact = {g.span: q for q in direct for g in gold if pred_span(q) == g.span}
    near = {
        gold[j].span: direct[i]
        for i, j in match_spans([pred_span(q) for q in direct], [g.span for g in gold], 0.8)
    }
    carried = Tally()
    for previous, current in pairwise(gold):
        if not current.continuation:
            continue
        now, before = near.get(current.span), near.get(previous.span)
        carried.count(now is not None and before is not None and _same_speaker(now, before))
    not_named, typed = Tally(), Tally()
    for g in gold:
        pred = near.get(g.span)
        speaker_type = (pred.get("speaker") or {}).get("type") if pred else None
        not_named.count(pred is not None and speaker_type != "named")
        typed.count(pred is not None and g.speaker is not None and speaker_type == g.speaker.type)
    scare_hits = [
        q for q in result.quotes for span, _ in doc.not_quotes if overlap_ratio(pred_span(q), span) >= FOUND
    ]
    used = {id(q) for q in near.values()}
    others = [q for q in result.quotes if id(q) not in used]
    metrics: Metrics = {
        "docs": 1,
        "failed": int(result.error is not None),
        "gold": len(gold),
        "predicted": len(direct),  # the gold lists the direct quotes only: others are not penalised
        "predicted_all": len(result.quotes),
        "spans": {t: prf.to_dict() for t, prf in score_all([DocResult(doc, direct)]).items()},
        "direct_exact": Tally(len(exact), len(gold)).to_dict(),
        "direct_found_0.8": Tally(len(near), len(gold)).to_dict(),
        "all_exact": len(exact) == len(gold),
        "continuations_carry_speaker": carried.to_dict(),
        "speakers_not_named": not_named.to_dict(),
        "speaker_type_exact": typed.to_dict(),
        "scare_quote_counted": bool(scare_hits),
        "other_quotes": [
            {
                "start": q["start"],
                "end": q["end"],
                "kind": q.get("kind"),
                "type": (q.get("speaker") or {}).get("type"),
            }
            for q in others
        ],
    }
    errors = span_errors(dataset, DocResult(doc, direct, result.error))
    errors += [
        error_record(dataset, doc, "not_quote_returned", pred_span(q), pred=_pred_info(q)) for q in scare_hits
    ]
    return metrics, errors


def _same_speaker(a: PredQuote, b: PredQuote) -> bool:
    """Two quotes credit one source: same mention span, or the same name."""
    sa, sb = a.get("speaker") or {}, b.get("speaker") or {}
    if sa.get("type") in (None, "unknown"):
        return False
    span_a, span_b = speaker_span(a), speaker_span(b)
    if span_a is not None and span_a == span_b:
        return True
    return same_name(sa.get("name"), sb.get("name"))


# --- the real-world corpus --------------------------------------------------------------------------


def corpus_named_ok(pred: PredQuote, gold: GoldQuote) -> bool | None:
    if gold.speaker is None or gold.speaker.named is None:
        return None
    return ((pred.get("speaker") or {}).get("type") == "named") == gold.speaker.named


def evaluate_corpus(results: list[DocResult], dataset: str = "corpus") -> tuple[Metrics, list[ErrorRecord]]:
    """Recall of the few annotated quotes (annotation is not exhaustive, so no precision)."""
    metrics = _summary(results)
    metrics["recall_only"] = True
    named = Tally()
    errors: list[ErrorRecord] = []
    for result in results:
        tally, wrong = _speaker_records(dataset, result, corpus_named_ok, "wrong_named")
        named.correct += tally.correct
        named.total += tally.total
        errors += [e for e in span_errors(dataset, result) if e["error"] != "false_positive"] + wrong
    metrics["named"] = named.to_dict()
    return metrics, errors
