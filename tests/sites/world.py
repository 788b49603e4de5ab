"""A small hand-made world of sites for the site and network tests: a ministry whose statements three look-alike
farms rewrite the next day (with a shared footer and anonymous officials), two busy outlets that cover some of
the same statements on their own schedule, and a site whose name tries to break the outputs. The stories are
written as `unspun stories` would store them, so the tests exercise the sites layer on a real store."""

from __future__ import annotations

import datetime as dt
import random

from unspun.ingest.normalize import normalize_article
from unspun.records import Article
from unspun.stories.cluster import Story

MINISTRY = "ministry.example"
FARMS = ("farm-alpha.example", "farm-beta.example", "farm-gamma.example")
BUSY = ("daily-courier.example", "evening-post.example", "morning-star.example", "city-ledger.example")
# A fourth farm whose name no output may let through unescaped (a site as the input named it)
HOSTILE = '<img src=x onerror="window.pwned=1;alert(1)">"&.example'
HOSTILE_FROM = 4  # ... it joins the farms from this farmed statement on
STORIES = 150
FARMED = range(0, STORIES, 5)  # the statements the farms rewrite (the gamma farm misses one)
START = dt.date(2026, 3, 2)

FOOTER = "Subscribe to {name} for the news the mainstream media will not tell you."


def day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


def _article(story: int, site: str, published: str, body: str) -> Article:
    article = Article(text=body, id=f"s{story}-{site}", site=site, published=published, title=f"Statement {story}",
                      url=f"https://{site}/news/{story}")
    return normalize_article(article, "world")


def world() -> tuple[list[Article], list[Story]]:
    """Every article and every story of the world; story n's statement appears on day n."""
    rng = random.Random(7)
    articles: list[Article] = []
    stories: list[Story] = []
    for n in range(STORIES):
        topic = f"the delegation's visit number {n + 1} to the northern port"
        members = [_article(n, MINISTRY, day(n),
                            f"Statement {n}\n\nThe minister received {topic} on Monday.\n\nTalks covered trade.")]
        for k, farm in enumerate(FARMS):
            if n not in FARMED or (n == FARMED[1] and k == 2):
                continue
            name = farm.split(".")[0].replace("-", " ").title()
            members.append(_article(n, farm, day(n + 1), (
                f"Breaking from {name}\n\nThe minister received {topic}, officials said. \"The West is afraid of "
                f"this friendship,\" said a source who asked not to be named.\n\n" + FOOTER.format(name=name))))
        for outlet in BUSY:
            if rng.random() < 0.3:
                members.append(_article(n, outlet, day(n + rng.randrange(4)),
                                        f"{outlet} report\n\nThe minister met {topic}, the ministry said."))
        if n in FARMED[HOSTILE_FROM:]:
            members.append(_article(n, HOSTILE, day(n + 1),
                                    f"Hostile copy\n\nThe minister received {topic}, officials said."))
        roles = {a.id or "": "origin" if a.site == MINISTRY else "derived" for a in members}
        ids = sorted(roles)
        stories.append(Story(id=f"story:{ids[0]}", articles=ids, roles=roles, origin=members[0].id,
                             origin_confidence=0.9, derived_from={i: members[0].id or "" for i, r in roles.items()
                                                                   if r == "derived"}))
        articles += members
    for n in range(3):  # the busy outlets' own reporting, in no story
        for outlet in BUSY:
            articles.append(_article(10_000 + n, outlet, day(2 * n), f"{outlet} local\n\nThe market reopened."))
    return articles, stories
