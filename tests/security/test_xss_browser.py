"""Hostile markup in articles and in reviewer edits is shown as text in the dashboard (real Chromium).

Every payload, if it ever became markup, would make the page request a /xss-... URL (an image load
needs no script, so this holds even if the CSP were gone) or open a dialog; the test watches both.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from marsad.store.db import Store
from tests.conftest import LiveServer
from tests.store.seed import make_doc, seed

P_SCRIPT = "<script>fetch('/xss-script')</script>"
P_IMG = '<img src="/xss-img" onerror="alert(1)">'
P_SVG = '<svg onload="alert(2)"><image href="/xss-svg"/></svg>'
P_A = "<a href=\"javascript:alert(3)\"><img src='/xss-a'></a>"
P_JS = "javascript:alert(4)"
P_IFRAME = '<iframe src="/xss-iframe"></iframe>'

EVIDENCE = "قتل مسلحون خمسة مدنيين في هجوم على قرية قرب مدينة الأبيض في ولاية شمال كردفان"
ARTICLE = {
    "id": "sd-kordofan-1",
    "source": "سودان تريبيون " + P_IMG,
    "url": P_JS,
    "published": "2030-01-02",
    "title": "هجوم على قرية في شمال كردفان " + P_SVG,
    "text": EVIDENCE
    + " مساء الأربعاء، بحسب مصادر محلية. "
    + P_SCRIPT
    + " "
    + P_IFRAME
    + " "
    + P_A
    + " وقالت لجان المقاومة إن المهاجمين فروا.",
}
EVENT = {
    "event_type": "Violence against civilians",
    "sub_event_type": "Attack",
    "date": "2030-01-01",
    "actor1": ("Unidentified Armed Group (Sudan) " + P_A, "مسلحون"),
    "actor2": ("Civilians (Sudan)" + P_IMG, "مدنيين"),
    "location": ("El Obeid " + P_SVG, "الأبيض", "SD", "North Kordofan " + P_SCRIPT, 13.18, 30.22),
    "fatalities": 5,
}
EDITS = {"actor1": P_IMG, "actor2": P_SCRIPT, "location": P_SVG, "admin1": P_A}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    db = str(tmp_path_factory.mktemp("xss") / "marsad.db")
    store = Store(db)
    seed(store)
    eid = store.save(make_doc(ARTICLE, [(EVIDENCE, EVENT)]))[0]
    token = store.add_user("huda")
    store.close()
    with LiveServer(db) as srv:
        r = httpx.post(
            f"{srv.url}/api/events/{eid}/review",
            json={"action": "correct", "fields": EDITS, "note": P_SCRIPT + P_IMG},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200 and r.json()["actor2"] == P_SCRIPT, r.text
        yield srv, eid


def _watched(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(f"request {r.url}") if "xss" in r.url.lower() else None)
    page.on("dialog", lambda d: (seen.append(f"dialog {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: seen.append(f"pageerror {e}"))
    page.on("console", lambda m: seen.append(f"console {m.text}") if m.type == "error" else None)
    return page, seen


def _no_markup(page: Page) -> None:
    for sel in ("img[src*='xss']", "svg[onload]", "iframe", "a[href^='javascript']", "[onerror]", "[onload]"):
        assert page.locator(sel).count() == 0, sel
    assert page.evaluate("() => [...document.scripts].every(s => s.src && !s.textContent.trim())")


def test_list_and_map_show_payloads_as_text(browser: Browser, hostile: tuple[LiveServer, int]) -> None:
    srv, eid = hostile
    page, seen = _watched(browser)
    page.goto(srv.url + "/")
    page.wait_for_selector("body[data-map-ready='1'][data-list-ready='1']", state="attached")
    row = page.locator(f"#events tbody tr[data-id='{eid}']")
    assert P_IMG in row.inner_text() or P_SVG in row.inner_text(), row.inner_text()
    _no_markup(page)
    page.wait_for_timeout(300)  # time for a stray image request or handler to fire
    assert seen == [], seen
    page.context.close()


def test_event_page_shows_payloads_as_text(browser: Browser, hostile: tuple[LiveServer, int]) -> None:
    srv, eid = hostile
    page, seen = _watched(browser)
    page.goto(f"{srv.url}/#/event/{eid}")
    page.wait_for_selector(f"body[data-event-ready='{eid}']", state="attached")
    text = page.locator(".article-text").inner_text()
    for payload in (P_SCRIPT, P_IFRAME, P_A):
        assert payload in text
    body = page.locator("body").inner_text()
    assert P_SVG in body and "سودان تريبيون " + P_IMG in body  # title and source, as text
    facts = page.locator("#ev-facts").inner_text()
    assert P_IMG in facts and P_SCRIPT in facts, facts  # the reviewer's edits, as text
    _no_markup(page)
    page.wait_for_timeout(300)
    assert seen == [], seen
    page.context.close()
