"""Which version of a family is its origin: dates, primary sources, facts carried, syndicated copies."""

from __future__ import annotations

import numpy as np

from unspun.stories.features import StoryFeatures
from unspun.stories.lineage import ORIGIN_MIN_CONFIDENCE, find_origin, source_score


def version(i: str, facts: set[str], published: str | None = None, site: str | None = None,
            carried: tuple[str, ...] = ()) -> StoryFeatures:
    names = frozenset(f for f in facts if not f.isdigit())
    return StoryFeatures(id=i, sentences=(), numbers=frozenset(facts) - names, names=names, published=published,
                         site=site, language="en", carried=carried, attributed=carried)


SOURCE_FACTS = {"vessa", "selva", "valdo", "tarsa", "400", "14", "3"}


def test_lineage_condensed_rewrite_does_not_win_by_containment() -> None:
    """A rewrite that keeps half the source recurs wholly in it; the source still carries more facts."""
    family = [version("source", SOURCE_FACTS), version("short", {"vessa", "selva", "400"})]
    origin, confidence = find_origin([0, 1], family)
    assert family[origin].id == "source" and confidence >= ORIGIN_MIN_CONFIDENCE


def test_lineage_padded_rewrite_loses_to_its_source() -> None:
    """A rewrite that adds quotes and framing contains the source, but it drops specifics and adds none."""
    family = [version("padded", SOURCE_FACTS - {"400"}), version("source", SOURCE_FACTS)]
    assert source_score(1, 0, family) > 0
    assert source_score(1, 0, family) == -source_score(0, 1, family)


def test_lineage_dates_and_primary_sites_outweigh_content() -> None:
    family = [version("later", SOURCE_FACTS, "2026-11-20"), version("wire", {"vessa", "selva"}, "2026-11-17")]
    assert family[find_origin([0, 1], family)[0]].id == "wire"
    ministry = [version("farm", SOURCE_FACTS), version("ministry", {"vessa"}, site="function.mil.ru")]
    assert ministry[find_origin([0, 1], ministry)[0]].id == "ministry"


def test_lineage_siblings_of_an_unseen_source_get_no_origin() -> None:
    family = [version("a", SOURCE_FACTS), version("b", SOURCE_FACTS), version("c", SOURCE_FACTS)]
    _, confidence = find_origin([0, 1, 2], family)
    assert confidence < ORIGIN_MIN_CONFIDENCE


def copies(n_shared: int) -> list[np.ndarray]:
    """Sentence vectors of a fuller text (four sentences) and a cut copy sharing its first n_shared sentences."""
    rows = np.eye(8)
    return [rows[:4], np.concatenate([rows[:n_shared], rows[4:6]])]


def test_lineage_syndicated_copies_a_day_apart_get_no_origin() -> None:
    """Two pickups of one unseen wire story, fuller one a day earlier: neither is the source."""
    fuller, cut = version("fuller", SOURCE_FACTS, "2026-12-01"), version("cut", {"vessa", "selva"}, "2026-12-02")
    _, confidence = find_origin([0, 1], [fuller, cut], copies(2))
    assert confidence < ORIGIN_MIN_CONFIDENCE
    assert find_origin([0, 1], [fuller, cut], copies(0))[1] >= ORIGIN_MIN_CONFIDENCE  # paraphrased: a rewrite
    whole = [np.eye(8)[:2], np.eye(8)[:4]]  # the later text repeats all of the earlier one: it copies it
    assert find_origin([0, 1], [cut, fuller], whole)[1] >= ORIGIN_MIN_CONFIDENCE
    later = version("cut", {"vessa", "selva"}, "2026-12-04")  # two days apart: the date counts
    assert source_score(0, 1, [fuller, later], copies(2)) > 0
    undated = [version("fuller", SOURCE_FACTS), version("cut", {"vessa", "selva"})]  # the facts decide
    assert source_score(0, 1, undated, copies(2)) > 0


def test_lineage_copy_of_a_primary_source_still_names_it() -> None:
    wire = version("wire", SOURCE_FACTS, "2026-12-01", carried=("IANS",))
    copy = version("copy", {"vessa", "selva"}, "2026-12-01")
    origin, confidence = find_origin([0, 1], [wire, copy], copies(2))
    assert origin == 0 and confidence >= ORIGIN_MIN_CONFIDENCE
