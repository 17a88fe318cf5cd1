"""Event rows as ACLED rows: ACLED's column names and codes, so tools built for ACLED data load ours.

Codes (resources/export/acled.yaml): time_precision 1 day / 2 week-month / 3 year; geo_precision
1 town / 2 near a town or part of a region / 3 larger region; inter codes 1-8 from the actor
registry; interaction = both inter codes, smaller first ("12"), or the one code and 0 ("60");
iso = ISO 3166 numeric; region = ACLED's region name.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from iso3166 import countries as iso_countries

from marsad.resources import load_yaml

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
INT_COLUMNS = ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities")


@cache
def _codes() -> dict[str, Any]:
    return load_yaml("export/acled.yaml")


@cache
def inter_code(name: str | None) -> int | None:
    """ACLED inter code (1-8) of a canonical actor name, from the actor registry."""
    if not name:
        return None
    from marsad.nlp.actors import ActorRegistry

    entry = ActorRegistry.load().find(name)
    if entry is None and " (" in name:  # a generic name filled for a country: "Civilians (Iraq)"
        entry = ActorRegistry.load().find(name.split(" (", 1)[0])
    return entry.inter if entry is not None else None


@cache
def country_info(alpha2: str | None) -> tuple[str, str, int | None, str]:
    """(ACLED country name, ACLED region, ISO numeric, alpha-3) of an ISO alpha-2 code."""
    if not alpha2:
        return "", "", None, ""
    try:
        iso = iso_countries.get(alpha2)
    except KeyError:
        return alpha2, "", None, alpha2
    name, region = (_codes()["countries"].get(alpha2) or [iso.name, ""])[:2]
    return name, region, int(iso.numeric), iso.alpha3


def time_precision(date: str | None) -> int:
    return {10: 1, 7: 2}.get(len(date or ""), 3)


def event_date(date: str | None) -> str:
    """A full date (ACLED files every event on a day): a month or year falls on its first day."""
    if not date:
        return ""
    return date + {7: "-01", 4: "-01-01"}.get(len(date), "")


def interaction(i1: int | None, i2: int | None) -> int | None:
    if i1 is None:
        return None
    if i2 is None:
        return i1 * 10
    a, b = sorted((i1, i2))
    return a * 10 + b


def acled_row(ev: dict[str, Any], cluster: dict[str, Any] | None = None) -> dict[str, Any]:
    """One events-table row (plus, for a merged event, its cluster: outlets, figures) as ACLED."""
    codes = _codes()
    date = ev.get("date")
    name, region, numeric, alpha3 = country_info(ev.get("country"))
    i1, i2 = inter_code(ev.get("actor1")), inter_code(ev.get("actor2"))
    actor2 = ev.get("actor2") or ""
    disorder = codes["disorder_type_by_sub_event"].get(ev.get("sub_event_type")) or codes["disorder_type"].get(
        ev.get("event_type"), ""
    )
    cluster = cluster or {}
    outlets = cluster.get("outlets") or ([ev["source"]] if ev.get("source") else [])
    tags = []
    if cluster.get("independent_sources"):
        tags.append(f"sources={cluster.get('sources')}; independent sources={cluster['independent_sources']}")
    if cluster.get("disputed"):
        tags.append(f"fatalities disputed: {cluster.get('fatalities_low')}-{cluster.get('fatalities_high')}")
    stamp = ev.get("updated_at") or ev.get("ingested_at")
    if isinstance(stamp, dt.datetime):
        timestamp = int(stamp.replace(tzinfo=stamp.tzinfo or dt.UTC).timestamp())
    else:
        timestamp = int(dt.datetime.now(dt.UTC).timestamp())
    lat, lon = ev.get("lat"), ev.get("lon")
    return {
        "event_id_cnty": f"{alpha3 or 'XXX'}{ev['id']}",
        "event_date": event_date(date),
        "year": int(date[:4]) if date else None,
        "time_precision": time_precision(date),
        "disorder_type": disorder,
        "event_type": ev.get("event_type") or "",
        "sub_event_type": ev.get("sub_event_type") or "",
        "actor1": ev.get("actor1") or "",
        "assoc_actor_1": "",
        "inter1": i1,
        "actor2": actor2,
        "assoc_actor_2": "",
        "inter2": i2,
        "interaction": interaction(i1, i2),
        "civilian_targeting": "Civilian targeting" if actor2.startswith(codes["civilians_prefix"]) else "",
        "iso": numeric,
        "region": region,
        "country": name,
        "admin1": ev.get("admin1") or "",
        "admin2": "",
        "admin3": "",
        "location": ev.get("location") or "",
        "latitude": round(lat, 4) if lat is not None else None,
        "longitude": round(lon, 4) if lon is not None else None,
        "geo_precision": codes["geo_precision"].get(ev.get("geo_precision"), 3),
        "source": "; ".join(outlets),
        "source_scale": "",
        "notes": ev.get("evidence") or "",
        "fatalities": ev.get("fatalities") or 0,  # ACLED writes 0 when no death is reported
        "tags": "; ".join(tags),
        "timestamp": timestamp,
    }
