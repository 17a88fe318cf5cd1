"""The API over a seeded store, on both back-ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from marsad.api.app import create_app
from tests.store.seed import seed


@pytest.fixture
def seeded(db_url: str) -> Iterator[tuple[TestClient, dict[str, int], str]]:
    app = create_app(db_url)
    ids = seed(app.state.store)
    token = app.state.store.add_user("huda")
    with TestClient(app) as client:
        yield client, ids, token
    app.state.store.close()
