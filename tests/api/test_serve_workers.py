"""`marsad serve --workers 2`: two real server processes behind one port, each answering."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from marsad.store.db import Store
from tests.conftest import free_port
from tests.store.seed import seed


def test_two_workers_answer_on_one_port(tmp_path: Path) -> None:
    db = str(tmp_path / "marsad.db")
    store = Store(db)
    seed(store)
    store.close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "marsad", "serve", "--db", db, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        pids: set[int] = set()
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:
            try:  # a new connection each time: the kernel hands them to either process
                body = httpx.get(url + "/api/health", headers={"Connection": "close"}, timeout=10).json()
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.2)
                continue
            pids.add(body["pid"])
        assert len(pids) == 2 and proc.pid not in pids
        for pid in pids:  # two malloc arenas in each server process (marsad.api.malloc)
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert b"MALLOC_ARENA_MAX=2" in environ
        assert httpx.get(url + "/api/events", timeout=10).json()["total"] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=30)
