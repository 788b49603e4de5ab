"""Stories in the terminal: every version of a multi-article story with its role and the evidence for it, then
one line for the stories of a single article."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

ROLE_STYLES = {"origin": "bold green", "derived": "yellow", "independent": "cyan"}
ROLE_ORDER = {"origin": 0, "derived": 1, "independent": 2}
SINGLES_SHOWN = 20


def render_stories_text(document: dict[str, Any], headers: dict[str, Any], console: Console) -> None:
    """The `unspun.stories/1` document: a table per story of several articles, evidence included."""
    stories = document["stories"]
    multi = [s for s in stories if len(s["articles"]) > 1]
    for story in multi:
        console.print(story_table(story, headers))
    singles = [s for s in stories if len(s["articles"]) == 1]
    if singles:
        shown = [s["articles"][0] + (f" ({s['notes'][s['articles'][0]]})" if s["articles"][0] in s["notes"] else "")
                 for s in singles[:SINGLES_SHOWN]]
        more = f", and {len(singles) - SINGLES_SHOWN} more" if len(singles) > SINGLES_SHOWN else ""
        console.print(Text(f"{len(singles)} article(s) with no other version: {', '.join(shown)}{more}", style="dim"))
    if not stories:
        console.print("No stories: the store holds no articles yet.")


def story_table(story: dict[str, Any], headers: dict[str, Any]) -> Table:
    span = story.get("first_published") or ""
    if story.get("last_published") and story["last_published"] != span:
        span += f" to {story['last_published']}"
    origin = (f"origin {story['origin']} ({story['origin_confidence']:.0%} confidence)" if story["origin"]
              else "origin not in the store")
    credit = f"; the versions credit {story['attributed_source']}" if story.get("attributed_source") else ""
    table = Table(title=f"{story['id']}: {len(story['articles'])} versions{', ' + span if span else ''}; {origin}{credit}",
                  title_justify="left", expand=True, show_lines=True)
    table.add_column("role", no_wrap=True)
    table.add_column("version", ratio=2)
    table.add_column("evidence", ratio=5)
    order = sorted(story["articles"], key=lambda a: (ROLE_ORDER.get(story["roles"][a], 3), a))
    for article in order:
        role = story["roles"][article]
        header = headers.get(article)
        where = " · ".join(x for x in (getattr(header, "site", None), getattr(header, "published", None)) if x)
        version = Text(article) + (Text(f"\n{where}", style="dim") if where else Text(""))
        if article in story.get("derived_from", {}):
            version.append(f"\nfrom {story['derived_from'][article]}", style="dim")
        table.add_row(Text(role, style=ROLE_STYLES.get(role, "")), version,
                      evidence_text(story.get("versions", {}).get(article, {}), story["notes"].get(article)))
    return table


def evidence_text(evidence: dict[str, list[str]], note: str | None = None) -> Text:
    out = Text()
    for key, label in (("carried", "carries: "), ("added", "adds: "), ("own", "its own: ")):
        items = evidence.get(key) or []
        if items:
            if out:
                out.append("\n")
            out.append(label, style="bold")
            out.append(("; " if key != "carried" else ", ").join(items))
    if note:
        out.append(("\n" if out else "") + note, style="dim")
    return out
