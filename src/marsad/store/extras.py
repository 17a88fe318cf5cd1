"""Back-end specific parts of the schema: full-text search and the PostGIS geometry.

SQLite gets an FTS5 table over the events' evidence, kept in step by triggers; PostgreSQL gets a
GIN index on `to_tsvector('simple', evidence)` and, when the PostGIS extension can be created, a
generated `geom` point column with a GiST index (plain lat/lon otherwise).
"""

from __future__ import annotations

import sqlalchemy as sa

FTS_CONFIG = "simple"  # no Arabic stemmer in PostgreSQL; 'simple' lower-cases and splits words

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5("
    "evidence, content='events', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS events_fts_ai AFTER INSERT ON events BEGIN "
    "INSERT INTO events_fts(rowid, evidence) VALUES (new.id, new.evidence); END",
    "CREATE TRIGGER IF NOT EXISTS events_fts_ad AFTER DELETE ON events BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, evidence) VALUES ('delete', old.id, old.evidence); END",
    "CREATE TRIGGER IF NOT EXISTS events_fts_au AFTER UPDATE OF evidence ON events BEGIN "
    "INSERT INTO events_fts(events_fts, rowid, evidence) VALUES ('delete', old.id, old.evidence); "
    "INSERT INTO events_fts(rowid, evidence) VALUES (new.id, new.evidence); END",
]


def install(conn: sa.Connection) -> None:
    """Create the back-end specific objects (idempotent)."""
    if conn.dialect.name == "sqlite":
        for stmt in _SQLITE_FTS:
            conn.exec_driver_sql(stmt)
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_events_evidence_fts ON events "
            f"USING gin (to_tsvector('{FTS_CONFIG}', evidence))"
        )
        if _try_postgis(conn):
            conn.exec_driver_sql(
                "ALTER TABLE events ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
                "GENERATED ALWAYS AS (CASE WHEN lon IS NOT NULL AND lat IS NOT NULL "
                "THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"
            )
            conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_geom ON events USING gist (geom)")


def _try_postgis(conn: sa.Connection) -> bool:
    """Create the PostGIS extension if the server has it; a savepoint keeps a refusal harmless."""
    have = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").first()
    if have:
        return True
    available = conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").first()
    if not available:
        return False
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    except sa.exc.DBAPIError:  # not allowed to create extensions: plain lat/lon still works
        return False
    return True


def has_postgis(conn: sa.Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    row = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'geom'"
    ).first()
    return row is not None


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must appear (each quoted, so no syntax errors)."""
    words = [w for w in text.split() if w]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)
