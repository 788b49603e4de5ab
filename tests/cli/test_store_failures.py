"""The store commands as a user runs them, against a hostile store: a write lock held by another process,
ingests racing on one store, damaged files and files that are no database, a read-only mount. Each ends
with one `unspun: ...` line and exit 6 (never a traceback), or works; nothing stored is lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.test_store import make_article
from tests.store.test_store_failures import damage
from tests.stories.test_cluster import bag_of_words
from unspun.store import open_store
from unspun.stories.update import update_stories

UNSPUN = Path(sys.executable).parent / "unspun"
READ_COMMANDS = (["search", "harbour"], ["quotes"], ["export"], ["narratives"], ["stories", "--format", "json"])


def corpus(path: Path, n: int, prefix: str = "a") -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": f"{prefix}{i}", "site": f"site{i % 3}.example", "published": "2026-11-02",
                                     "text": f"The harbour council of town {prefix}{i} said on Monday that the "
                                             f"repairs would cost {i} million and take until spring."}) + "\n")
    return path


def start(*args: str, wait: float = 1.0) -> subprocess.Popen[str]:
    env = {**os.environ, "UNSPUN_LOCK_WAIT": str(wait), "COLUMNS": "200"}
    return subprocess.Popen([str(UNSPUN), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def run(*args: str, wait: float = 1.0) -> subprocess.CompletedProcess[str]:
    return finish(start(*args, wait=wait))


def run_all(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """The commands at once, each its own process."""
    return [finish(p) for p in [start(*c) for c in commands]]


# Runs several commands through the entry point (unspun.cli.app:main) in one process, as the `unspun` script
# would one by one: an exception escaping main() is printed as Python prints it, a traceback. One interpreter
# start (about a second, spaCy's import) instead of one per command keeps the suite fast.
_DRIVER = """
import contextlib, io, json, os, sys, traceback
from unspun.cli.app import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = ["unspun", *argv]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    results.append([code, out.getvalue(), err.getvalue()])
os.write(1, json.dumps(results).encode())
"""


def run_in_one_process(commands: list[list[str]], prefix: tuple[str, ...] = (),
                       wait: float = 1.0) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "UNSPUN_LOCK_WAIT": str(wait), "COLUMNS": "200"}
    done = subprocess.run([*prefix, sys.executable, "-c", _DRIVER, json.dumps(commands)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [subprocess.CompletedProcess(c, code, out, err) for c, (code, out, err) in
            zip(commands, json.loads(done.stdout), strict=True)]


def error_line(result: subprocess.CompletedProcess[str], exit_code: int = 6) -> str:
    """The command failed with exactly one `unspun:` line on stderr, and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == exit_code and len(lines) == 1 and lines[0].startswith("unspun: "), result
    return lines[0]


def counted(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    found = re.search(r"ingested ([\d,]+), already present ([\d,]+)", result.stderr)
    assert found is not None, result.stderr
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def stored(url: str) -> int:
    with open_store(url, readonly=True) as store:
        return store.counts()["articles"]


def ingested_store(folder: Path, n: int = 20) -> Path:
    """A store of n articles (the first n of news.jsonl in folder), put there through the library."""
    db = folder / "corpus.db"
    with open_store(str(db)) as store:
        store.add([(make_article(f"a{i}", f"The harbour council of town a{i} met on Monday."), None)
                   for i in range(n)])
    corpus(folder / "news.jsonl", n)
    return db


def test_store_failures_locked_store_says_it_waits_then_one_line(tmp_path: Path) -> None:
    db = ingested_store(tmp_path)
    hold = (f"import sqlite3, time\nc = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    more = corpus(tmp_path / "more.jsonl", 5, prefix="b")
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        search, ingest = run_all([["search", "harbour", "--db", str(db), "--format", "json", "--limit", "100"],
                                  ["ingest", str(more), "--db", str(db), "--no-analyze"]])
        assert search.returncode == 0 and len(search.stdout.splitlines()) == 20  # readers never wait
        assert "Traceback" not in ingest.stderr and ingest.returncode == 6
        waiting = f"unspun: waiting for the database {db}: another process holds its write lock (giving up after 1 s)"
        gave_up = (f"unspun: the database {db} is still locked by another process after 1 s: this step wrote nothing "
                   f"(what was stored before is kept); run the command again once that process has finished, or "
                   f"set $UNSPUN_LOCK_WAIT to wait longer")
        assert ingest.stderr.splitlines() == [waiting, gave_up]
    finally:
        holder.kill()
        holder.wait()
    assert stored(str(db)) == 20
    [again] = run_in_one_process([["ingest", str(more), "--db", str(db), "--no-analyze"]])
    assert again.returncode == 0 and counted(again) == (5, 0) and stored(str(db)) == 25


def test_store_failures_two_ingests_at_once_on_a_new_store(store_url: str, tmp_path: Path) -> None:
    """Two processes started together on a store that does not exist yet: one creates it while the other waits,
    then their batches of the same articles interleave. Both succeed and each article is stored once."""
    source = corpus(tmp_path / "news.jsonl", 1000)  # 100 batches each: they overlap
    results = run_all([["ingest", str(source), "--db", store_url, "--no-analyze", "--batch-size", "10"]] * 2)
    for result in results:
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    (new_a, present_a), (new_b, present_b) = (counted(r) for r in results)
    assert new_a + new_b == 1000 and present_a + present_b == 1000 and stored(store_url) == 1000


def test_store_failures_damaged_store_is_one_line_for_every_command(tmp_path: Path) -> None:
    db = ingested_store(tmp_path)
    damage(db)
    before = db.read_bytes()
    commands = [[*c, "--db", str(db)] for c in READ_COMMANDS]
    commands += [["trace", "a1", "--db", str(db)], ["analyze", "--db", str(db)],
                 ["ingest", str(tmp_path / "news.jsonl"), "--db", str(db), "--no-analyze"]]
    damage_everywhere = ["search", "harbour", "--db", str(tmp_path / "worse.db")]
    shutil.copy(db, tmp_path / "worse.db")
    damage(tmp_path / "worse.db", everywhere=True)  # not even the schema reads: opening fails the same way
    for command, result in zip([*commands, damage_everywhere], run_in_one_process([*commands, damage_everywhere]),
                               strict=True):
        line = error_line(result)
        assert re.match(r"unspun: the database \S+ is damaged \(.+\): restore it from a backup", line), (command, line)
        assert command[command.index("--db") + 1] in line
    assert db.read_bytes() == before  # nothing was written into the damaged file


@pytest.mark.parametrize("content", [b"Meeting notes: call the harbour council.\n" * 50, b"\x00" * 8192])
def test_store_failures_file_that_is_not_a_database(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "notes.txt"
    db.write_bytes(content)
    source = corpus(tmp_path / "news.jsonl", 3)
    commands = [[*c, "--db", str(db)] for c in READ_COMMANDS] + [["ingest", str(source), "--db", str(db)]]
    for result in run_in_one_process(commands):
        assert error_line(result).startswith(f"unspun: the database {db} is damaged, or is not a SQLite database")
    assert db.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == ["news.jsonl", "notes.txt"]


def test_store_failures_empty_file_is_a_new_store(tmp_path: Path) -> None:
    """Reading commands never write, so an empty file is not made a store by a search; an ingest makes it one."""
    db = tmp_path / "empty.db"
    db.touch()
    search, ingest = run_in_one_process([["search", "harbour", "--db", str(db)],
                                         ["ingest", str(corpus(tmp_path / "news.jsonl", 4)), "--db", str(db),
                                          "--no-analyze"]])
    assert search.returncode == 6 and "holds no unspun store yet" in search.stderr
    assert ingest.returncode == 0 and counted(ingest) == (4, 0) and stored(str(db)) == 4


def test_store_failures_store_whose_log_cannot_be_created(tmp_path: Path) -> None:
    """As in a folder the user may not write, the write-ahead log cannot be made (its name is taken by a
    directory, which stops root too): reading commands read without writing, ingest says why it cannot."""
    db = ingested_store(tmp_path)
    (tmp_path / "corpus.db-wal").mkdir()
    before = db.read_bytes()
    search, export, ingest = run_in_one_process([
        ["search", "harbour", "--db", str(db), "--format", "json", "--limit", "100"],
        ["export", "--db", str(db)],
        ["ingest", str(corpus(tmp_path / "more.jsonl", 2, "b")), "--db", str(db), "--no-analyze"]])
    assert search.returncode == 0 and len(search.stdout.splitlines()) == 20
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 20
    assert error_line(ingest).startswith(f"unspun: the database {db} is open read-only (it cannot be opened for "
                                         f"writing: unable to open database file): this command writes")
    assert db.read_bytes() == before


def _read_only_mount(source: Path, target: Path) -> tuple[str, ...]:
    """A command prefix running in a private mount namespace where target is a read-only bind of source."""
    script = f'mount --bind "{source}" "{target}" && mount -o remount,bind,ro "{target}" && exec "$@"'
    return ("unshare", "--mount", "--", "sh", "-c", script, "sh")


def test_store_failures_read_only_mount(tmp_path: Path) -> None:
    """A store on a read-only mount (root cannot write there either): every reading command works, `stories`
    included when no article is new, and ingest says why it cannot write; the file is not changed."""
    source, target = tmp_path / "data", tmp_path / "mnt"
    source.mkdir()
    target.mkdir()
    db = ingested_store(source)
    with open_store(str(db)) as store:
        update_stories(store, bag_of_words)  # stories made now (a stand-in encoder): `stories` has nothing to add
    prefix = _read_only_mount(source, target)
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30, check=False) \
        if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr.strip() if probe else 'no unshare'}")
    before = db.read_bytes()
    mounted = target / "corpus.db"
    commands = [[*c, "--db", str(mounted)] for c in READ_COMMANDS]
    commands.append(["ingest", str(source / "news.jsonl"), "--db", str(mounted)])
    *reads, ingest = run_in_one_process(commands, prefix)
    for command, result in zip(READ_COMMANDS, reads, strict=True):
        assert result.returncode == 0 and "Traceback" not in result.stderr, (command, result.stderr)
    assert "a1" in reads[0].stdout and len(reads[2].stdout.splitlines()) == 20  # search, export
    assert len(json.loads(reads[-1].stdout)["stories"]) >= 1
    assert error_line(ingest).startswith(f"unspun: the database {mounted} is open read-only (you may not write "
                                         f"the file or its folder)")
    assert db.read_bytes() == before and sorted(p.name for p in source.iterdir()) == ["corpus.db", "news.jsonl"]


def test_store_failures_store_of_a_newer_unspun(tmp_path: Path) -> None:
    db = ingested_store(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.close()
    [search] = run_in_one_process([["search", "harbour", "--db", str(db)]])
    assert error_line(search).startswith(f"unspun: the database {db} was written by a newer unspun (schema 0999")


def test_store_failures_disk_full_keeps_what_was_stored(tmp_path: Path) -> None:
    """The store's disk fills up mid-ingest (a 1 MB tmpfs in a private mount namespace): one line saying so and
    how many articles were stored; those are all readable afterwards."""
    small = tmp_path / "small"
    small.mkdir()
    prefix = ("unshare", "--mount", "--", "sh", "-c", f'mount -t tmpfs -o size=1m tmpfs "{small}" && exec "$@"', "sh")
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30, check=False) \
        if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {probe.stderr.strip() if probe else 'no unshare'}")
    source = tmp_path / "long.jsonl"
    source.write_text("".join(json.dumps({"id": f"l{i}", "text": f"Report {i}. " + "The harbour council met on "
                                          "Monday and said the repairs would cost millions. " * 20}) + "\n"
                              for i in range(1500)), encoding="utf-8")
    db = str(small / "corpus.db")
    ingest, export = run_in_one_process([["ingest", str(source), "--db", db, "--no-analyze", "--batch-size", "50"],
                                         ["export", "--db", db]], prefix)
    line = error_line(ingest)
    assert line.startswith(f"unspun: cannot write to the database {db}: the disk is full"), line
    found = re.search(r"this run stored ([\d,]+) new article", line)
    assert found is not None and int(found[1].replace(",", "")) > 0
    assert export.returncode == 0 and len(export.stdout.splitlines()) == int(found[1].replace(",", ""))
