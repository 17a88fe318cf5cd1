"""The read routes' answers are kept per data version: never stale after a write, revalidated by ETag."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.store.db import Store
from tests.api.test_app import auth
from tests.store.seed import ARTICLES, make_doc


def test_repeated_reads_come_from_the_cache_until_a_write(
    seeded: tuple[TestClient, dict[str, int], str], db_url: str
) -> None:
    client, ids, token = seeded
    cache = client.app.state.cache  # type: ignore[attr-defined]
    client.get("/api/events")  # the column copy is loaded by the first read
    first = client.get("/api/events", params={"country": "IQ", "limit": 10})
    # the same parameters in another order are the same question
    again = client.get("/api/events", params={"limit": 10, "country": "IQ"})
    assert again.content == first.content and cache.hits >= 1
    assert first.json()["total"] == 2
    # a review through the API is a write: the next answer shows it
    eid = ids["iq-tarmiyah-1"]
    r = client.patch(f"/api/events/{eid}", json={"country": "SY"}, headers=auth(token))
    assert r.status_code == 200, r.text
    assert client.get("/api/events", params={"country": "IQ", "limit": 10}).json()["total"] == 1
    # so is a save by another process, which the API never sees but the table's triggers count
    article, evs = ARTICLES[0]
    country = evs[0][1]["location"][2]
    before = client.get("/api/events", params={"country": country}).json()["total"]
    other = Store(db_url, columns=False)
    other.save(make_doc({**article, "id": "another"}, evs))
    other.close()
    assert client.get("/api/events", params={"country": country}).json()["total"] == before + len(evs)
    stats = client.get("/api/stats").json()
    assert sum(c["events"] for c in stats["by_country"]) == 6


def test_etag_revalidation(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, ids, token = seeded
    client.get("/api/events")  # the column copy is loaded by the first read
    r = client.get("/api/stats", params={"period": "month"})
    etag = r.headers["etag"]
    same = client.get("/api/stats", params={"period": "month"}, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    hits = client.app.state.cache.hits  # type: ignore[attr-defined]
    anew = client.get("/api/stats", params={"period": "month"}, headers={"Cache-Control": "no-cache"})
    assert anew.status_code == 200 and anew.content == r.content
    assert client.app.state.cache.hits == hits  # type: ignore[attr-defined]  # computed, not looked up
    client.post(f"/api/events/{ids['ly-sirte-1']}/review", json={"action": "reject"}, headers=auth(token))
    changed = client.get("/api/stats", params={"period": "month"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_an_answer_from_a_copy_behind_the_database_is_not_kept(
    seeded: tuple[TestClient, dict[str, int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _, _ = seeded
    app = client.app
    store = app.state.store  # type: ignore[attr-defined]
    cache = app.state.cache  # type: ignore[attr-defined]
    client.get("/api/map")  # loads the column copy
    assert len(cache.entries) == 1 and "etag" in client.get("/api/map").headers
    snap = store.columns.snapshot
    # as with a large copy still reloading in the background after a write: the reader keeps
    # answering from the old copy meanwhile
    monkeypatch.setattr("marsad.api.app.SYNC_RELOAD_MAX", 0)
    monkeypatch.setattr(store.columns, "get", lambda conn: snap)
    snap.version -= 1
    r = client.get("/api/map", params={"zoom": 5})
    assert r.status_code == 200 and "etag" not in r.headers
    assert "/api/map?zoom=5" not in cache.entries and len(cache.entries) == 1  # rendered, not filed


def test_health_says_when_the_column_copy_is_ready(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, _, _ = seeded
    client.get("/api/events")  # a small database's copy is loaded by the first read
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["ready"] is True and body["events_in_memory"] == 5
    cache = body["response_cache"]  # the /api/events answer above was filed
    assert cache["entries"] == 1 and cache["bytes"] == len(client.get("/api/events").content)


def test_a_late_reader_of_an_older_version_leaves_the_cache_alone() -> None:
    from starlette.requests import Request

    from marsad.api.cache import ResponseCache

    scope = {"type": "http", "method": "GET", "scheme": "http", "server": ("testserver", 80), "root_path": ""}
    request = Request({**scope, "path": "/api/stats", "query_string": b"period=week", "headers": []})
    cache = ResponseCache()
    assert cache.respond(request, 6, lambda: {"n": 6}, lambda: True).body == b'{"n":6}'
    # a request that read version 5 before the last write finishes late: its answer is not filed
    assert cache.respond(request, 5, lambda: {"n": 5}, lambda: True).body == b'{"n":5}'
    assert cache.respond(request, 6, lambda: {"n": -1}, lambda: True).body == b'{"n":6}'  # still cached
