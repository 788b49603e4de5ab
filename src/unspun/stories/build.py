"""Build stories over a store's articles: features, sentence vectors, clustering (the orchestrator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from unspun.records import Analysis, Article
from unspun.stories.cluster import Story, StoryOptions, cluster_stories, embed_articles
from unspun.stories.features import article_features

SCHEMA = "unspun.stories/1"


def build_stories(articles: list[Article], options: StoryOptions | None = None) -> list[Story]:
    """Every article in exactly one story (singletons included), largest stories first."""
    from unspun.stories.embeddings import load_encoder

    features = [article_features(a) for a in articles]
    return cluster_stories(features, embed_articles(features, load_encoder().encode), options)


def stories_json(stories: list[Story], articles: list[Article]) -> dict[str, Any]:
    """The `unspun.stories/1` document: stories with their articles, roles, origin and sites."""
    by_id = {a.id: a for a in articles}
    out = []
    for story in stories:
        members = [by_id[i] for i in story.articles]
        dates = sorted(a.published for a in members if a.published)
        out.append({
            **asdict(story),
            "sites": sorted({a.site for a in members if a.site}),
            "first_published": dates[0] if dates else None,
            "last_published": dates[-1] if dates else None,
        })
    return {"schema": SCHEMA, "stories": out}


def trace_article(
    target: Article,
    stored: list[Article],
    analyse: Callable[[Article], Analysis],
    load_analysis: Callable[[str], Analysis | None],
) -> dict[str, Any]:
    """The story of one article (stored or new), its origin, and its diff against the reference version.

    analyse(article) -> Analysis runs the per-article analysis; load_analysis(id) -> Analysis | None reads
    a stored one. The reference is the story's origin, else its fullest other version.
    """
    from unspun.stories.diff import diff_versions
    from unspun.stories.embeddings import load_encoder

    others = [a for a in stored if a.id != target.id]
    articles = [target, *others]
    stories = build_stories(articles)
    story = next(s for s in stories if target.id in s.articles)
    features = {a.id: len(a.text) for a in articles}
    candidates = [i for i in story.articles if i != target.id]
    reference_id = story.origin if story.origin and story.origin != target.id else (
        max(candidates, key=lambda i: features[i]) if candidates else None)
    document: dict[str, Any] = {"schema": "unspun.trace/1", "article": target.id,
                                "story": stories_json([story], articles)["stories"][0], "reference": reference_id}
    if reference_id is None:
        document["diff"] = None
        return document
    by_id = {a.id: a for a in articles}

    def analysis_of(article_id: str) -> Analysis:
        return (load_analysis(article_id) if article_id != target.id else None) or analyse(by_id[article_id])

    diff = diff_versions(analysis_of(target.id or ""), analysis_of(reference_id), load_encoder().encode)
    document["diff"] = {**asdict(diff), "counts": diff.counts()}
    return document
