"""`unspun analyze` and `unspun ingest` against hostile servers: one line naming the URL, a non-zero exit when it
is the only input, and in a batch every good item kept (the CLI half of test_url_hostile.py)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ingest.hostile_server import HostileServer, hostile_server
from unspun.cli.app import app
from unspun.errors import FetchError
from unspun.ingest.crawler import FetchOptions

UNSPUN = Path(sys.executable).parent / "unspun"
# Each a misbehaviour that once ended in a traceback (see issue 17), with the words unspun now says.
HOSTILE = {
    "/short": "cut the page short",
    "/stall": "gave up after 1 s",
    "/gzip": "compressed body (Content-Encoding) is corrupt",
    "/reset": "reset the connection",
    "/redirect-ipv6": "redirected to a malformed URL ('http://[::1/x')",
    "/redirect-ipv6-zz": "redirected to a malformed URL ('http://[zz::1]/')",
    "/redirect-bad-host": "'a..b' is not a valid host name",
    "/trickle": "gave up after 1 s",
}


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def url_list(tmp_path: Path, server: HostileServer, *paths: str) -> Path:
    path = tmp_path / "reading.urls"
    path.write_text("".join(server.url(p) + "\n" for p in ("/good", *paths)), encoding="utf-8")
    return path


@pytest.mark.model
@pytest.mark.parametrize(("route", "words"), list(HOSTILE.items()))
def test_url_cli_analyze_hostile_url_alone_is_one_fetch_error(
    runner: CliRunner, hostile: HostileServer, route: str, words: str
) -> None:
    url = hostile.url(route)
    started = time.perf_counter()
    result = runner.invoke(app, ["analyze", url, "--allow-private", "--fetch-timeout", "1"])
    assert time.perf_counter() - started < 3
    # CliRunner hands back what main() would print as `unspun: MESSAGE` with the error's exit code.
    error = result.exception
    assert isinstance(error, FetchError), result.output
    assert error.exit_code == 3
    assert str(error).startswith(f"{url}: ") and words in str(error) and "\n" not in str(error)
    assert result.stdout == ""


@pytest.mark.model
def test_url_cli_analyze_urls_batch_keeps_the_good_page(
    runner: CliRunner, hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # analyze has no --delay: without the usual second between requests to one host the test takes 2 s, not 10.
    monkeypatch.setattr("unspun.cli.analyze.FetchOptions", functools.partial(FetchOptions, delay_s=0.0))
    path = url_list(tmp_path, hostile, *HOSTILE)
    result = runner.invoke(
        app, ["analyze", str(path), "--allow-private", "--format", "json", "--fetch-timeout", "1"]
    )
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert json.loads(line)["article"]["url"] == hostile.url("/good")
    skipped = [s for s in result.stderr.splitlines() if s.startswith("unspun: skipped")]
    assert len(skipped) == len(HOSTILE)
    for number, (route, words) in enumerate(HOSTILE.items(), start=2):
        [mine] = [s for s in skipped if s.startswith(f"unspun: skipped {path}:{number}: ")]
        assert hostile.url(route) in mine and words in mine
    assert f"analysed 1 article(s), skipped {len(HOSTILE)}" in result.stderr


def ingest(runner: CliRunner, tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["ingest", *args, "--db", f"sqlite:///{tmp_path}/x.db", "--no-analyze", "--allow-private", "--delay", "0",
         "--fetch-timeout", "1"],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(("route", "words"), list(HOSTILE.items()))
def test_url_cli_ingest_urls_batch_keeps_the_good_page(
    runner: CliRunner, hostile: HostileServer, tmp_path: Path, route: str, words: str
) -> None:
    path = url_list(tmp_path, hostile, route)
    code, output = ingest(runner, tmp_path, str(path))
    assert code == 0, output
    assert "ingested 1," in output and "skipped 1" in output
    [skipped] = [s for s in output.splitlines() if s.startswith("unspun: skipped")]
    assert skipped.startswith(f"unspun: skipped {path}:2: {hostile.url(route)}: ") and words in skipped


@pytest.mark.parametrize(("route", "words"), list(HOSTILE.items()))
def test_url_cli_ingest_hostile_url_alone_fails(
    runner: CliRunner, hostile: HostileServer, tmp_path: Path, route: str, words: str
) -> None:
    url = hostile.url(route)
    code, output = ingest(runner, tmp_path, url)
    assert code == 3, output
    [skipped] = [s for s in output.splitlines() if s.startswith("unspun: skipped")]
    assert skipped.startswith(f"unspun: skipped {url}: ") and words in skipped
    assert "ingested 0," in output


def test_url_cli_ingest_bad_lines_of_a_urls_file_keep_the_good_ones(
    runner: CliRunner, hostile: HostileServer, tmp_path: Path
) -> None:
    path = tmp_path / "reading.urls"
    lines = [hostile.url("/good"), "http://[::1/x", "http://[zz::1]/", hostile.url("/" + "a" * 100_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = ingest(runner, tmp_path, str(path))
    assert code == 0, output
    assert "ingested 1," in output and "skipped 3" in output
    skipped = [s for s in output.splitlines() if s.startswith("unspun: skipped")]
    assert [s.split(": ", 2)[1] for s in skipped] == [f"skipped {path}:{n}" for n in (2, 3, 4)]
    assert "characters long, over the 8,000" in skipped[2] and len(skipped[2]) < 500


@pytest.mark.parametrize("value", ["0", "-1"])
def test_url_cli_fetch_timeout_must_be_positive(runner: CliRunner, tmp_path: Path, value: str) -> None:
    for command in (["analyze", "http://127.0.0.1:9/x"], ["ingest", "http://127.0.0.1:9/x", "--db",
                                                          f"sqlite:///{tmp_path}/x.db"]):
        result = runner.invoke(app, [*command, "--fetch-timeout", value])
        assert result.exit_code == 2 and "--fetch-timeout" in result.output


def test_url_cli_trickling_server_is_one_line_in_a_real_process(hostile: HostileServer, tmp_path: Path) -> None:
    """main()'s contract, seen as a user sees it: one stderr line, exit status 3, no traceback."""
    url = hostile.url("/trickle")
    started = time.perf_counter()
    done = subprocess.run(
        [str(UNSPUN), "ingest", url, "--allow-private", "--no-analyze", "--fetch-timeout", "1",
         "--db", f"sqlite:///{tmp_path}/x.db"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert time.perf_counter() - started < 30
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    [line] = [s for s in done.stderr.splitlines() if s.startswith("unspun: ")]
    assert line.startswith(f"unspun: skipped {url}: ") and "gave up after 1 s" in line
