"""`marsad users add` prints a token that the API accepts; only its hash is stored."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.api.app import create_app
from marsad.cli import app as cli
from marsad.store.db import Store
from marsad.store.schema import users


def test_users_add_prints_a_working_token(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    result = CliRunner().invoke(cli, ["users", "add", "huda", "--db", db])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    store = Store(db)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
    store.close()
    app = create_app(db)
    with TestClient(app) as client:
        assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json() == {"name": "huda"}
    # again for the same name: a new token, the old one stops working
    again = CliRunner().invoke(cli, ["users", "add", "huda", "--db", db]).stdout.strip().splitlines()[-1]
    with TestClient(app) as client:
        assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        assert client.get("/api/me", headers={"Authorization": f"Bearer {again}"}).status_code == 200
    app.state.store.close()
