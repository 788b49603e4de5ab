"""A self-contained HTML report: highlighted text, quotes linked to speakers, all content escaped.

The page carries no script and a Content-Security-Policy that forbids any, so hostile article text
cannot run even if escaping were ever bypassed.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from unspun.extract.techniques import summarise
from unspun.records import Analysis
from unspun.render.highlight import Segment, article_marks, segments


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["highlight"] = _highlight
    env.filters["summarise"] = summarise
    return env


@dataclass(frozen=True)
class StoryLink:
    """Where an article's story (and its trace) are shown, for the report's links."""

    label: str  # e.g. "derived version of origin-ministry (story:farm-daily-herald)"
    href: str
    trace: str | None = None


def render_html(analyses: list[Analysis], title: str = "unspun report",
                stories: dict[str, StoryLink] | None = None) -> str:
    """The self-contained HTML report; ``stories`` (article id -> links) adds a line under each article
    leading to its story and trace."""
    template_text = resources.files("unspun.render").joinpath("templates", "report.html").read_text("utf-8")
    template = _environment().from_string(template_text)
    items = [(f"a{n + 1}", a) for n, a in enumerate(analyses)]
    return template.render(title=title, items=items, stories=stories or {})


def _highlight(analysis: Analysis, prefix: str) -> Markup:
    text = analysis.article.text
    return Markup("").join(_segment_html(s) for s in segments(text, article_marks(analysis, prefix)))


def _segment_html(segment: Segment) -> Markup:
    body = escape(segment.text).replace("\n", Markup("<br>\n"))
    if not segment.marks:
        return Markup(body)
    html = Markup(body)
    for mark in sorted(segment.marks, key=lambda m: m.end - m.start):
        attrs = Markup(' class="{}"').format(mark.css)
        if mark in segment.first_of and mark.anchor:
            attrs += Markup(' id="{}"').format(mark.anchor)
        if mark.title:
            attrs += Markup(' title="{}"').format(mark.title)
        if mark.link and mark in segment.first_of:
            html = Markup('<a href="{}" class="to-speaker" title="go to the speaker">&#9656;</a>').format(mark.link) + html
        html = Markup("<span{}>{}</span>").format(attrs, html)
    return html
