"""Triggers that count every write to the events table in store_meta.data_version.

Any writer (the store, the merge component, a bulk import, psql) then tells the readers' column
copies that they are stale, without having to remember to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BUMP = "UPDATE store_meta SET value = value + 1 WHERE key = 'data_version'"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # SQLite has row triggers only
        for name, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE")):
            bind.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS events_version_{name} AFTER {event} ON events BEGIN {BUMP}; END"
            )
    else:
        bind.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION marsad_bump_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS events_version ON events")
        bind.exec_driver_sql(
            "CREATE TRIGGER events_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION marsad_bump_version()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("ai", "au", "ad"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS events_version_{name}")
    else:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS events_version ON events")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS marsad_bump_version()")
