"""The `unspun` command line: in-process with CliRunner, and as a real process for main()'s error contract.

main() promises that every failure the user can cause ends in exactly one line on stderr, a non-zero
exit code and no traceback; only a real process (the installed `unspun` script) shows that.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from unspun.cli.app import app
from unspun.store import open_store

if TYPE_CHECKING:
    from tests.conftest import LoopbackServer

pytestmark = pytest.mark.model

UNSPUN = Path(sys.executable).parent / "unspun"
QUOTE = "We have no choice but to keep it shut,"


def run_unspun(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(UNSPUN), *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_analyze_text_file_shows_the_quote(runner: CliRunner, tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(article_text, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    assert QUOTE in result.stdout
    assert "Helen Marsh" in result.stdout and "named" in result.stdout
    assert result.stderr == ""


def test_cli_analyze_json_follows_the_contract(runner: CliRunner, tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(article_text, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "unspun.analysis/1"
    assert data["article"]["id"] == "bridge" and data["article"]["text"] == article_text
    assert {"quotes", "sourcing", "entities", "dates", "hedges", "narratives", "techniques"} <= set(data)
    [quote] = [q for q in data["quotes"] if q["text"] == QUOTE]
    assert quote["speaker"]["name"] == "Helen Marsh" and quote["speaker"]["type"] == "named"


def test_cli_analyze_html_out_file(runner: CliRunner, tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(article_text, encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["analyze", str(path), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote the HTML report to {out}" in result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "Content-Security-Policy" in html and "t-named" in html and "a1-speaker-1" in html


def test_cli_analyze_text_out_file(runner: CliRunner, tmp_path: Path, article_text: str) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(article_text, encoding="utf-8")
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["analyze", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert QUOTE in out.read_text(encoding="utf-8")


def test_cli_directory_batch_json_lines(runner: CliRunner, mixed_directory: Path) -> None:
    result = runner.invoke(app, ["analyze", str(mixed_directory), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["article"]["id"] for r in records) == ["a-report", "b-page", "e-nested", "good-1"]
    assert all(r["schema"] == "unspun.analysis/1" for r in records)
    skipped = [line for line in result.stderr.splitlines() if line.startswith("unspun: skipped ")]
    d = mixed_directory
    assert skipped == [
        f"unspun: skipped {d}/c-batch.jsonl:1: not valid JSON (Unterminated string starting at: column 26)",
        f"unspun: skipped {d}/c-batch.jsonl:2: the record has no 'text' string",
        f"unspun: skipped {d}/d-photo.txt: this looks like binary data, not text (an image, archive or PDF?)",
    ]
    assert result.stderr.splitlines()[-1] == "unspun: analysed 4 article(s), skipped 3"


def test_cli_jsonl_batch(
    runner: CliRunner, tmp_path: Path, article_text: str, foreign_texts: dict[str, str]
) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        {"id": "one", "text": article_text, "url": "https://courier.example/1", "site": "Courier"},
        {"id": "two", "text": article_text.replace("Helen Marsh", "Tom Price")},
        {"id": "german", "text": foreign_texts["de"]},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["article"]["id"] for r in records] == ["one", "two"]
    assert records[0]["article"]["site"] == "Courier"
    assert "Tom Price" in records[1]["sourcing"]["named_sources"]
    assert f"unspun: skipped {path}:3 (german): this text does not look like English" in result.stderr


def test_cli_stdin(runner: CliRunner, article_text: str) -> None:
    result = runner.invoke(app, ["analyze", "-", "--format", "json"], input=article_text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article"]["text"] == article_text and data["article"]["id"] is None
    assert any(q["text"] == QUOTE for q in data["quotes"])


def test_cli_cp1252_file_succeeds(runner: CliRunner, tmp_path: Path, cp1252_text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(cp1252_text.encode("cp1252"))
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article"]["text"] == cp1252_text


def test_cli_truncated_html_succeeds(runner: CliRunner, tmp_path: Path, article_html: str) -> None:
    path = tmp_path / "cut.html"
    path.write_text(article_html[: article_html.index("<p>Shopkeepers") + 5], encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article"]["title"] == "Harbour bridge to stay shut until spring"
    assert any(q["speaker"]["name"] == "Helen Marsh" for q in data["quotes"])


def test_cli_url_with_allow_private(runner: CliRunner, http_server: LoopbackServer) -> None:
    url = http_server.url("/article")
    result = runner.invoke(app, ["analyze", url, "--allow-private", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article"]["url"] == url and data["article"]["site"] == "The Riverside Courier"
    assert data["article"]["published"] == "2025-03-14"


def test_cli_demo_writes_the_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "unspun demo: who is quoted" in result.stdout
    assert f"HTML report: {out.resolve()}" in result.stdout
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "unspun demo report" in html and 'class="quote' in html


def test_cli_demo_tells_the_story(tmp_path: Path) -> None:
    """Issue 11: the ministry statement is the origin, the five content-farm rewrites and the Russian translation
    are derived (each listing what it added), the two independent reports are independent (each listing its own
    named sources), the naval-exercise distractor is apart; the report links each article to its story and trace."""
    from unspun.run.demo import run_demo

    run = run_demo(f"sqlite:///{tmp_path / 'demo.db'}")
    [story] = [s for s in run.stories["stories"] if len(s["articles"]) > 1]
    assert story["origin"] == "origin-ministry" and story["origin_confidence"] >= 0.6
    farms = [a for a in story["articles"] if a.startswith("farm-")]
    assert len(farms) == 5 and all(story["roles"][a] == "derived" for a in farms)
    assert story["roles"]["translated-vesti"] == "derived"  # across languages
    assert {a for a, r in story["roles"].items() if r == "independent"} == {
        "independent-selvara-chronicle", "independent-halvard-post"}
    assert "distractor-naval-exercise" not in story["articles"]
    for farm in farms:
        evidence = story["versions"][farm]
        assert "Vessarin" in evidence["carried"] and any("anonymous or vague" in x for x in evidence["added"])
    # Precision first (issue 15): a version's added narratives are only those its report shows.
    with open_store(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        shown = {f: {n.label for n in store.analysis(f).shown_narratives} for f in farms}
    for farm in farms:
        added = {x.removeprefix("narrative: ") for x in story["versions"][farm]["added"] if x.startswith("narrative:")}
        assert added <= shown[farm]
    assert "named source: Tomasz Reyl" in story["versions"]["independent-halvard-post"]["own"]
    assert {"origin-ministry", "translated-vesti", *farms} <= set(run.traces)
    translated = run.traces["translated-vesti"]["diff"]
    assert run.traces["translated-vesti"]["reference"] == "origin-ministry"
    assert translated["counts"]["paraphrased"] + translated["counts"]["preserved"] >= 4  # aligned across languages


def test_cli_demo_html_links_every_article_to_its_story_and_trace(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "origin origin-ministry" in result.stdout and "carries:" in result.stdout and "its own:" in result.stdout
    html = out.read_text(encoding="utf-8")
    stories = (tmp_path / "demo-stories.html").read_text(encoding="utf-8")
    assert 'href="demo-stories.html#farm-daily-herald"' in html and 'href="demo-trace-farm-daily-herald.html"' in html
    assert '<tr id="translated-vesti">' in stories and "carries" in stories
    assert (tmp_path / "demo-trace-translated-vesti.html").is_file()


def bad_input(
    case: str, tmp_path: Path, server: LoopbackServer, closed_port: int, png: bytes, russian: str
) -> tuple[list[str], bytes | None]:
    """Arguments (and stdin) for each way an input can be bad."""
    path = tmp_path / "input.txt"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "whitespace":
        path.write_text("  \r\n\t\n   \n", encoding="utf-8")
    elif case == "binary":
        path.write_bytes(png)
    elif case == "50MB":
        with path.open("wb") as handle:
            handle.truncate(50_000_000)  # sparse: instant, no disk used
    elif case == "not-english":
        path.write_text(russian, encoding="utf-8")
    elif case == "empty-jsonl":
        path = tmp_path / "empty.jsonl"
        path.write_text("\n\n", encoding="utf-8")
    elif case == "empty-stdin":
        return ["-"], b" \n"
    elif case == "missing":
        path = tmp_path / "nowhere.txt"
    elif case == "missing-jsonl":
        path = tmp_path / "nowhere.jsonl"
    elif case == "unreachable":
        return [f"http://127.0.0.1:{closed_port}/story", "--allow-private"], None
    elif case == "private":
        return [server.url("/article")], None
    return [str(path)], None


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("empty", 2, "the text is empty"),
        ("whitespace", 2, "the text is empty"),
        ("binary", 2, "binary data"),
        ("50MB", 2, "50.0 MB is over the 2 MB limit"),
        ("not-english", 2, "does not look like English"),
        ("empty-jsonl", 2, "no articles found"),
        ("empty-stdin", 2, "stdin: the text is empty"),
        ("missing", 2, "no such file, directory or URL"),
        ("missing-jsonl", 2, "no such file, directory or URL"),
        ("unreachable", 3, "could not connect"),
        ("private", 3, "pass --allow-private"),
    ],
)
def test_cli_bad_input_is_one_line_and_an_exit_code(
    case: str,
    code: int,
    words: str,
    tmp_path: Path,
    http_server: LoopbackServer,
    closed_port: int,
    png_bytes: bytes,
    foreign_texts: dict[str, str],
) -> None:
    args, stdin = bad_input(case, tmp_path, http_server, closed_port, png_bytes, foreign_texts["ru"])
    result = run_unspun("analyze", *args, stdin=stdin)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("unspun: ") and words in line
    assert result.stdout == ""
    assert http_server.requests == []  # a refused private URL never reached the server


def test_cli_single_article_wall_time(tmp_path: Path, article_text: str) -> None:
    """Start-up included; reported, not asserted (see the -s output)."""
    path = tmp_path / "bridge.txt"
    path.write_text(article_text, encoding="utf-8")
    started = time.perf_counter()
    result = run_unspun("analyze", str(path), "--format", "json")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert any(q["text"] == QUOTE for q in json.loads(result.stdout)["quotes"])
    print(f"\nunspun analyze, one article, wall time including start-up: {elapsed:.2f} s")
