"""`unspun analyze INPUT`: one article or a batch, rendered as text, JSON or HTML."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Self, TextIO

import typer

from unspun.analysis import AnalysisOptions, analyze_items
from unspun.cli.engine import (
    ENGINE_OPTION,
    SCHEDULER_OPTION,
    EngineName,
    cluster_report,
    engine_of,
    say_cluster,
)
from unspun.cli.report import ProblemPrinter, print_problems
from unspun.config import FETCH_DEADLINE_S
from unspun.errors import EmptyInputError, InputError, UnspunError
from unspun.ingest.crawler import FetchOptions
from unspun.ingest.sources import is_batch as batch_input
from unspun.ingest.sources import read_inputs
from unspun.ingest.text import printable_name
from unspun.records import Analysis
from unspun.render.console import SafeConsole
from unspun.render.html import render_html
from unspun.render.json import render_json, render_jsonl
from unspun.render.terminal import render_terminal
from unspun.run.cluster import Engine
from unspun.run.problems import ItemProblems

FETCH_TIMEOUT_HELP = ("Give up on a URL after this many seconds in all: connecting, redirects and the whole page "
                      "(each URL of a feed or list has its own).")
NARRATIVES_HELP = ("A narrative catalog (YAML or JSON, the format of the packaged SemEval-2025 catalog) to use "
                   "instead of the packaged one.")
PARAGRAPHS_HELP = ("Also label each paragraph with the persuasion techniques it uses (SemEval-2023 inventory): "
                   "shown from a probability chosen for precision; costs about 35 % more time. With --db, "
                   "analyses made without it count as stale.")


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def is_batch(spec: str) -> bool:
    return batch_input(spec) and not (spec.endswith(".jsonl") and not is_file(spec))


def is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except OSError:  # a name too long, say: read_inputs reports it
        return False


def analyze(
    input: str | None = typer.Argument(None, help="A text or HTML file, a directory, a .jsonl file, a URL, or - "
                                                  "for stdin. Leave out with --db."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text (terminal report), json or html."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report to this file."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching private or loopback URLs."),
    fetch_timeout: float = typer.Option(FETCH_DEADLINE_S, "--fetch-timeout", min=0.1, metavar="SECONDS",
                                        help=FETCH_TIMEOUT_HELP),
    processes: int = typer.Option(1, "--processes", "-p", min=1, help="Worker processes for a batch."),
    db: str | None = typer.Option(None, "--db", help="Re-analyse the articles stored in this database that an "
                                                     "older version analysed (or never analysed)."),
    everything: bool = typer.Option(False, "--all", help="With --db: re-analyse every stored article."),
    narratives: Path | None = typer.Option(None, "--narratives", help=NARRATIVES_HELP),
    paragraphs: bool = typer.Option(False, "--paragraphs", help=PARAGRAPHS_HELP),
    engine: EngineName = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Find every quotation, its speaker and how it is sourced; entities, dates, hedges, narratives, persuasion
    techniques and rewrite artefacts too."""
    options = AnalysisOptions(catalog=narratives, paragraphs=paragraphs)
    options.load()  # a bad catalog or a broken model fails here, once, with one message
    if db is not None:
        if input is not None:
            raise InputError("give either INPUT to analyse or --db to re-analyse a store, not both")
        reanalyse_store(db, processes, everything, options, engine_of(engine, scheduler, processes))
        return
    if engine is not EngineName.local:
        raise InputError("--engine dask runs on a store: give --db (or use unspun ingest)")
    if input is None:
        raise InputError("nothing to analyse: give a file, directory, URL or - (or --db URL)")
    batch = is_batch(input)
    with ReportWriter(format, out, batch) as writer:
        failures = run_analysis(input, allow_private, processes, batch, options, writer.add,
                                fetch=FetchOptions(deadline_s=fetch_timeout))
        if not writer.count and (failures.first is None or not batch):
            raise failures.first or EmptyInputError(f"{input}: no articles found in this input")
    if batch:
        print(f"unspun: analysed {writer.count:,} article(s), skipped {len(failures.problems):,}", file=sys.stderr)
        if not writer.count:  # every item was reported above: fail without repeating one
            raise typer.Exit(failures.problems.exit_code or EmptyInputError.exit_code)


def reanalyse_store(db: str, processes: int, everything: bool, options: AnalysisOptions, engine: Engine) -> None:
    from unspun.run.ingest import reanalyse
    from unspun.store import open_store

    cluster = cluster_report()
    with open_store(db) as store:
        summary = reanalyse(store, workers=processes, everything=everything, analysis=options, engine=engine,
                            cluster=cluster)
    say_cluster(cluster)
    print_problems("not analysed", summary.not_analysed)
    foreign = summary.not_analysed.kinds.get("not English", 0)
    print(f"unspun: re-analysed {summary.analysed:,} stored article(s)"
          + (f"; {foreign:,} not in English, left unanalysed" if foreign else ""), file=sys.stderr)


def run_analysis(
    spec: str,
    allow_private: bool,
    processes: int,
    batch: bool,
    options: AnalysisOptions,
    on_analysis: Callable[[Analysis], None],
    *,
    fetch: FetchOptions | None = None,
) -> Failures:
    """Analyse what spec names, handing each analysis on as it is made; returns what failed."""
    failures = Failures(ProblemPrinter("skipped") if batch else None)
    items = read_inputs(spec, allow_private, fetch)
    for label, outcome in analyze_items(items, n_process=processes, options=options):
        if isinstance(outcome, UnspunError):
            failures.add(label, outcome)
        else:
            on_analysis(outcome)
    failures.finish()
    return failures


class Failures:
    """The items that could not be analysed: in a batch each is reported as it happens (the first few in
    full); a single input keeps its error to raise."""

    def __init__(self, printer: ProblemPrinter | None) -> None:
        self.printer = printer
        self.problems = printer.problems if printer is not None else ItemProblems()
        self.first: UnspunError | None = None

    def add(self, label: str, error: UnspunError) -> None:
        self.first = self.first or error
        if self.printer is not None:
            self.printer.report(label, error)
        else:
            self.problems.add_error(label, error)

    def finish(self) -> None:
        if self.printer is not None:
            self.printer.finish()


class ReportWriter:
    """Writes the reports: a batch's JSON Lines and terminal reports as each analysis arrives (memory stays
    flat, however long the batch), one JSON document or the HTML report at the end. The output file is
    opened on the first report, so a run that analyses nothing leaves no empty file behind."""

    def __init__(self, format: Format, out: Path | None, batch: bool) -> None:
        self.format, self.out, self.batch = format, out, batch
        self.streaming = batch and format is not Format.html
        self.count = 0
        self._held: list[Analysis] = []
        self._handle: TextIO | None = None
        self._console: SafeConsole | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None and self._held:
                self._write_held()
        finally:
            if self._handle is not None and self._handle is not sys.stdout:
                self._handle.close()

    def add(self, analysis: Analysis) -> None:
        self.count += 1
        if not self.streaming:
            self._held.append(analysis)
        elif self.format is Format.json:
            self._file().write(render_jsonl(analysis) + "\n")
        else:
            render_terminal(analysis, self._terminal())

    def _write_held(self) -> None:
        if self.format is Format.html:
            target = self.out or Path("unspun-report.html")
            self._open(target).write(render_html(self._held))
            print(f"unspun: wrote the HTML report to {target}", file=sys.stderr)
        elif self.format is Format.json:
            self._file().write(render_json(self._held[0]) + "\n")
        else:
            for analysis in self._held:
                render_terminal(analysis, self._terminal())

    def _terminal(self) -> SafeConsole:
        if self._console is None:
            self._console = SafeConsole() if self.out is None else SafeConsole(file=self._file(), width=120)
        return self._console

    def _file(self) -> TextIO:
        if self._handle is None:
            self._handle = sys.stdout if self.out is None else self._open(self.out)
        return self._handle

    def _open(self, target: Path) -> TextIO:
        try:
            self._handle = target.open("w", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{printable_name(str(target))}: cannot write the report ({exc.strerror})") from exc
        return self._handle
