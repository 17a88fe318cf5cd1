"""The actor page in a real Chromium: the Islamic State's profile from six real articles.

The database is built from tests/profiles/articles.jsonl (SaudiNewsNet, July–August 2015: the
Islamic State in Benghazi and Sirte, Boko Haram's pledge to it) by the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page

from marsad.jsonl import read_articles
from marsad.pipeline import Pipeline
from marsad.store.db import Store
from tests.browser.test_dashboard import SHOTS
from tests.conftest import LiveServer

ARTICLES = Path(__file__).parent.parent / "profiles" / "articles.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = str(tmp_path_factory.mktemp("actor") / "marsad.db")
    store = Store(db, columns=False)
    pipe = Pipeline.default()
    for article in read_articles(str(ARTICLES)):
        store.save(pipe(article))
    store.close()
    with LiveServer(db) as srv:
        yield srv


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: errors.append(f"dialog opened: {d.message}"))
    pg.expected_errors = []  # type: ignore[attr-defined]
    yield pg
    unexpected = [e for e in errors if e not in pg.expected_errors]  # type: ignore[attr-defined]
    assert unexpected == [], errors  # no console error, no script ran from article text
    ctx.close()


def markers(page: Page) -> int:
    return page.locator("#actor-map path.leaflet-interactive").count()


def test_slider_moves_the_map(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/actor?id=" + "داعش")
    page.wait_for_selector("body[data-ready='1'][data-map-ready='1']", state="attached")
    assert page.locator("#actor-name").inner_text() == "Islamic State"
    slider = page.locator("#slider")
    months = int(slider.get_attribute("max") or 0) + 1
    assert months >= 2  # July and August 2015
    assert page.locator("#slider-label").inner_text() == "2015-08"
    page.locator("#cumulative").uncheck()  # only the chosen month's events
    august = markers(page)
    assert august == int(page.evaluate("() => document.body.dataset.markers"))
    slider.focus()
    page.keyboard.press("Home")  # the first month
    page.wait_for_function("() => document.body.dataset.mapMonth === '2015-07'")
    july = markers(page)
    assert july > 0 and august > 0
    # each month shows exactly its own events, as the API places them
    points = httpx.get(server.url + "/api/actors/داعش").json()["map"]["points"]
    placed = [p for p in points if p["lat"] is not None]
    assert july == sum(p["month"] == "2015-07" for p in placed)
    assert august == sum(p["month"] == "2015-08" for p in placed)
    assert july != august
    assert page.locator("#slider-label").inner_text() == "2015-07"
    page.locator("#cumulative").check()
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => document.body.dataset.mapMonth === '2015-08'")
    assert markers(page) >= max(july, august)  # everything up to August
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "actor_page.png"), full_page=True)


def test_sections_and_english(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/actor?id=ISIS")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    # Mizab's estimate of the Libyan province, a point on the chart and a row with its outlet
    assert page.locator("#estimates-chart circle.est").count() >= 1
    assert (
        "4٬500" in page.locator("#estimates tbody").inner_text()
        or "4500" in page.locator("#estimates tbody").inner_text()
    )
    # Boko Haram's pledge in the relations graph and list
    assert page.locator("#relations-graph line.edge-pledge").count() == 1
    assert "بايع" in page.locator("#relations").inner_text()
    assert page.locator("#chart rect.bar").count() >= 2
    page.locator("#lang").click()
    assert page.evaluate("() => document.documentElement.dir") == "ltr"
    assert "pledged to" in page.locator("#relations").inner_text()
    assert page.locator("#estimates-box h2").inner_text() == "Strength estimates (fighters)"
    page.locator("#lang").click()  # back to Arabic for the next test (the choice is remembered)
    assert page.evaluate("() => document.documentElement.dir") == "rtl"


def test_unknown_actor_and_branch_link(page: Page, server: LiveServer) -> None:
    # Chromium logs the API's 404 for an unknown name; the page says so and shows nothing else
    page.expected_errors.append("Failed to load resource: the server responded with a status of 404 (Not Found)")  # type: ignore[attr-defined]
    page.goto(server.url + "/actor?id=nobody-at-all")
    page.wait_for_function("() => document.getElementById('status').textContent.length > 0")
    page.wait_for_function("() => !document.getElementById('status').textContent.includes('…')")
    assert page.locator("#status").inner_text() == "لا يوجد فاعل بهذا الاسم"
    assert page.locator("#head").is_hidden()
    page.goto(server.url + "/actor?id=" + "ولاية سرت")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert page.locator("#actor-name").inner_text() == "Islamic State (Libya)"
    page.locator("#actor-family a").first.click()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    page.wait_for_function("() => document.getElementById('actor-name').textContent === 'Islamic State'")


def test_event_page_links_its_actors_to_their_profiles(page: Page, server: LiveServer) -> None:
    body = httpx.get(server.url + "/api/events", params={"limit": 200}).json()
    rows = body["events"] if isinstance(body, dict) else body
    ev = next(e for e in rows if (e.get("actor1") or "").startswith("Islamic State"))
    page.goto(f"{server.url}/#/event/{ev['id']}")
    page.wait_for_selector(f"body[data-event-ready='{ev['id']}']", state="attached")
    link = page.locator("#ev-facts a.actor-link").first
    assert link.inner_text() == ev["actor1"]
    assert link.get_attribute("href") == "/actor?id=" + quote(ev["actor1"], safe="()")  # as encodeURIComponent
    link.click()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert page.locator("#actor-name").inner_text().startswith("Islamic State")
