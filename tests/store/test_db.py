"""The store on both back-ends (SQLite file and a real PostgreSQL/PostGIS server)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from marsad.store.db import EventFilter, Store, StoreError, hash_token
from marsad.store.schema import actor_aliases, event_articles, events, places, sources, statements, users
from tests.store.seed import ARTICLES, make_doc, seed


@pytest.fixture(params=[True, False], ids=["columns", "sql"])
def store(db_url: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each back-end twice: reads answered by the in-memory column copy, and by SQL alone."""
    s = Store(db_url, columns=request.param)
    yield s
    s.close()


def test_save_keeps_article_events_links_actors_places(store: Store) -> None:
    ids = seed(store)
    assert store.count(events) == 5
    assert store.count(event_articles) == 5
    assert store.count(sources) == 4
    assert store.count(places) == 5
    assert store.count(actor_aliases) == 9
    ev = store.get_event(ids["iq-tarmiyah-1"])
    assert ev is not None
    art = store.get_article("iq-tarmiyah-1")
    assert art is not None
    link = ev["articles"][0]
    # the evidence span points into the stored text
    assert art["text"][link["evidence_start"] : link["evidence_end"]] == ev["evidence"]
    assert ev["source"] == "السومرية نيوز"
    assert store.has_article("iq-tarmiyah-1") and not store.has_article("nope")


def test_save_again_replaces_not_duplicates(store: Store) -> None:
    seed(store)
    article, evs = ARTICLES[0]
    store.save(make_doc(article, evs))
    assert store.count(events) == 5
    assert store.count(event_articles) == 5


def test_save_is_one_transaction(store: Store) -> None:
    article, evs = ARTICLES[1]
    doc = make_doc(article, evs)
    doc.statements.append(doc.events[0])  # type: ignore[arg-type]  # not a statement: fails mid-save
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll the article back too
        store.save(doc)
    assert not store.has_article(article["id"])
    assert store.count(events) == 0 and store.count(statements) == 0


def test_filters(store: Store) -> None:
    seed(store)

    def n(**kw: object) -> int:
        return store.query_events(EventFilter(**kw))[1]  # type: ignore[arg-type]

    assert n() == 5
    assert n(country=["IQ"]) == 2
    assert n(country=["IQ", "LY"]) == 3
    assert n(admin1=["Baghdad"]) == 2
    assert n(event_type=["Explosions/Remote violence"]) == 2
    assert n(sub_event_type=["Peaceful protest"]) == 1
    assert n(actor="Military Forces of Iraq") == 1
    assert n(date_from="2024-03-10", date_to="2024-03-31") == 2
    assert n(date_to="2024-03") == 3
    assert n(bbox=(40.0, 30.0, 50.0, 35.0)) == 2  # Iraq
    assert n(min_fatalities=5) == 2
    assert n(source=["السومرية نيوز"]) == 2
    assert n(q="عبوة ناسفة") == 1
    assert n(q="غارة") == 1
    assert n(q="كلمة-غير-موجودة") == 0
    assert n(q='"unbalanced') == 0  # user text is never query syntax
    assert n(status=["confirmed"]) == 0
    assert n(actor="Nobody") == 0
    assert n(country=["ZZ"]) == 0


def test_sort_and_pages(store: Store) -> None:
    seed(store)
    rows, total, exact = store.query_events(limit=2, offset=0, sort="-date")
    assert (total, exact) == (5, True)
    assert [r["date"] for r in rows] == ["2024-04-14", "2024-04-02"]
    rows, _, _ = store.query_events(limit=2, offset=4, sort="-date")
    assert [r["date"] for r in rows] == ["2024-03-04"]
    rows, _, _ = store.query_events(limit=1, sort="-fatalities")
    assert rows[0]["fatalities"] == 12
    with pytest.raises(StoreError, match="sort must be one of"):
        store.query_events(sort="evil")


def test_stats(store: Store) -> None:
    seed(store)
    st = store.stats(period="week")
    assert st["events"] == 5 and st["fatalities"] == 19
    # 2024-03-04 is a Monday; the Sirte clash (Sunday 03-10) falls in the same week
    assert st["series"][0] == {"period": "2024-03-04", "events": 2, "fatalities": 17}
    by_type = {t["event_type"]: t["events"] for t in st["by_type"]}
    assert by_type["Explosions/Remote violence"] == 2
    iq = next(c for c in st["by_country"] if c["country"] == "IQ")
    assert iq["events"] == 2 and iq["admin1"][0]["admin1"] == "Baghdad"
    assert [p["period"] for p in store.stats(period="month")["series"]] == ["2024-03", "2024-04"]
    assert store.stats(EventFilter(country=["LY"]))["fatalities"] == 5


def test_review_confirm_correct_reject_merge_audited(store: Store) -> None:
    ids = seed(store)
    token = store.add_user("huda")
    assert store.user_for_token(token) == "huda"
    assert store.user_for_token(token + "x") is None
    with store.engine.connect() as conn:  # stored hashed, never in clear
        stored = conn.execute(sa.select(users.c.token_hash)).scalar_one()
    assert stored == hash_token(token) and token not in stored

    eid = ids["ly-sirte-1"]
    after = store.review(eid, "huda", "correct", {"fatalities": 6, "admin1": "Sirte"})
    assert after["fatalities"] == 6 and after["status"] == "corrected"
    store.review(ids["sy-idlib-1"], "huda", "confirm")
    store.review(ids["iq-tahrir-1"], "huda", "reject")
    store.review(ids["iq-tarmiyah-1"], "huda", "merge", into=ids["iq-tahrir-1"])
    merged = store.get_event(ids["iq-tahrir-1"])
    assert merged is not None
    assert {a["article_id"] for a in merged["articles"]} == {"iq-tahrir-1", "iq-tarmiyah-1"}
    assert store.query_events()[1] == 4  # the merged one is hidden from the list
    assert store.query_events(EventFilter(status=["rejected"]))[1] == 1

    log = store.audit(str(eid))
    assert len(log) == 1
    assert log[0]["user"] == "huda" and log[0]["before"]["fatalities"] == 5 and log[0]["after"]["fatalities"] == 6
    assert len(store.audit()) == 4
    with pytest.raises(StoreError, match="cannot edit"):
        store.review(eid, "huda", "correct", {"evidence": "x"})
    with pytest.raises(StoreError, match="no event"):
        store.review(999_999, "huda", "confirm")
    with pytest.raises(StoreError, match="merge needs"):
        store.review(eid, "huda", "merge", into=eid)


def test_reopen_runs_migrations_once(db_url: str) -> None:
    Store(db_url).close()
    s = Store(db_url)
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "0003"
    s.close()


def test_postgis_geometry_and_spatial_index(pg_url: str) -> None:
    s = Store(pg_url)
    assert s.postgis
    seed(s)
    with s.engine.connect() as conn:
        x = conn.exec_driver_sql("SELECT ST_X(geom) FROM events WHERE article_id = 'ly-sirte-1'").scalar_one()
        idx = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_events_geom'").scalar_one()
    assert x == pytest.approx(16.59)
    assert "gist" in idx
    s.close()


def test_map_cells_aggregate_when_many(store: Store) -> None:
    seed(store)
    pts = store.map_cells(EventFilter(), zoom=4)
    assert pts["kind"] == "points" and len(pts["points"]) == 5
    cells = store.map_cells(EventFilter(), zoom=2, max_points=2)
    assert cells["kind"] == "cells"
    assert sum(c["n"] for c in cells["cells"]) == 5
    assert len(cells["cells"]) < 5  # Baghdad and Tarmiyah share a cell at this zoom


def test_column_copy_answers_like_sql(db_url: str) -> None:
    """The column copy and plain SQL give the same pages, totals, stats and map on varied data."""
    rnd = random.Random(7)
    fast = Store(db_url)
    for i in range(60):
        article, evs = ARTICLES[i % len(ARTICLES)]
        article = {**article, "id": f"{article['id']}-{i}"}
        ((evidence, fields),) = evs
        fields = dict(fields)
        fields["date"] = rnd.choice(["2024-01-05", "2024-02-11", "2024-02", None, "2024-03-30", "2023-12-31"])
        fields["fatalities"] = rnd.choice([None, 0, 1, 3, 12, 40])
        if rnd.random() < 0.2:
            fields["location"] = None
        fast.save(make_doc(article, [(evidence, fields)]))
    token_user = "rev"
    fast.query_events()  # the column copy is loaded: the reviews below are applied to it in place
    fast.review(3, token_user, "reject")
    fast.review(4, token_user, "merge", into=5)
    fast.review(6, token_user, "correct", {"fatalities": 99, "country": "SY", "location": "حلب"})
    slow = Store(db_url, columns=False)
    filters = [
        EventFilter(),
        EventFilter(country=["IQ", "SY"]),
        EventFilter(date_from="2024-02-01", date_to="2024-02"),
        EventFilter(date_to="2024-01-31"),
        EventFilter(min_fatalities=3),
        EventFilter(bbox=(30.0, 25.0, 50.0, 40.0)),
        EventFilter(q="غارة"),
        EventFilter(status=["rejected", "merged"]),
        EventFilter(actor="Libyan National Army", event_type=["Battles"]),
    ]
    for f in filters:
        for sort in ("-date", "date", "-fatalities", "fatalities", "id", "-id"):
            for offset in (0, 7):
                a, ta, _ = fast.query_events(f, limit=10, offset=offset, sort=sort)
                b, tb, _ = slow.query_events(f, limit=10, offset=offset, sort=sort)
                assert [r["id"] for r in a] == [r["id"] for r in b], (f, sort, offset)
                assert ta == tb
        for period in ("day", "week", "month"):
            assert fast.stats(f, period) == slow.stats(f, period), (f, period)
        assert fast.map_cells(f, 2, max_points=3) == slow.map_cells(f, 2, max_points=3)
        # points drawn from the arrays: every field as the database gives it
        got = fast.map_cells(f, 5)
        assert got["kind"] == "points"
        assert sorted(got["points"], key=lambda p: p["id"]) == sorted(
            slow.map_cells(f, 5)["points"], key=lambda p: p["id"]
        ), f
    fast.close()
    slow.close()


def test_column_copy_follows_reviews_and_saves(db_url: str) -> None:
    s = Store(db_url)
    ids = seed(s)
    assert s.query_events(EventFilter(min_fatalities=10))[1] == 1  # loads the copy
    snap = s.columns.snapshot  # type: ignore[union-attr]
    s.review(ids["ly-sirte-1"], "huda", "correct", {"fatalities": 30, "admin1": "Sirte"})
    assert s.columns.snapshot is snap  # type: ignore[union-attr]  # updated in place, no reload
    assert s.query_events(EventFilter(min_fatalities=10))[1] == 2
    assert s.query_events(EventFilter(admin1=["Sirte"]))[1] == 1
    s.review(ids["ly-sirte-1"], "huda", "correct", {"date": "2023-01-01"})  # moves in date order
    assert s.query_events(limit=1, sort="date")[0][0]["id"] == ids["ly-sirte-1"]
    # a save by another Store (another process) is seen on the next read
    other = Store(db_url, columns=False)
    article, evs = ARTICLES[0]
    other.save(make_doc({**article, "id": "another"}, evs))
    assert s.query_events()[1] == 6
    # so is a write that bypasses the store (the table's triggers count it)
    with other.engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET country = 'TN' WHERE id = :i"), {"i": ids["iq-tahrir-1"]})
    assert s.query_events(EventFilter(country=["TN"]))[1] == 1
    other.close()
    s.close()


def test_text_search_cache_follows_writes(db_url: str) -> None:
    """Full-text hits are cached per data version: a new or edited evidence is found at once."""
    s = Store(db_url)
    seed(s)
    before = s.query_events(EventFilter(q="عبوة ناسفة"))[1]
    assert s.query_events(EventFilter(q="عبوة  ناسفة"))[1] == before  # the same words: served from the cache
    assert len(s.columns.text_cache) == 1  # type: ignore[union-attr]
    other = Store(db_url, columns=False)
    article, evs = ARTICLES[0]
    evidence = "انفجرت عبوة ناسفة على طريق زراعي قرب بعقوبة"
    other.save(make_doc({**article, "id": "another", "text": evidence + "."}, [(evidence, evs[0][1])]))
    assert s.query_events(EventFilter(q="عبوة ناسفة"))[1] == before + 1
    with other.engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET evidence = 'اشتباكات' WHERE evidence = :e"), {"e": evidence})
    assert s.query_events(EventFilter(q="عبوة ناسفة"))[1] == before
    other.close()
    s.close()
