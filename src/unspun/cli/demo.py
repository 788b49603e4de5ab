"""`unspun demo`: analyse the bundled demo corpus and write its HTML report."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import typer
from rich.table import Table

from unspun.analysis import analyze_items
from unspun.errors import UnspunError
from unspun.ingest.jsonl import read_jsonl
from unspun.render.console import SafeConsole
from unspun.render.html import render_html


def demo_items() -> list:
    text = resources.files("unspun").joinpath("demo", "articles.jsonl").read_text("utf-8")
    return list(read_jsonl(text, "demo/articles.jsonl"))


def demo(
    out: Path = typer.Option(Path("unspun-demo-report.html"), "--out", "-o", help="Where to write the HTML report."),
) -> None:
    """Analyse the bundled demo corpus (an origin statement, its content-farm rewrites, independent reports)."""
    analyses = []
    for label, outcome in analyze_items(demo_items()):
        if isinstance(outcome, UnspunError):
            print(f"unspun: skipped {label}: {outcome}", file=sys.stderr)
            continue
        analyses.append(outcome)
    table = Table(title="unspun demo: who is quoted, and how they are sourced")
    table.add_column("article", no_wrap=True)
    for column in ("quotes", "named", "anon.", "unnamed", "doc.", "unknown", "unidentified"):
        table.add_column(column, justify="right")
    for a in analyses:
        s = a.sourcing
        table.add_row(a.article.id or "", str(s.quotes), str(s.named), str(s.anonymous),
                      str(s.unnamed), str(s.document), str(s.unknown), f"{s.share_unidentified:.0%}")
    console = SafeConsole()
    if not console.is_terminal:
        console = SafeConsole(width=110)
    console.print(table)
    out.write_text(render_html(analyses, title="unspun demo report"), encoding="utf-8")
    print(f"HTML report: {out.resolve()}")
