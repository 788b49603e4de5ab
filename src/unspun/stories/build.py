"""Stories as documents: build them in memory or from a store, the `unspun.stories/1` JSON, and the trace of
one article (its story, origin and diff), the orchestrators behind `unspun stories` and `unspun trace`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from unspun.errors import NotEnglishError
from unspun.records import Analysis, Article, Sourcing
from unspun.store import stories as story_store
from unspun.store.store import Store
from unspun.stories.align import Embed, embed_articles
from unspun.stories.cluster import Story, StoryOptions, cluster_stories
from unspun.stories.features import article_features
from unspun.stories.profile import SourcingProfile
from unspun.stories.update import date_window, default_embed, matchable, place_articles, update_stories

SCHEMA = "unspun.stories/1"
Members = story_store.Members


def build_stories(articles: Sequence[Article], options: StoryOptions | None = None,
                  embed: Embed | None = None) -> list[Story]:
    """Stories over articles held in memory (no store): every article in exactly one, largest first."""
    features = [article_features(a) for a in articles]
    return cluster_stories(features, embed_articles(features, embed or default_embed()), options)


def stories_json(stories: Sequence[tuple[Story, Members]]) -> dict[str, Any]:
    """The `unspun.stories/1` document: stories with their articles, roles, origin, sites and time span."""
    out = []
    for story, members in stories:
        dates = sorted(d for _, d in members if d)
        out.append({**asdict(story), "sites": sorted({site for site, _ in members if site}),
                    "first_published": dates[0] if dates else None, "last_published": dates[-1] if dates else None})
    return {"schema": SCHEMA, "stories": out}


def story_of(store: Store, target: Article, options: StoryOptions | None = None,
             embed: Embed | None = None, profile: SourcingProfile | None = None,
             update: bool = True) -> tuple[Story, Members]:
    """The story of an article: a stored one's as stored (after bringing the store's stories up to date);
    a new one's as it would be if stored, without storing it (``profile``: how it is sourced, if analysed).
    update=False reads the stories as they are (nothing is written): an article the last update has not
    placed is placed in memory, like a new one."""

    opt = options or StoryOptions()
    if update:
        update_stories(store, embed, opt)
    stored_copy = store.article(target.id) if target.id else None
    if stored_copy is not None and stored_copy.text == target.text:
        found = story_store.load_stories(store, of_article=target.id)
        if found:
            return found[0]
    probe = matchable([target], embed or default_embed(), opt)[0]
    key = probe.features.id
    window = date_window([(key, target.published, probe.features.fingerprint)], opt.max_days_apart)
    built, _ = place_articles(store, story_store.load_index(store, window), [key], {key: probe}, opt,
                              {key: profile} if profile is not None else None)
    story = next(s for s in built if key in s.articles)
    others = {a.id: (a.site, a.published) for a in (store.article(i) for i in story.articles if i != key) if a}
    return story, [others.get(i, (target.site, target.published)) for i in story.articles]


def trace_article(store: Store, target: Article, analyse: Callable[[Article], Analysis],
                  embed: Embed | None = None, update: bool = True) -> dict[str, Any]:
    """The story of one article (stored or new), its origin, and its diff against the reference version:
    the story's origin, else its fullest other version. analyse(article) runs the per-article analysis
    for articles the store has no analysis of; update=False leaves the store's stories as they are."""
    from unspun.stories.diff import diff_versions

    def analysis_of(article: Article) -> Analysis:
        stored = store.analysis(article.id) if article.id and article is not target else None
        if stored is not None:
            return stored
        try:
            return analyse(article)
        except NotEnglishError:  # the sentences still align across languages; there is nothing else to compare
            return text_only(article)

    target_analysis = analysis_of(target)
    profile = SourcingProfile.from_analysis(target_analysis) if target_analysis.sourcing.quotes or \
        target_analysis.hedges or target_analysis.entities else None
    story, members = story_of(store, target, embed=embed, profile=profile, update=update)
    others = {a.id: a for a in (store.article(i) for i in story.articles if i != target.id) if a is not None}
    reference_id = story.origin if story.origin and story.origin != target.id else (
        max(others, key=lambda i: len(others[i].text)) if others else None)
    document: dict[str, Any] = {"schema": "unspun.trace/1", "article": target.id,
                                "story": stories_json([(story, members)])["stories"][0], "reference": reference_id,
                                "diff": None}
    reference = others.get(reference_id) if reference_id else None
    if reference is None:
        return document

    diff = diff_versions(target_analysis, analysis_of(reference), embed or default_embed())
    document["diff"] = {**asdict(diff), "counts": diff.counts()}
    return document


def text_only(article: Article) -> Analysis:
    """An analysis with the text and nothing found in it: what a version in a language the analysis does not
    read contributes to a trace (its sentences, aligned by the multilingual encoder)."""
    return Analysis(article=article, quotes=[], sourcing=Sourcing(0, 0, 0, 0, 0, 0, 0.0), entities=[], dates=[],
                    hedges=[])
