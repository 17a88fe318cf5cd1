"""Exports: ACLED CSV (ACLED's columns and codes), GeoJSON, SCHEMA.md JSONL, Parquet; CLI and API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.api.app import create_app
from marsad.cli import app as cli
from marsad.export import ACLED_COLUMNS, export_events
from marsad.export.acled import interaction, time_precision
from marsad.merge import merge_new
from marsad.model import DocOut
from marsad.store.db import EventFilter, Store
from tests.merge.fixtures import add_events, pair

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Suruç reported by two outlets (30 and 32 killed) and the Taiz shelling, merged."""
    s = Store(str(tmp_path / "export.db"))
    add_events(s, [pair("t6")["a"], pair("t6")["b"], pair("t1")["a"], pair("t1")["b"]])
    merge_new(s)
    yield s
    s.close()


def _acled(store: Store, f: EventFilter | None = None) -> list[dict[str, str]]:
    buf = io.BytesIO()
    export_events(store, f, "acled-csv", buf)
    text = buf.getvalue().decode("utf-8")
    assert text.splitlines()[0] == ACLED_HEADER
    return list(csv.DictReader(io.StringIO(text)))


def test_acled_columns_and_codes(store: Store) -> None:
    rows = _acled(store)
    assert len(rows) == 2  # two incidents, each once
    suruc = next(r for r in rows if r["country"] == "Turkey")
    assert suruc["event_id_cnty"].startswith("TUR")
    assert (suruc["iso"], suruc["region"]) == ("792", "Middle East")
    assert (suruc["event_date"], suruc["year"], suruc["time_precision"]) == ("2015-07-20", "2015", "1")
    assert suruc["disorder_type"] == "Political violence"
    assert suruc["fatalities"] == "30"  # the most conservative of 30 and 32
    assert "fatalities disputed: 30-32" in suruc["tags"]
    assert suruc["source"] == "aawsat; aljazirah"
    assert suruc["civilian_targeting"] == "Civilian targeting" and suruc["actor2"].startswith("Civilians")
    assert suruc["inter2"] == "7" and suruc["geo_precision"] == "1"
    taiz = next(r for r in rows if r["country"] == "Yemen")
    assert taiz["actor1"] == "Ansar Allah" and taiz["inter1"] == "2"  # a rebel group in the registry
    assert taiz["interaction"] == str(interaction(2, int(taiz["inter2"]) if taiz["inter2"] else None))
    assert list(rows[0]) == list(ACLED_COLUMNS)


def test_code_helpers() -> None:
    assert [time_precision(d) for d in ("2015-07-20", "2015-07", "2015", None)] == [1, 2, 3, 3]
    assert (interaction(7, 1), interaction(6, None), interaction(None, 3)) == (17, 60, None)


def test_filters(store: Store) -> None:
    assert [r["country"] for r in _acled(store, EventFilter(country=["YE"]))] == ["Yemen"]
    assert _acled(store, EventFilter(date_from="2015-08-01")) == [r for r in _acled(store) if r["country"] == "Yemen"]


def test_geojson_jsonl_parquet(store: Store, tmp_path: Path) -> None:
    buf = io.BytesIO()
    assert export_events(store, None, "geojson", buf) == 2
    gj = json.loads(buf.getvalue())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 2
    suruc = next(f for f in gj["features"] if f["properties"]["country"] == "Turkey")
    assert suruc["geometry"]["coordinates"] == [pytest.approx(38.425, abs=0.01), pytest.approx(36.976, abs=0.01)]
    buf = io.BytesIO()
    export_events(store, None, "jsonl", buf)
    lines = [json.loads(line) for line in buf.getvalue().decode().splitlines()]
    docs = [DocOut.model_validate(x) for x in lines]  # the SCHEMA.md output format
    assert sorted(d.id for d in docs) == sorted([pair("t6")["a"]["article_id"], pair("t1")["a"]["article_id"]])
    suruc = next(x for x in lines if x["id"] == pair("t6")["a"]["article_id"])["events"][0]
    assert suruc["fatalities"] == 30 and suruc["location"]["country"] == "TR"
    assert suruc["sources"]["disputed"] is True and suruc["sources"]["outlets"] == ["aawsat", "aljazirah"]
    out = tmp_path / "e.parquet"
    with out.open("wb") as fh:
        export_events(store, None, "parquet", fh)
    table = pq.read_table(out)
    assert table.column_names == list(ACLED_COLUMNS) and table.num_rows == 2
    assert str(table.schema.field("fatalities").type) == "int64"
    assert str(table.schema.field("latitude").type) == "double"


def test_cli_export(store: Store, tmp_path: Path) -> None:
    db = store.url.removeprefix("sqlite:///")
    out = tmp_path / "ye.csv"
    res = CliRunner().invoke(cli, ["export", "--format", "acled-csv", "--country", "YE", "--db", db, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 1
    bad = CliRunner().invoke(cli, ["export", "--format", "xlsx", "--db", db, "-o", str(out)])
    assert bad.exit_code == 2
    bad = CliRunner().invoke(cli, ["export", "--since", "July", "--db", db, "-o", str(out)])
    assert bad.exit_code == 2


def test_api_exports(store: Store) -> None:
    app = create_app(store.url.removeprefix("sqlite:///"))
    with TestClient(app) as client:
        r = client.get("/api/export.csv", params={"country": "TR"})
        assert r.text.splitlines()[0] == ACLED_HEADER and len(r.text.splitlines()) == 2
        r = client.get("/api/export.parquet")
        assert r.headers["content-type"].startswith("application/vnd.apache.parquet")
        assert pq.read_table(io.BytesIO(r.content)).num_rows == 2
        head = client.get("/api/events", params={"country": "TR"}).json()["events"][0]["id"]
        src = client.get(f"/api/events/{head}/sources").json()
        assert src["disputed"] is True and src["fatalities"] == 30 and src["articles"] == 2
        assert client.post(f"/api/events/{head}/unmerge").status_code == 401
    app.state.store.close()
