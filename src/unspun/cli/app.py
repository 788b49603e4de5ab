"""The Typer application and the entry point that turns UnspunErrors into one line and an exit code."""

from __future__ import annotations

import os
import sys

import typer

from unspun.cli import analyze as analyze_cmd
from unspun.cli import corpus as corpus_cmd
from unspun.cli import demo as demo_cmd
from unspun.cli import ingest as ingest_cmd
from unspun.cli import narratives as narratives_cmd
from unspun.cli import serve as serve_cmd
from unspun.cli import sites as sites_cmd
from unspun.cli import stories as stories_cmd
from unspun.errors import UnspunError
from unspun.render.console import printable

app = typer.Typer(
    name="unspun",
    help="Show where a news story came from, who really said what in it, and what was spun on the way.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("analyze")(analyze_cmd.analyze)
app.command("demo")(demo_cmd.demo)
app.command("ingest")(ingest_cmd.ingest_command)
app.command("search")(corpus_cmd.search_command)
app.command("quotes")(corpus_cmd.quotes_command)
app.command("export")(corpus_cmd.export_command)
app.command("stories")(stories_cmd.stories_command)
app.command("trace")(stories_cmd.trace_command)
app.command("narratives")(narratives_cmd.narratives_command)
app.command("serve")(serve_cmd.serve_command)
app.command("sites")(sites_cmd.sites_command)
app.command("site")(sites_cmd.site_command)
app.command("network")(sites_cmd.network_command)


@app.callback()
def _root() -> None:
    """unspun: quotes, speakers and sourcing of news articles."""


def main() -> None:
    try:
        app()
    except UnspunError as exc:
        print(f"unspun: {printable(str(exc))}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("unspun: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # The reader (head, jq) closed the pipe early: stop quietly, as Python's signal docs advise, so the
        # interpreter's final flush of stdout raises nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
