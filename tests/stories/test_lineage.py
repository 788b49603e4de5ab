"""Which version of a family is its origin: dates, primary sources, facts carried, containment."""

from __future__ import annotations

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
    edges = {(0, 1): (0.5, 1.0)}  # half of the source found in the rewrite, all of the rewrite in the source
    origin, confidence = find_origin([0, 1], edges, family)
    assert family[origin].id == "source" and confidence >= ORIGIN_MIN_CONFIDENCE


def test_lineage_padded_rewrite_loses_to_its_source() -> None:
    """A rewrite that adds quotes and framing contains the source; the source's sentences recur in it."""
    family = [version("padded", SOURCE_FACTS | {"maida"}), version("source", SOURCE_FACTS)]
    edges = {(0, 1): (0.6, 1.0)}
    assert source_score(1, 0, edges, family) > 0
    assert source_score(1, 0, edges, family) == -source_score(0, 1, edges, family)


def test_lineage_dates_and_primary_sites_outweigh_content() -> None:
    family = [version("later", SOURCE_FACTS, "2026-11-20"), version("wire", {"vessa", "selva"}, "2026-11-17")]
    assert family[find_origin([0, 1], {}, family)[0]].id == "wire"
    ministry = [version("farm", SOURCE_FACTS), version("ministry", {"vessa"}, site="function.mil.ru")]
    assert ministry[find_origin([0, 1], {}, ministry)[0]].id == "ministry"


def test_lineage_siblings_of_an_unseen_source_get_no_origin() -> None:
    family = [version("a", SOURCE_FACTS), version("b", SOURCE_FACTS), version("c", SOURCE_FACTS)]
    edges = {(0, 1): (0.8, 0.8), (0, 2): (0.7, 0.7), (1, 2): (0.75, 0.75)}
    _, confidence = find_origin([0, 1, 2], edges, family)
    assert confidence < ORIGIN_MIN_CONFIDENCE
