"""A self-contained HTML report: highlighted text, quotes linked to speakers, all content escaped.

The page carries no script and a Content-Security-Policy that forbids any, so hostile article text
cannot run even if escaping were ever bypassed.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from unspun.extract.techniques import by_paragraph, summarise
from unspun.records import Analysis
from unspun.render.highlight import Segment, article_marks, segments


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("unspun.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    add_filters(env)
    return env


def add_filters(env: Environment) -> None:
    """The filters the analysis templates use (report.html, analysis.html): highlighted text, technique summary."""
    env.filters["highlight"] = highlight_html
    env.filters["summarise"] = summarise
    env.filters["by_paragraph"] = by_paragraph


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
    template = _environment().get_template("report.html")
    items = [(f"a{n + 1}", a) for n, a in enumerate(analyses)]
    return template.render(title=title, items=items, stories=stories or {})


def highlight_html(analysis: Analysis, prefix: str) -> Markup:
    """The article's text as HTML, escaped, with its quotes, speakers, hedges, dates, artefacts, techniques and
    narrative evidence marked (render/highlight.py); ``prefix`` keeps element ids unique on a page."""
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
