"""store_meta: the data_version counter that in-memory column caches compare.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from marsad.store.schema import metadata, store_meta

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, tables=[store_meta])
    op.execute(store_meta.insert().values(key="data_version", value=1))


def downgrade() -> None:
    op.drop_table("store_meta")
