"""The store commands end to end: ingest, search, quotes, export and analyze --db, on a real SQLite file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from unspun.cli.app import app
from unspun.store import open_store

pytestmark = pytest.mark.model

UNSPUN = Path(sys.executable).parent / "unspun"
ARTICLES = [
    {"id": "a1", "site": "one.example", "published": "2026-11-02",
     "text": "‘The talks were productive,’ said a senior defence official, speaking on condition of anonymity. "
             "The ministry will publish the agenda next week."},
    {"id": "a2", "site": "two.example", "published": "2026-11-09",
     "text": "“We will rebuild the harbour by spring,” Mayor Ana Ruiz told reporters on Monday in Porto Verde."},
    {"id": "a3", "site": "two.example", "published": "2026-11-15",
     "text": "Officials said that the harbour would reopen in March after repairs to the breakwater."},
]


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, str]:
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES) + "{broken\n", encoding="utf-8")
    return source, f"sqlite:///{tmp_path / 'corpus.db'}"


def test_store_cli_ingest_then_again_adds_nothing(runner: CliRunner, corpus: tuple[Path, str]) -> None:
    source, db = corpus
    first = runner.invoke(app, ["ingest", str(source), "--db", db])
    assert first.exit_code == 0, first.output
    assert "ingested 3" in first.stderr and "analysed 3" in first.stderr and "skipped 1" in first.stderr
    assert "news.jsonl:4" in first.stderr  # the bad line is named with its location
    second = runner.invoke(app, ["ingest", str(source), "--db", db])
    assert "ingested 0, already present 3, analysed 0" in second.stderr


def test_store_cli_search_quotes_and_export(runner: CliRunner, corpus: tuple[Path, str], tmp_path: Path) -> None:
    source, db = corpus
    runner.invoke(app, ["ingest", str(source), "--db", db])
    found = runner.invoke(app, ["search", "harbour", "--db", db, "--format", "json"])
    assert {json.loads(line)["id"] for line in found.stdout.splitlines()} == {"a2", "a3"}
    anonymous = runner.invoke(app, ["quotes", "--db", db, "--type", "anonymous", "--format", "json"])
    rows = [json.loads(line) for line in anonymous.stdout.splitlines()]
    assert [r["article_id"] for r in rows] == ["a1"] and rows[0]["speaker"]["type"] == "anonymous"
    dated = runner.invoke(app, ["quotes", "--db", db, "--since", "2026-11-05", "--site", "two.example",
                                "--format", "json"])
    assert {json.loads(line)["article_id"] for line in dated.stdout.splitlines()} == {"a2", "a3"}
    named = runner.invoke(app, ["quotes", "--db", db, "--speaker", "ruiz"])
    assert "Ana Ruiz" in named.stdout
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"quotes.{fmt}"
        result = runner.invoke(app, ["export", "--db", db, "--table", "quotes", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
    jsonl = [json.loads(line) for line in (tmp_path / "quotes.jsonl").read_text().splitlines()]
    with (tmp_path / "quotes.csv").open(newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    parquet = pq.read_table(tmp_path / "quotes.parquet").to_pylist()
    assert len(jsonl) == len(csv_rows) == len(parquet) >= 3
    assert {r["speaker_type"] for r in parquet} == {r["speaker_type"] for r in jsonl}


def test_store_cli_export_writes_standard_output_without_out(corpus: tuple[Path, str]) -> None:
    """`export` with no --out (or --out -) streams to stdout, so it pipes into jq, DuckDB or pandas."""
    source, db = corpus
    subprocess.run([str(UNSPUN), "ingest", str(source), "--db", db], capture_output=True, timeout=120, check=False)

    def export(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(UNSPUN), "export", "--db", db, "--table", "quotes", *args],
                              capture_output=True, timeout=60, check=False)

    jsonl = export()
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.decode("utf-8").splitlines()]
    assert len(rows) >= 3 and all(r["article_id"] in {"a1", "a2", "a3"} for r in rows)
    assert b"to standard output" in jsonl.stderr and b"unspun:" not in jsonl.stdout
    csv_out = export("--format", "csv", "--out", "-")
    assert len(list(csv.DictReader(csv_out.stdout.decode("utf-8").splitlines()))) == len(rows)
    parquet = export("--format", "parquet")
    assert parquet.returncode == 0, parquet.stderr
    assert len(pq.read_table(pa.BufferReader(parquet.stdout)).to_pylist()) == len(rows)


def test_store_cli_analyze_db_reanalyses_stale(runner: CliRunner, corpus: tuple[Path, str]) -> None:
    source, db = corpus
    runner.invoke(app, ["ingest", str(source), "--db", db, "--no-analyze"])
    result = runner.invoke(app, ["analyze", "--db", db])
    assert result.exit_code == 0, result.output
    assert "re-analysed 3" in result.stderr
    assert "re-analysed 0" in runner.invoke(app, ["analyze", "--db", db]).stderr
    assert "re-analysed 3" in runner.invoke(app, ["analyze", "--db", db, "--all"]).stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "x", "--db", "postgresql://nobody@127.0.0.1:1/none"], "cannot open the database"),
        (["quotes", "--db", "mysql://u@h/db"], "unsupported database"),
        (["quotes", "--type", "secret", "--db", "sqlite:///{tmp}/x.db"], "--type must be one of"),
        (["quotes", "--since", "last week", "--db", "sqlite:///{tmp}/x.db"], "--since takes a date"),
        (["export", "--table", "nope", "--out", "{tmp}/x.jsonl", "--db", "sqlite:///{tmp}/x.db"], "no table"),
        (["ingest", "{tmp}/missing.jsonl", "--db", "sqlite:////nonexistent/dir/x.db"], "cannot open the database"),
    ],
)
def test_store_cli_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    open_store(f"sqlite:///{tmp_path}/x.db").close()  # a real, empty store: the errors are about the arguments
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run([str(UNSPUN), *argv], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
