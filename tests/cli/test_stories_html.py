"""`unspun stories --format html`: one page, every story a table of its versions with role, site and date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.stories.test_cluster import ORIGIN, REWRITE, UNRELATED
from unspun.cli.app import app

pytestmark = pytest.mark.model


def test_stories_html_lists_every_version_with_its_role(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    rows = [("origin", ORIGIN, "2026-11-17", "Ministry <statement>"), ("rewrite", REWRITE, "2026-11-18", "Rewrite"),
            ("unrelated", UNRELATED, "2026-11-18", "Other news")]
    source.write_text("".join(json.dumps({"id": i, "text": t, "published": d, "site": f"{i}.example", "title": h})
                              + "\n" for i, t, d, h in rows), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert runner.invoke(app, ["ingest", str(source), "--db", db, "--no-analyze"]).exit_code == 0
    page = tmp_path / "stories.html"
    result = runner.invoke(app, ["stories", "--db", db, "--format", "html", "--out", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    document = json.loads(runner.invoke(app, ["stories", "--db", db, "--format", "json"]).stdout)
    assert [m.group(1) for m in re.finditer(r'<section id="([^"]+)">', html)] == [s["id"] for s in document["stories"]]
    for story in document["stories"]:
        for article, role in story["roles"].items():
            assert re.search(rf"<td>{article}</td><td><span class=\"role {role}\">{role}</span>", html)
    assert "Ministry &lt;statement&gt;" in html and "<statement>" not in html  # titles are escaped
    assert "origin.example" in html and "2026-11-17" in html and "<script" not in html
