"""The database: SQLite file by default, PostgreSQL for teams, one API for both."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from marsad.model import Article, Doc
from marsad.store.schema import articles, events, metadata, statements

DEFAULT_DB = "marsad.db"


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from `--db`, `MARSAD_DB` or the default `./marsad.db`.

    A plain path means a SQLite file; anything with "://" is used as a URL.
    """
    value = db or os.environ.get("MARSAD_DB") or DEFAULT_DB
    if "://" in value:
        return value.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """Articles, events and statements in one database."""

    def __init__(self, db: str | None = None) -> None:
        self.url = resolve_url(db)
        self.engine = sa.create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def has_article(self, article_id: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(articles.c.id).where(articles.c.id == article_id)).first() is not None
            )

    def save(self, doc: Doc, raw: str | None = None) -> None:
        """Store an article with its events and statements in one transaction (replacing any old ones)."""
        art: Article = doc.article
        out = doc.output()
        with self.engine.begin() as conn:
            conn.execute(sa.delete(articles).where(articles.c.id == art.id))
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
            rows = [_event_row(art.id, e.model_dump()) for e in out.events]
            if rows:
                conn.execute(events.insert(), rows)
            srows = [_statement_row(art.id, s.model_dump()) for s in out.statements]
            if srows:
                conn.execute(statements.insert(), srows)

    def list_events(self, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
        q = (
            sa.select(events, articles.c.source, articles.c.title, articles.c.url)
            .join(articles, articles.c.id == events.c.article_id)
            .order_by(events.c.date.desc().nulls_last(), events.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def article_ids(self) -> Iterable[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(articles.c.id))]


def _event_row(article_id: str, e: dict[str, Any]) -> dict[str, Any]:
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
    }


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
