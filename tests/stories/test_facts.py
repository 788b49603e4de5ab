"""Calendar days named in several languages (stories/facts.py) and the facts a version carries."""

from __future__ import annotations

from unspun.records import Article
from unspun.stories.facts import calendar_days, days_conflict
from unspun.stories.features import article_features, fact_key, ordered_facts


def test_facts_calendar_days_in_several_languages_and_ranges() -> None:
    assert calendar_days("The minister arrives on 18 November and leaves on Nov. 19.") == {"11-18", "11-19"}
    assert calendar_days("Министр прибудет 18–19 ноября.") == {"11-18", "11-19"}
    assert calendar_days("le 3 décembre, am 4. Dezember, el 5 de diciembre") == {"12-03", "12-04", "12-05"}
    assert calendar_days("On 2026-11-17 and on 17.11.2026.") == {"11-17"}
    assert calendar_days("The 14th session; 212 students; in May 2025 they may 5x it.") == frozenset()


def test_facts_days_conflict_needs_days_on_both_sides() -> None:
    assert days_conflict(frozenset({"11-18"}), frozenset({"10-02"}))
    assert not days_conflict(frozenset({"11-18", "11-19"}), frozenset({"11-19"}))
    assert not days_conflict(frozenset(), frozenset({"10-02"}))


def test_facts_ordered_facts_keep_first_mentions_and_ordinals() -> None:
    text = "Anatol Vessarin opened the 14th session. Vessarin's delegation of 1,500 met; the 14-е заседание."
    facts = ordered_facts(text)
    assert facts[:2] == ("Anatol", "Vessarin") and "14" in facts and "1,500" in facts
    assert len([f for f in facts if fact_key(f) == fact_key("Vessarin")]) == 1  # "Vessarin's" is the same name
    features = article_features(Article(text=text, id="x"))
    assert "14" in features.numbers and "1500" in features.numbers
