"""Shared fixtures: a real throw-away PostgreSQL/PostGIS server, stores on both back-ends, a live
server, Debian's Chromium.

Other components may append their own fixtures at the end of this file.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright downloads no browser here
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, started once per test module that asks for it."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError(
        "PostgreSQL server binaries not found: run `make system-deps` "
        "(apt-get install postgresql-15 postgresql-15-postgis-3)"
    )


def _as_postgres(*cmd: str) -> list[str]:
    # PostgreSQL refuses to run as root; as another user the commands run as they are.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server started for this test session (fsync off: it is thrown away after)."""
    bindir = _pg_bindir()
    base = Path(tempfile.mkdtemp(prefix="marsad-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = free_port()
    subprocess.run(
        _as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"),
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    """A database with PostGIS and the migrated schema, copied for each test (fast)."""
    import sqlalchemy as sa

    from marsad.store.db import Store

    admin = sa.create_engine(f"{pg_server}/postgres".replace("postgresql://", "postgresql+psycopg://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CREATE DATABASE marsad_template")
    admin.dispose()
    store = Store(f"{pg_server}/marsad_template")
    store.close()
    return "marsad_template"


@pytest.fixture
def pg_url(pg_server: str, pg_template: str) -> str:
    """A fresh PostgreSQL database for one test."""
    import sqlalchemy as sa

    name = f"marsad_t{next(_db_numbers)}"
    admin = sa.create_engine(f"{pg_server}/postgres".replace("postgresql://", "postgresql+psycopg://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    admin.dispose()
    return f"{pg_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both back-ends: a SQLite file, then a PostgreSQL/PostGIS database."""
    if request.param == "sqlite":
        return str(tmp_path / "marsad.db")
    return str(request.getfixturevalue("pg_url"))


class LiveServer:
    """uvicorn serving the marsad app in a thread on 127.0.0.1 and a free port."""

    def __init__(self, db: str, **app_options: object) -> None:
        import uvicorn

        from marsad.api.app import create_app

        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(db, **app_options)  # type: ignore[arg-type]
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for the browser's keep-alive connections
        self.thread.join(timeout=10)
