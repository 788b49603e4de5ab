"""Train the role model (src/unspun/stories/model/role.npz): is a version of a story written from another?

    .venv/bin/python eval/train_roles.py [--cache /tmp/roles-cache.pkl] [--no-write]

Versions: every member of the multi-article gold stories of the development sets of eval/stories.py
(families-dev, corpus-dev, demo) and of the GPT-3.5 families of ../shared/data/llm_news_gpt35_iu (the human
article as origin, its two rephrasings derived, the two texts written from its title alone independent).
Features: stories/roles.py (the lineage classifier's probabilities with the other versions, numbers of its own,
and, for English versions, the sourcing profile of the analysis). Label: derived (the origin and independent
reports are not).

Cross-validation by story (five folds); the threshold is the one giving the most versions their right role
(origin and derived together against independent) when assign_roles runs with each fold's model on the gold
stories, over the four sets on average; the model written is then fitted on every version. The held-out sets
are not read. The lineage classifier's probabilities come from the packaged lineage model, which saw the
development pairs (eval/train_lineage.py): the features are optimistic on them, which is why the held-out sets
of eval/stories.py are the measure. Writes the model and eval/results/train_roles.json.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from stories import REPO, SETS
from train_stories import fit

from unspun.analysis import analyze_article
from unspun.errors import UnspunError
from unspun.records import Article
from unspun.stories.align import embed_articles
from unspun.stories.features import article_features
from unspun.stories.model import PairModel
from unspun.stories.profile import SourcingProfile
from unspun.stories.roles import VERSION_FEATURES, assign_roles, lineage_probabilities, version_features
from unspun.stories.update import default_embed

DEV_SETS = ("families-dev", "corpus-dev", "demo")
THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(13))  # 0.20 .. 0.80


def gpt_rows() -> list[dict]:
    from rewrites import load_rows

    rows = []
    for r in load_rows():
        kind, family = r["id"].split("-")
        if kind not in ("h", "rb", "re", "gb", "ge"):
            continue
        role = {"h": "origin", "rb": "derived", "re": "derived"}.get(kind, "independent")
        rows.append({"id": r["id"], "text": r["text"], "site": None, "published": None, "lang": "en",
                     "story": f"gpt-{family}", "role": role})
    return rows


def load(cache: Path | None) -> dict:
    """Every version, embedded and (in English) analysed, grouped by gold story."""
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    sets = {name: SETS[name]() for name in DEV_SETS}
    sets["gpt-families"] = gpt_rows()
    data: dict = {}
    for name, rows in sets.items():
        rows = [r for r in rows if r["story"] and r["role"] != "distractor"]
        articles = [Article(text=r["text"], id=r["id"], site=r["site"], published=r["published"],
                            language=r["lang"]) for r in rows]
        features = [article_features(a) for a in articles]
        vectors = embed_articles(features, default_embed())
        profiles = {}
        for r, a in zip(rows, articles, strict=True):
            if r["lang"] == "en":
                try:
                    profiles[r["id"]] = SourcingProfile.from_analysis(analyze_article(a))
                except UnspunError:
                    pass
        stories = defaultdict(list)
        for k, r in enumerate(rows):
            stories[f"{name}:{r['story']}"].append(k)
        data[name] = {"rows": rows, "features": features, "vectors": vectors, "profiles": profiles,
                      "stories": {s: m for s, m in stories.items() if len(m) > 1}}
        print(f"{name}: {len(rows)} versions, {len(data[name]['stories'])} stories, {len(profiles)} analysed",
              file=sys.stderr)
    if cache:
        cache.write_bytes(pickle.dumps(data))
    return data


def examples(data: dict) -> tuple[np.ndarray, np.ndarray, list[str], list[tuple[str, str, list[int]]]]:
    x, y, groups, stories = [], [], [], []
    for name, d in data.items():
        for story, members in d["stories"].items():
            lineage = lineage_probabilities(members, d["features"], d["vectors"])
            for m in members:
                x.append(version_features(m, members, d["features"], d["profiles"], lineage))
                y.append(float(d["rows"][m]["role"] == "derived"))
                groups.append(story)
            stories.append((name, story, members))
    return np.array(x), np.array(y), groups, stories


def role_accuracy(data: dict, stories: list[tuple[str, str, list[int]]], models: dict[str, PairModel],
                  threshold: float) -> dict[str, float]:
    """Per set, the share of versions given the right role by assign_roles on the gold stories (origin and
    derived together against independent), and origins right."""
    right: dict[str, list[bool]] = defaultdict(list)
    origins: dict[str, list[bool]] = defaultdict(list)
    for name, story, members in stories:
        d = data[name]
        found = assign_roles(members, d["features"], d["vectors"], d["profiles"], threshold, models[story])
        for m in members:
            truth = d["rows"][m]["role"] in ("origin", "derived")
            right[name].append(truth == (found.roles[d["rows"][m]["id"]] in ("origin", "derived")))
        gold_origin = next((d["rows"][m]["id"] for m in members if d["rows"][m]["role"] == "origin"), None)
        if gold_origin:
            origins[name].append(found.origin == gold_origin)
    out = {name: round(float(np.mean(v)), 4) for name, v in right.items()}
    out.update({f"{name} origin": round(float(np.mean(v)), 4) for name, v in origins.items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    data = load(args.cache)
    x, y, groups, stories = examples(data)
    # each data set counts the same: the 100 GPT-3.5 families would otherwise outweigh the 23 other stories
    sizes = {name: sum(1 for g in groups if g.startswith(name + ":")) for name in data}
    weight = np.array([len(groups) / (len(sizes) * sizes[g.split(":")[0]]) for g in groups])
    names = sorted(set(groups))
    random.Random(7).shuffle(names)
    fold_of = {g: k % 5 for k, g in enumerate(names)}
    fold = np.array([fold_of[g] for g in groups])
    models = {}
    for k in range(5):
        model = fit(x[fold != k], y[fold != k], VERSION_FEATURES, weight[fold != k])
        models.update({g: PairModel(model.weights, model.bias, model.mean, model.scale, 0.5, VERSION_FEATURES)
                       for g in names if fold_of[g] == k})
    scores = {t: role_accuracy(data, stories, models, t) for t in THRESHOLDS}
    sets = list(data)
    best = max(THRESHOLDS, key=lambda t: (np.mean([scores[t][s] for s in sets]), -t))
    final = fit(x, y, VERSION_FEATURES, weight)
    final = PairModel(final.weights, final.bias, final.mean, final.scale, best, VERSION_FEATURES)
    report = {"versions": len(y), "derived": int(y.sum()), "cv_by_threshold": {str(t): v for t, v in scores.items()},
              "threshold": best, "weights": dict(zip(VERSION_FEATURES, np.round(final.weights, 3).tolist(),
                                                     strict=True))}
    print(json.dumps(report, indent=1))
    if not args.no_write:
        final.save(str(REPO / "src" / "unspun" / "stories" / "model" / "role.npz"))
        (REPO / "eval" / "results" / "train_roles.json").write_text(json.dumps(report, indent=2) + "\n",
                                                                   encoding="utf-8")


if __name__ == "__main__":
    main()
