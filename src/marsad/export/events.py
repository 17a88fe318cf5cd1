"""`marsad export` and `/api/export.*`: events from the store as ACLED CSV, GeoJSON, JSONL, Parquet.

Everything streams in batches (a million events never sit in memory); each batch is completed
with its merged events' clusters (all outlets, corroboration, disputed figures) in two indexed
queries.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

import sqlalchemy as sa

from marsad.export.acled import ACLED_COLUMNS, INT_COLUMNS, acled_row
from marsad.store.db import EventFilter, Store
from marsad.store.schema import articles, event_articles, event_clusters, events

EXPORT_FORMATS = ("acled-csv", "geojson", "jsonl", "parquet")
EXPORT_MEDIA = {
    "acled-csv": "text/csv",
    "geojson": "application/geo+json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
BATCH = 2000


class ExportError(ValueError):
    """An export that cannot be made (unknown format, missing optional dependency)."""


def _batches(rows: Iterable[dict[str, Any]], n: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, n)):
        yield batch


def clusters_for(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """For the heads among `ids`: outlets (sorted), corroboration counts and figures."""
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    with store.engine.connect() as conn:
        for r in conn.execute(sa.select(event_clusters).where(event_clusters.c.head_id.in_(ids))):
            out[r.head_id] = dict(r._mapping)
        if out:
            outlets: dict[int, set[str]] = defaultdict(set)
            q = (
                sa.select(event_articles.c.event_id, articles.c.source)
                .join(articles, articles.c.id == event_articles.c.article_id)
                .where(event_articles.c.event_id.in_(list(out)))
            )
            for eid, src in conn.execute(q):
                if src:
                    outlets[eid].add(src)
            for eid, c in out.items():
                c["outlets"] = sorted(outlets[eid])
    return out


def acled_rows(store: Store, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for batch in _batches(rows):
        clusters = clusters_for(store, [r["id"] for r in batch])
        for r in batch:
            yield acled_row(r, clusters.get(r["id"]))


def _schema_event(ev: dict[str, Any], cluster: dict[str, Any] | None) -> dict[str, Any]:
    """An events row as a SCHEMA.md output event (plus marsad's extra keys)."""
    out: dict[str, Any] = {
        "event_type": ev["event_type"],
        "sub_event_type": ev["sub_event_type"],
        "date": ev.get("date"),
        "actor1": {"name": ev.get("actor1"), "mention": ev.get("actor1_mention")},
        "actor2": {"name": ev["actor2"], "mention": ev.get("actor2_mention")} if ev.get("actor2") else None,
        "location": None,
        "fatalities": ev.get("fatalities"),
        "injuries": ev.get("injuries"),
        "modality": ev.get("modality") or "asserted",
        "attribution": ev.get("attribution"),
        "evidence": ev.get("evidence"),
        "evidence_start": ev.get("evidence_start"),
        "evidence_end": ev.get("evidence_end"),
        "event_id": ev["id"],
    }
    if ev.get("location") and ev.get("country"):
        out["location"] = {
            "name": ev["location"],
            "mention": ev.get("location_mention"),
            "country": ev["country"],
            "lat": ev.get("lat"),
            "lon": ev.get("lon"),
            "precision": ev.get("geo_precision") or "country",
            "admin1": ev.get("admin1"),
        }
    if cluster:
        out["sources"] = {
            k: cluster.get(k) for k in ("outlets", "articles", "sources", "independent_sources", "disputed", "figures")
        }
    return out


def _by_article(store: Store, f: EventFilter) -> Iterator[dict[str, Any]]:
    q = sa.select(events).where(*store._where(f)).order_by(events.c.article_id, events.c.id)
    with store.engine.connect() as conn:
        for r in conn.execution_options(stream_results=True, yield_per=BATCH).execute(q):
            row = dict(r._mapping)
            row.pop("geom", None)
            yield row


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def write_jsonl(store: Store, f: EventFilter, out: IO[str]) -> int:
    """One SCHEMA.md output line per article: {"id": article id, "events": [...], "statements": []}."""
    n = 0
    current: str | None = None
    group: list[dict[str, Any]] = []

    def flush() -> None:
        if current is not None:
            line = {"id": current, "events": group, "statements": []}
            out.write(json.dumps(line, ensure_ascii=False, default=_plain) + "\n")

    for batch in _batches(_by_article(store, f)):
        clusters = clusters_for(store, [r["id"] for r in batch])
        for r in batch:
            if r["article_id"] != current:
                flush()
                current, group = r["article_id"], []
            group.append(_schema_event(r, clusters.get(r["id"])))
            n += 1
    flush()
    return n


def write_acled_csv(store: Store, f: EventFilter, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    n = 0
    for row in acled_rows(store, store.iter_events(f)):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
        n += 1
    return n


def write_geojson(store: Store, f: EventFilter, out: IO[str]) -> int:
    """A FeatureCollection: ACLED columns as properties, plus marsad's id and evidence offsets."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for batch in _batches(store.iter_events(f)):
        clusters = clusters_for(store, [r["id"] for r in batch])
        for r in batch:
            props = acled_row(r, clusters.get(r["id"]))
            props["marsad_id"] = r["id"]
            props["article_id"] = r["article_id"]
            geometry = (
                {"type": "Point", "coordinates": [r["lon"], r["lat"]]}
                if r.get("lat") is not None and r.get("lon") is not None
                else None
            )
            feature = {"type": "Feature", "id": r["id"], "geometry": geometry, "properties": props}
            out.write((",\n" if n else "") + json.dumps(feature, ensure_ascii=False))
            n += 1
    out.write("\n]}\n")
    return n


def _arrow_schema() -> Any:
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - depends on the install
        raise ExportError("Parquet needs pyarrow: pip install 'marsad[export]' (or pip install pyarrow)") from None
    fields = [pa.field(c, pa.int64() if c in INT_COLUMNS or c == "timestamp" else pa.string()) for c in ACLED_COLUMNS]
    fields[ACLED_COLUMNS.index("latitude")] = pa.field("latitude", pa.float64())
    fields[ACLED_COLUMNS.index("longitude")] = pa.field("longitude", pa.float64())
    return pa.schema(fields)


def write_parquet(store: Store, f: EventFilter, out: IO[bytes]) -> int:
    """ACLED columns, typed (integers, floats, strings), written a batch at a time."""
    schema = _arrow_schema()
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        for batch in _batches(acled_rows(store, store.iter_events(f)), 20_000):
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            n += len(batch)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def export_events(store: Store, f: EventFilter | None, fmt: str, out: IO[bytes]) -> int:
    """Write the events matching `f` as `fmt` to the binary stream `out`; returns how many."""
    f = f or EventFilter()
    if fmt == "parquet":
        return write_parquet(store, f, out)
    writers = {"acled-csv": write_acled_csv, "geojson": write_geojson, "jsonl": write_jsonl}
    if fmt not in writers:
        raise ExportError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        return writers[fmt](store, f, text)
    finally:
        text.flush()
        text.detach()  # leave `out` open for the caller
