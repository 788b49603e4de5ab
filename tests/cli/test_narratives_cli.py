"""`unspun narratives` and `--narratives FILE` end to end: counts, evidence one command away, charts, errors."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.store.test_narratives_store import VICTIM, WEST, fill
from unspun.cli.app import app

UNSPUN = Path(sys.executable).parent / "unspun"
SVG = "{http://www.w3.org/2000/svg}"


def run_unspun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(UNSPUN), *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    fill(url)
    return url


def test_narratives_json_counts(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["narratives", "--db", db, "--format", "json", "--site", "one.example"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "unspun.narratives/1" and data["filter"] == {"site": "one.example"}
    assert data["counts"] == [
        {"site": "one.example", "week": "2026-W47", "label": WEST, "articles": 2},
        {"site": "one.example", "week": "2026-W47", "label": VICTIM, "articles": 1},
    ]


def test_narratives_table_names_the_command_that_shows_the_evidence(runner: CliRunner, db: str) -> None:
    table = runner.invoke(app, ["narratives", "--db", db])
    assert table.exit_code == 0, table.output
    assert "2026-W48" in table.stdout and "undated" in table.stdout and "Other" not in table.stdout
    hint = " ".join(table.stdout.split("The sentences behind a row: ", 1)[1].split())
    command = shlex.split(hint)
    assert command[:2] == ["unspun", "narratives"]
    evidence = runner.invoke(app, command[1:])
    assert evidence.exit_code == 0, evidence.output
    assert "a3" in evidence.stdout and "[0:35] “Sanctions have backfired on Europe.”" in evidence.stdout
    assert "a1" not in evidence.stdout  # another week


def test_narratives_evidence_json(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["narratives", "--db", db, "--evidence", "--label", "victim", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["schema"] == "unspun.narrative_evidence/1"
    assert [a["article_id"] for a in data["articles"]] == ["a1", "a4"]  # newest first; undated last
    assert data["articles"][0]["narrative"]["evidence"][0]["text"] == "Sanctions have backfired on Europe."


def test_narratives_svg_chart_bars_match_the_counts(runner: CliRunner, db: str, tmp_path: Path) -> None:
    chart = tmp_path / "n.svg"
    result = runner.invoke(app, ["narratives", "--db", db, "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    root = ET.parse(chart).getroot()
    bars = {rect.find(f"{SVG}title").text: float(rect.get("height")) for rect in root.iter(f"{SVG}rect")
            if rect.find(f"{SVG}title") is not None}
    assert set(bars) == {f"{WEST}, 2026-W47: 2 article(s)", f"{VICTIM}, 2026-W47: 1 article(s)",
                         f"{WEST}, 2026-W48: 1 article(s)", f"{VICTIM}, undated: 1 article(s)"}
    assert bars[f"{WEST}, 2026-W47: 2 article(s)"] == pytest.approx(
        2 * bars[f"{WEST}, 2026-W48: 1 article(s)"], abs=0.2)


def test_narratives_png_chart(runner: CliRunner, db: str, tmp_path: Path) -> None:
    chart = tmp_path / "n.png"
    result = runner.invoke(app, ["narratives", "--db", db, "--chart", str(chart), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 5000


@pytest.mark.parametrize(("args", "words"), [
    (["--week", "2026-47"], "not an ISO week"),
    (["--chart", "chart.gif"], "as .svg or .png"),
    (["--label", "nothing like it", "--chart", "x.svg"], "nothing to chart"),
])
def test_narratives_bad_options_are_one_line_and_exit_2(db: str, tmp_path: Path, args: list[str], words: str) -> None:
    result = run_unspun("narratives", "--db", db, *[str(tmp_path / a) if a.endswith((".gif", ".svg")) else a
                                                    for a in args])
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("unspun: ") and words in line and "Traceback" not in result.stderr


def test_analyze_with_a_bad_catalog_names_the_entry(tmp_path: Path) -> None:
    catalog = tmp_path / "bad.yaml"
    catalog.write_text("name: mine\nnarratives:\n  - label: 'Housing: Newcomers are to blame'\n"
                       "    examples: ['Outsiders buy every flat.']\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("The council met on Monday to discuss the harbour.", encoding="utf-8")
    result = run_unspun("analyze", str(article), "--narratives", str(catalog))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "bad.yaml" in line and "Housing: Newcomers are to blame" in line and "definition" in line
