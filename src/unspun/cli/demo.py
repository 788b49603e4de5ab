"""`unspun demo`: the bundled demo corpus ingested into a temporary store, its sourcing, its story (origin, derived
versions with what each added, independent reports with their own material) and an HTML report linked to the
story and to each version's trace."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from unspun.render.console import SafeConsole
from unspun.render.html import StoryLink, render_html
from unspun.render.stories import render_stories_text

if TYPE_CHECKING:
    from unspun.run.demo import DemoRun


def demo(
    out: Path = typer.Option(Path("unspun-demo-report.html"), "--out", "-o", help="Where to write the HTML report "
                             "(the stories page and the traces are written beside it)."),
) -> None:
    """Analyse the bundled demo corpus (a ministry statement, its content-farm rewrites, a translated rewrite,
    independent reports and a distractor) and show where its story came from."""
    from unspun.render.trace import render_stories_html, render_trace_html
    from unspun.run.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="unspun-demo-") as folder:
        run = run_demo(f"sqlite:///{Path(folder) / 'demo.db'}")
    console = SafeConsole()
    if not console.is_terminal:
        console = SafeConsole(width=120)
    console.print(_sourcing_table(run))
    render_stories_text(run.stories, run.headers, console)

    stories_page = out.with_name(f"{out.stem}-stories.html")
    links: dict[str, StoryLink] = {}
    for story in run.stories["stories"]:
        for article_id in story["articles"]:
            role = story["roles"][article_id]
            trace = out.with_name(f"{out.stem}-trace-{article_id}.html") if article_id in run.traces else None
            if trace is not None:
                document = run.traces[article_id]
                reference = run.texts.get(document["reference"] or "", "")
                trace.write_text(render_trace_html(document, run.texts[article_id], reference), encoding="utf-8")
            links[article_id] = StoryLink(f"{role} version in {story['id']} ({len(story['articles'])} versions)",
                                          f"{stories_page.name}#{article_id}", trace.name if trace else None)
    stories_page.write_text(render_stories_html(run.stories, run.headers, "unspun demo: stories",
                                                lambda a: (links[a].trace or "") if a in links else ""),
                            encoding="utf-8")
    out.write_text(render_html(run.analyses, title="unspun demo report", stories=links), encoding="utf-8")
    print(f"HTML report: {out.resolve()} (stories: {stories_page.name}, one trace per version beside it)")


def _sourcing_table(run: DemoRun) -> Table:
    table = Table(title="unspun demo: who is quoted, and how they are sourced")
    table.add_column("article", no_wrap=True)
    for column in ("quotes", "named", "anon.", "unnamed", "doc.", "unknown", "unidentified"):
        table.add_column(column, justify="right")
    for a in run.analyses:
        s = a.sourcing
        table.add_row(a.article.id or "", str(s.quotes), str(s.named), str(s.anonymous),
                      str(s.unnamed), str(s.document), str(s.unknown), f"{s.share_unidentified:.0%}")
    for article in run.other_languages:
        table.add_row(f"{article.id} ({article.language}: placed in its story, not analysed)", *[""] * 7)
    return table
