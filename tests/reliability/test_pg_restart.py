"""PostgreSQL goes away in the middle of `marsad ingest`: retried, or a clear error; never a lost or doubled row.

The test starts its own throw-away server (as tests/conftest.py does), so restarting and stopping it
touches no other test's database.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import _as_postgres, _pg_bindir, free_port

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"
N = 600
WIDE = {**os.environ, "COLUMNS": "400"}  # stderr lines unwrapped, to read them back


class Server:
    """A PostgreSQL server in a temporary folder, which the test may restart or stop."""

    def __init__(self) -> None:
        self.bindir = _pg_bindir()
        self.base = Path(tempfile.mkdtemp(prefix="marsad-pg-restart-"))
        shutil.chown(self.base, "postgres", "postgres") if _as_postgres("x")[0] == "runuser" else None
        self.data = self.base / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/marsad"
        subprocess.run(
            _as_postgres(
                str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
            ),
            check=True,
            capture_output=True,
        )

    def ctl(self, *args: str) -> None:
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        cmd = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"), *args]
        subprocess.run(_as_postgres(*cmd), check=True, capture_output=True, timeout=60)

    def sql(self, query: str, db: str = "marsad") -> list[tuple]:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={db}", autocommit=True) as conn:
            cur = conn.execute(query)
            return cur.fetchall() if cur.description else []


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    srv.ctl("-w", "start")
    srv.sql("CREATE DATABASE marsad", db="postgres")
    try:
        yield srv
    finally:
        subprocess.run(
            _as_postgres(str(srv.bindir / "pg_ctl"), "-D", str(srv.data), "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(srv.base, ignore_errors=True)


def _input(path: Path, skip: int) -> list[str]:
    ids = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, path.open("w", encoding="utf-8") as out:
        for line in itertools.islice(fh, skip, skip + N):
            ids.append(json.loads(line)["id"])
            out.write(line)
    return ids


def _cmd(src: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "marsad", "ingest", str(src), "--db", url, "--no-extract", "--offline"]


def _ingest(src: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(_cmd(src, url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=WIDE)


def _run(src: Path, url: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(_cmd(src, url), capture_output=True, text=True, timeout=300, env=WIDE)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr  # 1: an article rejected, named
    return done


def _count(server: Server) -> int:
    try:
        return int(server.sql("SELECT count(*) FROM articles WHERE id LIKE 'snn-%'")[0][0])
    except psycopg.Error:  # not migrated yet, or the server is down
        return 0


def _wait_for_some(server: Server, proc: subprocess.Popen[str]) -> int:
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and _count(server) == 0:
        time.sleep(0.05)
    return _count(server)


def _check_exactly_once(server: Server, src: Path, ids: list[str], stderr: str) -> None:
    """Each input article stored once, or linked to a stored one (duplicate, near-duplicate, skipped)."""
    rejected = [ln.split(": ", 1)[0].rsplit("#", 1)[1] for ln in stderr.splitlines() if ln.startswith(f"{src}#")]
    mine = set(ids)  # (the server keeps the other test's articles)
    stored = [r[0] for r in server.sql("SELECT id FROM articles WHERE id LIKE 'snn-%'") if r[0] in mine]
    origins = [r[0] for r in server.sql(f"SELECT origin FROM ingest_items WHERE origin LIKE '{src}#%'")]
    linked = {o.rsplit("#", 1)[1] for o in origins}
    assert len(stored) == len(set(stored))  # no article twice
    assert not linked & set(stored)  # a stored article is not also a duplicate
    # None lost. (The ledger may hold two notes for one linked article after a run is repeated:
    # its near-duplicate link under its content key, and "duplicate" under its input id.)
    assert set(stored) | linked | set(rejected) == mine


def test_server_restarted_mid_ingest_is_retried(server: Server, tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    ids = _input(src, skip=2000)
    proc = _ingest(src, server.url)
    before = _wait_for_some(server, proc)
    server.ctl("-m", "fast", "-w", "restart")  # every connection is closed by the server
    _, err = proc.communicate(timeout=300)
    assert 0 < before < N, "the restart must land in the middle of the ingest"
    assert proc.returncode in (0, 1), err  # 1: some article rejected (named), never a crash
    assert "Traceback" not in err
    assert "the connection to the database server was lost" in err and "trying again in 1 s" in err, err
    _check_exactly_once(server, src, ids, err)
    again = _run(src, server.url)
    assert " 0 new," in again.stderr.replace("\n", " "), again.stderr


def test_server_gone_for_good_gives_a_clear_error_then_resumes(server: Server, tmp_path: Path) -> None:
    src = tmp_path / "b.jsonl"
    ids = _input(src, skip=4000)
    proc = _ingest(src, server.url)
    before = _wait_for_some(server, proc)
    server.ctl("-m", "fast", "-w", "stop")
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        server.ctl("-w", "start")
    assert 0 < before < N, "the stop must land in the middle of the ingest"
    assert proc.returncode == 3, err
    assert f"{server.url}: the connection to the database server was lost" in err, err
    assert "4 tries in 15 s" in err and "run the same command again" in err and "Traceback" not in err, err
    # Once the server is back, the same command stores the rest: every article once.
    done = _run(src, server.url)
    _check_exactly_once(server, src, ids, done.stderr)
