"""kill -9 in the middle of a large ingest, then the same command again: every article exactly once."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from marsad.ingest import identity

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"
N = 1000


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _ingest_cmd(src: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "marsad", "ingest", str(src), "--db", str(db), "--no-extract", "--offline"]


def test_kill_and_resume(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
        ids = []
        for _, line in zip(range(N), fh, strict=False):
            ids.append(json.loads(line)["id"])
            out.write(line)
    db = tmp_path / "k.db"
    proc = subprocess.Popen(_ingest_cmd(src, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and _count(db, "SELECT count(*) FROM articles") < 150:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _count(db, "SELECT count(*) FROM articles")
    assert 0 < before < N, "the kill must land in the middle of the ingest"

    done = subprocess.run(_ingest_cmd(src, db), capture_output=True, text=True, timeout=600)
    # Articles that cannot be stored are rejected (exit status 1) and named: "FILE#ID: reason", or
    # "FILE:LINE: reason" for a line that is not a valid article.
    rejected = []
    for ln in done.stderr.splitlines():
        where = ln.split(": ", 1)[0]
        if where.startswith(f"{src}#"):
            rejected.append(where.rsplit("#", 1)[1])
        elif where.startswith(f"{src}:"):
            rejected.append(ids[int(where.rsplit(":", 1)[1]) - 1])
    assert done.returncode == (1 if rejected else 0), done.stderr
    with sqlite3.connect(db) as conn:
        stored = [r[0] for r in conn.execute("SELECT id FROM articles")]
        linked = [r[0] for r in conn.execute("SELECT origin FROM ingest_items")]
        unindexed = [
            r[0]
            for r in conn.execute(
                "SELECT a.text FROM articles a LEFT JOIN ingest_minhash m ON m.article_id = a.id "
                "WHERE m.article_id IS NULL"
            )
        ]
        bands = conn.execute("SELECT count(DISTINCT band) FROM ingest_lsh").fetchone()[0]
        per_article = conn.execute(
            "SELECT max(c), min(c) FROM (SELECT count(*) c FROM ingest_lsh GROUP BY article_id)"
        ).fetchone()
    # Each input article is either stored once or linked (near or exact duplicate) once.
    linked_ids = [o.rsplit("#", 1)[1] for o in linked]
    assert len(stored) == len(set(stored))
    assert sorted(stored + linked_ids + rejected) == sorted(ids)
    # Nothing half-written: each stored article is indexed, with one key per band.
    assert all(identity.signature(text) is None for text in unindexed)  # only texts too short to index
    assert per_article == (bands, bands)

    third = subprocess.run(_ingest_cmd(src, db), capture_output=True, text=True, timeout=600)
    assert f"0 new, {N - len(rejected)} duplicate" in third.stderr.replace("\n", " ")
