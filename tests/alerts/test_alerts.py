"""Alert rules, storage (once per cause), Atom feed, webhook (a real local HTTP server), CLI, API."""

from __future__ import annotations

import datetime as dt
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.alerts import evaluate, list_alerts, load_config, poisson_upper_tail, run_alerts
from marsad.alerts.rules import AlertConfigError
from marsad.api.app import create_app
from marsad.cli import app as cli
from marsad.store.db import Store
from tests.merge.fixtures import add_events, pair

ATOM = "{http://www.w3.org/2005/Atom}"


def _on(row: dict[str, Any], day: dt.date, n: int) -> dict[str, Any]:
    """A real report moved to another day (the rules count events; the sentence stays real)."""
    return {**row, "date": day.isoformat(), "article_id": row["article_id"], "evidence": row["evidence"] + " " * n}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Taiz: one Houthi shelling a week for eight weeks, then six in one week; a Suruç bombing."""
    s = Store(str(tmp_path / "alerts.db"))
    shelling = pair("t1")["a"]  # Houthi shelling of Taiz residential districts (Ansar Allah, Taiz)
    start = dt.date(2015, 6, 1)  # a Monday
    rows = [_on(shelling, start + dt.timedelta(weeks=i), i) for i in range(8)]
    spike_week = start + dt.timedelta(weeks=8)
    rows += [_on(shelling, spike_week + dt.timedelta(days=d % 7), 10 + d) for d in range(6)]
    # The same group's first event in Aden (another admin-1), and a mass-casualty bombing.
    aden = {**pair("p35")["a"], "date": (spike_week + dt.timedelta(days=2)).isoformat()}
    rows += [aden, pair("t6")["a"]]
    add_events(s, rows)
    yield s
    s.close()


def test_poisson_upper_tail() -> None:
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 1.0) == pytest.approx(1 - 2.718281828**-1)
    assert poisson_upper_tail(5, 1.0) == pytest.approx(0.00366, abs=1e-5)
    assert poisson_upper_tail(3, 0.0) == 0.0


def test_rules_fire_for_their_causes(store: Store) -> None:
    found = evaluate(store, load_config(), dt.date(2015, 6, 1), dt.date(2015, 8, 31))
    keys = {a.cause_key for a in found}
    assert "spike:events:YE:Taiz:2015-07-27" in keys  # 6 against a weekly mean of 1: p < 0.01
    assert not any(k.startswith("spike:events:YE:Taiz:2015-06") for k in keys)  # the baseline weeks
    spike = next(a for a in found if a.cause_key == "spike:events:YE:Taiz:2015-07-27")
    assert spike.detail["count"] == 6 and spike.detail["p_value"] < 0.01
    assert "mass_casualty:" in " ".join(keys)  # Suruç, 30 killed
    new_area = [a for a in found if a.rule == "new_area" and a.actor == "Ansar Allah"]
    assert [(a.kind, a.admin1) for a in new_area] == [("new_admin1", "Aden")]


def test_each_cause_fires_once(store: Store) -> None:
    cfg = load_config()
    first, _, _ = run_alerts(store, cfg, dt.date(2015, 6, 1))
    again, _, _ = run_alerts(store, cfg, dt.date(2015, 6, 1))
    assert first and again == []
    assert len(list_alerts(store)) == len(first)


def test_config_override_and_watchlist(store: Store, tmp_path: Path) -> None:
    spec = yaml.safe_load(Path(load_config()["_file"]).read_text(encoding="utf-8"))
    spec["rules"]["watchlist"] = {"enabled": True, "actors": [], "places": ["TR"]}
    spec["rules"]["spike"]["enabled"] = False
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    found = evaluate(store, load_config(path), dt.date(2015, 6, 1), dt.date(2015, 8, 31))
    assert [a.kind for a in found if a.rule == "watchlist"] == ["watch_place"]
    assert not any(a.rule == "spike" for a in found)
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [1, 2]\n", encoding="utf-8")
    with pytest.raises(AlertConfigError, match=r"bad\.yaml: needs a 'rules' mapping"):
        load_config(bad)


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_gets_each_new_alert_once(store: Store) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    try:
        cfg = load_config()
        cfg["webhook"] = {"url": f"http://127.0.0.1:{server.server_port}/hook", "timeout_seconds": 5}
        new, delivered, errors = run_alerts(store, cfg, dt.date(2015, 6, 1))
        assert errors == [] and delivered == len(new) == len(_Hook.received) > 0
        keys = {m["alert"]["cause_key"] for m in _Hook.received}
        assert "spike:events:YE:Taiz:2015-07-27" in keys
        assert run_alerts(store, cfg, dt.date(2015, 6, 1))[1] == 0  # nothing new, nothing posted
        assert len(_Hook.received) == delivered
    finally:
        server.shutdown()
        server.server_close()
    cfg["webhook"]["url"] = "http://127.0.0.1:9/closed"  # nothing listens: reported, kept for later
    watch = {**cfg["rules"], "watchlist": {"actors": ["Ansar Allah"], "places": []}}  # new causes
    store_new = run_alerts(store, {**cfg, "rules": watch}, dt.date(2015, 6, 1))
    assert store_new[0] and store_new[1] == 0 and "closed" in store_new[2][0]
    assert len(store_new[2]) == len(store_new[0])  # each undelivered alert is reported


def test_api_and_atom_feed(store: Store) -> None:
    run_alerts(store, load_config(), dt.date(2015, 6, 1))
    app = create_app(store.url.removeprefix("sqlite:///"))
    with TestClient(app) as client:
        listed = client.get("/api/alerts").json()["alerts"]
        assert {a["rule"] for a in listed} >= {"spike", "mass_casualty", "new_area"}
        resp = client.get("/api/alerts.atom")
        assert resp.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(resp.content)
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == len(listed)
        assert {e.find(f"{ATOM}id").text for e in entries} == {f"urn:marsad:alert:{a['cause_key']}" for a in listed}
        assert client.get("/api/alerts", params={"since": "bad"}).status_code == 422
    app.state.store.close()


def test_cli_alerts(store: Store) -> None:
    db = store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(cli, ["alerts", "--db", db, "--since", "2015-06-01", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert any(x["cause_key"] == "spike:events:YE:Taiz:2015-07-27" for x in lines)
    bad = CliRunner().invoke(cli, ["alerts", "--db", db, "--since", "June"])
    assert bad.exit_code == 2
