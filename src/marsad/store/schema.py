"""The one schema, in SQLAlchemy Core, shared by SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # input id or content hash
    sa.Column("content_hash", sa.String(64), index=True),
    sa.Column("source", sa.String(200), index=True),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date, index=True),
    sa.Column("text", sa.Text, nullable=False),  # the text the pipeline read (offsets refer to it)
    sa.Column("raw", sa.Text),  # the original text or HTML
    sa.Column("ingested_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.String(64), sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    sa.Column("event_type", sa.String(40), nullable=False, index=True),
    sa.Column("sub_event_type", sa.String(60), nullable=False),
    sa.Column("date", sa.String(10), index=True),  # YYYY, YYYY-MM or YYYY-MM-DD
    sa.Column("actor1", sa.String(200), index=True),
    sa.Column("actor1_mention", sa.Text),
    sa.Column("actor2", sa.String(200), index=True),
    sa.Column("actor2_mention", sa.Text),
    sa.Column("location", sa.String(200)),
    sa.Column("location_mention", sa.Text),
    sa.Column("country", sa.String(2), index=True),
    sa.Column("admin1", sa.String(200)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("geo_precision", sa.String(10)),
    sa.Column("fatalities", sa.Integer),
    sa.Column("injuries", sa.Integer),
    sa.Column("modality", sa.String(12)),
    sa.Column("attribution", sa.Text),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("evidence_start", sa.Integer),
    sa.Column("evidence_end", sa.Integer),
    sa.Column("status", sa.String(12), nullable=False, server_default="new"),
)

statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.String(64), sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    sa.Column("kind", sa.String(12), nullable=False, index=True),
    sa.Column("speaker", sa.String(200)),
    sa.Column("speaker_mention", sa.Text),
    sa.Column("about", sa.String(200), index=True),
    sa.Column("about_mention", sa.Text),
    sa.Column("places", sa.JSON),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("evidence_start", sa.Integer),
    sa.Column("evidence_end", sa.Integer),
)
