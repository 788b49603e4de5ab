"""`unspun analyze INPUT`: one article or a batch, rendered as text, JSON or HTML."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console

from unspun.analysis import analyze_items
from unspun.errors import EmptyInputError, InputError, UnspunError
from unspun.extract.narratives import narrative_detector
from unspun.ingest.sources import is_batch as batch_input
from unspun.ingest.sources import read_inputs
from unspun.records import Analysis
from unspun.render.html import render_html
from unspun.render.json import render_json, render_jsonl
from unspun.render.terminal import render_terminal

NARRATIVES_HELP = ("A narrative catalog (YAML or JSON, the format of the packaged SemEval-2025 catalog) to use "
                   "instead of the packaged one.")


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def is_batch(spec: str) -> bool:
    return batch_input(spec) and not (spec.endswith(".jsonl") and not Path(spec).is_file())


def analyze(
    input: str | None = typer.Argument(None, help="A text or HTML file, a directory, a .jsonl file, a URL, or - "
                                                  "for stdin. Leave out with --db."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text (terminal report), json or html."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report to this file."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching private or loopback URLs."),
    processes: int = typer.Option(1, "--processes", "-p", min=1, help="Worker processes for a batch."),
    db: str | None = typer.Option(None, "--db", help="Re-analyse the articles stored in this database that an "
                                                     "older version analysed (or never analysed)."),
    everything: bool = typer.Option(False, "--all", help="With --db: re-analyse every stored article."),
    narratives: Path | None = typer.Option(None, "--narratives", help=NARRATIVES_HELP),
) -> None:
    """Find every quotation, its speaker and how it is sourced; entities, dates, hedges, narratives, persuasion
    techniques and rewrite artefacts too."""
    if narratives is not None:
        narrative_detector(narratives)  # a bad catalog fails here, with one message naming the entry
    if db is not None:
        if input is not None:
            raise InputError("give either INPUT to analyse or --db to re-analyse a store, not both")
        reanalyse_store(db, processes, everything, narratives)
        return
    if input is None:
        raise InputError("nothing to analyse: give a file, directory, URL or - (or --db URL)")
    batch = is_batch(input)
    analyses, failures = run_analysis(input, allow_private, processes, batch, narratives)
    if not analyses:
        if not failures:
            raise EmptyInputError(f"{input}: no articles found in this input")
        raise failures[0][1]
    emit(analyses, format, out, batch)
    if batch:
        print(f"unspun: analysed {len(analyses)} article(s), skipped {len(failures)}", file=sys.stderr)


def reanalyse_store(db: str, processes: int, everything: bool, catalog: Path | None) -> None:
    from unspun.run.ingest import reanalyse
    from unspun.store import open_store

    with open_store(db) as store:
        summary = reanalyse(store, workers=processes, everything=everything, catalog=catalog)
    for label, reason in summary.not_analysed:
        print(f"unspun: not analysed {label}: {reason}", file=sys.stderr)
    print(f"unspun: re-analysed {summary.analysed} stored article(s)", file=sys.stderr)


def run_analysis(
    spec: str, allow_private: bool, processes: int, batch: bool, catalog: Path | None = None
) -> tuple[list[Analysis], list[tuple[str, UnspunError]]]:
    analyses: list[Analysis] = []
    failures: list[tuple[str, UnspunError]] = []
    for label, outcome in analyze_items(read_inputs(spec, allow_private), n_process=processes, catalog=catalog):
        if isinstance(outcome, UnspunError):
            failures.append((label, outcome))
            if batch:
                print(f"unspun: skipped {label}: {_reason(outcome, label)}", file=sys.stderr)
            continue
        analyses.append(outcome)
    return analyses, failures


def emit(analyses: list[Analysis], format: Format, out: Path | None, batch: bool) -> None:
    if format is Format.html:
        target = out or Path("unspun-report.html")
        target.write_text(render_html(analyses), encoding="utf-8")
        print(f"unspun: wrote the HTML report to {target}", file=sys.stderr)
        return
    if format is Format.json:
        body = "\n".join(render_jsonl(a) for a in analyses) if batch else render_json(analyses[0])
        _write(body + "\n", out)
        return
    if out is None:
        console = Console()
        for analysis in analyses:
            render_terminal(analysis, console)
        return
    with out.open("w", encoding="utf-8") as handle:
        console = Console(file=handle, width=120)
        for analysis in analyses:
            render_terminal(analysis, console)


def _write(body: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(body)
    else:
        out.write_text(body, encoding="utf-8")


def _reason(error: UnspunError, label: str) -> str:
    message = str(error)
    return message[len(label) + 2 :] if message.startswith(label + ": ") else message
