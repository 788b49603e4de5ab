"""The HTML of the story commands: `unspun trace`'s side-by-side view (a version next to its reference,
differences highlighted) and `unspun stories`' page of stories and their versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


def render_trace_html(document: dict[str, Any], version_text: str, reference_text: str) -> str:
    """Self-contained page, no script; every piece of article text escaped by the template."""
    template = _environment().get_template("trace.html")
    diff = document.get("diff") or {}
    return template.render(
        doc=document,
        version=diff_pieces(version_text, diff.get("sentences", []), diff.get("unsupported_quotes", [])),
        reference=diff_pieces(reference_text, diff.get("dropped", []), []),
    )


def render_stories_html(document: dict[str, Any], headers: dict[str, Any], title: str = "unspun stories",
                        trace_links: Callable[[str], str] | None = None) -> str:
    """The `unspun.stories/1` document as one self-contained page (no script), each story a table of versions
    with the evidence of each role; `headers` maps article ids to their site, date and title; `trace_links`
    (article id -> URL) links each version to its trace."""
    return _environment().get_template("stories.html").render(title=title, stories=document["stories"], headers=headers,
                                        trace_links=trace_links)


def _environment() -> Environment:
    return Environment(loader=PackageLoader("unspun.render", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def diff_pieces(text: str, changes: list[dict[str, Any]], quotes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(text, css class) runs covering the whole text: sentences by status, unsupported quotes marked."""
    marks = sorted([(c["start"], c["end"], c["status"]) for c in changes]
                   + [(q["start"], q["end"], "unsupported") for q in quotes])
    out, cursor = [], 0
    for start, end, status in marks:
        if start < cursor:
            continue  # an unsupported quote inside an added sentence keeps the sentence's colour
        if start > cursor:
            out.append((text[cursor:start], ""))
        out.append((text[start:end], status))
        cursor = end
    if cursor < len(text):
        out.append((text[cursor:], ""))
    return out
