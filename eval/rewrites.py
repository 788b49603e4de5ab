"""Score stories and unsupported quotes on real GPT-3.5 rewrite families and on synthetic ones with invented quotes.

    .venv/bin/python eval/rewrites.py [--polnear 100]

Real families (../shared/data/llm_news_gpt35_iu): 100 human articles, each with two GPT-3.5 rephrasings of its
text (derived, origin = the human article) and two texts written from its title only (independent). Clustering
is scored as in eval/stories.py, with the dates as given and with no dates. Every rephrasing is diffed against
its human original; a flagged quote counts as right when the original does not carry its words, by two
definitions (content-word containment < 0.5; best difflib window ratio < 0.6).
Synthetic families: the human articles (and --polnear quote-rich PolNeAR articles) with 10-30 % of their
quote-free sentences dropped, a few quotes turned into reported speech and 1-3 invented quotes from vague or
anonymous sources inserted (seed 7), so which quotes are unsupported is known exactly. Writes
eval/results/rewrites.json (numbers only); false positives and negatives go to stderr.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable

import numpy as np
from stories import REPO, SHARED, bcubed

from unspun.analysis import analyze_article
from unspun.records import Analysis, Article, Quote
from unspun.stories.align import DIMENSIONS, Embed, embed_articles
from unspun.stories.cluster import cluster_stories
from unspun.stories.diff import diff_versions
from unspun.stories.features import article_features
from unspun.stories.update import default_embed

Analyze = Callable[[dict], Analysis]

DATA = SHARED / "data" / "llm_news_gpt35_iu"
PREFIX = {"rephrase_base": "rb", "rephrase_expert": "re", "generated_base": "gb", "generated_expert": "ge"}
# sentence ends, but not after initials and short titles (Mr., Sen., Lt., vs.)
_SPLIT = re.compile(r"(?<=[.!?”\"’])(?<![A-Z]\.)(?<![A-Z][a-z]\.)(?<![A-Z][a-z]{2}\.)(?<!vs\.)\s+(?=[\"“‘A-Z0-9])")
_WORD = re.compile(r"[a-z0-9']+")


def load_rows() -> list[dict]:
    humans = [json.loads(line) for line in (DATA / "news_human_generated.jsonl").open(encoding="utf-8")]
    number = {r["title_en"]: n for n, r in enumerate(humans)}
    rows = [{**r, "id": f"h-{number[r['title_en']]}", "published": r["date"][:10]} for r in humans]
    for r in (json.loads(line) for line in (DATA / "news_chatgpt_generated.jsonl").open(encoding="utf-8")):
        rows.append({**r, "id": f"{PREFIX[r['source']]}-{number[r['title_en']]}", "published": r["date"][:10]})
    return rows


def cached(embed: Embed, memory: dict[str, np.ndarray] | None = None) -> Embed:
    """The encoder, remembering every sentence it has seen: originals recur in many comparisons."""
    seen: dict[str, np.ndarray] = {} if memory is None else memory

    def encode(texts: list[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in seen))
        if new:
            seen.update(zip(new, embed(new), strict=True))
        return np.stack([seen[t] for t in texts]) if texts else np.zeros((0, DIMENSIONS), dtype=np.float32)

    return encode


def evaluate_clustering(rows: list[dict], embed: Embed, dated: bool) -> dict:
    features = [article_features(Article(text=r["text"], id=r["id"], published=r["published"] if dated else None,
                                         language="en")) for r in rows]
    stories = cluster_stories(features, embed_articles(features, embed))
    predicted = {a: s.id for s in stories for a in s.articles}
    p, r, f1 = bcubed(predicted, {row["id"]: row["title_en"] for row in rows})
    roles = {a: role for s in stories for a, role in s.roles.items()}
    origin_of = {a: s.origin for s in stories for a in s.articles}
    role_ok = Counter(row["id"][0] for row in rows if (row["id"][0] in "hr") == (roles[row["id"]] != "independent"))
    totals = Counter(row["id"][0] for row in rows)
    humans = [row["id"] for row in rows if row["id"].startswith("h-")]
    origin_ok = sum(origin_of[h] == h for h in humans)
    no_origin = sum(origin_of[h] is None for h in humans)
    return {
        "articles": len(rows), "gold_stories": len(humans), "predicted_stories": len(stories),
        "bcubed": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)},
        "roles": {"accuracy": round(sum(role_ok.values()) / len(rows), 3),
                  **{k: f"{role_ok[k]}/{totals[k]}" for k in ("h", "r", "g")}},  # human, rephrased, generated
        "origin": {"correct": origin_ok, "total": len(humans), "accuracy": round(origin_ok / len(humans), 3),
                   "none_found": no_origin, "other_version": len(humans) - origin_ok - no_origin},
    }


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'").replace("‘", "'"))


def quoted_words(quote: Quote) -> str:
    """What a quote puts in the speaker's mouth: all of a direct quote, the marked words of a mixed one."""
    marked = re.sub(r"[“”«»„]", '"', quote.text).split('"')[1::2] if quote.kind == "mixed" else []
    return " ".join(marked) if any(marked) else quote.text


def containment(quote: str, original: str) -> float:
    """Share of the quote's content words (longer than 3 letters) that occur anywhere in the original."""
    content, vocabulary = [w for w in words(quote) if len(w) > 3], set(words(original))
    return sum(w in vocabulary for w in content) / len(content) if content else 1.0


def window_ratio(quote: str, original: str) -> float:
    """Best difflib ratio between the quote and an equally long stretch of the original, anchored at matches."""
    q, o = " ".join(words(quote)), " ".join(words(original))
    matcher = difflib.SequenceMatcher(None, o, q, autojunk=False)
    starts = {max(0, b.a - b.b) for b in matcher.get_matching_blocks() if b.size >= min(4, len(q))} or {0}
    return max(difflib.SequenceMatcher(None, o[s: s + len(q)], q).ratio() for s in starts)


def real_rewrites(rows: list[dict], analyze: Analyze, embed: Embed) -> dict:
    by_id = {r["id"]: r for r in rows}
    counts: Counter = Counter()
    for rewrite in (r for r in rows if r["id"][:2] in ("rb", "re")):
        origin_id = "h-" + rewrite["id"].split("-")[1]
        version, origin = analyze(rewrite), analyze(by_id[origin_id])
        flagged = {(q.start, q.end) for q in diff_versions(version, origin, embed).unsupported_quotes}
        for q in version.quotes:
            if q.kind not in ("direct", "mixed") or len(q.text.split()) < 4:
                continue
            said = quoted_words(q)
            bad = {"containment": containment(said, origin.article.text) < 0.5,
                   "window": window_ratio(said, origin.article.text) < 0.6}
            is_flagged = (q.start, q.end) in flagged
            counts["quotes"] += 1
            counts["flagged"] += is_flagged
            for name, unsupported in bad.items():
                counts[f"{name}_unsupported"] += unsupported
                counts[f"{name}_true"] += is_flagged and unsupported
                if is_flagged != unsupported:
                    kind = "FP" if is_flagged else "FN"
                    print(f"real {kind} [{name}] {rewrite['id']}: {q.text[:160]!r}", file=sys.stderr)
    out: dict = {"rewrites": sum(r["id"][:2] in ("rb", "re") for r in rows), "direct_quotes": counts["quotes"],
                 "flagged": counts["flagged"]}
    for name in ("containment", "window"):
        n_true, n_flagged, n_bad = counts[f"{name}_true"], counts["flagged"], counts[f"{name}_unsupported"]
        out[name] = {"unsupported": n_bad, "true_flags": n_true,
                     "precision": round(n_true / n_flagged, 3) if n_flagged else None,
                     "recall": round(n_true / n_bad, 3) if n_bad else None}
    return out


SOURCES = [("a senior official", "unnamed"), ("one analyst", "unnamed"), ("an insider", "unnamed"),
           ("a person familiar with the matter", "unnamed"), ("sources close to the case", "unnamed"),
           ("one observer", "unnamed"), ("a former official", "unnamed"),
           ("a senior official who asked not to be named", "anonymous"),
           ("a source who spoke on condition of anonymity", "anonymous"),
           ("an official who requested anonymity because he was not authorized to speak", "anonymous")]
VERBS = ["said", "told reporters", "noted", "added", "warned"]
CLAIMS = ["{np} is only the beginning, and everyone in the building knows it",
          "Nobody here expected {np} to move this fast, frankly",
          "There is a lot more going on behind {np} than people realise",
          "What happened with {np} will be felt for years, not months",
          "We were warned about {np} months ago and nobody listened",
          "The numbers on {np} are worse than anyone is admitting in public",
          "This is not over, and {np} will come back to haunt them",
          "I have never seen anything like the pressure around {np}"]
MARKS = [("“", "”"), ('"', '"'), ("‘", "’")]
_NAME = re.compile(r"(?<=[a-z,] )(?:[A-Z][a-zà-ÿ]+ ){1,2}[A-Z][a-zà-ÿ]+")  # a name, not a headline


def invented_sentence(template: str, text: str, rng: random.Random) -> tuple[str, str, str]:
    """(sentence, quote content, intended speaker type): an on-topic claim around a name from the article,
    from a vague or anonymous source, in one of four shapes and three quote-mark styles."""
    names = _NAME.findall(text)
    claim = template.format(np=rng.choice(names) if names else "all this")
    (who, kind), verb, (left, right) = rng.choice(SOURCES), rng.choice(VERBS), rng.choice(MARKS)
    shapes = [f"{left}{claim},{right} {who} {verb}.", f"{who[0].upper()}{who[1:]} {verb}: {left}{claim}.{right}",
              f"{left}{claim},{right} said {who}.", f"According to {who}, {left}{claim}.{right}"]
    return rng.choice(shapes), claim, kind


def to_reported(sentence: str) -> str | None:
    """'"We will win," Smith said.' -> 'Smith said that we will win.', for the simplest shape only."""
    m = re.fullmatch(r"[“\"]([^“”\"]+?),[”\"] ([A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2}|he|she|they) (said|says)\.", sentence)
    return f"{m[2][0].upper()}{m[2][1:]} {m[3]} that {m[1][0].lower()}{m[1][1:]}." if m else None


def synthetic_rewrite(text: str, rng: random.Random) -> tuple[str, list[tuple[int, int, str]], int]:
    """The rewrite's text, the (start, end, intended type) of each invented quote, and the quotes reported.
    Only sentences outside quotations are dropped, so every carried quote stays verbatim."""
    sentences, outside = [], []
    for paragraph in text.split("\n"):
        inside = False
        for sentence in filter(None, _SPLIT.split(paragraph.strip())):
            sentences.append(sentence)
            outside.append(not inside)
            inside ^= len(re.findall(r"[\"“”«»]", sentence)) % 2 == 1
    quote_free = [k for k, s in enumerate(sentences) if outside[k] and not re.search(r"[\"“”«»]", s)]
    dropped = set(rng.sample(quote_free, min(len(quote_free), round(rng.uniform(0.1, 0.3) * len(sentences)))))
    kept, reported = [], 0
    for k, sentence in enumerate(sentences):
        if k in dropped:
            continue
        indirect = to_reported(sentence) if rng.random() < 0.5 else None
        reported += indirect is not None
        kept.append((indirect or sentence, outside[k]))
    inserted = [invented_sentence(t, text, rng) for t in rng.sample(CLAIMS, rng.randint(1, 3))]
    for sentence, *_ in inserted:
        # not inside a quotation, nor between a quote and the sentence that may name its speaker
        places = [k for k in range(1, len(kept) + 1)
                  if (k == len(kept) or kept[k][1]) and not kept[k - 1][0].endswith(("\"", "”", "’"))] or [len(kept)]
        kept.insert(rng.choice(places), (sentence, True))
    out = " ".join(sentence for sentence, _ in kept)
    spans = [(out.index(claim), out.index(claim) + len(claim), kind) for _, claim, kind in inserted]
    return out, spans, reported


def polnear_texts(limit: int) -> list[str]:
    files = sorted((SHARED / "data" / "polnear").glob("[dt]*/text/*.txt"))  # dev and test
    texts = [f.read_text(encoding="utf-8") for f in files]
    rich = [t for t in texts if sum(t.count(m) for m in "“\"") >= 8 and len(t) < 8000]
    return random.Random(7).sample(rich, min(limit, len(rich)))


def synthetic(originals: list[tuple[str, str]], analyze: Analyze, embed: Embed) -> dict:
    rng = random.Random(7)
    counts: Counter = Counter()
    types: Counter = Counter()
    for origin_id, text in originals:
        rewrite, spans, reported = synthetic_rewrite(text, rng)
        origin = analyze({"id": origin_id, "text": text})
        version = analyze({"id": "s" + origin_id, "text": rewrite})
        found = [q for q in version.quotes if q.kind in ("direct", "mixed") and len(q.text.split()) >= 4]
        flagged = diff_versions(version, origin, embed).unsupported_quotes
        counts["inserted"] += len(spans)
        counts["reported"] += reported
        counts["carried_quotes"] += sum(not any(q.start < e and s < q.end for s, e, _ in spans) for q in found)
        for s, e, kind in spans:
            counts["inserted_extracted"] += any(q.start < e and s < q.end for q in found)
            hits = [f for f in flagged if f.start < e and s < f.end]
            counts["true_flags"] += bool(hits)
            types[f"{kind}->{hits[0].speaker_type}" if hits else f"{kind}->missed"] += 1
            if not hits or hits[0].speaker_type != kind:
                found_as = f"{hits[0].speaker_type} {hits[0].speaker!r}" if hits else "FN"
                print(f"synthetic {kind}->{found_as} s{origin_id}: {rewrite[max(0, s - 80): e + 80]!r}", file=sys.stderr)
        for f in flagged:
            if not any(f.start < e and s < f.end for s, e, _ in spans):
                counts["false_flags"] += 1
                print(f"synthetic FP s{origin_id} (containment {containment(f.text, text):.2f}): "
                      f"{rewrite[max(0, f.start - 60): f.end + 40]!r}", file=sys.stderr)
    flagged_total = counts["true_flags"] + counts["false_flags"]
    return {**counts, "false_flags": counts["false_flags"], "articles": len(originals),
            "precision": round(counts["true_flags"] / flagged_total, 3) if flagged_total else None,
            "recall": round(counts["true_flags"] / counts["inserted"], 3),
            "speaker_types": dict(sorted(types.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=int, default=100, help="PolNeAR articles added to the synthetic set")
    args = parser.parse_args()
    embed = cached(default_embed())
    memory: dict[str, Analysis] = {}

    def analyze(row: dict) -> Analysis:
        if row["id"] not in memory:
            memory[row["id"]] = analyze_article(Article(text=row["text"], id=row["id"], language="en"))
        return memory[row["id"]]

    rows = load_rows()
    results: dict = {}
    for setting, dated in (("dates_as_given", True), ("no_dates", False)):
        results[f"clustering_{setting}"] = evaluate_clustering(rows, embed, dated)
        print(setting, json.dumps(results[f"clustering_{setting}"]), file=sys.stderr)
    results["real_rewrites_unsupported_quotes"] = real_rewrites(rows, analyze, embed)
    originals = [(r["id"], r["text"]) for r in rows if r["id"].startswith("h-")]
    originals += [(f"p-{n}", t) for n, t in enumerate(polnear_texts(args.polnear))]
    results["synthetic_unsupported_quotes"] = synthetic(originals, analyze, embed)
    out = REPO / "eval" / "results" / "rewrites.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
