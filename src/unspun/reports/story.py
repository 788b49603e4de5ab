"""One story as the web interface shows it: the reference version (its origin, else its fullest version)
and every other version beside it with what it preserved, paraphrased, added and dropped, the quotes the
reference does not support, each version's role with its evidence, and the publication timeline.

Versions are paged (VERSIONS_PER_PAGE at a time, keyset on publication date and id); the sentences of stored
versions are compared with their stored vectors, so a page needs the encoder only for quotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unspun.errors import InputError
from unspun.records import Analysis
from unspun.store import stories as story_store
from unspun.store.store import Store
from unspun.stories.align import Embed, known_first
from unspun.stories.build import stories_json, text_only
from unspun.stories.cluster import Story
from unspun.stories.diff import VersionDiff, diff_versions, quote_texts

VERSIONS_PER_PAGE = 4  # beside the reference: five columns fit a wide screen; each page encodes its quotes


@dataclass(frozen=True)
class VersionView:
    """One version of a story: where and when it appeared, its role and the evidence for it, its text and
    (for every version but the reference) its diff against the reference."""

    id: str
    role: str
    site: str | None
    published: str | None
    title: str | None
    language: str | None
    text: str
    derived_from: str | None = None
    note: str | None = None
    evidence: dict[str, list[str]] = field(default_factory=dict)  # carried / added / own
    diff: VersionDiff | None = None
    counts: dict[str, int] = field(default_factory=dict)  # the diff's totals per status


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    site: str | None
    published: str | None
    role: str


@dataclass(frozen=True)
class StoryView:
    story: dict[str, object]  # the story's entry of the unspun.stories/1 document
    reference: VersionView | None  # what every version is compared with
    versions: list[VersionView]  # this page of the other versions, oldest first
    timeline: list[TimelineEntry]  # every version, oldest first (undated last)
    next: str | None = None  # where the next page of versions starts after (the last id shown); None: last page


class UnknownStoryError(InputError):
    """No stored story has this id."""


def story_view(store: Store, story_id: str, embed: Embed, after: str | None = None,
               per_page: int = VERSIONS_PER_PAGE) -> StoryView:
    """The story with one page of its versions, each diffed against the reference. ``embed`` encodes what
    has no stored vector (quotations, versions stored before their features)."""
    found = story_store.load_stories(store, story_id=story_id)
    if not found:
        raise UnknownStoryError(f"no story {story_id!r} is stored")
    story, members = found[0]
    dated = sorted(zip(story.articles, members, strict=True), key=lambda m: (m[1][1] or "9999-99-99", m[0]))
    timeline = [TimelineEntry(a, site, published, story.roles[a]) for a, (site, published) in dated]
    reference_id = story.origin or _fullest(store, story.articles)
    others = [e.id for e in timeline if e.id != reference_id]
    start = 0
    if after is not None:
        if after not in others:
            raise InputError(f"the cursor {after!r} is not a version of {story_id}: start from the first page")
        start = others.index(after) + 1
    page = others[start : start + per_page]
    analyses = {i: _analysis(store, i) for i in [*([reference_id] if reference_id else []), *page]}
    compare = known_first(story_store.sentence_vectors(store, list(analyses)), embed)
    reference = analyses.get(reference_id) if reference_id else None
    if reference is not None:  # every quotation of the page through the encoder at once: one batch is cheaper
        compare(list(dict.fromkeys(t for i in page for t in quote_texts(analyses[i], reference))))
    versions = []
    for article_id in page:
        diff = diff_versions(analyses[article_id], reference, compare) if reference is not None else None
        versions.append(_version(story, analyses[article_id], diff))
    last = page[-1] if page and start + per_page < len(others) else None
    return StoryView(story=stories_json([(story, members)])["stories"][0],
                     reference=_version(story, reference, None) if reference is not None else None,
                     versions=versions, timeline=timeline, next=last)


def _version(story: Story, analysis: Analysis, diff: VersionDiff | None) -> VersionView:
    article = analysis.article
    article_id = article.id or ""
    return VersionView(id=article_id, role=story.roles.get(article_id, ""), site=article.site,
                       published=article.published, title=article.title, language=article.language, text=article.text,
                       derived_from=story.derived_from.get(article_id), note=story.notes.get(article_id),
                       evidence=story.versions.get(article_id, {}), diff=diff,
                       counts=diff.counts() if diff is not None else {})


def _analysis(store: Store, article_id: str) -> Analysis:
    stored = store.analysis(article_id)
    if stored is not None:
        return stored
    article = store.article(article_id)
    if article is None:  # removed between reading the story and its versions
        raise UnknownStoryError(f"the article {article_id!r} of this story is no longer stored")
    return text_only(article)  # stored without analysis (another language): its sentences still compare


def _fullest(store: Store, ids: list[str]) -> str | None:
    lengths = store.text_lengths(ids)
    return max(ids, key=lambda i: (lengths.get(i, 0), i)) if lengths else None
