"""Unit tests of eval/scoring.py: span matching and metrics on tiny hand-made spans."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_scoring() -> ModuleType:
    # eval/ is a folder of scripts, not a package; load the module by path under a unique name.
    path = Path(__file__).resolve().parents[2] / "eval" / "scoring.py"
    spec = importlib.util.spec_from_file_location("unspun_eval_scoring", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


scoring = _load_scoring()


def test_scoring_overlap_ratio_divides_by_the_longer_span() -> None:
    assert scoring.overlap_ratio((0, 10), (0, 10)) == 1.0
    assert scoring.overlap_ratio((0, 10), (5, 20)) == pytest.approx(5 / 15)
    assert scoring.overlap_ratio((0, 4), (0, 10)) == pytest.approx(0.4)
    assert scoring.overlap_ratio((0, 10), (0, 4)) == pytest.approx(0.4)


def test_scoring_overlap_ratio_is_zero_for_disjoint_touching_and_empty_spans() -> None:
    assert scoring.overlap_ratio((0, 5), (10, 20)) == 0.0
    assert scoring.overlap_ratio((0, 5), (5, 10)) == 0.0
    assert scoring.overlap_ratio((3, 3), (3, 3)) == 0.0
    assert scoring.overlap_ratio((3, 3), (0, 10)) == 0.0


def test_scoring_match_spans_pairs_each_span_at_most_once() -> None:
    # Two predictions cover one gold span: only the better one matches.
    pairs = scoring.match_spans([(0, 10), (0, 9)], [(0, 10)], 0.3)
    assert pairs == [(0, 0)]
    # One long prediction covers two gold spans: it matches only the one it overlaps most.
    pairs = scoring.match_spans([(0, 20)], [(0, 8), (8, 20)], 0.3)
    assert pairs == [(0, 1)]


def test_scoring_match_spans_takes_the_best_overlap_first() -> None:
    # Matching predictions in order would give pred 0 its best gold 0 (0.9) and leave pred 1 with
    # gold 1 at 7/9, below the threshold. Best-first gives gold 0 to pred 1 (1.0), gold 1 to pred 0 (0.8).
    pred = [(0, 10), (0, 9)]
    gold = [(0, 9), (2, 10)]
    assert scoring.match_spans(pred, gold, 0.8) == [(0, 1), (1, 0)]


def test_scoring_match_spans_threshold_is_inclusive() -> None:
    assert scoring.match_spans([(0, 8)], [(0, 10)], 0.8) == [(0, 0)]
    assert scoring.match_spans([(0, 7)], [(0, 10)], 0.8) == []
    assert scoring.match_spans([(0, 3)], [(0, 10)], 0.3) == [(0, 0)]


def test_scoring_match_spans_breaks_ties_by_earlier_gold() -> None:
    assert scoring.match_spans([(0, 10)], [(0, 5), (5, 10)], 0.3) == [(0, 0)]


def test_scoring_match_spans_handles_empty_inputs() -> None:
    assert scoring.match_spans([], [(0, 5)], 0.3) == []
    assert scoring.match_spans([(0, 5)], [], 0.3) == []


def test_scoring_match_spans_rejects_a_threshold_outside_zero_one() -> None:
    with pytest.raises(ValueError, match="threshold"):
        scoring.match_spans([(0, 1)], [(0, 1)], 0.0)
    with pytest.raises(ValueError, match="threshold"):
        scoring.match_spans([(0, 1)], [(0, 1)], 1.5)


def test_scoring_score_spans_counts_matches_predictions_and_gold() -> None:
    prf = scoring.score_spans([(0, 10), (20, 30), (50, 60)], [(0, 10), (22, 30)], 0.8)
    assert (prf.matched, prf.predicted, prf.gold) == (2, 3, 2)
    assert prf.precision == pytest.approx(2 / 3)
    assert prf.recall == 1.0
    assert prf.f1 == pytest.approx(0.8)


def test_scoring_prf_is_undefined_without_predictions_or_gold() -> None:
    nothing = scoring.PRF()
    assert nothing.precision is None and nothing.recall is None and nothing.f1 is None
    missed = scoring.PRF(matched=0, predicted=0, gold=3)
    assert missed.precision is None and missed.recall == 0.0 and missed.f1 == 0.0


def test_scoring_prf_add_sums_documents() -> None:
    total = scoring.PRF()
    total.add(scoring.PRF(1, 2, 3))
    total.add(scoring.PRF(2, 2, 2))
    assert (total.matched, total.predicted, total.gold) == (3, 4, 5)
    assert total.to_dict()["recall"] == 0.6


def test_scoring_tally_rate() -> None:
    tally = scoring.Tally()
    assert tally.rate is None
    for ok in (True, False, True, True):
        tally.count(ok)
    assert tally.to_dict() == {"correct": 3, "total": 4, "rate": 0.75}


def test_scoring_trim_span_removes_marks_and_whitespace_at_the_edges() -> None:
    text = " “Yes, we can,” she said"
    start, end = scoring.trim_span(text, 0, 15)
    assert text[start:end] == "Yes, we can,"
    text = "He called it ‘a farce’."
    start, end = scoring.trim_span(text, 13, 22)
    assert text[start:end] == "a farce"


def test_scoring_trim_span_keeps_inner_marks_and_handles_all_mark_spans() -> None:
    text = 'the deal was "a disaster" for all'
    assert scoring.trim_span(text, 0, len(text)) == (0, len(text))
    assert scoring.trim_span("“”", 0, 2)[0] == scoring.trim_span("“”", 0, 2)[1]


def test_scoring_has_quote_mark_ignores_apostrophes() -> None:
    assert scoring.has_quote_mark("“We will win,”")
    assert scoring.has_quote_mark("it was ‘in their heads’")
    assert scoring.has_quote_mark('he said "no"')
    assert not scoring.has_quote_mark("Clinton’s team didn't")


def test_scoring_spans_overlap_needs_two_spans_that_share_a_character() -> None:
    assert scoring.spans_overlap((0, 5), (4, 9))
    assert not scoring.spans_overlap((0, 5), (5, 9))
    assert not scoring.spans_overlap(None, (0, 5))
    assert not scoring.spans_overlap((0, 5), None)


def test_scoring_name_in_text_matches_the_last_word_as_a_whole_word() -> None:
    assert scoring.name_in_text("Donald Trump", "the Republican nominee Trump")
    assert scoring.name_in_text("Donald J. Trump", "TRUMP")
    assert not scoring.name_in_text("Mike Lee", "officials in Leeds")
    assert not scoring.name_in_text(None, "Trump")
    assert not scoring.name_in_text("Trump", None)


def test_scoring_same_name_ignores_case_and_spacing_but_not_absence() -> None:
    assert scoring.same_name("Elena  Ramirez", "elena ramirez")
    assert not scoring.same_name("Elena Ramirez", "Ramirez")
    assert not scoring.same_name(None, None)


def test_scoring_confusion_counts_gold_to_predicted() -> None:
    table = scoring.confusion(
        [("named", "named"), ("named", "unnamed"), ("anonymous", "unnamed"), ("named", "named")]
    )
    assert table == {"named": {"named": 2, "unnamed": 1}, "anonymous": {"unnamed": 1}}
