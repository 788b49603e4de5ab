"""`unspun serve`: a real server on loopback, refusing other addresses without a token."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_cli import UNSPUN
from tests.conftest import fill_store
from tests.web.test_guard import free_port
from unspun.cli.app import app
from unspun.cli.serve import is_loopback
from unspun.errors import InputError
from unspun.records import Analysis, Article

TOKEN = "serve-test-token-0123456789"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True),
                                                 ("::1", True), ("[::1]", True), ("0.0.0.0", False),
                                                 ("192.168.1.4", False), ("::", False), ("example.org", False)])
def test_serve_knows_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_refuses_other_addresses_without_a_long_token(runner: CliRunner, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSPUN_TOKEN", raising=False)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(app, ["serve", "--db", db, "--host", "0.0.0.0"])
    assert isinstance(result.exception, InputError) and "without a token" in str(result.exception)
    monkeypatch.setenv("UNSPUN_TOKEN", "short")
    result = runner.invoke(app, ["serve", "--db", db, "--host", "0.0.0.0"])
    assert isinstance(result.exception, InputError) and "16 or more" in str(result.exception)


def test_serve_names_a_store_it_cannot_open(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database at all, just some notes\n" * 100)
    done = subprocess.run([str(UNSPUN), "serve", "--db", f"sqlite:///{bogus}", "--port", str(free_port())],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "notes.db" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def server(tmp_path: Path, demo_entries: list[tuple[Article, Analysis | None]]) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    fill_store(url, demo_entries[:4])
    port = free_port()
    env = {**os.environ, "UNSPUN_TOKEN": TOKEN}
    process = subprocess.Popen([str(UNSPUN), "serve", "--db", url, "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/static/unspun.css", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.communicate()[1]
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_answers_over_real_http_with_its_token(server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server + "/api/home", timeout=10)
    assert refused.value.code == 401
    request = urllib.request.Request(server + "/api/home", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.load(response)["figures"]["articles"] == 4
