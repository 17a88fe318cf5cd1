"""The database: SQLite file by default, PostgreSQL (with PostGIS when present) for teams, one API."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from marsad.model import Article, Doc
from marsad.store import columns as colcache
from marsad.store import extras
from marsad.store.schema import (
    actor_aliases,
    actors,
    articles,
    audit_log,
    event_articles,
    events,
    metadata,
    places,
    reviews,
    sources,
    statements,
    store_meta,
    users,
)

DEFAULT_DB = "marsad.db"
MIGRATIONS = Path(__file__).parent / "migrations"
STATUSES = ("new", "confirmed", "corrected", "rejected", "merged")
EDITABLE = (
    "event_type",
    "sub_event_type",
    "date",
    "actor1",
    "actor2",
    "location",
    "country",
    "admin1",
    "lat",
    "lon",
    "fatalities",
    "injuries",
    "modality",
)
SORTS = {"date": events.c.date, "fatalities": events.c.fatalities, "id": events.c.id}
COUNT_CAP = 10_000  # beyond this the list says "10000+": an exact count of 1M rows costs a scan


class StoreError(ValueError):
    """A request the database cannot honour (unknown event, bad merge target...)."""


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from `--db`, `MARSAD_DB` or the default `./marsad.db`.

    A plain path means a SQLite file; anything with "://" is used as a URL.
    """
    value = db or os.environ.get("MARSAD_DB") or DEFAULT_DB
    if "://" in value:
        return value.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(value).expanduser()}"


SQLITE_POOL = 40  # connections kept: above the API's threads (8 by default, MARSAD_API_THREADS)
# SQLite's memory in one process, all connections together (a process-wide soft limit)
SQLITE_HEAP_MB = int(os.environ.get("MARSAD_SQLITE_HEAP_MB", "256"))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB page cache: the 1M-event queries stay in memory
    # Reads through the file's mapping share the OS's page cache instead of filling each pooled
    # connection's own: with 1 GB mapped, a 1.3 GB database's last pages went to the page caches
    # of the API's 40 connections, and the server's memory grew for minutes under load. SQLite
    # caps the size at its compile-time maximum (2 GB in Debian's build).
    cur.execute(f"PRAGMA mmap_size={1 << 40}")
    # Beyond that maximum, one bound for all connections: SQLite frees cached pages to stay under it.
    cur.execute(f"PRAGMA soft_heap_limit={SQLITE_HEAP_MB << 20}")
    cur.close()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class EventFilter:
    """The filters of `/api/events`, `/api/stats` and the exports (all optional, all combined)."""

    country: list[str] = field(default_factory=list)
    admin1: list[str] = field(default_factory=list)
    event_type: list[str] = field(default_factory=list)
    sub_event_type: list[str] = field(default_factory=list)
    actor: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    min_fatalities: int | None = None
    source: list[str] = field(default_factory=list)
    q: str | None = None  # free text in the evidence
    status: list[str] = field(default_factory=list)  # default: everything but merged events


class Store:
    """Articles, events, statements, actors, places, reviews and the audit log in one database."""

    def __init__(self, db: str | None = None, columns: bool = True) -> None:
        """Open (and migrate) the database; `columns` keeps an in-memory column copy for fast reads."""
        self.url = resolve_url(db)
        if sa.engine.make_url(self.url).get_backend_name() == "sqlite":
            # The API answers from several threads at once: with the default pool (5 kept) most
            # requests under load opened a new connection (and ran its pragmas) and closed it
            # afterwards, a fifth of a server's time. A file needs no liveness ping before use.
            self.engine = sa.create_engine(self.url, future=True, pool_size=SQLITE_POOL, max_overflow=8)
        else:
            # a PostgreSQL server may have restarted since a pooled connection was made: ping it
            self.engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()
        with self.engine.connect() as conn:
            self.postgis = extras.has_postgis(conn)
        self.columns = colcache.ColumnCache(self.engine) if columns else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creating it on a new database)."""
        from alembic import command
        from alembic.config import Config

        with self.engine.begin() as conn:
            names = set(sa.inspect(conn).get_table_names())
            if "events" in names and "alembic_version" not in names:
                raise StoreError(
                    f"{self.url}: made by an older marsad without migrations; "
                    "move it away (or give another --db) and load the articles again"
                )
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            # Tables appended to schema.py by other components before they have a revision.
            metadata.create_all(conn)

    def close(self) -> None:
        self.engine.dispose()

    # ---- writing -----------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(articles.c.id).where(articles.c.id == article_id)).first() is not None

    def save(self, doc: Doc, raw: str | None = None) -> list[int]:
        """Store an article with its events and statements in one transaction (replacing old ones).

        Returns the new events' ids.
        """
        art: Article = doc.article
        out = doc.output()
        with self.engine.begin() as conn:
            conn.execute(sa.delete(articles).where(articles.c.id == art.id))
            if self.dialect == "sqlite":  # SQLite cascades only when foreign_keys is on; be sure
                old = sa.select(events.c.id).where(events.c.article_id == art.id)
                conn.execute(sa.delete(event_articles).where(event_articles.c.event_id.in_(old)))
                conn.execute(sa.delete(events).where(events.c.article_id == art.id))
                conn.execute(sa.delete(statements).where(statements.c.article_id == art.id))
            if art.source:
                self._upsert(conn, sources, {"name": art.source}, ["name"])
            conn.execute(
                articles.insert().values(
                    id=art.id,
                    content_hash=doc.meta.get("content_hash"),
                    source=art.source,
                    url=art.url,
                    title=art.title,
                    published=art.published,
                    text=doc.raw,
                    raw=raw if raw is not None else (art.html or art.text),
                )
            )
            ids = []
            for e in out.events:
                row = event_row(art.id, e.model_dump(), source=art.source)
                new_id = conn.execute(events.insert().values(**row).returning(events.c.id)).scalar_one()
                ids.append(new_id)
                conn.execute(
                    event_articles.insert().values(
                        event_id=new_id,
                        article_id=art.id,
                        evidence=row["evidence"],
                        evidence_start=row["evidence_start"],
                        evidence_end=row["evidence_end"],
                    )
                )
                self._remember_entities(conn, e.model_dump())
            srows = [_statement_row(art.id, s.model_dump()) for s in out.statements]
            if srows:
                conn.execute(statements.insert(), srows)
        return ids

    def _upsert(self, conn: sa.Connection, table: sa.Table, values: dict[str, Any], keys: list[str]) -> None:
        ins = (sqlite_dialect if self.dialect == "sqlite" else pg_dialect).insert(table).values(**values)
        conn.execute(ins.on_conflict_do_nothing(index_elements=keys))

    def _remember_entities(self, conn: sa.Connection, e: dict[str, Any]) -> None:
        """Keep the actors (with the Arabic forms seen) and places an event names."""
        for key in ("actor1", "actor2"):
            a = e.get(key) or {}
            if not a.get("name"):
                continue
            self._upsert(conn, actors, {"name": a["name"]}, ["name"])
            if a.get("mention"):
                actor_id = conn.execute(sa.select(actors.c.id).where(actors.c.name == a["name"])).scalar_one()
                self._upsert(conn, actor_aliases, {"actor_id": actor_id, "alias": a["mention"]}, ["actor_id", "alias"])
        loc = e.get("location") or {}
        if loc.get("name"):
            self._upsert(
                conn,
                places,
                {
                    "name": loc["name"],
                    "country": loc.get("country"),
                    "admin1": loc.get("admin1"),
                    "lat": loc.get("lat"),
                    "lon": loc.get("lon"),
                    "precision": loc.get("precision"),
                },
                ["name", "country"],
            )

    # ---- reading -----------------------------------------------------------------------------

    def _where(self, f: EventFilter) -> list[sa.ColumnElement[bool]]:
        c = events.c
        conds: list[sa.ColumnElement[bool]] = []
        for col, values in (
            (c.country, f.country),
            (c.admin1, f.admin1),
            (c.event_type, f.event_type),
            (c.sub_event_type, f.sub_event_type),
            (c.source, f.source),
        ):
            if len(values) == 1:
                conds.append(col == values[0])
            elif values:
                conds.append(col.in_(values))
        if f.status:
            conds.append(c.status.in_(f.status) if len(f.status) > 1 else c.status == f.status[0])
        else:
            conds.append(c.status != "merged")
        if f.actor:
            conds.append(sa.or_(c.actor1 == f.actor, c.actor2 == f.actor))
        if f.date_from:
            conds.append(c.date >= f.date_from)
        if f.date_to:  # "2024-03" as an end includes all of March
            conds.append(c.date <= f.date_to + ("-99" if len(f.date_to) < 10 else ""))
        if f.min_fatalities is not None:
            conds.append(c.fatalities >= f.min_fatalities)
        if f.bbox:
            west, south, east, north = f.bbox
            if self.postgis:
                conds.append(
                    sa.text("geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)").bindparams(
                        w=west, s=south, e=east, n=north
                    )
                )
            else:
                conds += [c.lat.between(south, north), c.lon.between(west, east)]
        if f.q and f.q.strip():
            if self.dialect == "sqlite":
                conds.append(
                    c.id.in_(
                        sa.text("SELECT rowid FROM events_fts WHERE events_fts MATCH :fq").bindparams(
                            fq=extras.fts_query(f.q)
                        )
                    )
                )
            else:
                conds.append(
                    sa.func.to_tsvector(sa.literal_column(f"'{extras.FTS_CONFIG}'"), c.evidence).op("@@")(
                        sa.func.plainto_tsquery(sa.literal_column(f"'{extras.FTS_CONFIG}'"), f.q)
                    )
                )
        return conds

    def _snapshot(self, conn: sa.Connection) -> colcache.Snapshot | None:
        return self.columns.get(conn) if self.columns is not None else None

    def _text_rows(self, conn: sa.Connection, snap: colcache.Snapshot, q: str | None) -> np.ndarray | None:
        """Positions in `snap` of the events whose evidence has every word of `q` (full-text index)."""
        if not q or not q.strip() or self.columns is None:
            return None
        if self.dialect == "sqlite":
            sql, params = "SELECT rowid FROM events_fts WHERE events_fts MATCH ?", (extras.fts_query(q),)
        else:
            sql = (
                f"SELECT id FROM events WHERE to_tsvector('{extras.FTS_CONFIG}', evidence) "
                f"@@ plainto_tsquery('{extras.FTS_CONFIG}', %s)"
            )
            params = (q,)

        def fetch() -> np.ndarray:
            # the raw cursor: SQLAlchemy's Row objects cost more than the search for 100k hits
            cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cur.execute(sql, params)
                return np.fromiter(chain.from_iterable(cur.fetchall()), dtype=np.int64)
            finally:
                cur.close()

        return self.columns.text_rows(snap, q, fetch)

    def _rows_by_id(self, conn: sa.Connection, ids: list[int], cols: Sequence[Any]) -> list[dict[str, Any]]:
        if not ids:
            return []
        found = {r.id: dict(r._mapping) for r in conn.execute(sa.select(*cols).where(events.c.id.in_(ids)))}
        return [found[i] for i in ids if i in found]

    def query_events(
        self, f: EventFilter | None = None, limit: int = 50, offset: int = 0, sort: str = "-date"
    ) -> tuple[list[dict[str, Any]], int, bool]:
        """Events matching `f`, a page of them: (rows, total, total_is_exact)."""
        f = f or EventFilter()
        key = sort.lstrip("-")
        if key not in SORTS:
            raise StoreError(f"sort must be one of {sorted(SORTS)} (with - for descending), got {sort!r}")
        with self.engine.connect() as conn:
            snap = self._snapshot(conn)
            if snap is not None:
                mask = colcache.mask_for(snap, f, self._text_rows(conn, snap, f.q))
                ids = colcache.page_ids(snap, mask, sort, limit, offset)
                return self._rows_by_id(conn, ids, _list_columns()), int(np.count_nonzero(mask)), True
            col = SORTS[key]
            if sort.startswith("-"):
                order = [col.desc().nulls_last(), events.c.id.desc()]
            else:
                order = [col.asc().nulls_last(), events.c.id]
            where = self._where(f)
            q = sa.select(*_list_columns()).where(*where).order_by(*order).limit(limit).offset(offset)
            capped = sa.select(events.c.id).where(*where).limit(COUNT_CAP + 1).subquery()
            rows = [dict(r._mapping) for r in conn.execute(q)]
            total = int(conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one())
        return rows, min(total, COUNT_CAP), total <= COUNT_CAP

    def iter_events(self, f: EventFilter | None = None, batch: int = 5000) -> Iterable[dict[str, Any]]:
        """Every matching event, in date order, streamed (exports)."""
        q = sa.select(events).where(*self._where(f or EventFilter())).order_by(events.c.date, events.c.id)
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(q)
            for r in result:
                yield dict(r._mapping)

    def list_events(self, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        """The newest events (kept for callers of the first version)."""
        return self.query_events(limit=limit, offset=offset)[0]

    def get_event(self, event_id: int) -> dict[str, Any] | None:
        """One event with the articles it is reported in, each with its evidence span."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(events).where(events.c.id == event_id)).first()
            if row is None:
                return None
            ev = dict(row._mapping)
            ev.pop("geom", None)
            arts = conn.execute(
                sa.select(
                    event_articles.c.article_id,
                    event_articles.c.evidence,
                    event_articles.c.evidence_start,
                    event_articles.c.evidence_end,
                    articles.c.title,
                    articles.c.source,
                    articles.c.url,
                    articles.c.published,
                )
                .join(articles, articles.c.id == event_articles.c.article_id)
                .where(event_articles.c.event_id == event_id)
                .order_by(articles.c.published, articles.c.id)
            )
            ev["articles"] = [dict(a._mapping) for a in arts]
            ev["reviews"] = [
                dict(r._mapping)
                for r in conn.execute(sa.select(reviews).where(reviews.c.event_id == event_id).order_by(reviews.c.id))
            ]
        return ev

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
            if row is None:
                return None
            art = dict(row._mapping)
            art["events"] = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(
                        events.c.id,
                        events.c.event_type,
                        events.c.sub_event_type,
                        events.c.date,
                        event_articles.c.evidence_start,
                        event_articles.c.evidence_end,
                    )
                    .join(event_articles, event_articles.c.event_id == events.c.id)
                    .where(event_articles.c.article_id == article_id)
                    .order_by(events.c.id)
                )
            ]
        return art

    def list_actors(self, q: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Actors with their aliases, optionally those whose name or alias contains `q`."""
        stmt = sa.select(actors.c.id, actors.c.name, actors.c.country).order_by(actors.c.name).limit(limit)
        if q:
            like = f"%{q}%"
            stmt = stmt.where(
                sa.or_(
                    actors.c.name.ilike(like),
                    actors.c.id.in_(sa.select(actor_aliases.c.actor_id).where(actor_aliases.c.alias.like(like))),
                )
            )
        with self.engine.connect() as conn:
            found = [dict(r._mapping) for r in conn.execute(stmt)]
            ids = [a["id"] for a in found]
            aliases: dict[int, list[str]] = defaultdict(list)
            if ids:
                for r in conn.execute(
                    sa.select(actor_aliases).where(actor_aliases.c.actor_id.in_(ids)).order_by(actor_aliases.c.alias)
                ):
                    aliases[r.actor_id].append(r.alias)
        for a in found:
            a["aliases"] = aliases[a["id"]]
        return found

    def stats(self, f: EventFilter | None = None, period: str = "week") -> dict[str, Any]:
        """Counts and fatalities by period (day, week, month), by type, by country and admin1."""
        if period not in ("day", "week", "month"):
            raise StoreError(f"period must be day, week or month, got {period!r}")
        f = f or EventFilter()
        with self.engine.connect() as conn:
            snap = self._snapshot(conn)
            if snap is not None:
                mask = colcache.mask_for(snap, f, self._text_rows(conn, snap, f.q))
                by_day, by_type, by_place = _column_groups(snap, mask)
            else:
                by_day, by_type, by_place = self._sql_groups(conn, f)
        series: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        total = [0, 0]
        for day, count, dead in by_day:
            total[0] += count
            total[1] += int(dead)
            key = _bucket(day, period)
            if key:
                series[key][0] += count
                series[key][1] += int(dead)
        types: dict[str, dict[str, Any]] = {}
        for typ, sub, count, dead in by_type:
            t = types.setdefault(typ, {"event_type": typ, "events": 0, "fatalities": 0, "sub_types": []})
            t["events"] += count
            t["fatalities"] += int(dead)
            t["sub_types"].append({"sub_event_type": sub, "events": count, "fatalities": int(dead)})
        for t in types.values():
            t["sub_types"].sort(key=lambda x: (-x["events"], x["sub_event_type"]))
        countries: dict[str | None, dict[str, Any]] = {}
        for country, admin1, count, dead in by_place:
            k = countries.setdefault(country, {"country": country, "events": 0, "fatalities": 0, "admin1": []})
            k["events"] += count
            k["fatalities"] += int(dead)
            k["admin1"].append({"admin1": admin1, "events": count, "fatalities": int(dead)})
        for k in countries.values():
            k["admin1"].sort(key=lambda a: (-a["events"], a["admin1"] or ""))
        return {
            "events": total[0],
            "fatalities": total[1],
            "period": period,
            "series": [
                {"period": p, "events": series[p][0], "fatalities": series[p][1]} for p in _periods(series, period)
            ],
            "by_type": sorted(types.values(), key=lambda t: (-t["events"], t["event_type"])),
            "by_country": sorted(countries.values(), key=lambda k: (-k["events"], k["country"] or "")),
        }

    def _sql_groups(self, conn: sa.Connection, f: EventFilter) -> tuple[list[Any], list[Any], list[Any]]:
        where = self._where(f)
        c = events.c
        fat = sa.func.coalesce(sa.func.sum(c.fatalities), 0)
        n = sa.func.count()
        by_day = conn.execute(sa.select(c.date, n, fat).where(*where).group_by(c.date)).all()
        by_type = conn.execute(
            sa.select(c.event_type, c.sub_event_type, n, fat).where(*where).group_by(c.event_type, c.sub_event_type)
        ).all()
        by_place = conn.execute(
            sa.select(c.country, c.admin1, n, fat).where(*where).group_by(c.country, c.admin1)
        ).all()
        return list(by_day), list(by_type), list(by_place)

    def map_cells(self, f: EventFilter, zoom: int, max_points: int = 3000) -> dict[str, Any]:
        """What the map shows: the events themselves when few, else counts on a grid of cells.

        Aggregating here keeps the page fast however many events are in view (never a million
        markers in the browser).
        """
        cell = 360.0 / (2 ** max(0, min(zoom, 18)) * 8)  # about 32 px cells at this zoom
        c = events.c
        point_cols = [c.id, c.lat, c.lon, c.event_type, c.sub_event_type, c.fatalities, c.date, c.location]
        with self.engine.connect() as conn:
            snap = self._snapshot(conn)
            if snap is not None:
                mask = colcache.mask_for(snap, f, self._text_rows(conn, snap, f.q))
                mask &= snap.located()
                n = int(np.count_nonzero(mask))
                if n <= max_points:
                    return {"kind": "points", "points": _column_points(snap, np.flatnonzero(mask))}
                rows = _column_cells(snap, mask, cell)
            else:
                where = [*self._where(f), c.lat.is_not(None), c.lon.is_not(None)]
                capped = sa.select(c.id).where(*where).limit(max_points + 1).subquery()
                n = int(conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one())
                if n <= max_points:
                    found = conn.execute(sa.select(*point_cols).where(*where)).all()
                    return {"kind": "points", "points": [dict(r._mapping) for r in found]}
                gx = sa.func.floor((c.lon + 180.0) / cell).label("gx")
                gy = sa.func.floor((c.lat + 90.0) / cell).label("gy")
                rows = conn.execute(
                    sa.select(
                        gx,
                        gy,
                        c.event_type,
                        sa.func.count().label("n"),
                        sa.func.coalesce(sa.func.sum(c.fatalities), 0).label("fatalities"),
                        sa.func.avg(c.lat).label("lat"),
                        sa.func.avg(c.lon).label("lon"),
                    )
                    .where(*where)
                    .group_by(gx, gy, c.event_type)
                ).all()
                rows = [(int(r.gx), int(r.gy), r.event_type, r.n, r.fatalities, r.lat, r.lon) for r in rows]
        cells: dict[tuple[int, int], dict[str, Any]] = {}
        for gx_, gy_, typ, count, dead, lat, lon in rows:
            k = cells.setdefault((gx_, gy_), {"n": 0, "fatalities": 0, "lat": 0.0, "lon": 0.0, "types": Counter()})
            k["lat"] = (k["lat"] * k["n"] + lat * count) / (k["n"] + count)
            k["lon"] = (k["lon"] * k["n"] + lon * count) / (k["n"] + count)
            k["n"] += count
            k["fatalities"] += int(dead)
            k["types"][typ] += count
        out = [
            {
                "lat": round(float(k["lat"]), 4),
                "lon": round(float(k["lon"]), 4),
                "n": k["n"],
                "fatalities": k["fatalities"],
                "event_type": k["types"].most_common(1)[0][0],
                "types": dict(k["types"]),
            }
            for k in cells.values()
        ]
        out.sort(key=lambda c: (-c["n"], c["lat"], c["lon"]))
        return {"kind": "cells", "cell_deg": cell, "cells": out}

    def data_version(self) -> int:
        """How many writes the events table has seen: answers computed at one version hold until it moves."""
        with self.engine.connect() as conn:
            return data_version(conn)

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def article_ids(self) -> Iterable[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(articles.c.id))]

    # ---- users, reviews, audit ---------------------------------------------------------------

    def add_user(self, name: str) -> str:
        """Create a reviewer (or give an existing one a new token); returns the token, shown once."""
        token = secrets.token_urlsafe(32)
        digest = hash_token(token)
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(users.c.id).where(users.c.name == name)).first()
            if found:
                conn.execute(users.update().where(users.c.id == found.id).values(token_hash=digest))
            else:
                conn.execute(users.insert().values(name=name, token_hash=digest))
        return token

    def user_for_token(self, token: str | None) -> str | None:
        """The reviewer a token belongs to, or None.

        Looks the digest up by index, then compares digests in constant time so the answer's
        timing does not depend on how much of a guess matched.
        """
        if not token:
            return None
        digest = hash_token(token)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users.c.name, users.c.token_hash).where(users.c.token_hash == digest)).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return str(row.name)

    def review(
        self,
        event_id: int,
        user: str,
        action: str,
        fields: dict[str, Any] | None = None,
        into: int | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Confirm, correct, reject or merge an event; the change and its audit entry in one transaction."""
        now = dt.datetime.now(dt.UTC)
        fields = dict(fields or {})
        bad = sorted(set(fields) - set(EDITABLE))
        if bad:
            raise StoreError(f"cannot edit {bad}; editable fields: {list(EDITABLE)}")
        with self.engine.begin() as conn:
            version_before = data_version(conn)
            before = self._event_state(conn, event_id)
            if before is None:
                raise StoreError(f"no event {event_id}")
            if action == "confirm":
                change: dict[str, Any] = {"status": "confirmed"}
            elif action == "correct":
                if not fields:
                    raise StoreError("a correction needs at least one field")
                change = {**fields, "status": "corrected"}
            elif action == "reject":
                change = {"status": "rejected"}
            elif action == "merge":
                if into is None or into == event_id:
                    raise StoreError("merge needs 'into': the id of another event")
                if self._event_state(conn, into) is None:
                    raise StoreError(f"no event {into} to merge into")
                for link in conn.execute(sa.select(event_articles).where(event_articles.c.event_id == event_id)):
                    self._upsert(
                        conn,
                        event_articles,
                        {**dict(link._mapping), "event_id": into},
                        ["event_id", "article_id"],
                    )
                change = {"status": "merged", "merged_into": into}
            else:
                raise StoreError(f"action must be confirm, correct, reject or merge, got {action!r}")
            conn.execute(events.update().where(events.c.id == event_id).values(**change, updated_at=now))
            after = self._event_state(conn, event_id)
            version_after = data_version(conn)  # the table's triggers counted the update
            conn.execute(
                reviews.insert().values(
                    event_id=event_id,
                    user=user,
                    action=action,
                    fields=fields or ({"into": into} if into else None),
                    note=note,
                    at=now,
                )
            )
            conn.execute(
                audit_log.insert().values(
                    at=now,
                    user=user,
                    action=f"review:{action}",
                    table_name="events",
                    row_id=str(event_id),
                    before=before,
                    after=after,
                )
            )
        if self.columns is not None and after is not None:
            self.columns.apply_review(event_id, after, version_before, version_after)
        return after or {}

    def _event_state(self, conn: sa.Connection, event_id: int) -> dict[str, Any] | None:
        cols = [events.c[k] for k in (*EDITABLE, "status", "merged_into")]
        row = conn.execute(sa.select(*cols).where(events.c.id == event_id)).first()
        return dict(row._mapping) if row else None

    def audit(self, row_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if row_id is not None:
            q = q.where(audit_log.c.row_id == row_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # ---- bulk (benchmarks, imports) ----------------------------------------------------------

    def bulk_insert(self, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
        """executemany in one transaction (the FTS triggers still run on SQLite)."""
        if rows:
            with self.engine.begin() as conn:
                conn.execute(table.insert(), list(rows))


def data_version(conn: sa.Connection) -> int:
    """How many writes the events table has seen (triggers count them, whoever the writer is)."""
    row = conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "data_version")).first()
    return int(row[0]) if row else 0


def _column_groups(snap: colcache.Snapshot, mask: np.ndarray) -> tuple[list[Any], list[Any], list[Any]]:
    """The three GROUP BYs of `stats`, over the column copy."""
    every = bool(mask.all())
    # positions gathered once: a filter keeps a few percent of a million events, and a gather
    # by position is several times cheaper than a boolean mask over the whole array per column
    pos = None if every else np.flatnonzero(mask)

    def pick(values: np.ndarray) -> np.ndarray:
        return values if pos is None else values[pos]  # no copy of a million values when nothing is filtered

    fat = pick(snap.dead_weights())
    out = []
    ranks = pick(snap.date_rank) + 1  # 0 = no date
    counts, dead = colcache.group_sum(ranks, fat, len(snap.dates) + 1)
    dates = [None, *snap.dates]
    out.append([(dates[i], int(counts[i]), int(dead[i])) for i in np.flatnonzero(counts)])
    for a, b in (("event_type", "sub_event_type"), ("country", "admin1")):
        ca, cb = snap.codes[a], snap.codes[b]
        nb = len(cb.values)
        keys = pick(snap.cols[a]).astype(np.int64) * nb + pick(snap.cols[b])
        counts, dead = colcache.group_sum(keys, fat, len(ca.values) * nb)
        out.append(
            [(ca.values[i // nb], cb.values[i % nb], int(counts[i]), int(dead[i])) for i in np.flatnonzero(counts)]
        )
    return out[0], out[1], out[2]


def _column_points(snap: colcache.Snapshot, pos: np.ndarray) -> list[dict[str, Any]]:
    """The map's points from the arrays, as the SQL path gives them (up to 3,000 rows by id cost
    ~30 ms of SQLite and SQLAlchemy rows; the arrays hold every field the map draws)."""
    codes, cols = snap.codes, snap.cols
    ranks, fat = snap.date_rank[pos].tolist(), snap.fatalities[pos].tolist()
    return [
        {
            "id": i,
            "lat": la,
            "lon": lo,
            "event_type": codes["event_type"].values[t],
            "sub_event_type": codes["sub_event_type"].values[st],
            "fatalities": None if d < 0 else d,
            "date": None if r < 0 else snap.dates[r],
            "location": codes["location"].values[loc],
        }
        for i, la, lo, t, st, d, r, loc in zip(
            snap.ids[pos].tolist(),
            snap.lat[pos].tolist(),
            snap.lon[pos].tolist(),
            cols["event_type"][pos].tolist(),
            cols["sub_event_type"][pos].tolist(),
            fat,
            ranks,
            cols["location"][pos].tolist(),
            strict=True,
        )
    ]


def _column_cells(snap: colcache.Snapshot, mask: np.ndarray, cell: float) -> list[tuple[Any, ...]]:
    """Grid cells x event type: count, fatalities and mean position, over the column copy."""
    pos = np.flatnonzero(mask)
    lat, lon = snap.lat[pos], snap.lon[pos]
    types = snap.cols["event_type"][pos]
    ntypes = len(snap.codes["event_type"].values)
    gx = np.floor((lon + 180.0) / cell).astype(np.int64)
    gy = np.floor((lat + 90.0) / cell).astype(np.int64)
    key = (gx * (1 << 24) + gy) * ntypes + types
    uniq, inv = np.unique(key, return_inverse=True)
    counts = np.bincount(inv)
    dead = np.bincount(inv, weights=snap.dead_weights()[pos])
    mlat = np.bincount(inv, weights=lat) / counts
    mlon = np.bincount(inv, weights=lon) / counts
    names = snap.codes["event_type"].values
    out = []
    for i, k in enumerate(uniq.tolist()):
        cellkey, t = divmod(k, ntypes)
        out.append((cellkey >> 24, cellkey & ((1 << 24) - 1), names[t], int(counts[i]), int(dead[i]), mlat[i], mlon[i]))
    return out


def _list_columns() -> list[sa.ColumnElement[Any]]:
    skip = {"geom"}
    return [col for col in events.c if col.name not in skip]


def _periods(series: dict[str, list[int]], period: str) -> list[str]:
    """Every period from the first to the last, empty ones included (a timeline has no gaps)."""
    if not series:
        return []
    keys = sorted(series)
    if period == "month":
        first, last = dt.date.fromisoformat(keys[0] + "-01"), dt.date.fromisoformat(keys[-1] + "-01")
        out, d = [], first
        while d <= last:
            out.append(d.isoformat()[:7])
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out
    step = dt.timedelta(days=7 if period == "week" else 1)
    first, last = dt.date.fromisoformat(keys[0]), dt.date.fromisoformat(keys[-1])
    return [(first + i * step).isoformat() for i in range((last - first) // step + 1)]


def _bucket(day: str | None, period: str) -> str | None:
    if not day or len(day) < 10:
        return None  # month- or year-precision dates have no day to put on a timeline
    if period == "day":
        return day
    if period == "month":
        return day[:7]
    try:
        d = dt.date.fromisoformat(day)
    except ValueError:
        return None
    return (d - dt.timedelta(days=d.weekday())).isoformat()  # the week's Monday


def event_row(article_id: str, e: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """An `EventOut` (as a dict) as a row of the events table."""
    a1, a2, loc = e.get("actor1") or {}, e.get("actor2") or {}, e.get("location") or {}
    return {
        "article_id": article_id,
        "event_type": e["event_type"],
        "sub_event_type": e["sub_event_type"],
        "date": e.get("date"),
        "actor1": a1.get("name"),
        "actor1_mention": a1.get("mention"),
        "actor2": a2.get("name"),
        "actor2_mention": a2.get("mention"),
        "location": loc.get("name"),
        "location_mention": loc.get("mention"),
        "country": loc.get("country"),
        "admin1": loc.get("admin1"),
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        "geo_precision": loc.get("precision"),
        "fatalities": e.get("fatalities"),
        "injuries": e.get("injuries"),
        "modality": e.get("modality"),
        "attribution": e.get("attribution"),
        "evidence": e["evidence"],
        "evidence_start": e.get("evidence_start"),
        "evidence_end": e.get("evidence_end"),
        "source": source,
    }


_event_row = event_row  # the first version's name


def _statement_row(article_id: str, s: dict[str, Any]) -> dict[str, Any]:
    sp, ab = s.get("speaker") or {}, s.get("about") or {}
    return {
        "article_id": article_id,
        "kind": s["kind"],
        "speaker": sp.get("name"),
        "speaker_mention": sp.get("mention"),
        "about": ab.get("name"),
        "about_mention": ab.get("mention"),
        "places": s.get("places") or [],
        "evidence": s["evidence"],
        "evidence_start": s.get("evidence_start"),
        "evidence_end": s.get("evidence_end"),
    }
