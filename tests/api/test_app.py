"""The HTTP API on both back-ends, through FastAPI's test client."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from marsad.api.app import create_app
from tests.store.seed import seed


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_events_filters_pages(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, _, _ = seeded
    body = client.get("/api/events").json()
    assert body["total"] == 5 and body["total_exact"]
    assert body["events"][0]["date"] == "2024-04-14"

    def total(params: dict[str, object]) -> int:
        r = client.get("/api/events", params=params)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert total({"country": "IQ,SY"}) == 3
    assert total({"country": ["IQ", "LY"]}) == 3
    assert total({"admin1": "Baghdad"}) == 2
    assert total({"event_type": "Battles"}) == 1
    assert total({"sub_event_type": "Air/drone strike"}) == 1
    assert total({"actor": "Islamic State (Iraq)"}) == 1
    assert total({"date_from": "2024-04-01", "date_to": "2024-04-30"}) == 2
    assert total({"bbox": "35,30,40,37"}) == 1
    assert total({"min_fatalities": 1}) == 3
    assert total({"source": "الجزيرة نت"}) == 1
    assert total({"q": "اشتباكات"}) == 1
    assert total({"status": "new"}) == 5
    page = client.get("/api/events", params={"limit": 2, "offset": 2, "sort": "fatalities"}).json()
    assert [e["fatalities"] for e in page["events"]] == [2, 5]  # of 0, 0, 2, 5, 12
    assert client.get("/api/events", params={"bbox": "1,2,3"}).status_code == 422
    assert client.get("/api/events", params={"status": "nope"}).status_code == 422
    assert client.get("/api/events", params={"sort": "evidence"}).status_code == 422
    assert client.get("/api/events", params={"date_from": "March"}).status_code == 422


def test_event_article_actors_stats(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, ids, _ = seeded
    ev = client.get(f"/api/events/{ids['ml-mopti-1']}").json()
    art = client.get("/api/articles/ml-mopti-1").json()
    span = ev["articles"][0]
    assert art["text"][span["evidence_start"] : span["evidence_end"]] == ev["evidence"]
    assert "<script>" in art["text"] and "raw" not in art
    assert client.get("/api/events/999999").status_code == 404
    assert client.get("/api/articles/none").status_code == 404
    actors = client.get("/api/actors", params={"q": "مسلحون"}).json()
    assert [a["name"] for a in actors] == ["Unidentified Armed Group (Mali)"]
    st = client.get("/api/stats", params={"period": "month", "country": "IQ"}).json()
    assert st["events"] == 2 and st["fatalities"] == 2
    assert [s["period"] for s in st["series"]] == ["2024-03", "2024-04"]
    m = client.get("/api/map", params={"zoom": 3}).json()
    assert m["kind"] == "points" and len(m["points"]) == 5


def test_exports(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, _, _ = seeded
    r = client.get("/api/export.csv", params={"country": "IQ"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["admin1"] for row in rows] == ["Baghdad", "Baghdad"]
    assert rows[0]["notes"].startswith("انفجرت عبوة ناسفة")  # ACLED CSV: the evidence is in notes
    gj = client.get("/api/export.geojson").json()
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 5
    sirte = next(f for f in gj["features"] if f["properties"]["location"] == "Sirte")
    assert sirte["geometry"]["coordinates"] == [16.59, 31.21]
    lines = client.get("/api/export.jsonl", params={"min_fatalities": 10}).text.splitlines()
    assert [e["fatalities"] for x in lines for e in json.loads(x)["events"]] == [12]  # SCHEMA.md lines


def test_review_needs_token_and_is_audited(seeded: tuple[TestClient, dict[str, int], str]) -> None:
    client, ids, token = seeded
    eid = ids["ly-sirte-1"]
    assert client.patch(f"/api/events/{eid}", json={"fatalities": 7}).status_code == 401
    assert client.patch(f"/api/events/{eid}", json={"fatalities": 7}, headers=auth("wrong")).status_code == 401
    assert client.get("/api/me", headers=auth(token)).json() == {"name": "huda"}
    r = client.patch(f"/api/events/{eid}", json={"fatalities": 7}, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.json()["fatalities"] == 7 and r.json()["status"] == "corrected"
    # the taxonomy is checked; a sub-type alone brings its type
    bad = client.patch(
        f"/api/events/{eid}", json={"event_type": "Battles", "sub_event_type": "Arrests"}, headers=auth(token)
    )
    assert bad.status_code == 422
    r = client.patch(f"/api/events/{eid}", json={"sub_event_type": "Arrests"}, headers=auth(token))
    assert r.json()["event_type"] == "Strategic developments"
    assert client.patch(f"/api/events/{eid}", json={"evidence": "x"}, headers=auth(token)).status_code == 422

    r = client.post(f"/api/events/{ids['sy-idlib-1']}/review", json={"action": "confirm"}, headers=auth(token))
    assert r.json()["status"] == "confirmed"
    r = client.post(
        f"/api/events/{ids['iq-tarmiyah-1']}/review",
        json={"action": "merge", "into": ids["iq-tahrir-1"], "note": "same day, same place"},
        headers=auth(token),
    )
    assert r.json()["status"] == "merged"
    assert client.post(f"/api/events/{eid}/review", json={"action": "merge"}, headers=auth(token)).status_code == 422
    assert client.post("/api/events/999999/review", json={"action": "reject"}, headers=auth(token)).status_code == 404
    log = client.get(f"/api/events/{eid}/audit", headers=auth(token)).json()
    assert [e["after"]["fatalities"] for e in log] == [7, 7]
    assert log[-1]["before"]["fatalities"] == 5 and log[-1]["user"] == "huda"
    assert client.get(f"/api/events/{eid}/audit").status_code == 401


def test_closed_reads_cors_and_body_limit(db_url: str) -> None:
    app = create_app(db_url, read_token=True, max_body=2000)
    token = app.state.store.add_user("omar")
    seed(app.state.store)
    with TestClient(app) as client:
        assert client.get("/api/events").status_code == 401
        assert client.get("/api/events", headers=auth(token)).status_code == 200
        assert client.get("/api/config").json()["read_token"] is True
        r = client.get("/api/events", headers={**auth(token), "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        big = client.post("/api/events/1/review", json={"action": "confirm", "note": "x" * 1990}, headers=auth(token))
        assert big.status_code == 413
        assert "script-src 'self'" in client.get("/").headers["content-security-policy"]
    app.state.store.close()


def test_cors_when_configured(tmp_path: object) -> None:
    app = create_app(str(tmp_path) + "/c.db", cors_origins=["https://ok.example"])  # type: ignore[operator]
    with TestClient(app) as client:
        r = client.get("/api/events", headers={"Origin": "https://ok.example"})
        assert r.headers["access-control-allow-origin"] == "https://ok.example"
    app.state.store.close()


def test_openapi_documents_the_routes(tmp_path: object) -> None:
    app = create_app(str(tmp_path) + "/o.db")  # type: ignore[operator]
    with TestClient(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
        assert {
            "/api/events",
            "/api/events/{event_id}",
            "/api/stats",
            "/api/export.csv",
            "/api/actors",
        } <= set(paths)
        assert client.get("/docs").status_code == 200
    app.state.store.close()
