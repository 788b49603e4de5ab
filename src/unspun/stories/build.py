"""Build stories over a store's articles: features, sentence vectors, clustering (the orchestrator)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from unspun.records import Article
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
