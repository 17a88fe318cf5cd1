"""The one schema, in SQLAlchemy Core, shared by SQLite and PostgreSQL.

Back-end specific extras (SQLite FTS5 table, PostgreSQL full-text index, PostGIS geometry column)
are created by `marsad.store.extras`, not here, so this module stays portable. Other components
may append their own tables at the end of this file; migrations pick them up.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("url", sa.Text),
    sa.Column("country", sa.String(2)),
    sa.Column("language", sa.String(8)),
)

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
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("sub_event_type", sa.String(60), nullable=False),
    sa.Column("date", sa.String(10)),  # YYYY, YYYY-MM or YYYY-MM-DD
    sa.Column("actor1", sa.String(200), index=True),
    sa.Column("actor1_mention", sa.Text),
    sa.Column("actor2", sa.String(200), index=True),
    sa.Column("actor2_mention", sa.Text),
    sa.Column("location", sa.String(200)),
    sa.Column("location_mention", sa.Text),
    sa.Column("country", sa.String(2)),
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
    # Denormalized from the article so the source filter needs no join on a million rows.
    sa.Column("source", sa.String(200)),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    # The list is sorted by date and filtered by these; composite indexes keep it under 100 ms at 1M.
    sa.Index("ix_events_date_id", "date", "id"),
    sa.Index("ix_events_type_date", "event_type", "date"),
    sa.Index("ix_events_sub_date", "sub_event_type", "date"),
    sa.Index("ix_events_country_date", "country", "date"),
    sa.Index("ix_events_admin1_date", "admin1", "date"),
    sa.Index("ix_events_source_date", "source", "date"),
    sa.Index("ix_events_status_date", "status", "date"),
    sa.Index("ix_events_fatalities", "fatalities"),
    sa.Index("ix_events_latlon", "lat", "lon"),
)

# The articles each event is reported in, each with its own evidence span (raw offsets into
# articles.text). The event's own article is listed here too; merges add the others.
event_articles = sa.Table(
    "event_articles",
    metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("article_id", sa.String(64), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("evidence", sa.Text),
    sa.Column("evidence_start", sa.Integer),
    sa.Column("evidence_end", sa.Integer),
    sa.Index("ix_event_articles_article", "article_id"),
)

actors = sa.Table(
    "actors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),  # canonical, English (ACLED style)
    sa.Column("country", sa.String(2)),
)

actor_aliases = sa.Table(
    "actor_aliases",
    metadata,
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("alias", sa.String(300), primary_key=True),
)

places = sa.Table(
    "places",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("country", sa.String(2)),
    sa.Column("admin1", sa.String(200)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("precision", sa.String(10)),
    sa.UniqueConstraint("name", "country", name="uq_places_name_country"),
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

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex of the token
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), index=True),
    sa.Column("user", sa.String(100), nullable=False),
    sa.Column("action", sa.String(12), nullable=False),  # confirm, correct, reject, merge
    sa.Column("fields", sa.JSON),
    sa.Column("note", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Counters the store keeps: data_version goes up with every write (readers' caches compare it).
store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(100), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("row_id", sa.String(64), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Index("ix_audit_row", "table_name", "row_id"),
)


# ---- ingest bookkeeping (owned by marsad.ingest) --------------------------------------------
# MinHash signatures and LSH band keys of stored articles: the near-duplicate index lives in the
# database, so it needs no rebuild and answers with `bands` indexed look-ups at any size.
ingest_minhash = sa.Table(
    "ingest_minhash",
    metadata,
    sa.Column("article_id", sa.String(64), primary_key=True),
    sa.Column("signature", sa.LargeBinary, nullable=False),
)

ingest_lsh = sa.Table(
    "ingest_lsh",
    metadata,
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.String(64), primary_key=True),
)

# Articles not stored as new stories: near-duplicates (linked to the stored article they repeat)
# and skipped ones (e.g. not Arabic), each with the reason. `item_id` is the content hash.
ingest_items = sa.Table(
    "ingest_items",
    metadata,
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # near_duplicate | skipped
    sa.Column("duplicate_of", sa.String(64), index=True),
    sa.Column("similarity", sa.Float),
    sa.Column("reason", sa.Text),
    sa.Column("origin", sa.Text),  # file, URL or archive member it came from
    sa.Column("source", sa.String(200)),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

# Lines learned as boilerplate for a source (repeated across many of its articles).
ingest_boilerplate = sa.Table(
    "ingest_boilerplate",
    metadata,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("line_key", sa.String(16), primary_key=True),
)

# Feeds polled by `marsad watch`: conditional-request validators and back-off state.
ingest_feeds = sa.Table(
    "ingest_feeds",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_poll", sa.Float),  # unix time
    sa.Column("last_status", sa.Text),
)


# ---- cross-source merging (owned by marsad.merge) --------------------------------------------
# A merged event keeps its own row (status "merged", merged_into = the head): its figures stay
# there per source. `merge_links` says why and how it was merged so a reviewer can undo it;
# `head_id` is no foreign key so a link outlives a head whose article was re-saved (repaired).
merge_links = sa.Table(
    "merge_links",
    metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("head_id", sa.Integer, nullable=False, index=True),
    sa.Column("score", sa.Float),
    sa.Column("reasons", sa.JSON),
    sa.Column("prev_status", sa.String(12)),
    sa.Column("by", sa.String(100), nullable=False),  # "auto" or the reviewer
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Pairs a reviewer split apart: the clusterer never merges them again.
merge_blocks = sa.Table(
    "merge_blocks",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("other_id", sa.Integer, primary_key=True),
    sa.Column("by", sa.String(100)),
    sa.Column("at", sa.DateTime(timezone=True)),
)

# One row per event that heads a cluster of reports: the figures of each source, the conservative
# figure the event carries (ACLED's rule), whether sources disagree, and the corroboration counts.
event_clusters = sa.Table(
    "event_clusters",
    metadata,
    sa.Column("head_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("own_fatalities", sa.Integer),  # the head's figure before any merge
    sa.Column("fatalities_low", sa.Integer),
    sa.Column("fatalities_high", sa.Integer),
    sa.Column("disputed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("figures", sa.JSON),  # [{event_id, article_id, source, fatalities, injuries}]
    sa.Column("articles", sa.Integer, nullable=False, server_default="1"),
    sa.Column("sources", sa.Integer, nullable=False, server_default="1"),  # distinct outlets
    sa.Column("independent_sources", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

merge_state = sa.Table(
    "merge_state",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text),
)

# ---- alerts (owned by marsad.alerts) ---------------------------------------------------------
# `cause_key` names what the alert is about (rule, place, period, actor...): unique, so an alert
# never fires twice for the same cause however often the rules run.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("cause_key", sa.String(300), nullable=False, unique=True),
    sa.Column("rule", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON),
    sa.Column("country", sa.String(2)),
    sa.Column("admin1", sa.String(200)),
    sa.Column("actor", sa.String(200)),
    sa.Column("event_id", sa.Integer),
    sa.Column("date", sa.String(10)),  # the day (or week start) the alert is about
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),  # webhook delivery
)
