"""Stored alerts: saving (each cause once), listing, the webhook, and the Atom feed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from marsad.alerts.rules import Alert, evaluate
from marsad.store.db import Store
from marsad.store.schema import alerts

ATOM = "http://www.w3.org/2005/Atom"


def save_alerts(store: Store, found: list[Alert]) -> list[dict[str, Any]]:
    """Store the alerts whose cause is new; returns those (as rows with their ids)."""
    if not found:
        return []
    insert = sqlite_dialect.insert if store.dialect == "sqlite" else pg_dialect.insert
    now = dt.datetime.now(dt.UTC)
    new: list[dict[str, Any]] = []
    with store.engine.begin() as conn:
        for a in found:
            stmt = (
                insert(alerts)
                .values(**a.row(), created_at=now)
                .on_conflict_do_nothing(index_elements=["cause_key"])
                .returning(alerts.c.id)
            )
            new_id = conn.execute(stmt).scalar()
            if new_id is not None:
                new.append({"id": new_id, **a.row(), "created_at": now, "delivered_at": None})
    return new


def list_alerts(store: Store, since: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Stored alerts about dates from `since` on (all by default), newest first."""
    q = sa.select(alerts).order_by(alerts.c.date.desc(), alerts.c.id.desc()).limit(limit)
    if since:
        q = q.where(alerts.c.date >= since)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v) for k, v in row.items()}


def post_webhook(store: Store, cfg: dict[str, Any], rows: list[dict[str, Any]] | None = None) -> tuple[int, list[str]]:
    """POST every undelivered alert (or `rows`) as JSON to the configured URL, one request each.

    Returns (delivered, errors). A failed delivery stays undelivered and is retried next run.
    """
    hook = cfg.get("webhook") or {}
    url = hook.get("url")
    if not url:
        return 0, []
    if rows is None:
        with store.engine.connect() as conn:
            q = sa.select(alerts).where(alerts.c.delivered_at.is_(None)).order_by(alerts.c.id)
            rows = [dict(r._mapping) for r in conn.execute(q)]
    delivered, errors = 0, []
    headers = {"Content-Type": "application/json", **(hook.get("headers") or {})}
    with httpx.Client(timeout=float(hook.get("timeout_seconds", 5))) as client:
        for row in rows:
            try:
                resp = client.post(url, json={"alert": _jsonable(row)}, headers=headers)
                resp.raise_for_status()
            except httpx.HTTPError as exc:
                errors.append(f"webhook {url}: alert {row['id']}: {exc}")
                continue
            with store.engine.begin() as conn:
                conn.execute(
                    alerts.update().where(alerts.c.id == row["id"]).values(delivered_at=dt.datetime.now(dt.UTC))
                )
            delivered += 1
    return delivered, errors


def run_alerts(
    store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date | None = None
) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Evaluate the rules, store the new alerts, deliver to the webhook: (new alerts, delivered, errors)."""
    new = save_alerts(store, evaluate(store, cfg, since, until))
    delivered, errors = post_webhook(store, cfg)
    return new, delivered, errors


def atom_feed(rows: list[dict[str, Any]], base_url: str) -> bytes:
    """An Atom 1.0 feed of alerts (ElementTree: the format is small, a feed library would add a dependency)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "marsad alerts"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{base_url.rstrip('/')}/api/alerts.atom"
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base_url.rstrip('/')}/api/alerts.atom")
    newest = max((r["created_at"] for r in rows), default=dt.datetime.now(dt.UTC))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "marsad"
    for r in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:marsad:alert:{r['cause_key']}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = r["title"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(r["created_at"])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=r["kind"])
        if r.get("event_id"):
            ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url.rstrip('/')}/api/events/{r['event_id']}")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = r["title"]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _stamp(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat()
    return str(value)
