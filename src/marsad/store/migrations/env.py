"""Alembic environment: run with the connection `marsad.store.db.Store` hands over.

From the command line: `alembic -c src/marsad/store/migrations/alembic.ini -x db=URL upgrade head`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from marsad.store.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from marsad.store.db import resolve_url

    url = resolve_url(context.get_x_argument(as_dictionary=True).get("db"))
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
