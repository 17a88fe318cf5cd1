"""The dashboard's alerts panel in a real Chromium, fed by GET /api/alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from marsad.alerts import load_config, run_alerts
from marsad.store.db import Store
from tests.alerts.test_alerts import store as alerts_store  # noqa: F401 - the real-report fixture
from tests.conftest import LiveServer


@pytest.fixture
def server(alerts_store: Store) -> Iterator[LiveServer]:  # noqa: F811
    run_alerts(alerts_store, load_config(), dt.date(2015, 6, 1))
    with LiveServer(alerts_store.url.removeprefix("sqlite:///")) as srv:
        yield srv


def test_panel_lists_alerts_with_links(server: LiveServer, browser: Browser) -> None:
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_selector("#alerts-list li.alert-spike")
    items = page.locator("#alerts-list li").all_text_contents()
    assert any("Taiz" in x and "2015-07-27" in x for x in items)
    link = page.locator("#alerts-list li.alert-mass_casualty a").first
    assert link.get_attribute("href", timeout=5000).startswith("#/event/")
    page.close()
    assert errors == []
