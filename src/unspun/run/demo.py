"""The demo run behind `unspun demo` and `make demo`: the bundled corpus (src/unspun/demo) ingested into a store,
analysed, grouped into stories, and every version of a story traced against its reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from unspun.analysis import analyze_article
from unspun.records import Analysis, Article
from unspun.run.ingest import IngestOptions, ingest
from unspun.store import open_store
from unspun.store.store import ArticleHeader


@dataclass
class DemoRun:
    analyses: list[Analysis]  # the articles the analysis reads (English), in the corpus's order
    other_languages: list[Article]  # stored and placed in their stories, not analysed
    stories: dict[str, Any]  # the unspun.stories/1 document
    headers: dict[str, ArticleHeader]
    traces: dict[str, dict[str, Any]] = field(default_factory=dict)  # article id -> its unspun.trace/1 document
    texts: dict[str, str] = field(default_factory=dict)  # article id -> text, for the side-by-side views


def run_demo(db_url: str) -> DemoRun:
    """Ingest the demo corpus into the store at db_url (a new one), build its stories and trace each version."""
    from unspun.store.stories import load_stories
    from unspun.stories.build import stories_json, trace_article
    from unspun.stories.update import update_stories

    corpus = resources.files("unspun").joinpath("demo", "articles.jsonl")
    with resources.as_file(corpus) as path, open_store(db_url) as store:
        ingest([str(path)], store, IngestOptions(batch_size=50))
        ids = [a.id or "" for a in store.iter_articles()]
        order = {line_id: k for k, line_id in enumerate(_corpus_ids(corpus.read_text("utf-8")))}
        ids.sort(key=lambda i: order.get(i, len(order)))
        analyses = [a for a in (store.analysis(i) for i in ids) if a is not None]
        analysed = {a.article.id for a in analyses}
        others = [a for a in (store.article(i) for i in ids if i not in analysed) if a is not None]
        update_stories(store)
        document = stories_json(load_stories(store))
        run = DemoRun(analyses, others, document, store.article_headers(ids))
        for story in document["stories"]:
            if len(story["articles"]) < 2:
                continue
            for article_id in story["articles"]:
                article = store.article(article_id)
                if article is not None:
                    run.traces[article_id] = trace_article(store, article, analyze_article)
                    run.texts[article_id] = article.text
    return run


def _corpus_ids(text: str) -> list[str]:
    import json

    return [json.loads(line)["id"] for line in text.splitlines() if line.strip()]
