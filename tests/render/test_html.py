"""The HTML report: hostile article text stays text, quotes are highlighted and linked to speakers."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspun.records import Analysis, Article, Quote, Sourcing, Speaker
from unspun.render.html import render_html

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    """Every element of a page with its attributes, and every piece of text with the elements around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.texts: list[tuple[str, tuple[Element, ...]]] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for n in range(len(self._open) - 1, -1, -1):
            if self._open[n].tag == tag:
                del self._open[n:]
                return

    def handle_data(self, data: str) -> None:
        self.texts.append((data, tuple(self._open)))

    def text_within(self, tag: str, css: str, inside: str | None = None) -> str:
        """The text inside <tag class=css> (and inside an element of class `inside`), without ▸ jump links."""
        return "".join(
            data
            for data, around in self.texts
            if any(e.tag == tag and css in e.classes for e in around)
            and (inside is None or any(inside in e.classes for e in around))
            and not any("to-speaker" in e.classes for e in around)
        )

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_inert(page: Page) -> None:
    assert not page.find("script")
    assert not page.find("img") and not page.find("iframe") and not page.find("object")
    for element in page.elements:
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert not value.strip().lower().startswith(("javascript:", "data:text/html")), (
                element.tag,
                value,
            )
    [csp] = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = csp.attrs["content"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # scripts fall back to default-src 'none'


def test_html_hostile_article_renders_inert(
    hostile_analysis: Analysis, hostile_strings: tuple[str, ...]
) -> None:
    html = render_html([hostile_analysis], title=f"report {hostile_strings[0]}")
    page = parse(html)
    assert_inert(page)
    assert "<script" not in html.lower() and "<img" not in html.lower()

    visible = "".join(data for data, _ in page.texts)
    for hostile in hostile_strings:
        assert hostile in visible  # shown, as text
    assert page.text_within("div", "text") == hostile_analysis.article.text
    [heading] = [data for data, around in page.texts if around and around[-1].tag == "h2"]
    assert heading == hostile_analysis.article.title


def test_html_quotes_are_highlighted_by_source_type_and_linked_to_speakers(
    hostile_analysis: Analysis,
) -> None:
    page = parse(render_html([hostile_analysis]))
    ids = {e.attrs["id"] for e in page.elements if "id" in e.attrs}

    [first] = page.find("span", id="a1-quote-1")
    assert {"quote", "direct", "t-anonymous"} <= first.classes
    [second] = page.find("span", id="a1-quote-2")
    assert {"quote", "direct", "t-named"} <= second.classes
    assert page.text_within("span", "t-anonymous", inside="text") == hostile_analysis.quotes[0].text
    assert page.text_within("span", "t-named", inside="text") == hostile_analysis.quotes[1].text

    links = [e.attrs["href"] for e in page.elements if "to-speaker" in e.classes]
    assert links == ["#a1-speaker-1", "#a1-speaker-2"]
    for link in links:
        assert link[1:] in ids
    [speaker] = page.find("span", id="a1-speaker-1")
    assert "speaker" in speaker.classes and speaker.attrs["title"] == "anonymous source"
    [named] = page.find("span", id="a1-speaker-2")
    assert named.attrs["title"] == f"named source: {hostile_analysis.quotes[1].speaker.name}"

    # The table lists every quotation and jumps back to its highlight.
    assert {e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("#a1-quote")} == {
        "#a1-quote-1",
        "#a1-quote-2",
    }


def test_html_several_articles_get_their_own_ids(hostile_analysis: Analysis) -> None:
    page = parse(render_html([hostile_analysis, hostile_analysis]))
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    assert {"a1", "a2", "a1-speaker-1", "a2-speaker-1"} <= set(ids)
    assert page.find("a", href="#a1") and page.find("a", href="#a2")  # the table of contents


@st.composite
def analyses(draw: st.DrawFn) -> Analysis:
    """Any text with a quote and its speaker at arbitrary (possibly overlapping) offsets."""
    text = draw(st.text(min_size=1, max_size=200).filter(lambda t: "\r" not in t))
    n = len(text)
    qs, qe = sorted(draw(st.tuples(st.integers(0, n), st.integers(0, n))))
    ss, se = sorted(draw(st.tuples(st.integers(0, n), st.integers(0, n))))
    kind = draw(st.sampled_from(["named", "anonymous", "unnamed", "document", "unknown"]))
    speaker = Speaker(type=kind, text=text[ss:se], start=ss, end=se, name=draw(st.text(max_size=20)))
    quote = Quote(text=text[qs:qe], start=qs, end=qe, kind="direct", speaker=speaker)
    return Analysis(
        article=Article(text=text, title=draw(st.text(max_size=30))),
        quotes=[quote],
        sourcing=Sourcing(1, int(kind == "named"), 0, 0, 0, 0, 0.0),
        entities=[],
        dates=[],
        hedges=[],
    )


@given(analyses())
def test_html_any_text_is_shown_exactly_and_never_runs(analysis: Analysis) -> None:
    page = parse(render_html([analysis]))
    assert_inert(page)
    assert page.text_within("div", "text") == analysis.article.text


@pytest.mark.browser
def test_html_hostile_report_in_chromium(tmp_path: Path, chromium: Any, hostile_analysis: Analysis) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_html([hostile_analysis], title="unspun report"), encoding="utf-8")
    page = chromium.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")

    # Hover over and click every highlighted span, so an injected handler would have had its chance.
    for span in page.query_selector_all("span.quote, span.speaker"):
        span.hover()
    page.click("span.quote.t-anonymous a.to-speaker")
    page.wait_for_timeout(100)

    assert dialogs == []
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.title() == "unspun report"
    assert page.evaluate("document.scripts.length") == 0
    assert not [m for m in console if "Content Security Policy" in m]  # nothing even tried to run
    assert page.evaluate("location.hash") == "#a1-speaker-1"  # the ▸ link jumped to the speaker
    assert page.is_visible("span.quote.t-anonymous")
    assert page.is_visible("#a1-speaker-1")
    assert "<script>window.pwned=1" in page.inner_text("div.text")
    # The highlight is drawn: the anonymous-source colour from the stylesheet applies.
    background = page.eval_on_selector("span.quote.t-anonymous", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(253, 226, 225)"
    page.close()
