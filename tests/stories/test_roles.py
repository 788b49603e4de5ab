"""Roles from what versions carry (stories/roles.py): the evidence listed for each label, and the decisions of
the role model, tested with hand-built features and small real PairModels instead of the trained ones."""

from __future__ import annotations

import numpy as np

from unspun.records import Article
from unspun.stories.align import Vectors, mean_vectors
from unspun.stories.features import article_features
from unspun.stories.model import PairModel
from unspun.stories.pairs import FEATURES
from unspun.stories.profile import SourcingProfile
from unspun.stories.roles import VERSION_FEATURES, assign_roles, derived_evidence, own_evidence

ORIGIN = ("The Ministry of Defence of Valdoria announced that Minister Anatol Vessarin will visit Selvara on "
          "18 November. He will chair the 14th session of the commission, which trains 212 officers. "
          "The state visit of President Konstantin Aralov follows on 3 December.")
FARM = ("Anatol Vessarin lands in Selvara on 18 November, a visit observers call a turning point. Critics of the West "
        "say the partnership cannot be broken. \"Nobody can stop this,\" said a senior official.")
REPORT = ("Vessarin arrived in Selvara on 18 November with 40 engineers, Kabir Thandavan, the ministry's spokesman, "
          "told reporters. Contracts worth 400 million may follow, said analyst Ishani Vardekar.")


def features() -> list:
    return [article_features(Article(text=t, id=i, published=d, language="en"))
            for i, t, d in (("origin", ORIGIN, "2026-11-17"), ("farm", FARM, "2026-11-18"), ("report", REPORT, "2026-11-18"))]


def vectors(fs: list) -> Vectors:
    rng = np.random.default_rng(1)
    sentences = [rng.normal(size=(len(f.sentences), 8)).astype(np.float32) for f in fs]
    sentences = [s / np.linalg.norm(s, axis=1, keepdims=True) for s in sentences]
    return Vectors(sentences, mean_vectors(sentences))


def test_roles_derived_evidence_lists_carried_facts_and_additions() -> None:
    origin, farm, _ = features()
    profile = SourcingProfile(named=(), unidentified=1, quotes=1, hedges=2, narratives=("URW: Discrediting the West",))
    evidence = derived_evidence(farm, origin, profile)
    assert evidence["carried"][:3] == ["Valdoria", "Anatol", "Vessarin"] or "Vessarin" in evidence["carried"]
    assert "Ministry" not in evidence["carried"] and "day 11-18" in evidence["carried"]
    assert "1 quotation(s) from anonymous or vague sources" in evidence["added"]
    assert "narrative: URW: Discrediting the West" in evidence["added"] and "2 hedge(s)" in evidence["added"]


def test_roles_own_evidence_lists_sources_and_facts_no_other_version_has() -> None:
    fs = features()
    profiles = {"report": SourcingProfile(named=("Kabir Thandavan", "Ishani Vardekar"), quotes=2)}
    own = own_evidence(2, [0, 1, 2], fs, profiles)["own"]
    assert "named source: Kabir Thandavan" in own and "fact: 40" in own and "fact: 400" in own


def test_roles_role_model_and_origin_tournament() -> None:
    """A role model that reads only the unidentified-quote feature: the farm is derived, the earlier origin
    that the lineage model links to it is the origin, the report stays independent with its evidence."""
    fs = features()
    n = len(VERSION_FEATURES)
    weights = np.zeros(n)
    weights[VERSION_FEATURES.index("unidentified_quotes")] = 10.0
    role_model = PairModel(weights, -3.0, np.zeros(n), np.ones(n), 0.5, VERSION_FEATURES)
    lineage = PairModel(np.zeros(len(FEATURES)), 0.0, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), 0.9,
                        FEATURES)  # every pair 0.5: linked into the family (>= 0.3), never a copy
    profiles = {"origin": SourcingProfile(named=("Anatol Vessarin",), quotes=1),
                "farm": SourcingProfile(unidentified=3, quotes=3, hedges=2),
                "report": SourcingProfile(named=("Kabir Thandavan", "Ishani Vardekar"), quotes=2)}
    found = assign_roles([0, 1, 2], fs, vectors(fs), profiles, model=role_model, lineage_model=lineage)
    assert found.roles["farm"] == "derived" and found.derived_from == {"farm": "origin"}
    assert found.roles["origin"] == "origin" and found.origin == "origin" and found.confidence >= 0.6
    assert found.roles["report"] in ("independent", "derived")  # linked at 0.5 it joins the family as a candidate
    assert "carried" in found.evidence["farm"] and found.evidence["farm"]["added"]


def test_roles_no_derived_version_means_no_origin() -> None:
    fs = features()
    n = len(VERSION_FEATURES)
    never = PairModel(np.zeros(n), -10.0, np.zeros(n), np.ones(n), 0.5, VERSION_FEATURES)
    found = assign_roles([0, 1, 2], fs, vectors(fs), {}, model=never)
    assert set(found.roles.values()) == {"independent"} and found.origin is None
    assert all("own" in e for e in found.evidence.values())
