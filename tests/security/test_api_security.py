"""Hostile users against the API: SQL injection through every filter, path traversal, secure defaults."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from marsad.api.app import create_app
from marsad.store import db as store_db
from marsad.store.schema import articles, events, reviews, users
from tests.conftest import LiveServer
from tests.store.seed import seed

INJECTIONS = [
    "' OR 1=1 --",
    '"; DROP TABLE events; --',
    "%' --",
    "1' UNION SELECT name, token_hash FROM users --",
    "') OR ('a'='a",
    "\\'; DELETE FROM articles; --",
    "* OR events_fts MATCH '*'",
    "IQ'||(SELECT 1)||'",
]

# Every filter of GET /api/events and /api/stats (see marsad.api.app.event_filter), plus paging and grouping.
TEXT_FILTERS = ["country", "admin1", "event_type", "sub_event_type", "actor", "source", "q"]
CHECKED_FILTERS = ["date_from", "date_to", "bbox", "min_fatalities", "status"]
EXTRA = {"/api/events": ["sort", "limit", "offset"], "/api/stats": ["period"]}


def _counts(store: store_db.Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        counts: dict[str, Any] = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (events, articles, users, reviews)
        }
    counts["tables"] = sorted(sa.inspect(store.engine).get_table_names())
    return counts


@pytest.fixture
def seeded(db_url: str) -> Iterator[tuple[TestClient, store_db.Store]]:
    app = create_app(db_url)
    seed(app.state.store)
    app.state.store.add_user("huda")
    with TestClient(app) as client:
        yield client, app.state.store
    app.state.store.close()


def test_injection_through_every_filter(seeded: tuple[TestClient, store_db.Store]) -> None:
    client, store = seeded
    before = _counts(store)
    assert before["events"] > 0
    for path in ("/api/events", "/api/stats"):
        for name in TEXT_FILTERS + CHECKED_FILTERS + EXTRA[path]:
            for payload in INJECTIONS:
                r = client.get(path, params={name: payload})
                assert r.status_code in (200, 422), (path, name, payload, r.status_code, r.text)
                body = r.json()
                if r.status_code == 422:
                    assert body["detail"], (path, name)  # a message, not an empty refusal
                    continue
                # Matched literally, an injected string selects nothing (were it SQL, `OR 1=1` would select all).
                assert name in TEXT_FILTERS, (path, name, payload)
                if path == "/api/events":
                    assert body["events"] == [] and body["total"] == 0, (name, payload)
                else:
                    assert body["events"] == 0, (name, payload)
    assert _counts(store) == before


def test_injection_in_other_reads_and_review_fields(seeded: tuple[TestClient, store_db.Store]) -> None:
    client, store = seeded
    token = store.add_user("omar")
    before = _counts(store)
    for payload in INJECTIONS:
        assert client.get("/api/actors", params={"q": payload}).json() == []
        assert client.get(f"/api/articles/{payload}").status_code == 404
        assert client.get(f"/api/events/{payload}").status_code == 422
    eid = client.get("/api/events").json()["events"][0]["id"]
    r = client.patch(
        f"/api/events/{eid}",
        json={"actor1": INJECTIONS[1], "location": INJECTIONS[0]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200 and r.json()["actor1"] == INJECTIONS[1]  # stored as text, verbatim
    after = _counts(store)
    assert after["reviews"] == before["reviews"] + 1
    assert {k: v for k, v in after.items() if k != "reviews"} == {k: v for k, v in before.items() if k != "reviews"}


def test_malformed_filters_get_4xx_with_a_message(seeded: tuple[TestClient, store_db.Store]) -> None:
    client, _ = seeded
    bad = {
        "bbox": "1,2,3",
        "date_from": "yesterday",
        "date_to": "2024-13-45x",
        "min_fatalities": "-1",
        "status": "published",
        "limit": "0",
        "offset": "-5",
        "sort": "name",
        "actor": "x" * 201,
    }
    for name, value in bad.items():
        r = client.get("/api/events", params={name: value})
        assert r.status_code == 422, (name, r.text)
        assert name in r.text, (name, r.text)  # the message names the parameter


def _raw_get(port: int, target: str) -> tuple[int, bytes]:
    """Send the request line exactly as written: HTTP clients would normalise the dot segments first."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/static/....//....//....//etc/passwd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/vendor/../../app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e/%2e%2e/store/db.py",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
]


def test_no_file_outside_the_static_folder(tmp_path: Path) -> None:
    source = (Path(store_db.__file__)).read_bytes()
    with LiveServer(str(tmp_path / "t.db")) as server:
        status, body = _raw_get(server.port, "/static/index.html")
        assert status == 200 and b"<html" in body.lower()
        for target in TRAVERSALS:
            status, body = _raw_get(server.port, target)
            assert status in (400, 404, 405), (target, status, body[:200])
            assert b"root:" not in body and b"def create_app" not in body and source[:200] not in body, target


def test_secure_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from marsad import cli

    # `marsad serve` and `marsad demo` bind the loopback address unless told otherwise.
    assert inspect.signature(cli.serve).parameters["host"].default == "127.0.0.1"
    for name in ("MARSAD_CORS_ORIGINS", "MARSAD_READ_TOKEN", "MARSAD_MAX_BODY"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(str(tmp_path / "d.db"))
    store = app.state.store
    token = store.add_user("salma")
    with TestClient(app) as client:
        # CORS closed: no allow-origin for a foreign page, preflights are not granted.
        r = client.get("/api/events", headers={"Origin": "https://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        pre = client.options(
            "/api/events/1",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
        )
        assert "access-control-allow-origin" not in pre.headers and pre.status_code >= 400
        # Every write route asks for a token before anything else.
        schema = client.get("/openapi.json").json()
        writes = [(p, m) for p, ms in schema["paths"].items() for m in ms if m in ("post", "patch", "put", "delete")]
        assert writes
        for path, method in writes:
            url = path.replace("{event_id}", "1").replace("{actor_id}", "1")
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {token[:-1]}"}):
                r = client.request(method.upper(), url, json={"action": "confirm"}, headers=headers)
                assert r.status_code == 401, (method, path, headers, r.text)
        # Default body limit: 1 MB.
        r = client.post(
            "/api/events/1/review",
            content=b"{" + b" " * 1_000_001 + b"}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert r.status_code == 413
    # Tokens are stored as SHA-256 digests only, and compared in constant time.
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(users))]
    assert rows and not any(token in str(v) for row in rows for v in row)
    assert any(hashlib.sha256(token.encode()).hexdigest() in row for row in rows)
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(store_db.hmac, "compare_digest", spy)
    assert store.user_for_token(token) == "salma"
    assert calls, "token digests must be compared with hmac.compare_digest"
    assert store.user_for_token(token + "x") is None and store.user_for_token("") is None
    store.close()


def test_streamed_body_over_the_limit_is_refused(tmp_path: Path) -> None:
    """A chunked body announces no length: the limit must hold while it streams in."""
    with LiveServer(str(tmp_path / "s.db"), max_body=10_000) as server:
        token = server.app.state.store.add_user("amal")

        def chunks() -> Iterator[bytes]:
            yield b'{"action": "confirm", "note": "'
            for _ in range(50):
                yield b"x" * 1000
            yield b'"}'

        r = httpx.post(
            f"{server.url}/api/events/1/review",
            content=chunks(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=20,
        )
        assert r.status_code == 413, r.text


def test_found_by_schemathesis(seeded: tuple[TestClient, store_db.Store]) -> None:
    """500s schemathesis found: a 64-bit overflowing id, a NUL in a filter, a correction nulling the event type."""
    client, store = seeded
    token = store.add_user("rana")
    for url in ("/api/events/9223372036854775808", "/api/events/9223372036854775808/sources"):
        r = client.get(url)
        assert r.status_code == 422 and "out of range" in r.json()["detail"], (url, r.text)
    for params in ({"q": "\x00"}, {"source": "a\x00b"}, {"country": "IQ\x00"}):
        for path in ("/api/events", "/api/stats", "/api/actors"):
            r = client.get(path, params=params)
            assert r.status_code == 400 and "NUL" in r.json()["detail"], (path, params, r.text)
    eid = client.get("/api/events").json()["events"][0]["id"]
    for field in ("event_type", "sub_event_type"):
        r = client.patch(f"/api/events/{eid}", json={field: None}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 422 and f"{field} cannot be null" in r.text, r.text
    assert client.get(f"/api/events/{eid}").json()["event_type"]
