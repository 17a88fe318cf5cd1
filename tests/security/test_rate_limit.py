"""Per-client rate limiting: 429 with Retry-After and a message once a bucket is empty; loopback exempt."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from marsad.api import ratelimit
from marsad.api.app import create_app
from marsad.api.ratelimit import Limit, RateLimit, RateLimitSettings, client_key
from tests.conftest import LiveServer
from tests.store.seed import seed

REMOTE = ("203.0.113.7", 40000)  # TEST-NET-3: a client on another machine


def _app(tmp_path: Path, settings: RateLimitSettings | None = None):  # type: ignore[no-untyped-def]
    app = create_app(str(tmp_path / "rl.db"), rate_limit=settings)
    seed(app.state.store)
    return app


def test_reads_then_writes_are_limited_per_client(tmp_path: Path) -> None:
    # Slow refill rates, so the test does not depend on how fast a loaded machine answers.
    settings = RateLimitSettings(read=Limit(2, 10), write=Limit(0.2, 2), exempt=frozenset())
    app = _app(tmp_path, settings)
    with TestClient(app, client=REMOTE) as client, TestClient(app, client=("198.51.100.9", 5)) as other:
        codes = [client.get("/api/events", params={"limit": 1}).status_code for _ in range(20)]
        first = codes.index(429)
        assert first >= 10 and codes[first:].count(200) <= (len(codes) - first) // 2 + 1, codes  # burst, then rate
        r = client.get("/api/stats")
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        detail = r.json()["detail"]
        assert "too many requests from 203.0.113.7" in detail and "2 per second (bursts of 10)" in detail, detail
        # Another client has its own bucket; this client's writes have theirs (401: no token, but served).
        assert other.get("/api/events").status_code == 200
        writes = [client.post("/api/events/1/review", json={"action": "confirm"}).status_code for _ in range(3)]
        assert writes == [401, 401, 429]
        # The bucket refills at the rate: after 0.6 s at 2/s a read goes through again.
        time.sleep(0.6)
        assert client.get("/api/events", params={"limit": 1}).status_code == 200
    app.state.store.close()


def test_a_throttled_body_is_never_read(tmp_path: Path) -> None:
    app = _app(tmp_path, RateLimitSettings(read=None, write=Limit(1, 1), exempt=frozenset()))
    with TestClient(app, client=REMOTE) as client:
        assert client.post("/api/events/1/review", json={"action": "confirm"}).status_code == 401
        # Over the body limit too, but the rate limit answers first: nothing is buffered.
        r = client.post("/api/events/1/review", content=b"x" * 2_000_000)
        assert r.status_code == 429 and "for writes" in r.json()["detail"]
        assert client.get("/api/events").status_code == 200  # reads unlimited (read=None)
    app.state.store.close()


def test_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARSAD_RATE_READ", "2/3")
    monkeypatch.setenv("MARSAD_RATE_WRITE", "off")
    monkeypatch.setenv("MARSAD_RATE_EXEMPT", "")
    app = _app(tmp_path)
    with TestClient(app) as client:  # the in-process client, no longer exempt
        assert [client.get("/api/config").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert all(client.post("/api/events/1/review", json={}).status_code == 401 for _ in range(20))
    app.state.store.close()
    monkeypatch.setenv("MARSAD_RATE_READ", "fast")
    with pytest.raises(ValueError, match=r"MARSAD_RATE_READ='fast': write RATE/BURST, e.g. 20/60"):
        create_app(str(tmp_path / "rl2.db"))
    monkeypatch.setenv("MARSAD_RATE_READ", "0.0/5")
    with pytest.raises(ValueError, match="rate must be > 0"):
        RateLimitSettings.from_env()


def test_defaults_do_not_throttle_loopback_but_do_throttle_others(tmp_path: Path) -> None:
    """The load benchmark's 50 clients on 127.0.0.1 are not throttled; the same rate from afar is."""
    db = str(tmp_path / "live.db")
    seeder = create_app(db)
    seed(seeder.state.store)
    seeder.state.store.close()
    defaults = RateLimitSettings()
    assert defaults.read == Limit(20, 60) and defaults.write == Limit(2, 10)
    with LiveServer(db) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        codes = {client.get("/api/events", params={"limit": 1}).status_code for _ in range(150)}
        assert codes == {200}
    with TestClient(create_app(db), client=REMOTE) as client:
        codes_far = [client.get("/api/config").status_code for _ in range(150)]
        assert codes_far.count(200) >= 60 and 429 in codes_far  # the burst of 60 (plus refill), then 429
    # Configured to limit loopback too, the live server throttles a fast local client.
    limited = RateLimitSettings(read=Limit(20, 60), exempt=frozenset())
    with LiveServer(db, rate_limit=limited) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        codes_local = [client.get("/api/config").status_code for _ in range(150)]
        assert 429 in codes_local and codes_local[:60] == [200] * 60


def test_ipv6_clients_share_their_64_and_buckets_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::5") != client_key("2001:db8:1:2::5")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    now = [0.0]
    limiter = RateLimit(lambda *a: None, RateLimitSettings(), clock=lambda: now[0])  # type: ignore[arg-type, return-value]
    limit = Limit(1, 2)
    assert [limiter.take(("a", "read"), limit) for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    now[0] = 0.5
    assert limiter.take(("a", "read"), limit) == pytest.approx(0.5)  # half a token back, not enough
    now[0] = 1.0
    assert limiter.take(("a", "read"), limit) == 0.0
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 100)
    for i in range(1000):
        limiter.take((f"10.0.{i // 256}.{i % 256}", "read"), limit)
    assert len(limiter.buckets) == 100 and ("a", "read") not in limiter.buckets  # least recently seen dropped
