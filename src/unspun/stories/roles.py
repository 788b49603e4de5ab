"""Within one story: which versions were written from another (derived), which one is the origin, which are
independent reports, and the evidence for each label.

A model-written rewrite shares almost no wording with its source, so wording cannot tell it from an
independent report. What the versions carry can: a rewrite keeps the source's facts and adds only what nobody
can check (quotations from anonymous or vague sources, hedged speculation, commentary), while an independent
report brings verifiable material of its own (named sources, facts no other version has). Translations and
copies, which keep the source sentence by sentence, the lineage classifier finds from the text
(stories/pairs.py). A small logistic regression (the role model, stories/model/role.npz, trained by
eval/train_roles.py) weighs these per version; the origin is then the version the derived ones most look built
on (stories/lineage.py, find_origin).

Every label carries its evidence: a derived version lists the origin's facts it carries and what it added; an
independent one lists its own verifiable material.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from unspun.nlp.lexicons import roles
from unspun.stories.align import Vectors
from unspun.stories.candidates import unreadable
from unspun.stories.features import StoryFeatures, fact_key, name_key
from unspun.stories.lineage import ORIGIN_MIN_CONFIDENCE, days_between, find_origin, primary_source
from unspun.stories.model import PairModel, load_lineage_model, load_role_model
from unspun.stories.pairs import pair_features
from unspun.stories.profile import SourcingProfile

VERSION_FEATURES = (
    "lineage_max", "lineage_mean",  # the lineage classifier's probability with the other versions
    "own_numbers",  # numbers no other version has (log 1 + count): facts of its own
    "carried_numbers",  # share of its numbers that another version has
    "own_named_sources", "named_sources",  # quoted named sources (log 1 + count); own: no other version names them
    "unidentified_quotes", "unidentified_share",  # quotations from anonymous or vague sources
    "hedges_per_100_words",
    "has_profile",  # the analysis read it (English); without it the sourcing features are 0
    "other_language",  # not the language most of the story's versions are in
    "primary_source",  # a wire's, ministry's or state outlet's site, or a wire's copy under its dateline
    "days_after_first", "undated",
)
# Length is left out on purpose: the real corpus keeps page beginnings only, so in it a short text says
# nothing about its role, though in training sets rewrites are often the shorter.
# A non-derived version joins the derived versions' family (as a candidate origin) when the lineage classifier
# links it to one of them at least this strongly, or when it holds most of their numbers.
FAMILY_LINK = 0.3
FAMILY_FACTS = 0.6
EVIDENCE_ITEMS = 12  # facts or items listed per label
# A derived version is said to come from another derived one (not from the origin) only when the lineage
# classifier is this sure of that pair: a copy or a translation. Rewrites of one source resemble each other (the
# same added framing), which says nothing about which text either was written from.
COPY_LINK = 0.9
# Cosine below which a sentence has no counterpart in the origin (the multilingual encoder: paraphrases and
# translations of one fact sit at 0.5 and above, see stories/pairs.py).
NO_COUNTERPART = 0.5


@dataclass
class Roles:
    roles: dict[str, str]
    origin: str | None = None
    confidence: float = 0.0
    derived_from: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # article -> carried/added/own
    lineage: dict[tuple[int, int], float] = field(default_factory=dict)  # member pairs -> lineage probability


def lineage_probabilities(members: Sequence[int], features: Sequence[StoryFeatures], vectors: Vectors,
                          model: PairModel | None = None) -> dict[tuple[int, int], float]:
    """The lineage classifier's probability for every pair of members (identical texts: 1; a language the
    encoder does not read: 0, its text cannot be aligned)."""
    model = model or load_lineage_model()
    out: dict[tuple[int, int], float] = {}
    for i, j in combinations(sorted(members), 2):
        a, b = features[i], features[j]
        if a.fingerprint and a.fingerprint == b.fingerprint:
            out[(i, j)] = 1.0
        elif unreadable(a.language) or unreadable(b.language):
            out[(i, j)] = 0.0
        else:
            out[(i, j)] = float(model.probability(pair_features(a, b, vectors.sentences[i], vectors.sentences[j])))
    return out


def version_features(v: int, members: Sequence[int], features: Sequence[StoryFeatures],
                     profiles: dict[str, SourcingProfile], lineage: dict[tuple[int, int], float]) -> np.ndarray:
    """The role model's features of one version within its story, in the order of VERSION_FEATURES."""
    f = features[v]
    others = [u for u in members if u != v]
    out = np.zeros(len(VERSION_FEATURES), dtype=np.float64)
    probabilities = [lineage.get((min(u, v), max(u, v)), 0.0) for u in others]
    out[0], out[1] = (max(probabilities), float(np.mean(probabilities))) if probabilities else (0.0, 0.0)
    other_numbers = set().union(*(features[u].numbers for u in others)) if others else set()
    own = f.numbers - other_numbers
    out[2] = math.log1p(len(own))
    out[3] = 1 - len(own) / len(f.numbers) if f.numbers else 0.0
    profile = profiles.get(f.id)
    if profile is not None:
        other_names = set().union(*(features[u].names for u in others)) if others else set()
        out[4] = math.log1p(len(own_sources(profile, other_names)))
        out[5] = math.log1p(len(profile.named))
        out[6] = math.log1p(profile.unidentified)
        out[7] = profile.unidentified / profile.quotes if profile.quotes else 0.0
        out[8] = 100 * profile.hedges / max(f.words, 1)
        out[9] = 1.0
    languages = Counter(features[u].language or "en" for u in members)
    out[10] = float((f.language or "en") != languages.most_common(1)[0][0])
    out[11] = primary_source(f, set())
    dates = [d for d in (features[u].published for u in members) if d]
    out[12] = min(max(days_between(min(dates), f.published), 0), 3) / 3 if f.published and dates else 0.0
    out[13] = 0.0 if f.published else 1.0
    return out


def own_sources(profile: SourcingProfile, other_names: set[str]) -> list[str]:
    """Named sources of this version that no other version mentions (by their surname's name key)."""
    return [n for n in profile.named if n.split() and name_key(n.split()[-1]) not in other_names]


def assign_roles(members: Sequence[int], features: Sequence[StoryFeatures], vectors: Vectors,
                 profiles: dict[str, SourcingProfile] | None = None, threshold: float | None = None,
                 model: PairModel | None = None, lineage_model: PairModel | None = None) -> Roles:
    """Roles, origin and evidence of one story's versions (members: indexes into features)."""
    profiles = profiles or {}
    ids = {m: features[m].id for m in members}
    roles = Roles(roles={ids[m]: "independent" for m in members})
    if len(members) < 2:
        return roles
    model = model or load_role_model()
    bar = model.threshold if threshold is None else threshold
    lineage = lineage_probabilities(members, features, vectors, lineage_model)
    roles.lineage = lineage
    matrix = np.stack([version_features(m, members, features, profiles, lineage) for m in members])
    derivedness = dict(zip(members, model.probability(matrix).tolist(), strict=True))
    copies = {m for m in members for u in members  # identical texts: the later one (by index) copies the other
              if u < m and features[m].fingerprint and features[m].fingerprint == features[u].fingerprint}
    derived = [m for m in members if derivedness[m] >= bar or m in copies]
    if not derived:
        roles.evidence = {ids[m]: own_evidence(m, members, features, profiles) for m in members}
        return roles
    family = sorted(set(derived) | {m for m in members if m not in derived and _joins(m, derived, features, lineage)})
    best, confidence = find_origin(family, features, vectors.sentences, derivedness)
    origin: int | None = best if confidence >= ORIGIN_MIN_CONFIDENCE and len(family) >= 2 else None
    for m in family:
        if m == origin:
            roles.roles[ids[m]] = "origin"
        elif m in derived:
            roles.roles[ids[m]] = "derived"
    if origin is not None:
        roles.origin, roles.confidence = ids[origin], round(confidence, 2)
    reference = origin if origin is not None else max(family, key=lambda m: len(features[m].facts))
    for m in members:
        if roles.roles[ids[m]] == "derived":
            if len(family) > 1:  # a lone rewrite was written from a text that is not in the story
                roles.derived_from[ids[m]] = ids[_source_of(m, family, origin, lineage)]
            roles.evidence[ids[m]] = derived_evidence(features[m], features[reference], profiles.get(ids[m]),
                                                      vectors.sentences[m], vectors.sentences[reference])
        elif roles.roles[ids[m]] == "independent":
            roles.evidence[ids[m]] = own_evidence(m, members, features, profiles)
    return roles


def _joins(m: int, derived: Sequence[int], features: Sequence[StoryFeatures],
           lineage: dict[tuple[int, int], float]) -> bool:
    """Whether a version the role model did not call derived is in the derived versions' family (a candidate
    origin): the lineage classifier links it to one of them, or it holds most of their numbers (names do not
    count: every report of an event names its actors, but a rewrite keeps its source's figures)."""
    if max(lineage.get((min(m, d), max(m, d)), 0.0) for d in derived) >= FAMILY_LINK:
        return True
    numbers = [features[d].numbers for d in derived if len(features[d].numbers) >= 2]
    mine = features[m].numbers
    return bool(numbers) and float(np.mean([len(n & mine) / len(n) for n in numbers])) >= FAMILY_FACTS


def _source_of(m: int, family: Sequence[int], origin: int | None, lineage: dict[tuple[int, int], float]) -> int:
    """The version m was most likely written from: the origin, unless m is a copy or translation of another
    derived version (its lineage with that one is clearly the stronger)."""
    others = [u for u in family if u != m]
    best = max(others, key=lambda u: (lineage.get((min(m, u), max(m, u)), 0.0), u == origin))
    if origin is None:
        return best
    direct = lineage.get((min(m, origin), max(m, origin)), 0.0)
    via = lineage.get((min(m, best), max(m, best)), 0.0)
    return best if via >= COPY_LINK and via >= direct + 0.3 else origin


def derived_evidence(version: StoryFeatures, reference: StoryFeatures, profile: SourcingProfile | None,
                     version_vectors: np.ndarray | None = None,
                     reference_vectors: np.ndarray | None = None) -> dict[str, list[str]]:
    """The reference's facts the version carries, in the reference's order, and what the version added that
    cannot be checked (for a version in any language: its sentences with no counterpart in the reference)."""
    keys = {fact_key(f) for f in version.facts}
    carried = [f for f in reference.facts if fact_key(f) in keys and is_specific(f, reference)][:EVIDENCE_ITEMS]
    days = sorted(version.days & reference.days)
    added: list[str] = []
    if profile is not None:
        if profile.unidentified:
            added.append(f"{profile.unidentified} quotation(s) from anonymous or vague sources")
        if profile.hedges:
            added.append(f"{profile.hedges} hedge(s)")
        added += [f"narrative: {label}" for label in profile.narratives]
    if version_vectors is not None and reference_vectors is not None and len(version_vectors) \
            and len(reference_vectors) and version is not reference:
        unmatched = int(((version_vectors @ reference_vectors.T).max(axis=1) < NO_COUNTERPART).sum())
        if unmatched:
            added.append(f"{unmatched} of its {len(version_vectors)} sentences have no counterpart in the origin")
    numbers = sorted(version.numbers - reference.numbers)
    if numbers:
        added.append(f"{len(numbers)} number(s) the {'origin' if reference is not version else 'others'} "
                     f"do(es) not give: {', '.join(numbers[:6])}")
    return {"carried": carried + [f"day {d}" for d in days], "added": added}


def is_specific(fact: str, features: StoryFeatures) -> bool:
    """A number, or a capitalised word that names something: not a title or a common word capitalised at a
    sentence start or in a heading ("Minister", "Defence", "Navy": the text also writes them in lower case,
    or they are titles)."""
    if fact[0].isdigit():
        return True
    word = fact.lower()
    return word not in roles() and not any(word in sentence.split() for sentence in features.sentences)


def own_evidence(m: int, members: Sequence[int], features: Sequence[StoryFeatures],
                 profiles: dict[str, SourcingProfile]) -> dict[str, list[str]]:
    """An independent version's own verifiable material: named sources and facts no other version has."""
    f = features[m]
    others = [u for u in members if u != m]
    other_keys = {fact_key(x) for u in others for x in features[u].facts}
    other_names = set().union(*(features[u].names for u in others)) if others else set()
    profile = profiles.get(f.id)
    sources = [f"named source: {n}" for n in own_sources(profile, other_names)] if profile else []
    facts = [x for x in f.facts if fact_key(x) not in other_keys and x[0].isdigit()]
    return {"own": (sources + [f"fact: {x}" for x in facts])[:EVIDENCE_ITEMS]}
