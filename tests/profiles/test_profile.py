"""Actor profiles built from six real SaudiNewsNet articles (July–August 2015) run through the
pipeline into a fresh SQLite database.

The articles (tests/profiles/articles.jsonl) are:
- snn-2015-07-21-0459: Libyan arms trade; Mizab says the fighters of "داعش ليبيا" number
  "بين 4500 و5 آلاف مقاتل";
- snn-2015-08-01-0011, snn-2015-08-03-0830: the Islamic State fighting in Benghazi, holding Sirte;
- snn-2015-08-04-0452, snn-2015-07-25-0643, snn-2015-07-21-0133: Boko Haram attacks in Nigeria,
  each saying that it pledged allegiance to the Islamic State ("بايعت", "مبايعتها", "أعلنت ولاءها").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.api.app import create_app
from marsad.cli import app as cli_app
from marsad.jsonl import read_articles
from marsad.pipeline import Pipeline
from marsad.profiles import ProfileError, actor_profile
from marsad.store.db import Store

HERE = Path(__file__).parent
BOKO = "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"
PLEDGE_ARTICLES = {"snn-2015-08-04-0452", "snn-2015-07-25-0643", "snn-2015-07-21-0133"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("profiles") / "marsad.db")
    store = Store(path, columns=False)
    pipe = Pipeline.default()
    for article in read_articles(str(HERE / "articles.jsonl")):
        store.save(pipe(article))
    store.close()
    yield path


@pytest.fixture(scope="module")
def store(db: str) -> Iterator[Store]:
    s = Store(db, columns=False)
    yield s
    s.close()


def relation(p: dict[str, Any], kind: str, subject: str, obj: str) -> dict[str, Any] | None:
    found = [r for r in p["relations"] if (r["kind"], r["subject"], r["object"]) == (kind, subject, obj)]
    return found[0] if found else None


def test_aliases_give_one_profile(store: Store) -> None:
    profiles = [actor_profile(store, n) for n in ("داعش", "تنظيم الدولة", "ISIS", "islamic_state", "Islamic State")]
    assert {p["actor"]["id"] for p in profiles} == {"islamic_state"}
    first = json.dumps({k: v for k, v in profiles[0].items() if k != "query"}, sort_keys=True, default=str)
    for p in profiles[1:]:
        assert json.dumps({k: v for k, v in p.items() if k != "query"}, sort_keys=True, default=str) == first


def test_libyan_province(store: Store) -> None:
    p = actor_profile(store, "ولاية سرت")
    assert p["actor"]["id"] == "is_libya"
    assert p["actor"]["parent"] == {"id": "islamic_state", "name": "Islamic State"}
    assert relation(p, "branch_of", "Islamic State (Libya)", "Islamic State")["source"] == "registry"
    # the fighting at Ajdabiya (district of Al Wahat) of 2015-08-01 and 2015-08-03, with its dead
    areas = {r["admin1"]: r for r in p["by_admin1"]}
    assert areas["Al Wāḩāt"]["events"] >= 2 and areas["Al Wāḩāt"]["fatalities"] >= 5
    assert p["summary"]["countries"] == ["LY"]
    assert {r["event_type"] for r in p["by_type"]} >= {"Battles"}
    # Mizab's estimate: a range, said on 2015-07-21, linked to its article and sentence
    (est,) = [e for e in p["estimates"] if e["article_id"] == "snn-2015-07-21-0459"]
    assert (est["low"], est["high"], est["qualifier"]) == (4500, 5000, "range")
    assert est["date"] == "2015-07-21" and est["group"] == "Islamic State (Libya)"
    assert "4500" in est["text"] and est["text"] in est["evidence"]
    assert est["links"]["article"] == "/api/articles/snn-2015-07-21-0459"
    # movement: Al Wahat is a new area in the third quarter of 2015
    q3 = {q["quarter"]: q for q in p["movement"]["quarters"]}["2015-Q3"]
    assert "Al Wāḩāt" in {a["admin1"] for a in q3["new"]}


def test_parent_includes_branches(store: Store) -> None:
    parent = actor_profile(store, "داعش")
    libya = actor_profile(store, "ولاية سرت")
    members = {r["name"]: r["events"] for r in parent["by_actor"]}
    assert members["Islamic State (Libya)"] == libya["summary"]["events"] > 0
    assert parent["summary"]["events"] >= libya["summary"]["events"]
    assert "Islamic State (Libya)" in parent["names"] and parent["names"][0] == "Islamic State"
    assert any(e["article_id"] == "snn-2015-07-21-0459" for e in parent["estimates"])  # a branch's estimate
    branches = {b["id"] for b in parent["actor"]["branches"]}
    assert {"is_libya", "is_west_africa"} <= branches


def test_boko_haram_pledge_and_iswap(store: Store) -> None:
    p = actor_profile(store, "بوكو حرام")
    assert p["actor"]["id"] == "boko_haram"
    pledge = relation(p, "pledge", BOKO, "Islamic State")
    assert pledge is not None and pledge["directed"]
    assert pledge["reports"] == 3  # one per article that says it
    assert {e["article_id"] for e in pledge["evidence"]} == PLEDGE_ARTICLES
    assert {e["cue"] for e in pledge["evidence"]} >= {"بايعت"}
    joined = relation(p, "joined_as", BOKO, "Islamic State (West Africa)")
    assert joined is not None and joined["reports"] == 3
    assert p["summary"]["countries"] == ["NG"]
    assert any(r["event_type"] == "Explosions/Remote violence" and r["fatalities"] > 0 for r in p["by_type"])
    assert p["estimates"] == []  # "قتلت أكثر من 14 ألف شخص" is a toll, not fighters
    # the province's own profile shows whom it came from
    iswap = actor_profile(store, "ولاية غرب إفريقيا")
    assert iswap["actor"]["parent"]["id"] == "islamic_state"
    assert relation(iswap, "joined_as", BOKO, "Islamic State (West Africa)") is not None
    assert relation(actor_profile(store, "ISIS"), "pledge", BOKO, "Islamic State") is not None


def test_latest_events_link_to_evidence(store: Store) -> None:
    p = actor_profile(store, "Islamic State (Libya)")
    assert p["events"], p["summary"]
    for e in p["events"]:
        assert e["links"]["event"] == f"/api/events/{e['id']}"
        assert e["evidence"] and e["article_id"].startswith("snn-2015-")
    assert p["map"]["kind"] == "points"
    listed = {e["id"]: e for e in p["events"]}  # every event of this small profile is listed
    assert p["map"]["points"] and {pt["id"] for pt in p["map"]["points"]} <= set(listed)
    for pt in p["map"]["points"]:
        e = listed[pt["id"]]
        own = e["date"][:7] if e["date"] and len(e["date"]) >= 7 else None
        # an event's own month, else (flagged) its article's publication month
        assert (pt["month"], pt["date_from"]) == (e["month"], e["date_from"])
        assert e["month"] == own if e["date_from"] == "text" else own is None
    months = [m["month"] for m in p["by_month"]]
    assert months == sorted(months) and sum(m["events"] for m in p["by_month"]) <= p["summary"]["events"]


def test_unknown_actor(store: Store) -> None:
    with pytest.raises(ProfileError, match="no actor named"):
        actor_profile(store, "جماعة لا وجود لها")


def test_quiet_areas(store: Store) -> None:
    # the database ends in August 2015: with one month of silence, July-only areas are quiet
    p = actor_profile(store, "بوكو حرام", quiet_months=1)
    last = {(a["admin1"], a["last_month"]) for a in p["by_admin1"]}
    quiet = [a for q in p["movement"]["quarters"] for a in q["quiet"]]
    assert all((a["admin1"], a["last_month"]) in last for a in quiet)
    assert all(a["last_month"] < "2015-08" for a in quiet)


def test_api_route(db: str) -> None:
    with TestClient(create_app(db)) as client:
        a = client.get("/api/actors/داعش")
        b = client.get("/api/actors/ISIS")
        assert a.status_code == b.status_code == 200
        assert a.json()["summary"] == b.json()["summary"]
        assert a.json()["actor"]["id"] == "islamic_state"
        missing = client.get("/api/actors/nobody-at-all")
        assert missing.status_code == 404 and "no actor named" in missing.json()["detail"]
        assert client.get("/api/actors/ISIS", params={"quiet_months": 0}).status_code == 422
        page = client.get("/actor", params={"id": "ISIS"})
        assert page.status_code == 200 and "actor.js" in page.text
        # the list route of the storage component still answers
        assert client.get("/api/actors", params={"q": "Islamic"}).status_code == 200


def test_cli(db: str) -> None:
    runner = CliRunner()
    res = runner.invoke(cli_app, ["actor", "تنظيم الدولة", "--db", db])
    assert res.exit_code == 0, res.output
    assert "Islamic State" in res.output and "strength estimates" in res.output and "4500" in res.output
    res = runner.invoke(cli_app, ["actor", "ISIS", "--db", db, "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["actor"]["id"] == "islamic_state"
    res = runner.invoke(cli_app, ["actor", "nobody-at-all", "--db", db])
    assert res.exit_code == 1


def test_column_copy_gives_the_same_profile(db: str, store: Store) -> None:
    fast = Store(db)  # with the in-memory column copy the API uses
    try:
        fast.columns._load()  # load now instead of in the background
        with fast.engine.connect() as conn:
            assert fast.columns.get(conn) is not None
        for name in ("داعش", "بوكو حرام", "ولاية سرت"):
            assert actor_profile(fast, name) == actor_profile(store, name)
    finally:
        fast.close()


@pytest.mark.parametrize("mask_from", [0, 1_000_000], ids=["mask", "unique"])
def test_an_event_naming_the_actor_on_both_sides_counts_once(
    tmp_path: Path, mask_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of collecting an actor's events from the column copy drop the repeat, like SQL."""
    from marsad.profiles import builder
    from tests.store.seed import make_doc

    monkeypatch.setattr(builder, "MASK_DEDUPE_FROM", mask_from)
    db = str(tmp_path / "both.db")
    slow = Store(db, columns=False)
    # snn-2015-08-04-0452 style: infighting reported as a clash within one group
    text = "اندلعت اشتباكات بين فصيلين من جماعة بوكو حرام في ولاية بورنو."
    fields = {
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "date": "2015-08-04",
        "actor1": (BOKO, "بوكو حرام"),
        "actor2": (BOKO, "بوكو حرام"),
        "location": ("Borno", "بورنو", "NG", "Borno", 11.5, 13.0),
    }
    slow.save(make_doc({"id": "both-sides", "text": text}, [(text.rstrip("."), fields)]))
    fast = Store(db)
    try:
        fast.columns._load()
        got = actor_profile(fast, "بوكو حرام")
        assert got["summary"]["events"] == 1
        assert got == actor_profile(slow, "بوكو حرام")
    finally:
        fast.close()
        slow.close()


def test_undated_events_take_their_articles_month(tmp_path: Path) -> None:
    # snn-2015-08-01-0919 names no day for the coalition strike on an IS parade in Hawija: its
    # event's date stays null, the profile places it in the month the article was published, and
    # says so; the column copy and SQL give the same answer
    art = next(a for a in read_articles(str(HERE / "corpus_articles.jsonl")) if a.id == "snn-2015-08-01-0919")
    doc = Pipeline.default()(art)
    assert doc.events and all(e.date is None for e in doc.events)
    for columns in (False, True):
        store = Store(str(tmp_path / f"m{columns}.db"), columns=columns)
        store.save(doc)
        p = actor_profile(store, "islamic_state")
        store.close()
        assert p["events"] and {(e["date"], e["month"], e["date_from"]) for e in p["events"]} == {
            (None, "2015-08", "published")
        }
        assert [(m["month"], m["events"], m["undated"]) for m in p["by_month"]] == [
            ("2015-08", len(p["events"]), len(p["events"]))
        ]
        assert p["summary"]["first_month"] == "2015-08"
        assert {pt["date_from"] for pt in p["map"]["points"]} == {"published"}
