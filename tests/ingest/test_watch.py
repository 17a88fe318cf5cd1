"""`watch`: conditional requests, new entries only, back-off after errors (local server on 127.0.0.1)."""

from __future__ import annotations

import time

import pytest

from marsad.ingest import runner
from marsad.ingest.feeds import Fetcher
from marsad.ingest.runner import MAX_BACKOFF, Ingester, parse_every, poll_feed, watch
from marsad.store.db import Store
from tests.ingest.conftest import OTHER, PARAS


def _feed(entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<entry><title>{t}</title><id>urn:{i}</id><link href='http://example.invalid/{i}'/>"
        f"<updated>2019-10-27T08:00:00Z</updated><content type='html'><![CDATA[<p>{body}</p>]]></content></entry>"
        for i, (t, body) in enumerate(entries)
    )
    return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>أخبار</title>{items}</feed>".encode()


def test_parse_every() -> None:
    assert parse_every("15m") == 900 and parse_every("90s") == 90 and parse_every("2h") == 7200
    with pytest.raises(ValueError, match="duration"):
        parse_every("soon")


def test_watch_polls_politely_and_ingests_only_new(store: Store, http_server) -> None:
    base, handler = http_server
    first = [("سيطرة المعارضة على مستودعات", "</p><p>".join(PARAS))]
    handler.routes["/feed"] = (200, {"Content-Type": "application/atom+xml", "ETag": '"v1"'}, _feed(first))
    ing = Ingester(store, extract=False, fetcher=Fetcher(delay=0))
    url = f"{base}/feed"

    status, outs = poll_feed(ing, url, every=900, now=1000.0)
    assert status.startswith("200") and [o.status for o in outs] == ["new"]
    # Unchanged feed: the server answers 304 to our If-None-Match; nothing is read.
    status, outs = poll_feed(ing, url, every=900, now=2000.0)
    assert status.startswith("304") and outs == []
    assert handler.hits[-1][1].get("If-None-Match") == '"v1"'
    # A new entry: only it is new; the old one is a duplicate.
    second = [*first, ("تنظيم الدولة في ليبيا", "</p><p>".join(OTHER))]
    handler.routes["/feed"] = (200, {"Content-Type": "application/atom+xml", "ETag": '"v2"'}, _feed(second))
    status, outs = poll_feed(ing, url, every=900, now=3000.0)
    assert sorted(o.status for o in outs) == ["duplicate", "new"]
    assert ing.ledger.feed_state(url)["next_poll"] == 3900.0


def test_backoff_after_errors(store: Store, http_server) -> None:
    base, handler = http_server
    handler.routes["/down"] = (503, {"Content-Type": "text/plain"}, b"busy")
    ing = Ingester(store, extract=False, fetcher=Fetcher(delay=0))
    url = f"{base}/down"
    waits = []
    for n in range(1, 4):
        status, _ = poll_feed(ing, url, every=60, now=0.0)
        state = ing.ledger.feed_state(url)
        assert status.startswith("error") and state["failures"] == n
        waits.append(state["next_poll"])
    assert waits == [120.0, 240.0, 480.0]
    for _ in range(10):
        poll_feed(ing, url, every=60, now=0.0)
    assert ing.ledger.feed_state(url)["next_poll"] == MAX_BACKOFF


def test_watch_loop_rounds(store: Store, http_server, monkeypatch) -> None:
    base, handler = http_server
    handler.routes["/feed"] = (200, {"Content-Type": "application/atom+xml"}, _feed([("خبر", "</p><p>".join(PARAS))]))
    ing = Ingester(store, extract=False, fetcher=Fetcher(delay=0))
    slept: list[float] = []
    seen: list[str] = []
    clock = [time.time()]  # the loop's clock moves only when it sleeps (no real minute of waiting)
    monkeypatch.setattr(runner.time, "time", lambda: clock[0])

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    watch(ing, [f"{base}/feed"], every=60, max_rounds=2, sleep=sleep, report=lambda u, s, o: seen.append(s))
    # The second poll happens only after the loop slept until the feed was due again.
    assert len(seen) == 2 and len(slept) >= 1
    assert ing.summary.counts["new"] == 1 and ing.summary.counts["duplicate"] == 1


def test_watch_command(tmp_path, http_server) -> None:
    from typer.testing import CliRunner

    from marsad.cli import app

    base, handler = http_server
    handler.routes["/feed"] = (200, {"Content-Type": "application/atom+xml"}, _feed([("خبر", "</p><p>".join(OTHER))]))
    db = str(tmp_path / "w.db")
    args = ["watch", f"{base}/feed", "--db", db, "--every", "1s", "--rounds", "1", "--delay", "0", "--no-extract"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert f"{base}/feed: 200: 1 entries; 1 new" in res.output
    assert "1 new" in res.output
    bad = CliRunner().invoke(app, ["watch", f"{base}/feed", "--db", db, "--every", "soon"])
    assert bad.exit_code == 2 and "duration" in bad.output
