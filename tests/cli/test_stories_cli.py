"""`unspun stories` over a real store with the real sentence encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.stories.test_cluster import INDEPENDENT, ORIGIN, REWRITE, UNRELATED
from unspun.cli.app import app

pytestmark = pytest.mark.model


def test_stories_cli_json_schema_and_every_article_once(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    rows = [("origin", ORIGIN, "2026-11-17"), ("rewrite", REWRITE, "2026-11-18"),
            ("independent", INDEPENDENT, "2026-11-18"), ("unrelated", UNRELATED, "2026-11-18")]
    source.write_text("".join(json.dumps({"id": i, "text": t, "published": d, "site": f"{i}.example"}) + "\n"
                              for i, t, d in rows), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert runner.invoke(app, ["ingest", str(source), "--db", db, "--no-analyze"]).exit_code == 0
    result = runner.invoke(app, ["stories", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "unspun.stories/1"
    members = [a for s in document["stories"] for a in s["articles"]]
    assert sorted(members) == ["independent", "origin", "rewrite", "unrelated"]
    [family] = [s for s in document["stories"] if "rewrite" in s["articles"]]
    assert "origin" in family["articles"] and family["roles"]["rewrite"] == "derived"
    assert family["origin"] == "origin" and family["roles"]["origin"] == "origin"
    text = runner.invoke(app, ["stories", "--db", db, "--min-size", "2"])
    assert text.exit_code == 0 and "origin" in text.stdout
    rebuilt = runner.invoke(app, ["stories", "--db", db, "--format", "json", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["stories"] == document["stories"]


def test_stories_cli_trace_shows_origin_and_added_sentence(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    rows = [("origin", ORIGIN, "2026-11-17"), ("unrelated", UNRELATED, "2026-11-18")]
    source.write_text("".join(json.dumps({"id": i, "text": t, "published": d}) + "\n" for i, t, d in rows),
                      encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert runner.invoke(app, ["ingest", str(source), "--db", db]).exit_code == 0
    new = tmp_path / "rewrite.txt"
    new.write_text(REWRITE, encoding="utf-8")
    result = runner.invoke(app, ["trace", str(new), "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["reference"] == "origin" and "origin" in document["story"]["articles"]
    added = [c["text"] for c in document["diff"]["sentences"] if c["status"] == "added"]
    assert added == ["Many observers believe the West has lost its influence over the region for good this time."]
    assert "[added]" in runner.invoke(app, ["trace", str(new), "--db", db]).stdout
    page = tmp_path / "trace.html"
    html = runner.invoke(app, ["trace", str(new), "--db", db, "--format", "html", "--out", str(page)])
    assert html.exit_code == 0, html.output
    content = page.read_text(encoding="utf-8")
    assert '<span class="added">Many observers believe' in content and "<script" not in content


def test_stories_cli_text_explains_short_articles(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    rows = [("origin", ORIGIN, "2026-11-17"), ("teaser", "Vessarin visits Selvara.", "2026-11-17")]
    source.write_text("".join(json.dumps({"id": i, "text": t, "published": d}) + "\n" for i, t, d in rows),
                      encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert runner.invoke(app, ["ingest", str(source), "--db", db, "--no-analyze"]).exit_code == 0
    result = runner.invoke(app, ["stories", "--db", db])
    assert result.exit_code == 0, result.output
    assert "too short to compare" in " ".join(result.stdout.split())
