"""The first schema: sources, articles, events and their articles, actors, places, statements,
users, reviews, audit log; FTS and PostGIS extras.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from marsad.store import extras
from marsad.store.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables of this revision, by name: a table appended to schema.py later gets its own revision
# (or is created by Store's create_all for tables not yet under a migration).
TABLES = (
    "sources",
    "articles",
    "events",
    "event_articles",
    "actors",
    "actor_aliases",
    "places",
    "statements",
    "users",
    "reviews",
    "audit_log",
)


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES])
    extras.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TABLE IF EXISTS events_fts")
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in reversed(TABLES)])
