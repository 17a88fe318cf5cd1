"""Simple writers for event rows: CSV, GeoJSON, JSONL.

`export_rows(rows, fmt, out)` streams: rows are written as they come, so an export of a million
events never sits in memory. The CSV columns are the store's; full ACLED columns come later.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

FORMATS = ("csv", "geojson", "jsonl")
MEDIA_TYPES = {"csv": "text/csv", "geojson": "application/geo+json", "jsonl": "application/x-ndjson"}

COLUMNS = (
    "id",
    "date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "lat",
    "lon",
    "geo_precision",
    "fatalities",
    "injuries",
    "modality",
    "status",
    "source",
    "article_id",
    "evidence",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def export_rows(rows: Iterable[Mapping[str, Any]], fmt: str, out: TextIO) -> int:
    """Write `rows` (event dicts) to `out` as `fmt`; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _plain(row.get(k)) for k in COLUMNS})
            n += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({k: _plain(v) for k, v in row.items() if k != "geom"}, ensure_ascii=False))
            out.write("\n")
            n += 1
    else:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for row in rows:
            lat, lon = row.get("lat"), row.get("lon")
            geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
            props = {k: _plain(row.get(k)) for k in COLUMNS if k not in ("lat", "lon")}
            feature = {"type": "Feature", "id": row.get("id"), "geometry": geometry, "properties": props}
            out.write((",\n" if n else "") + json.dumps(feature, ensure_ascii=False))
            n += 1
        out.write("\n]}\n")
    return n
