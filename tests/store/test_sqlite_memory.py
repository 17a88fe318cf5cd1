"""SQLite's memory in a server process stays bounded however many pooled connections read."""

from __future__ import annotations

import _sqlite3
import ctypes
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from marsad.store import db as store_db
from marsad.store.db import Store

# The sqlite3 module's own library: its allocator counts what every connection holds.
LIB = ctypes.CDLL(_sqlite3.__file__)
LIB.sqlite3_memory_used.restype = ctypes.c_int64
LIB.sqlite3_soft_heap_limit64.restype = ctypes.c_int64
LIB.sqlite3_soft_heap_limit64.argtypes = [ctypes.c_int64]
MB = 1 << 20


@pytest.fixture
def small_heap_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    before = LIB.sqlite3_soft_heap_limit64(-1)  # -1 reads the limit without changing it
    monkeypatch.setattr(store_db, "SQLITE_HEAP_MB", 8)
    yield 8 * MB
    LIB.sqlite3_soft_heap_limit64(before)  # process-wide: give the other tests theirs back


def test_connections_set_the_mapping_and_the_heap_limit(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "m.db"), columns=False)
    with store.engine.connect() as conn:
        mapped = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
        limit = conn.exec_driver_sql("PRAGMA soft_heap_limit").scalar()
    assert mapped >= 1 << 30  # SQLite's own maximum (2 GB in Debian's build), not our smaller 1 GB
    assert limit == store_db.SQLITE_HEAP_MB * MB


def test_many_connections_reading_a_large_table_stay_under_the_limit(tmp_path: Path, small_heap_limit: int) -> None:
    store = Store(str(tmp_path / "big.db"), columns=False)
    row = "ن" * 2000  # ~4 KB a row: 40 MB of pages in all
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO filler (body) VALUES " + ",".join(["(?)"] * 500), (row,) * 500)
        for _ in range(19):
            conn.exec_driver_sql("INSERT INTO filler (body) SELECT body FROM filler LIMIT 500")
    base = LIB.sqlite3_memory_used()
    barrier = threading.Barrier(6)  # six connections open at once, as under concurrent requests

    def read() -> None:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA mmap_size=0")  # pages through the page cache, as past the mapping
            barrier.wait()
            total = conn.execute(sa.text("SELECT sum(length(body)) FROM filler")).scalar()
            assert total == 10_000 * 2000
            barrier.wait()

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Without the limit each connection would keep its 40 MB of pages (64 MB cache each): 240 MB.
    assert LIB.sqlite3_memory_used() - base < 3 * small_heap_limit
