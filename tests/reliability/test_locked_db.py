"""SQLite locked by another writer: bounded waiting, then a clear error (no traceback), nothing half-stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.store import db as store_db
from marsad.store.db import Store
from tests.ingest.conftest import OTHER, story


def test_ingest_into_a_locked_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "locked.db"
    first = tmp_path / "first.txt"
    first.write_text(story(), encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", str(first), "--db", str(db), "--no-extract"]).exit_code == 0
    real = store_db._sqlite_pragmas

    def short_wait(conn: Any, record: Any) -> None:  # the shipped 10 s busy timeout, shortened for the test
        real(conn, record)
        conn.execute("PRAGMA busy_timeout=300")

    monkeypatch.setattr(store_db, "_sqlite_pragmas", short_wait)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holding the database
    second = tmp_path / "second.txt"
    second.write_text(OTHER[0] + "\n\n" + OTHER[1], encoding="utf-8")
    try:
        res = CliRunner().invoke(app, ["ingest", str(second), "--db", str(db), "--no-extract"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.exit_code == 3, res.output
    assert f"{db}: locked by another process" in res.output and "run the same command again" in res.output
    assert "OperationalError" not in res.output  # no traceback of the error
    # Run again once the other writer is gone: the article is stored, once; the first one is intact.
    res = CliRunner().invoke(app, ["ingest", str(second), str(first), "--db", str(db), "--no-extract"])
    assert res.exit_code == 0 and "1 new, 1 duplicate" in res.output, res.output
    store = Store(str(db))
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM articles").scalar_one() == 2
    finally:
        store.close()
