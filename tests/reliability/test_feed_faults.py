"""Feeds that time out, answer 500, redirect in a loop or send broken XML: each backs off, the others go on.

(A local http.server on 127.0.0.1; `tests/ingest/test_watch.py` covers the doubling of one 503 feed.)
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from marsad.ingest.feeds import Fetcher
from marsad.ingest.runner import Ingester, Outcome, watch
from marsad.store.db import Store
from tests.ingest.conftest import PARAS

GOOD_FEED = (
    "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>أخبار</title>"
    "<entry><title>معارضون يسيطرون على مخازن للصواريخ</title><id>urn:1</id>"
    "<link href='http://example.invalid/1'/><updated>2019-10-27T08:00:00Z</updated>"
    f"<content type='html'><![CDATA[<p>{'</p><p>'.join(PARAS)}</p>]]></content></entry></feed>"
).encode()


class _Faulty(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/slow":
            time.sleep(2.0)  # longer than the fetcher's timeout
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body = {
            "/ok": (200, GOOD_FEED),
            "/500": (500, b"internal error"),
            "/badxml": (200, b"<?xml version='1.0'?><rss><channel <<< \xd8\xae &oops"),
            "/halfxml": (200, b"<?xml version='1.0'?><rss><channel><item><title>\xd8\xae</title><description>&oops"),
        }.get(self.path, (200, b""))
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def faulty() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_bad_feeds_back_off_and_the_good_one_is_read(faulty: str, tmp_path) -> None:
    store = Store(str(tmp_path / "f.db"))
    ing = Ingester(store, extract=False, fetcher=Fetcher(delay=0, timeout=0.5))
    urls = [f"{faulty}/{name}" for name in ("slow", "500", "loop", "badxml", "halfxml", "ok")]
    log: dict[str, str] = {}
    outcomes: dict[str, list[Outcome]] = {}

    def report(url: str, status: str, outs: list[Outcome]) -> None:
        log[url] = status
        outcomes[url] = outs

    start = time.time()
    watch(ing, urls, every=60, max_rounds=1, sleep=lambda s: None, report=report)
    assert time.time() - start < 30  # a hanging feed holds the others up only for its timeout
    name = {u: u.rsplit("/", 1)[1] for u in urls}
    # Each failure is reported with its cause and backs off (2 x the interval after one failure).
    assert "timed out" in log[urls[0]].lower() or "timeout" in log[urls[0]].lower(), log
    assert log[urls[1]].startswith("error:") and "500" in log[urls[1]], log
    assert log[urls[2]].startswith("error:") and "redirect" in log[urls[2]].lower(), log
    for url in urls[:3]:
        state = ing.ledger.feed_state(url)
        assert state["failures"] == 1 and state["next_poll"] >= start + 120, (name[url], state)
        assert state["last_status"] == log[url]
    # Broken XML is the feed's content failing, not the host: a named rejection, no back-off.
    assert [o.status for o in outcomes[urls[3]]] == ["rejected"]
    assert "not a readable RSS/Atom feed" in (outcomes[urls[3]][0].reason or "")
    # A feed cut short: the entry it holds is rejected with its reason.
    assert [(o.status, o.reason) for o in outcomes[urls[4]]] == [
        ("rejected", "entry has no text and no page link to fetch")
    ]
    # The good feed, polled after all of them, was read.
    assert [o.status for o in outcomes[urls[5]]] == ["new"]
    assert ing.ledger.feed_state(urls[5])["failures"] == 0
    assert _Faulty.hits.count("/loop") > 5  # httpx followed the loop up to its limit, then gave up
    store.close()
